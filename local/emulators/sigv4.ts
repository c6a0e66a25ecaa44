/**
 * AWS Signature Version 4, pure: canonical request, string to sign, signing key, signature, and the verification the
 * MediaConnect emulator runs on every request (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html).
 * Pinned by the AWS test-suite vectors in `test/unit/local/emulators/sigv4-vectors.test.ts`.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { safeDecode } from './common.ts';

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
