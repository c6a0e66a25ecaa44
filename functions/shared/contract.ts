/**
 * Request contract v1 (DESIGN §2): one JSON message asks for one flow on one vendor.
 *
 * The zod schemas here are the single source: the dispatcher validates with them, the vendor tasks re-parse with
 * them (defaults applied), and `npm run schema` exports `schemas/provision-request.v1.json` for upstream teams.
 * Vendor-specific parts are a discriminated union on `vendor`; each mirrors the vendor's documented parameters with
 * our camelCase names.
 */
import { z } from 'zod';
import { LIMITS } from './config.ts';

/** The five vendors this project knows, whether or not a pipeline for each has landed yet. */
export const VENDOR_IDS = [
  'aws-mediaconnect',
  'alibaba-ice',
  'alibaba-cams',
  'huawei-live',
  'volcengine-live',
] as const;
export type VendorId = (typeof VENDOR_IDS)[number];

/** Printable text without control characters: names and descriptions end up in vendor consoles and logs. */
const text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');

/** A resource name the vendors accept: letters, digits, `-` and `_`, starting with a letter or digit. */
export const resourceName = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'must be letters, digits, "-" or "_", starting with a letter or digit');

const ipv4Cidr = z
  .string()
  .regex(
    /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/,
    'must be an IPv4 CIDR such as 203.0.113.0/24',
  );

const tags = z
  .record(z.string().min(1).max(128), z.string().max(256))
  .refine((t) => Object.keys(t).length <= LIMITS.maxTags, `at most ${LIMITS.maxTags} tags`);

const common = {
  schemaVersion: z.literal(1),
  /** Idempotency key: the execution name derives from it, never from the SQS message id. */
  requestId: z
    .string()
    .min(1)
    .max(80)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be 1–80 characters of A-Z, a-z, 0-9, "_" or "-"'),
  region: z
    .string()
    .min(2)
    .max(32)
    .regex(/^[a-z0-9-]+$/, 'must be a region id such as us-east-1'),
  /** Whether to start the flow after creating it. */
  start: z.boolean().default(true),
  /** `keep` leaves what was created for a redrive; `rollback` deletes it when a later step fails for good. */
  onFailure: z.enum(['keep', 'rollback']).default('keep'),
};

// --- aws-mediaconnect -------------------------------------------------------------------------------------------

const awsSource = z.strictObject({
  name: resourceName(64),
  protocol: z.enum([
    'zixi-push',
    'rtp-fec',
    'rtp',
    'zixi-pull',
    'rist',
    'st2110-jpegxs',
    'cdi',
    'srt-listener',
    'srt-caller',
    'udp',
    'ndi-speed-hq',
  ]),
  ingestPort: z.number().int().min(1).max(65535).optional(),
  whitelistCidr: ipv4Cidr.optional(),
  maxBitrate: z.number().int().positive().optional(),
  maxLatency: z.number().int().min(0).max(60000).optional(),
  minLatency: z.number().int().min(0).max(60000).optional(),
  streamId: text(128).optional(),
  sourceListenerAddress: text(255).optional(),
  sourceListenerPort: z.number().int().min(1).max(65535).optional(),
  description: text(256).optional(),
});

const awsEntitlement = z.strictObject({
  name: resourceName(64),
  /** AWS account ids allowed to build a flow from this content. */
  subscribers: z
    .array(z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'))
    .min(1)
    .max(LIMITS.maxSubscribers),
  description: text(256).optional(),
  dataTransferSubscriberFeePercent: z.number().int().min(0).max(100).optional(),
  entitlementStatus: z.enum(['ENABLED', 'DISABLED']).optional(),
});

export const awsMediaConnectRequest = z.strictObject({
  ...common,
  vendor: z.literal('aws-mediaconnect'),
  flow: z.strictObject({
    name: resourceName(LIMITS.maxFlowNameLength),
    source: awsSource,
    availabilityZone: z
      .string()
      .regex(/^[a-z0-9-]+[a-z]$/)
      .optional(),
    flowSize: z.enum(['MEDIUM', 'LARGE', 'LARGE_4X']).optional(),
    tags: tags.optional(),
  }),
  entitlements: z.array(awsEntitlement).max(LIMITS.maxEntitlements).default([]),
});

// --- alibaba-ice (vendors/alibaba-ice.md) ----------------------------------------------------------------------------

/** MediaConnect input/output protocols (AddMediaConnectFlowInput/Output `InputProtocol`/`OutputProtocol`). */
export const ICE_PROTOCOLS = ['RTMP-PUSH', 'RTMP-PULL', 'SRT-Listener', 'SRT-Caller', 'Flow'] as const;
/** ICE allows at most 4 outputs per flow. */
export const ICE_MAX_OUTPUTS = 4;

const streamUrl = z
  .string()
  .max(1024)
  .regex(/^(rtmp|rtmps|srt):\/\/\S+$/, 'must be an rtmp://, rtmps:// or srt:// URL');

const srtOptions = {
  /** SRT latency in ms (`SrtLatency`). */
  srtLatency: z.number().int().min(0).max(60_000).optional(),
  /** SRT passphrase (`SrtPassphrase`); SRT requires 10–79 characters. */
  srtPassphrase: z.string().min(10).max(79).optional(),
  /** SRT key length (`SrtPbkeyLen`). */
  srtPbkeyLen: z.enum(['0', '16', '24', '32']).optional(),
};

/** Cross-field rules the ICE docs state per protocol; each problem names the field to fix. */
function checkIceEndpoint(
  value: { protocol: (typeof ICE_PROTOCOLS)[number]; pairFlowId?: string | undefined } & Record<string, unknown>,
  ctx: z.RefinementCtx,
  rules: { urlField: string; urlNeededFor: readonly string[]; pairNameField: string },
): void {
  if (rules.urlNeededFor.includes(value.protocol) && value[rules.urlField] === undefined) {
    ctx.addIssue({ code: 'custom', path: [rules.urlField], message: `required for protocol ${value.protocol}` });
  }
  if (value.protocol === 'Flow') {
    for (const field of ['pairFlowId', rules.pairNameField]) {
      if (value[field] === undefined)
        ctx.addIssue({ code: 'custom', path: [field], message: 'required for protocol Flow' });
    }
  }
  if (!value.protocol.startsWith('SRT-')) {
    for (const field of Object.keys(srtOptions)) {
      if (value[field] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `only applies to SRT protocols, not ${value.protocol}`,
        });
      }
    }
  }
}

const iceInput = z
  .strictObject({
    name: resourceName(64),
    protocol: z.enum(ICE_PROTOCOLS),
    /** Where the flow pulls from (`InputFromUrl`): needed for RTMP-PULL and SRT-Caller. */
    fromUrl: streamUrl.optional(),
    /** Allow-list of sources (`Cidrs`, sent comma-separated). */
    cidrs: z.array(ipv4Cidr).min(1).max(50).optional(),
    /** Bit/s (`MaxBitrate`). */
    maxBitrate: z.number().int().positive().optional(),
    /** `Flow` type: the upstream flow and its output (`PairFlowId`, `PairOutputName`). */
    pairFlowId: text(64).optional(),
    pairOutputName: resourceName(64).optional(),
    ...srtOptions,
  })
  .superRefine((input, ctx) =>
    checkIceEndpoint(input, ctx, {
      urlField: 'fromUrl',
      urlNeededFor: ['RTMP-PULL', 'SRT-Caller'],
      pairNameField: 'pairOutputName',
    }),
  );

/** What ICE offers instead of entitlements: an output (AddMediaConnectFlowOutput). */
const iceOutput = z
  .strictObject({
    name: resourceName(64),
    protocol: z.enum(ICE_PROTOCOLS),
    /** Where the flow pushes to (`OutputToUrl`): needed for RTMP-PUSH and SRT-Caller. */
    toUrl: streamUrl.optional(),
    /** `Flow` type: cascade into another flow's input (`PairFlowId`, `PairInputName`). */
    pairFlowId: text(64).optional(),
    pairInputName: resourceName(64).optional(),
    /** Concurrent viewers of a pull output (`PlayerLimit`); ICE serves at most five per output. */
    playerLimit: z.number().int().min(1).max(5).optional(),
    /** Allow-list of consumers (`Cidrs`, sent comma-separated). */
    cidrs: z.array(ipv4Cidr).min(1).max(50).optional(),
    ...srtOptions,
  })
  .superRefine((output, ctx) =>
    checkIceEndpoint(output, ctx, {
      urlField: 'toUrl',
      urlNeededFor: ['RTMP-PUSH', 'SRT-Caller'],
      pairNameField: 'pairInputName',
    }),
  );

export const alibabaIceRequest = z.strictObject({
  ...common,
  vendor: z.literal('alibaba-ice'),
  flow: z.strictObject({
    /** Our name; the vendor flow name adds the request identity (`functions/vendors/alibaba/flow-name.ts`). */
    name: resourceName(LIMITS.maxFlowNameLength),
    input: iceInput,
  }),
  /** ICE outputs: handed to consumers as pull URLs or cascades (ICE has no cross-account entitlement). */
  entitlements: z
    .array(iceOutput)
    .max(ICE_MAX_OUTPUTS, `an ICE flow has at most ${ICE_MAX_OUTPUTS} outputs`)
    .default([])
    .superRefine((outputs, ctx) => {
      const seen = new Set<string>();
      outputs.forEach((output, i) => {
        if (seen.has(output.name)) {
          ctx.addIssue({ code: 'custom', path: [i, 'name'], message: 'output names must be unique within a flow' });
        }
        seen.add(output.name);
      });
    }),
});

// --- alibaba-cams (vendors/alibaba-cams.md) --------------------------------------------------------------------------

/**
 * WhatsApp Flow categories (CreateFlow `Categories`). The CAMS page enumerates WhatsApp's list (CUSTOMER_SUPPORT,
 * OTHER, ...); this is Meta's published list, which CAMS relays.
 */
export const CAMS_FLOW_CATEGORIES = [
  'SIGN_UP',
  'SIGN_IN',
  'APPOINTMENT_BOOKING',
  'LEAD_GENERATION',
  'CONTACT_US',
  'CUSTOMER_SUPPORT',
  'SURVEY',
  'OTHER',
] as const;

/** CAMS's Flow APIs are served from Singapore only (`cams.ap-southeast-1.aliyuncs.com`). */
export const CAMS_REGION = 'ap-southeast-1';

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048);

export const alibabaCamsRequest = z.strictObject({
  ...common,
  vendor: z.literal('alibaba-cams'),
  region: z.literal(CAMS_REGION, { error: `CAMS Flow APIs are only served in ${CAMS_REGION}` }),
  flow: z.strictObject({
    /** Our name; the vendor flow name adds the request identity (`functions/vendors/alibaba/flow-name.ts`). */
    name: resourceName(LIMITS.maxFlowNameLength),
    categories: z
      .array(z.enum(CAMS_FLOW_CATEGORIES))
      .min(1)
      .max(CAMS_FLOW_CATEGORIES.length)
      .refine((c) => new Set(c).size === c.length, 'categories must not repeat'),
    /** ISV sub-customer space (`CustSpaceId`), sent with every Flow call. */
    custSpaceId: resourceName(64).optional(),
    /** Data endpoint of the WhatsApp Flow (`EndpointUri`). */
    endpointUri: httpUrl.optional(),
    /** The flow definition to upload after creation (UpdateFlowJSONAsset `FilePath`). */
    jsonAsset: z.strictObject({ filePath: httpUrl }).optional(),
  }),
  /** CAMS has nothing to share: "start" publishes the flow, and access is through the sending WhatsApp number. */
  entitlements: z
    .array(z.unknown())
    .max(
      0,
      'alibaba-cams flows cannot be shared: CAMS has no entitlement or output API (access is through the WhatsApp business number that sends the flow); omit "entitlements" or send []',
    )
    .default([]),
});

// --- the union ----------------------------------------------------------------------------------------------------

/**
 * The v1 request. Vendors whose pipeline has not landed yet are not members, so a request for them is rejected at
 * the dispatcher with a clear message instead of failing at a vendor.
 */
export const provisionRequest = z.discriminatedUnion('vendor', [
  awsMediaConnectRequest,
  alibabaIceRequest,
  alibabaCamsRequest,
]);

export type ProvisionRequest = z.output<typeof provisionRequest>;
export type ProvisionRequestInput = z.input<typeof provisionRequest>;
export type AwsMediaConnectRequest = z.output<typeof awsMediaConnectRequest>;
export type AlibabaIceRequest = z.output<typeof alibabaIceRequest>;
export type AlibabaCamsRequest = z.output<typeof alibabaCamsRequest>;

/** Vendors the pipeline accepts today (the union's members). */
export const SUPPORTED_VENDORS: readonly VendorId[] = provisionRequest.options.map((o) => o.shape.vendor.value);

export type ParseResult = { ok: true; request: ProvisionRequest } | { ok: false; issues: string[] };

/**
 * Parses a raw SQS body: size, JSON syntax, then the schema. Every problem is listed with its path, so an upstream
 * team can fix a message from the DLQ record alone.
 */
export function parseRequestBody(body: string): ParseResult {
  const size = Buffer.byteLength(body, 'utf8');
  if (size > LIMITS.maxMessageBytes) {
    return { ok: false, issues: [`message is ${size} bytes; the limit is ${LIMITS.maxMessageBytes}`] };
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return { ok: false, issues: [`body is not JSON: ${(error as Error).message}`] };
  }
  return parseRequest(json);
}

/** Validates an already-parsed JSON value against the contract. */
export function parseRequest(value: unknown): ParseResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, issues: ['body must be a JSON object'] };
  }
  const vendor = (value as Record<string, unknown>).vendor;
  if (typeof vendor === 'string' && !SUPPORTED_VENDORS.includes(vendor as VendorId)) {
    const known = (VENDOR_IDS as readonly string[]).includes(vendor);
    return {
      ok: false,
      issues: [
        known
          ? `vendor: "${vendor}" is not supported by this deployment yet (supported: ${SUPPORTED_VENDORS.join(', ')})`
          : `vendor: unknown vendor "${truncate(vendor, 40)}" (expected one of: ${SUPPORTED_VENDORS.join(', ')})`,
      ],
    };
  }
  const result = provisionRequest.safeParse(value);
  if (result.success) return { ok: true, request: result.data };
  return { ok: false, issues: formatIssues(result.error) };
}

/** `path: message` per issue, deterministic order, bounded so a hostile message cannot blow up a DLQ attribute. */
export function formatIssues(error: z.ZodError): string[] {
  const lines = error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
    return `${path}: ${issue.message}`;
  });
  return lines.length > 50 ? [...lines.slice(0, 50), `... and ${lines.length - 50} more`] : lines;
}

function truncate(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}
