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

// --- the union ----------------------------------------------------------------------------------------------------

/**
 * The v1 request. Vendors whose pipeline has not landed yet are not members, so a request for them is rejected at
 * the dispatcher with a clear message instead of failing at a vendor.
 */
export const provisionRequest = z.discriminatedUnion('vendor', [awsMediaConnectRequest]);

export type ProvisionRequest = z.output<typeof provisionRequest>;
export type ProvisionRequestInput = z.input<typeof provisionRequest>;
export type AwsMediaConnectRequest = z.output<typeof awsMediaConnectRequest>;

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
