/**
 * Request contract v1 (DESIGN §2): one JSON message asks for one flow on one vendor.
 *
 * The zod schemas here are the single source: the dispatcher validates with them, the vendor tasks re-parse with
 * them (defaults applied), and `npm run schema` exports `schemas/provision-request.v1.json` for upstream teams.
 * Vendor-specific parts are a discriminated union on `vendor`; each mirrors the vendor's documented parameters with
 * our camelCase names.
 */
import { z } from 'zod';
import { checkCamsPublish } from '../vendors/alibaba-cams/constraints.ts';
import { checkIceRtmpOutputs, iceRegion } from '../vendors/alibaba-ice/constraints.ts';
import { AWS_MAX_ENTITLEMENTS, awsFlowTags, uniqueEntitlementNames } from '../vendors/aws-mediaconnect/constraints.ts';
import {
  HUAWEI_MAX_OUTPUTS,
  huaweiName,
  huaweiRegion,
  huaweiSourceKeyType,
} from '../vendors/huawei-live/constraints.ts';
import { REQUEST_ID_TAG } from '../vendors/types.ts';
import { checkVolcengineEnd, volcengineSeconds } from '../vendors/volcengine-live/constraints.ts';
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
    tags: awsFlowTags.optional(),
  }),
  entitlements: z
    .array(awsEntitlement)
    .max(AWS_MAX_ENTITLEMENTS, `MediaConnect allows at most ${AWS_MAX_ENTITLEMENTS} entitlements per flow`)
    .default([])
    .superRefine(uniqueEntitlementNames),
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

export const alibabaIceRequest = z
  .strictObject({
    ...common,
    vendor: z.literal('alibaba-ice'),
    region: iceRegion,
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
  })
  .superRefine(checkIceRtmpOutputs);

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

export const alibabaCamsRequest = z
  .strictObject({
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
  })
  .superRefine(checkCamsPublish);

// --- huawei-live (vendors/huawei-live.md) ----------------------------------------------------------------------------

/** Huawei reserves these two ports for itself (FlowSource `source_listener_port`: "2077/2088不可选"). */
const huaweiPort = z
  .number()
  .int()
  .min(1)
  .max(65535)
  .refine((port) => port !== 2077 && port !== 2088, 'ports 2077 and 2088 are reserved by Huawei');

/** FlowSourceDecryption, also used as an output's encryption. */
const huaweiEncryption = z.strictObject({
  keyType: z.enum(['speke', 'static-key', 'srt-password']),
  passphrase: z.string().min(1).max(256).optional(),
  algorithm: z.enum(['aes128', 'aes192', 'aes256']).optional(),
});
const huaweiSourceDecryption = huaweiEncryption.extend({ keyType: huaweiSourceKeyType });

/** Output latency bounds as documented (min 10, max 15000 ms, default 2000); applied to sources too. */
const huaweiLatency = z.number().int().min(10).max(15_000);

/** Huawei keeps at most 20 CIDRs per allow-list (FlowsOutput `cidr_whitelist`). */
const huaweiCidrs = z.array(ipv4Cidr).min(1).max(20);

const huaweiSource = z
  .strictObject({
    name: huaweiName('source', 64),
    protocol: z.enum(['srt-caller', 'srt-listener']),
    /** Where an `srt-caller` source pulls from (`source_listener_address`). */
    sourceListenerAddress: text(255).optional(),
    sourceListenerPort: huaweiPort.optional(),
    /** SRT stream id for pulling (`stream_id`). */
    streamId: text(512).optional(),
    minLatency: huaweiLatency.optional(),
    /** Who may push to an `srt-listener` source (`cidr_whitelist`). */
    cidrWhitelist: huaweiCidrs.optional(),
    description: text(128).optional(),
    decryption: huaweiSourceDecryption.optional(),
  })
  .superRefine((source, ctx) => {
    if (source.protocol !== 'srt-caller') return;
    for (const field of ['sourceListenerAddress', 'sourceListenerPort'] as const) {
      if (source[field] === undefined)
        ctx.addIssue({ code: 'custom', path: [field], message: 'required for srt-caller' });
    }
  });

/** What Huawei offers instead of entitlements: a flow output (CreateFlowOutput, AddFlowOutputsRequest). */
const huaweiOutput = z
  .strictObject({
    name: huaweiName('output', 64),
    protocol: z.enum(['srt-listener', 'srt-caller']),
    /** Push target of an `srt-caller` output, IP or domain, at most 64 characters. */
    destination: z.string().min(1).max(64).optional(),
    port: huaweiPort.optional(),
    cidrWhitelist: huaweiCidrs.optional(),
    encryption: huaweiEncryption.optional(),
    outputStatus: z.enum(['ENABLED', 'DISABLED']).optional(),
    streamId: text(512).optional(),
    description: text(256).optional(),
    minLatency: huaweiLatency.optional(),
  })
  .superRefine((output, ctx) => {
    if (output.protocol !== 'srt-caller') return;
    for (const field of ['destination', 'port'] as const) {
      if (output[field] === undefined)
        ctx.addIssue({ code: 'custom', path: [field], message: 'required for srt-caller' });
    }
  });

/** Adds an issue for every repeated `name` in a list. */
function uniqueNames(what: string) {
  return (items: readonly { name: string }[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      if (seen.has(item.name))
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `${what} names must be unique` });
      seen.add(item.name);
    });
  };
}

export const huaweiLiveRequest = z.strictObject({
  ...common,
  vendor: z.literal('huawei-live'),
  region: huaweiRegion,
  flow: z.strictObject({
    /** Our name; the Huawei flow name adds the request identity (`functions/vendors/alibaba/flow-name.ts`). */
    name: huaweiName('flow', LIMITS.maxFlowNameLength),
    /** CreateFlows `sources` (at least one; two for failover). */
    sources: z.array(huaweiSource).min(1).max(2).superRefine(uniqueNames('source')),
  }),
  /** Huawei outputs (POST .../flows/outputs): Huawei Live has no entitlement API, an output is how a consumer gets the stream. */
  entitlements: z
    .array(huaweiOutput)
    .max(HUAWEI_MAX_OUTPUTS, `a Huawei flow has at most ${HUAWEI_MAX_OUTPUTS} outputs`)
    .default([])
    .superRefine(uniqueNames('output')),
});

// --- volcengine-live (vendors/volcengine-live.md) --------------------------------------------------------------------

/** Volcengine Live has one API region (the signing scope of every pull-to-push action). */
export const VOLCENGINE_REGION = 'cn-north-1';
/** A task may run for at most 7 days. */
export const VOLCENGINE_MAX_TASK_SECONDS = 7 * 24 * 3600;

/** Group names and task titles: Chinese characters, letters and digits only, 1–`max` characters. */
const volcengineName = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(
      /^[\p{Script=Han}A-Za-z0-9]+$/u,
      'must be Chinese characters, letters or digits only (no spaces, "-" or "_")',
    );

const volcengineTag = z.strictObject({
  key: z
    .string()
    .min(1)
    .max(128)
    .refine((key) => key !== REQUEST_ID_TAG, `"${REQUEST_ID_TAG}" is set by the provisioner`),
  value: z.string().max(256),
  category: z.enum(['System', 'Custom']).default('Custom'),
});

/** CreatePullToPushTask, except `GroupName` (the group is the flow: {@link volcengineLiveRequest} `flow.name`). */
const volcengineTask = z
  .strictObject({
    /** `Title`; defaults to the group name. */
    title: volcengineName(20).optional(),
    /** `Type`: 0 pulls a live stream (`srcAddr`), 1 plays VOD files (`vodSrcAddrs`). */
    type: z.union([z.literal(0), z.literal(1)]),
    srcAddr: text(1000).optional(),
    vodSrcAddrs: z
      .array(
        z.strictObject({
          srcAddr: text(1000),
          startOffset: z.number().min(0).optional(),
          endOffset: z.number().min(0).optional(),
        }),
      )
      .min(1)
      .max(30)
      .optional(),
    /** Full push URL; or leave it out and give `domain`, `app` and `stream`. */
    dstAddr: text(1000).optional(),
    domain: text(253).optional(),
    app: text(255).optional(),
    stream: text(255).optional(),
    /** Unix seconds; default: when the task is created (it then starts at once). */
    startTime: volcengineSeconds.optional(),
    /** Unix seconds; give this or `durationSeconds`. */
    endTime: volcengineSeconds.optional(),
    /** Our convenience for `EndTime` = start + duration (static requests cannot know absolute times). */
    durationSeconds: z.number().int().min(1).max(VOLCENGINE_MAX_TASK_SECONDS).optional(),
    callbackUrl: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .max(512)
      .optional(),
    cycleMode: z.number().int().min(-1).optional(),
    playTimes: z.number().int().min(1).optional(),
    preDownload: z.union([z.literal(0), z.literal(1)]).optional(),
    continueStrategy: z.union([z.literal(0), z.literal(1)]).optional(),
    watermark: z
      .strictObject({
        picture: z.string().regex(/^data:image\/(png|jpe?g);base64,/, 'must be a PNG or JPEG data URL'),
        ratio: z.number().min(0),
        relativePosX: z.number().min(0),
        relativePosY: z.number().min(0),
      })
      .optional(),
  })
  .superRefine((task, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (task.type === 0 && task.srcAddr === undefined) issue('srcAddr', 'required for type 0 (live source)');
    if (task.type === 0 && task.vodSrcAddrs !== undefined) issue('vodSrcAddrs', 'only for type 1 (VOD files)');
    if (task.type === 1 && task.vodSrcAddrs === undefined) issue('vodSrcAddrs', 'required for type 1 (VOD files)');
    if (task.type === 1 && task.srcAddr !== undefined) issue('srcAddr', 'only for type 0 (live source)');
    const parts = [task.domain, task.app, task.stream].filter((p) => p !== undefined).length;
    if (task.dstAddr === undefined && parts !== 3) issue('dstAddr', 'give dstAddr, or all of domain, app and stream');
    if (task.dstAddr !== undefined && parts > 0) issue('dstAddr', 'give dstAddr or domain/app/stream, not both');
    if ((task.endTime === undefined) === (task.durationSeconds === undefined)) {
      issue('endTime', 'give exactly one of endTime and durationSeconds');
    }
    if (task.startTime !== undefined && task.endTime !== undefined) {
      if (task.endTime <= task.startTime) issue('endTime', 'must be after startTime');
      else if (task.endTime - task.startTime > VOLCENGINE_MAX_TASK_SECONDS)
        issue('endTime', 'a task runs at most 7 days');
    }
    checkVolcengineEnd(task, ctx);
  });

export const volcengineLiveRequest = z.strictObject({
  ...common,
  vendor: z.literal('volcengine-live'),
  region: z.literal(VOLCENGINE_REGION, { error: `Volcengine Live is only served in ${VOLCENGINE_REGION}` }),
  flow: z.strictObject({
    /** The pull-to-push group (CreatePullToPushGroup `Name`) that holds this request's one task. */
    name: volcengineName(20),
    /** IAM project the group is bound to (`ProjectName`). */
    projectName: text(64).default('default'),
    /** Group tags (`Tags`); the provisioner adds its request-identity tag. */
    tags: z
      .array(volcengineTag)
      .max(LIMITS.maxTags - 1)
      .default([]),
    task: volcengineTask,
  }),
  /** Volcengine has nothing to share: a task pushes to its destination (`dstAddr`). */
  entitlements: z
    .array(z.unknown())
    .max(
      0,
      'volcengine-live tasks cannot be shared: Volcengine has no entitlement or output API (a task pushes to its dstAddr); omit "entitlements" or send []',
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
  huaweiLiveRequest,
  volcengineLiveRequest,
]);

export type ProvisionRequest = z.output<typeof provisionRequest>;
export type ProvisionRequestInput = z.input<typeof provisionRequest>;
export type AwsMediaConnectRequest = z.output<typeof awsMediaConnectRequest>;
export type HuaweiLiveRequest = z.output<typeof huaweiLiveRequest>;
export type VolcengineLiveRequest = z.output<typeof volcengineLiveRequest>;
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
