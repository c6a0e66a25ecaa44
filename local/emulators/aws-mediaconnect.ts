/**
 * AWS Elemental MediaConnect emulator: the REST-JSON API of the flow lifecycle as the real service serves it
 * (`../shared/vendors/aws-mediaconnect.md`): same paths, methods, success statuses and camelCase bodies; errors as
 * `x-amzn-ErrorType` plus `{ "message" }`; every request SigV4-verified (region taken from the credential scope, so
 * one emulator serves every region); per-region flow state, quotas (HTTP 420) and a sliding-window rate limit per
 * account and region (HTTP 429). Every request, served or not, is journaled.
 *
 * Where the documentation is silent the emulator is strict rather than lenient, so code that works here does not rely
 * on leniency the real service may not have: StartFlow on a flow that is already starting or running and StopFlow on a
 * flow that is not running answer 400 BadRequestException, duplicate entitlement names within a flow answer 400, and
 * duplicate flow names are accepted (MediaConnect has no "already exists" signal; get-or-create must find its flow by
 * tag).
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import {
  type FaultSettings,
  Faults,
  Journal,
  type RawRequest,
  type RawResponse,
  type RunningEmulator,
  SlidingWindowLimiter,
  startHttpServer,
} from './common.ts';

// --- SigV4, pure ----------------------------------------------------------------------------------------------------

/** A request as SigV4 sees it: method, path and query exactly as on the wire, headers, body. */
export interface SigV4Request {
  readonly method: string;
  /** Path as sent, percent-encoding preserved (`/v1/flows/start/arn%3Aaws%3A...`). */
  readonly path: string;
  /** Query string as sent, without the `?` (empty when none). */
  readonly query?: string;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly body?: string | Uint8Array;
}

/** RFC 3986 percent-encoding as SigV4 wants it: unreserved characters kept, everything else `%XX` upper-case. */
export function sigV4Escape(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Canonical URI. Non-S3 services normalize the path (empty, `.` and `..` segments) and encode each segment of the
 * path *as sent*, so an already-encoded ARN (`%3A`) is encoded again (`%253A`). `doubleEncode: false` gives the S3
 * form, kept only so the known-answer test can show the difference.
 */
export function sigV4CanonicalUri(path: string, options: { doubleEncode?: boolean } = {}): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && path.endsWith('/') ? '/' : '';
  const encode = options.doubleEncode === false ? (s: string) => s : sigV4Escape;
  return `/${segments.map(encode).join('/')}${trailing}`;
}

/** Canonical query string: every `name=value` decoded, re-encoded, sorted by name then value. */
export function sigV4CanonicalQuery(query: string): string {
  if (query === '') return '';
  const pairs = query
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      const name = eq === -1 ? part : part.slice(0, eq);
      const value = eq === -1 ? '' : part.slice(eq + 1);
      return [sigV4Escape(safeDecode(name)), sigV4Escape(safeDecode(value))] as const;
    });
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function headerValue(headers: SigV4Request['headers'], name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  if (key === undefined) return undefined;
  const value = headers[key];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.join(',');
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `METHOD\nURI\nQUERY\nHEADERS\n\nSIGNED\nPAYLOAD_HASH`, the payload hash computed from the body itself. */
export function sigV4CanonicalRequest(
  request: SigV4Request,
  signedHeaders: readonly string[],
  options: { doubleEncodePath?: boolean } = {},
): string {
  const names = signedHeaders.map((h) => h.toLowerCase());
  const canonicalHeaders = names
    .map((name) => `${name}:${(headerValue(request.headers, name) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  return [
    request.method.toUpperCase(),
    sigV4CanonicalUri(request.path, { doubleEncode: options.doubleEncodePath ?? true }),
    sigV4CanonicalQuery(request.query ?? ''),
    canonicalHeaders,
    names.join(';'),
    sha256Hex(request.body ?? ''),
  ].join('\n');
}

export function sigV4StringToSign(amzDate: string, scope: string, canonicalRequest: string): string {
  return ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
}

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export function sigV4SigningKey(secretAccessKey: string, dateStamp: string, region: string, service: string): Buffer {
  const kDate = createHmac('sha256', `AWS4${secretAccessKey}`).update(dateStamp).digest();
  const kRegion = createHmac('sha256', kDate).update(region).digest();
  const kService = createHmac('sha256', kRegion).update(service).digest();
  return createHmac('sha256', kService).update('aws4_request').digest();
}

export interface SigV4SignParams {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  readonly service: string;
  /** `YYYYMMDDTHHMMSSZ`; must match the request's `x-amz-date` header. */
  readonly amzDate: string;
  /** Lower-case header names to sign (must include `host`). */
  readonly signedHeaders: readonly string[];
  /** Default true (every service but S3). */
  readonly doubleEncodePath?: boolean;
}

export interface SigV4Signature {
  readonly canonicalRequest: string;
  readonly stringToSign: string;
  readonly signature: string;
  readonly authorization: string;
}

/** Computes a request's SigV4 signature: the verifier recomputes it this way, the known-answer tests pin it. */
export function sigV4Sign(request: SigV4Request, params: SigV4SignParams): SigV4Signature {
  const dateStamp = params.amzDate.slice(0, 8);
  const scope = `${dateStamp}/${params.region}/${params.service}/aws4_request`;
  const signedHeaders = [...params.signedHeaders].map((h) => h.toLowerCase()).sort();
  const canonicalRequest = sigV4CanonicalRequest(request, signedHeaders, {
    doubleEncodePath: params.doubleEncodePath ?? true,
  });
  const stringToSign = sigV4StringToSign(params.amzDate, scope, canonicalRequest);
  const signature = createHmac(
    'sha256',
    sigV4SigningKey(params.secretAccessKey, dateStamp, params.region, params.service),
  )
    .update(stringToSign)
    .digest('hex');
  return {
    canonicalRequest,
    stringToSign,
    signature,
    authorization:
      `AWS4-HMAC-SHA256 Credential=${params.accessKeyId}/${scope}, ` +
      `SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`,
  };
}

export interface ParsedAuthorization {
  readonly accessKeyId: string;
  readonly dateStamp: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** Parses `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`; undefined when malformed. */
export function parseSigV4Authorization(header: string): ParsedAuthorization | undefined {
  const match = /^AWS4-HMAC-SHA256\s+(.+)$/.exec(header.trim());
  if (!match) return undefined;
  const fields = new Map<string, string>();
  for (const part of match[1]!.split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1) return undefined;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential')?.split('/');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (credential?.length !== 5 || credential[4] !== 'aws4_request') return undefined;
  if (!signedHeaders || !signature || !/^[0-9a-f]{64}$/.test(signature)) return undefined;
  const [accessKeyId, dateStamp, region, service] = credential as [string, string, string, string];
  if (!accessKeyId || !/^\d{8}$/.test(dateStamp) || !region || !service) return undefined;
  return { accessKeyId, dateStamp, region, service, signedHeaders: signedHeaders.split(';'), signature };
}

/** `20150830T123600Z` ↔ epoch milliseconds. */
export function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isNaN(ms) ? undefined : ms;
}

export function formatAmzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

export type SigV4Verification =
  | { readonly ok: true; readonly accessKeyId: string; readonly region: string }
  | {
      readonly ok: false;
      readonly status: number;
      readonly code: string;
      readonly message: string;
      /** The region of the credential scope when it could be read (the journal's budget). */
      readonly region?: string;
    };

export interface SigV4VerifyOptions {
  /** The signing name the server expects (`mediaconnect`). */
  readonly service: string;
  /** The secret for an access key id, undefined when the key is unknown. */
  readonly secretFor: (accessKeyId: string) => string | undefined;
  /** The session token a key requires (temporary credentials); a token sent for a key without one is invalid. */
  readonly sessionTokenFor?: (accessKeyId: string) => string | undefined;
  readonly now: number;
  /** How far `x-amz-date` may be from `now`, either way (AWS: 5 minutes). */
  readonly maxClockSkewMs: number;
}

/**
 * Verifies a SigV4-signed request the way AWS answers: malformed or missing authorization → 403
 * `IncompleteSignatureException` / `MissingAuthenticationTokenException`, unknown key → 403
 * `UnrecognizedClientException`, stale or future date → 403 `InvalidSignatureException` "Signature expired" /
 * "Signature not yet current", any mismatch → 403 `InvalidSignatureException`.
 */
export function verifySigV4(request: SigV4Request, options: SigV4VerifyOptions): SigV4Verification {
  const fail = (code: string, message: string, region?: string): SigV4Verification => ({
    ok: false,
    status: 403,
    code,
    message,
    ...(region ? { region } : {}),
  });
  const authorization = headerValue(request.headers, 'authorization');
  if (authorization === undefined) return fail('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const auth = parseSigV4Authorization(authorization);
  if (!auth) {
    return fail(
      'IncompleteSignatureException',
      "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters in AWS4-HMAC-SHA256 form.",
    );
  }
  const region = auth.region;
  if (!auth.signedHeaders.includes('host')) {
    return fail('IncompleteSignatureException', "'Host' must be a 'SignedHeader' in the AWS Authorization.", region);
  }
  const amzDate = headerValue(request.headers, 'x-amz-date');
  if (amzDate === undefined || !auth.signedHeaders.includes('x-amz-date')) {
    return fail(
      'IncompleteSignatureException',
      "Authorization header requires existence of a signed 'X-Amz-Date' header.",
      region,
    );
  }
  const secret = options.secretFor(auth.accessKeyId);
  if (secret === undefined) {
    return fail('UnrecognizedClientException', 'The security token included in the request is invalid.', region);
  }
  const token = headerValue(request.headers, 'x-amz-security-token');
  const expectedToken = options.sessionTokenFor?.(auth.accessKeyId);
  if (token !== expectedToken && !(token === undefined && expectedToken === undefined)) {
    return fail('UnrecognizedClientException', 'The security token included in the request is invalid.', region);
  }
  if (auth.service !== options.service) {
    return fail(
      'InvalidSignatureException',
      `Credential should be scoped to correct service: '${options.service}'.`,
      region,
    );
  }
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined) {
    return fail('IncompleteSignatureException', `Date must be in ISO-8601 'basic format'. Got '${amzDate}'.`, region);
  }
  if (auth.dateStamp !== amzDate.slice(0, 8)) {
    return fail(
      'InvalidSignatureException',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.dateStamp}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
      region,
    );
  }
  const skew = describeSkew(options.maxClockSkewMs);
  if (signedAt < options.now - options.maxClockSkewMs) {
    return fail(
      'InvalidSignatureException',
      `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(options.now - options.maxClockSkewMs)} (${formatAmzDate(options.now)} - ${skew}.)`,
      region,
    );
  }
  if (signedAt > options.now + options.maxClockSkewMs) {
    return fail(
      'InvalidSignatureException',
      `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(options.now + options.maxClockSkewMs)} (${formatAmzDate(options.now)} + ${skew}.)`,
      region,
    );
  }
  const expected = sigV4Sign(request, {
    accessKeyId: auth.accessKeyId,
    secretAccessKey: secret,
    region,
    service: auth.service,
    amzDate,
    signedHeaders: auth.signedHeaders,
  }).signature;
  const a = Buffer.from(expected, 'hex');
  const b = Buffer.from(auth.signature, 'hex');
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    return fail(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      region,
    );
  }
  return { ok: true, accessKeyId: auth.accessKeyId, region };
}

function describeSkew(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} sec`;
  return `${ms} ms`;
}

// --- the service ----------------------------------------------------------------------------------------------------

export interface AwsMediaConnectEmulatorOptions {
  /** The one key pair (account) the emulator accepts. */
  readonly credentials: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  readonly faults?: FaultSettings;
  /** Answer 429 TooManyRequestsException past the rate limit (default true; the bench turns it off). */
  readonly enforceRateLimit?: boolean;
  /** Accepted calls per window, per account and region. @default { limit: 5, windowMs: 1000 } (documented 5 req/s) */
  readonly rateLimit?: { readonly limit: number; readonly windowMs: number };
  /** Flows per region before CreateFlow answers 420 CreateFlow420Exception. @default 20 */
  readonly flowQuota?: number;
  /** Time a started flow stays STARTING before it is ACTIVE. @default 300 */
  readonly startDelayMs?: number;
  /** Time a stopped flow stays STOPPING before it is STANDBY. @default 0 */
  readonly stopDelayMs?: number;
  /** Allowed distance between `x-amz-date` and the emulator's clock. @default 300000 (AWS: 5 minutes) */
  readonly maxClockSkewMs?: number;
  /** Account id in the ARNs. @default '111122223333' */
  readonly accountId?: string;
}

/** A flow as the tests see it. */
export interface EmulatedFlow {
  readonly flowArn: string;
  readonly name: string;
  readonly region: string;
  readonly status: string;
  readonly tags: Record<string, string>;
  readonly entitlements: unknown[];
}

export interface RunningAwsMediaConnectEmulator extends RunningEmulator {
  /** Every flow that exists, in creation order, with its status as of now. */
  flows(): ReadonlyArray<EmulatedFlow>;
}

const FLOW_QUOTA = 20;
const ENTITLEMENTS_PER_FLOW = 50;
const OUTPUTS_PER_FLOW = 50;
const LIST_DEFAULT_PAGE = 10;
const SERVICE = 'mediaconnect';

const PROTOCOLS = [
  'zixi-push',
  'rtp-fec',
  'rtp',
  'zixi-pull',
  'rist',
  'st2110-jpegxs',
  'cdi',
  'srt-listener',
  'srt-caller',
  'fujitsu-qos',
  'udp',
  'ndi-speed-hq',
] as const;

const sourceRequest = z.object({
  name: z.string().min(1).optional(),
  protocol: z.enum(PROTOCOLS).optional(),
  ingestPort: z.number().int().min(1).max(65535).optional(),
  whitelistCidr: z.string().optional(),
  maxBitrate: z.number().int().optional(),
  maxLatency: z.number().int().optional(),
  minLatency: z.number().int().optional(),
  streamId: z.string().optional(),
  sourceListenerAddress: z.string().optional(),
  sourceListenerPort: z.number().int().optional(),
  senderIpAddress: z.string().optional(),
  senderControlPort: z.number().int().optional(),
  description: z.string().optional(),
  entitlementArn: z.string().optional(),
  vpcInterfaceName: z.string().optional(),
});
type SourceRequest = z.infer<typeof sourceRequest>;

const grantRequest = z.object({
  subscribers: z.array(z.string()).min(1),
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  entitlementStatus: z.enum(['ENABLED', 'DISABLED']).optional(),
  dataTransferSubscriberFeePercent: z.number().int().min(0).max(100).optional(),
  encryption: z.looseObject({ roleArn: z.string() }).optional(),
});
type GrantRequest = z.infer<typeof grantRequest>;

/** 50 tags per resource, `aws:` keys reserved (docs/vendors/aws-mediaconnect.md, "Constraints"). */
const TAGS_PER_RESOURCE = 50;
const tagMap = z
  .record(z.string().min(1).max(128), z.string().max(256))
  .refine((tags) => Object.keys(tags).length <= TAGS_PER_RESOURCE, `A resource has at most ${TAGS_PER_RESOURCE} tags.`)
  .refine(
    (tags) => !Object.keys(tags).some((k) => k.toLowerCase().startsWith('aws:')),
    'Tag keys starting with aws: are reserved.',
  );

const createFlowRequest = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  availabilityZone: z.string().optional(),
  source: sourceRequest.optional(),
  sources: z.array(sourceRequest).min(1).max(2).optional(),
  outputs: z.array(z.unknown()).max(OUTPUTS_PER_FLOW).optional(),
  entitlements: z.array(grantRequest).max(ENTITLEMENTS_PER_FLOW).optional(),
  flowSize: z.enum(['MEDIUM', 'LARGE', 'LARGE_4X']).optional(),
  flowTags: tagMap.optional(),
});

const grantFlowEntitlementsRequest = z.object({ entitlements: z.array(grantRequest).min(1) });
const tagResourceRequest = z.object({ tags: tagMap });

type FlowStatusValue = 'STANDBY' | 'STARTING' | 'ACTIVE' | 'STOPPING';

interface EntitlementRecord {
  readonly entitlementArn: string;
  readonly name: string;
  readonly subscribers: string[];
  readonly description?: string;
  readonly entitlementStatus: 'ENABLED' | 'DISABLED';
  readonly dataTransferSubscriberFeePercent?: number;
  readonly encryption?: Record<string, unknown>;
}

interface FlowRecord {
  readonly flowArn: string;
  readonly name: string;
  readonly region: string;
  readonly description?: string;
  readonly availabilityZone: string;
  readonly flowSize?: string;
  readonly egressIp: string;
  readonly sources: Record<string, unknown>[];
  readonly outputs: unknown[];
  readonly entitlements: EntitlementRecord[];
  readonly tags: Record<string, string>;
  status: FlowStatusValue;
  /** When STARTING becomes ACTIVE, or STOPPING becomes STANDBY. */
  settlesAt: number;
}

/** One answer of the service before it becomes HTTP. */
interface Reply {
  readonly status: number;
  readonly body?: unknown;
  /** Set on errors: the `x-amzn-ErrorType`. */
  readonly code?: string;
}

const ok = (status: number, body?: unknown): Reply => ({ status, body });
const fail = (status: number, code: string, message: string): Reply => ({ status, code, body: { message } });

type Route =
  | { readonly operation: 'CreateFlow' | 'ListFlows' }
  | {
      readonly operation:
        | 'StartFlow'
        | 'StopFlow'
        | 'DescribeFlow'
        | 'DeleteFlow'
        | 'GrantFlowEntitlements'
        | 'TagResource'
        | 'ListTagsForResource'
        | 'UntagResource';
      readonly arn: string;
    };

/** Maps method + raw path to the operation; ARN segments are percent-decoded. */
function matchRoute(method: string, path: string): Route | undefined {
  const segments = path.split('/').slice(1);
  const decoded = (s: string | undefined) => (s === undefined || s === '' ? undefined : safeDecode(s));
  if (segments[0] === 'v1' && segments[1] === 'flows') {
    const rest = segments.slice(2);
    if (rest.length === 0 || (rest.length === 1 && rest[0] === '')) {
      if (method === 'POST') return { operation: 'CreateFlow' };
      if (method === 'GET') return { operation: 'ListFlows' };
      return undefined;
    }
    if (rest.length === 2 && method === 'POST' && (rest[0] === 'start' || rest[0] === 'stop')) {
      const arn = decoded(rest[1]);
      return arn ? { operation: rest[0] === 'start' ? 'StartFlow' : 'StopFlow', arn } : undefined;
    }
    if (rest.length === 1) {
      const arn = decoded(rest[0]);
      if (!arn) return undefined;
      if (method === 'GET') return { operation: 'DescribeFlow', arn };
      if (method === 'DELETE') return { operation: 'DeleteFlow', arn };
      return undefined;
    }
    if (rest.length === 2 && rest[1] === 'entitlements' && method === 'POST') {
      const arn = decoded(rest[0]);
      return arn ? { operation: 'GrantFlowEntitlements', arn } : undefined;
    }
    return undefined;
  }
  if (segments[0] === 'tags' && segments.length === 2) {
    const arn = decoded(segments[1]);
    if (!arn) return undefined;
    if (method === 'POST') return { operation: 'TagResource', arn };
    if (method === 'GET') return { operation: 'ListTagsForResource', arn };
    if (method === 'DELETE') return { operation: 'UntagResource', arn };
  }
  return undefined;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function randomAlnum(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALNUM[byte % ALNUM.length];
  return out;
}

function randomTestNetIp(): string {
  return `203.0.113.${1 + (randomBytes(1)[0]! % 254)}`;
}

function zodMessage(error: z.ZodError): string {
  return error.issues
    .map((i) => (i.path.length > 0 ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/** Starts the emulator on 127.0.0.1 and a free port. */
export async function startAwsMediaConnectEmulator(
  options: AwsMediaConnectEmulatorOptions,
): Promise<RunningAwsMediaConnectEmulator> {
  const journal = new Journal();
  const faults = new Faults(options.faults);
  const enforceRateLimit = options.enforceRateLimit ?? true;
  const rate = options.rateLimit ?? { limit: 5, windowMs: 1000 };
  const flowQuota = options.flowQuota ?? FLOW_QUOTA;
  const startDelayMs = options.startDelayMs ?? 300;
  const stopDelayMs = options.stopDelayMs ?? 0;
  const maxClockSkewMs = options.maxClockSkewMs ?? 5 * 60_000;
  const accountId = options.accountId ?? '111122223333';
  const limiters = new Map<string, SlidingWindowLimiter>();
  /** Every flow of every region, by ARN, in creation order. */
  const flows = new Map<string, FlowRecord>();

  const limiterFor = (region: string) => {
    const key = `${accountId}:${region}`;
    let limiter = limiters.get(key);
    if (!limiter) {
      limiter = new SlidingWindowLimiter(rate.limit, rate.windowMs);
      limiters.set(key, limiter);
    }
    return limiter;
  };

  /** Applies the timed transitions (STARTING → ACTIVE, STOPPING → STANDBY) lazily, as of `now`. */
  const settle = (flow: FlowRecord, now: number): FlowRecord => {
    if (now >= flow.settlesAt) {
      if (flow.status === 'STARTING') flow.status = 'ACTIVE';
      else if (flow.status === 'STOPPING') flow.status = 'STANDBY';
    }
    return flow;
  };

  const arnOf = (kind: 'flow' | 'source' | 'entitlement', region: string, name: string) =>
    `arn:aws:mediaconnect:${region}:${accountId}:${kind}:1-${randomAlnum(16)}-${randomAlnum(12)}:${name}`;

  const flowInRegion = (arn: string, region: string, now: number): FlowRecord | undefined => {
    const flow = flows.get(arn);
    return flow && flow.region === region ? settle(flow, now) : undefined;
  };
  const flowNotFound = (arn: string) => fail(404, 'NotFoundException', `Flow not found: ${arn}`);

  const entitlementRecord = (region: string, grant: GrantRequest, index: number): EntitlementRecord => {
    const name = grant.name ?? `entitlement-${index + 1}`;
    return {
      entitlementArn: arnOf('entitlement', region, name),
      name,
      subscribers: grant.subscribers,
      entitlementStatus: grant.entitlementStatus ?? 'ENABLED',
      ...(grant.description !== undefined ? { description: grant.description } : {}),
      ...(grant.dataTransferSubscriberFeePercent !== undefined
        ? { dataTransferSubscriberFeePercent: grant.dataTransferSubscriberFeePercent }
        : {}),
      ...(grant.encryption !== undefined ? { encryption: grant.encryption } : {}),
    };
  };

  /** The response `Source`: request fields plus ARN and ingest IP, transport settings nested as AWS nests them. */
  const sourceRecord = (region: string, source: SourceRequest, index: number): Record<string, unknown> => {
    const name = source.name ?? `source-${index + 1}`;
    const { protocol, maxBitrate, maxLatency, minLatency, streamId, sourceListenerAddress, sourceListenerPort } =
      source;
    const transport = Object.fromEntries(
      Object.entries({
        protocol,
        maxBitrate,
        maxLatency,
        minLatency,
        streamId,
        sourceListenerAddress,
        sourceListenerPort,
      }).filter(([, v]) => v !== undefined),
    );
    return Object.fromEntries(
      Object.entries({
        sourceArn: arnOf('source', region, name),
        name,
        description: source.description,
        entitlementArn: source.entitlementArn,
        ingestIp: source.entitlementArn ? undefined : randomTestNetIp(),
        ingestPort: source.ingestPort,
        whitelistCidr: source.whitelistCidr,
        senderIpAddress: source.senderIpAddress,
        senderControlPort: source.senderControlPort,
        vpcInterfaceName: source.vpcInterfaceName,
        transport: source.entitlementArn ? undefined : transport,
      }).filter(([, v]) => v !== undefined),
    );
  };

  const flowBody = (flow: FlowRecord) => ({
    availabilityZone: flow.availabilityZone,
    ...(flow.description !== undefined ? { description: flow.description } : {}),
    egressIp: flow.egressIp,
    entitlements: flow.entitlements,
    flowArn: flow.flowArn,
    ...(flow.flowSize !== undefined ? { flowSize: flow.flowSize } : {}),
    name: flow.name,
    outputs: flow.outputs,
    source: flow.sources[0],
    ...(flow.sources.length > 1 ? { sources: flow.sources } : {}),
    status: flow.status,
  });

  const parseJson = (body: Buffer): { ok: true; value: unknown } | { ok: false; reply: Reply } => {
    try {
      return { ok: true, value: body.length === 0 ? {} : JSON.parse(body.toString('utf8')) };
    } catch {
      return { ok: false, reply: fail(400, 'BadRequestException', 'Could not parse request body into json.') };
    }
  };

  const operations = {
    CreateFlow(region: string, req: RawRequest, now: number): Reply {
      const json = parseJson(req.body);
      if (!json.ok) return json.reply;
      const parsed = createFlowRequest.safeParse(json.value);
      if (!parsed.success) return fail(400, 'BadRequestException', zodMessage(parsed.error));
      const input = parsed.data;
      const sources = input.sources ?? (input.source ? [input.source] : []);
      if (sources.length === 0 || (input.source && input.sources)) {
        return fail(400, 'BadRequestException', 'A flow must have exactly one of source or sources.');
      }
      const unusable = sources.find((s) => !s.protocol && !s.entitlementArn);
      if (unusable) {
        return fail(400, 'BadRequestException', 'Each source needs a protocol or an entitlementArn.');
      }
      if (input.availabilityZone !== undefined && !input.availabilityZone.startsWith(region)) {
        return fail(400, 'BadRequestException', `Availability zone ${input.availabilityZone} is not in ${region}.`);
      }
      const names = (input.entitlements ?? []).map((e, i) => e.name ?? `entitlement-${i + 1}`);
      if (new Set(names).size !== names.length) {
        return fail(400, 'BadRequestException', 'Entitlement names must be unique within a flow.');
      }
      const inRegion = [...flows.values()].filter((f) => f.region === region).length;
      if (inRegion >= flowQuota) {
        return fail(
          420,
          'CreateFlow420Exception',
          `You have reached the limit of ${flowQuota} flows per account per Region. Delete a flow or request a quota increase.`,
        );
      }
      const flow: FlowRecord = {
        flowArn: arnOf('flow', region, input.name),
        name: input.name,
        region,
        ...(input.description !== undefined ? { description: input.description } : {}),
        availabilityZone: input.availabilityZone ?? `${region}a`,
        ...(input.flowSize !== undefined ? { flowSize: input.flowSize } : {}),
        egressIp: randomTestNetIp(),
        sources: sources.map((s, i) => sourceRecord(region, s, i)),
        outputs: input.outputs ?? [],
        entitlements: (input.entitlements ?? []).map((e, i) => entitlementRecord(region, e, i)),
        tags: { ...input.flowTags },
        status: 'STANDBY',
        settlesAt: now,
      };
      flows.set(flow.flowArn, flow);
      return ok(201, { flow: flowBody(flow) });
    },

    ListFlows(region: string, req: RawRequest, now: number): Reply {
      const maxResultsRaw = req.url.searchParams.get('maxResults');
      const maxResults = maxResultsRaw === null ? LIST_DEFAULT_PAGE : Number(maxResultsRaw);
      if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 1000) {
        return fail(400, 'BadRequestException', 'maxResults must be an integer between 1 and 1000.');
      }
      const token = req.url.searchParams.get('nextToken');
      const start = token === null ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
      if (!Number.isInteger(start) || start < 0) return fail(400, 'BadRequestException', 'Invalid nextToken.');
      const all = [...flows.values()].filter((f) => f.region === region);
      const page = all.slice(start, start + maxResults).map((f) => {
        settle(f, now);
        return {
          availabilityZone: f.availabilityZone,
          description: f.description ?? f.name,
          flowArn: f.flowArn,
          name: f.name,
          sourceType: f.sources[0]?.entitlementArn ? 'ENTITLED' : 'OWNED',
          status: f.status,
        };
      });
      const next =
        start + maxResults < all.length ? Buffer.from(String(start + maxResults)).toString('base64url') : undefined;
      return ok(200, { flows: page, ...(next ? { nextToken: next } : {}) });
    },

    StartFlow(region: string, arn: string, now: number): Reply {
      const flow = flowInRegion(arn, region, now);
      if (!flow) return flowNotFound(arn);
      if (flow.status !== 'STANDBY') {
        return fail(400, 'BadRequestException', `Flow ${arn} cannot be started while it is ${flow.status}.`);
      }
      flow.status = 'STARTING';
      flow.settlesAt = now + startDelayMs;
      settle(flow, now);
      return ok(202, { flowArn: arn, status: 'STARTING' });
    },

    StopFlow(region: string, arn: string, now: number): Reply {
      const flow = flowInRegion(arn, region, now);
      if (!flow) return flowNotFound(arn);
      if (flow.status !== 'STARTING' && flow.status !== 'ACTIVE') {
        return fail(400, 'BadRequestException', `Flow ${arn} cannot be stopped while it is ${flow.status}.`);
      }
      flow.status = 'STOPPING';
      flow.settlesAt = now + stopDelayMs;
      settle(flow, now);
      return ok(202, { flowArn: arn, status: 'STOPPING' });
    },

    DescribeFlow(region: string, arn: string, now: number): Reply {
      const flow = flowInRegion(arn, region, now);
      return flow ? ok(200, { flow: flowBody(flow) }) : flowNotFound(arn);
    },

    DeleteFlow(region: string, arn: string, now: number): Reply {
      const flow = flowInRegion(arn, region, now);
      if (!flow) return flowNotFound(arn);
      if (flow.status !== 'STANDBY') {
        return fail(
          400,
          'BadRequestException',
          `Flow ${arn} must be stopped before it can be deleted; it is ${flow.status}.`,
        );
      }
      flows.delete(arn);
      return ok(202, { flowArn: arn, status: 'DELETING' });
    },

    GrantFlowEntitlements(region: string, arn: string, req: RawRequest, now: number): Reply {
      const json = parseJson(req.body);
      if (!json.ok) return json.reply;
      const parsed = grantFlowEntitlementsRequest.safeParse(json.value);
      if (!parsed.success) return fail(400, 'BadRequestException', zodMessage(parsed.error));
      const flow = flowInRegion(arn, region, now);
      if (!flow) return flowNotFound(arn);
      const grants = parsed.data.entitlements;
      if (flow.entitlements.length + grants.length > ENTITLEMENTS_PER_FLOW) {
        return fail(
          420,
          'GrantFlowEntitlements420Exception',
          `Flow ${arn} would have ${flow.entitlements.length + grants.length} entitlements; the limit is ${ENTITLEMENTS_PER_FLOW} per flow.`,
        );
      }
      const offset = flow.entitlements.length;
      const created = grants.map((g, i) => entitlementRecord(region, g, offset + i));
      const names = [...flow.entitlements, ...created].map((e) => e.name);
      if (new Set(names).size !== names.length) {
        return fail(400, 'BadRequestException', 'Entitlement names must be unique within a flow.');
      }
      flow.entitlements.push(...created);
      return ok(200, { flowArn: arn, entitlements: created });
    },

    TagResource(region: string, arn: string, req: RawRequest, now: number): Reply {
      const json = parseJson(req.body);
      if (!json.ok) return json.reply;
      const parsed = tagResourceRequest.safeParse(json.value);
      if (!parsed.success) return fail(400, 'BadRequestException', zodMessage(parsed.error));
      const flow = flowInRegion(arn, region, now);
      if (!flow) return fail(404, 'NotFoundException', `Resource not found: ${arn}`);
      if (Object.keys({ ...flow.tags, ...parsed.data.tags }).length > TAGS_PER_RESOURCE) {
        return fail(400, 'BadRequestException', `A resource has at most ${TAGS_PER_RESOURCE} tags.`);
      }
      Object.assign(flow.tags, parsed.data.tags);
      return ok(204);
    },

    ListTagsForResource(region: string, arn: string, now: number): Reply {
      const flow = flowInRegion(arn, region, now);
      if (!flow) return fail(404, 'NotFoundException', `Resource not found: ${arn}`);
      return ok(200, { tags: { ...flow.tags } });
    },

    UntagResource(region: string, arn: string, req: RawRequest, now: number): Reply {
      const keys = req.url.searchParams.getAll('tagKeys');
      if (keys.length === 0) return fail(400, 'BadRequestException', 'tagKeys is required.');
      const flow = flowInRegion(arn, region, now);
      if (!flow) return fail(404, 'NotFoundException', `Resource not found: ${arn}`);
      for (const key of keys) delete flow.tags[key];
      return ok(204);
    },
  };

  const serve = (route: Route, region: string, req: RawRequest, now: number): Reply => {
    switch (route.operation) {
      case 'CreateFlow':
        return operations.CreateFlow(region, req, now);
      case 'ListFlows':
        return operations.ListFlows(region, req, now);
      case 'StartFlow':
        return operations.StartFlow(region, route.arn, now);
      case 'StopFlow':
        return operations.StopFlow(region, route.arn, now);
      case 'DescribeFlow':
        return operations.DescribeFlow(region, route.arn, now);
      case 'DeleteFlow':
        return operations.DeleteFlow(region, route.arn, now);
      case 'GrantFlowEntitlements':
        return operations.GrantFlowEntitlements(region, route.arn, req, now);
      case 'TagResource':
        return operations.TagResource(region, route.arn, req, now);
      case 'ListTagsForResource':
        return operations.ListTagsForResource(region, route.arn, now);
      case 'UntagResource':
        return operations.UntagResource(region, route.arn, req, now);
    }
  };

  const handle = async (req: RawRequest): Promise<RawResponse | 'hang'> => {
    const at = Date.now();
    const requestId = randomUUID();
    const [path = '/', query = ''] = splitOnce(req.rawUrl, '?');
    const route = matchRoute(req.method, path);
    const operation = route?.operation ?? 'unknown';
    let budget = 'unknown';
    const answer = (reply: Reply, flags: { throttled?: boolean; injected?: boolean } = {}): RawResponse => {
      journal.record({
        at,
        operation,
        status: reply.status,
        ...(reply.code !== undefined ? { errorCode: reply.code } : {}),
        throttled: flags.throttled ?? false,
        injected: flags.injected ?? false,
        budget,
      });
      return toHttp(reply, requestId);
    };

    const auth = verifySigV4(
      { method: req.method, path, query, headers: req.headers, body: req.body },
      {
        service: SERVICE,
        secretFor: (id) => (id === options.credentials.accessKeyId ? options.credentials.secretAccessKey : undefined),
        sessionTokenFor: () => options.credentials.sessionToken,
        now: at,
        maxClockSkewMs,
      },
    );
    budget = auth.region ?? 'unknown';
    if (!auth.ok) return answer(fail(auth.status, auth.code, auth.message));
    if (!route) return answer(fail(404, 'UnknownOperationException', `No operation matches ${req.method} ${path}.`));
    if (enforceRateLimit && !limiterFor(auth.region).tryAdmit(at)) {
      return answer(fail(429, 'TooManyRequestsException', 'Too many requests, please slow down.'), { throttled: true });
    }

    await faults.delay();
    const fault = faults.decide();
    if (fault === 'error') {
      const random = faults.current.random ?? Math.random;
      const reply =
        random() < 0.5
          ? fail(500, 'InternalServerErrorException', 'An internal error occurred.')
          : fail(503, 'ServiceUnavailableException', 'The service is currently unavailable.');
      return answer(reply, { injected: true });
    }
    if (fault === 'throttle') {
      return answer(fail(429, 'TooManyRequestsException', 'Too many requests, please slow down.'), {
        throttled: true,
        injected: true,
      });
    }
    const reply = serve(route, auth.region, req, Date.now());
    if (fault === 'timeout') {
      // The operation took effect; only its answer is lost.
      answer(reply, { injected: true });
      return 'hang';
    }
    return answer(reply);
  };

  const server = await startHttpServer(handle);
  return {
    url: server.url,
    journal,
    setFaults: (settings) => faults.set(settings),
    close: () => server.close(),
    flows: () => {
      const now = Date.now();
      return [...flows.values()].map((f) => {
        settle(f, now);
        return {
          flowArn: f.flowArn,
          name: f.name,
          region: f.region,
          status: f.status,
          tags: { ...f.tags },
          entitlements: f.entitlements.map((e) => ({ ...e })),
        };
      });
    },
  };
}

function splitOnce(value: string, separator: string): [string, string] {
  const index = value.indexOf(separator);
  return index === -1 ? [value, ''] : [value.slice(0, index), value.slice(index + 1)];
}

function toHttp(reply: Reply, requestId: string): RawResponse {
  const headers: Record<string, string> = { 'x-amzn-RequestId': requestId };
  if (reply.code !== undefined) headers['x-amzn-ErrorType'] = reply.code;
  return {
    status: reply.status,
    headers,
    ...(reply.body !== undefined ? { body: JSON.stringify(reply.body) } : {}),
  };
}
