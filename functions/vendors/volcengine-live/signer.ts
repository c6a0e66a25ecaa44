/**
 * Volcengine OpenAPI request signing, `HMAC-SHA256` (`docs/vendors/volcengine-live.md`, "Authentication"): AWS-like,
 * but the date key is `HMAC(secret, shortDate)` with no prefix, the scope ends in `request`, and the payload hash
 * travels in `X-Content-Sha256`.
 *
 * Implemented in-house rather than importing `@volcengine/openapi` (~49 packages: axios 0.21, protobufjs, crypto-js)
 * for one HMAC chain. Which headers are signed follows that SDK's `Signer` exactly (every header except
 * `authorization`, `content-type`, `content-length`, `user-agent`, `presigned-expires`, `expect`), and
 * `test/unit/vendors/volcengine-signer.test.ts` pins this module to vectors produced by that very `Signer`
 * (`test/fixtures/volcengine-signer-vectors.json`).
 */
import { canonicalQueryString, formatCompactUtc, hmacSha256, lowerCaseHeaders, sha256Hex } from '../hmac-signing.ts';

export const VOLCENGINE_ALGORITHM = 'HMAC-SHA256';
/** The credential scope's last element (AWS has `aws4_request`). */
export const VOLCENGINE_SCOPE_TERMINATOR = 'request';

/** Headers the official SDK never signs: proxies and HTTP stacks may rewrite them. */
export const UNSIGNABLE_HEADERS: readonly string[] = [
  'authorization',
  'content-type',
  'content-length',
  'user-agent',
  'presigned-expires',
  'expect',
];

export interface VolcengineCredentials {
  /** `VOLCENGINE_ACCESS_KEY`. */
  readonly accessKeyId: string;
  /** `VOLCENGINE_SECRET_KEY`; never logged. */
  readonly secretAccessKey: string;
  /** STS token, sent (and signed) as `X-Security-Token` when present. */
  readonly sessionToken?: string;
}

/** What the signature is scoped to: `live` in `cn-north-1` for Volcengine Live. */
export interface VolcengineScope {
  readonly region: string;
  readonly service: string;
}

export interface VolcengineRequest {
  readonly method: string;
  /** Decoded path, `/` for every RPC action. */
  readonly path: string;
  /** Decoded query parameters (`Action`, `Version`, and a GET action's own parameters). */
  readonly query: Readonly<Record<string, string>>;
  /** Headers to send; all but {@link UNSIGNABLE_HEADERS} are signed, so include `Host`. */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact body bytes that will be sent (`''` when there is none). */
  readonly body: string;
}

export interface SignedVolcengineRequest {
  /** The request's headers plus `X-Date`, `X-Content-Sha256` (and `X-Security-Token`) and `Authorization`. */
  readonly headers: Readonly<Record<string, string>>;
  readonly signedHeaders: readonly string[];
}

/** The SDK's header canonicalisation: runs of whitespace collapse to one space, then trim. */
function canonicalHeaderValue(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

/**
 * `METHOD\nPATH\nQUERY\nHEADERS\n\nSIGNED\nhex(sha256(body))`. The payload hash is always computed from the body
 * (never trusted from `X-Content-Sha256`), so a verifier using this function also catches a swapped body.
 */
export function volcengineCanonicalRequest(request: VolcengineRequest, signedHeaders: readonly string[]): string {
  const headers = lowerCaseHeaders(request.headers);
  const names = [...signedHeaders].map((h) => h.toLowerCase()).sort();
  const canonicalHeaders = names.map((name) => {
    const value = headers[name];
    if (value === undefined) throw new Error(`signed header ${name} is missing from the request`);
    return `${name}:${canonicalHeaderValue(value)}`;
  });
  return [
    request.method.toUpperCase(),
    request.path || '/',
    canonicalQueryString(request.query),
    `${canonicalHeaders.join('\n')}\n`,
    names.join(';'),
    sha256Hex(request.body),
  ].join('\n');
}

/** `{YYYYMMDD}/{region}/{service}/request`. */
export function volcengineCredentialScope(shortDate: string, scope: VolcengineScope): string {
  return `${shortDate}/${scope.region}/${scope.service}/${VOLCENGINE_SCOPE_TERMINATOR}`;
}

/** kDate = HMAC(secret, date) — the raw secret, no prefix — then region, service and `request`. */
export function volcengineSigningKey(secretAccessKey: string, shortDate: string, scope: VolcengineScope): Buffer {
  const kDate = hmacSha256(secretAccessKey, shortDate);
  const kRegion = hmacSha256(kDate, scope.region);
  const kService = hmacSha256(kRegion, scope.service);
  return hmacSha256(kService, VOLCENGINE_SCOPE_TERMINATOR);
}

export function volcengineStringToSign(xDate: string, scope: VolcengineScope, canonicalRequest: string): string {
  return [
    VOLCENGINE_ALGORITHM,
    xDate,
    volcengineCredentialScope(xDate.slice(0, 8), scope),
    sha256Hex(canonicalRequest),
  ].join('\n');
}

export function volcengineSignature(
  secretAccessKey: string,
  xDate: string,
  scope: VolcengineScope,
  canonicalRequest: string,
): string {
  const key = volcengineSigningKey(secretAccessKey, xDate.slice(0, 8), scope);
  return hmacSha256(key, volcengineStringToSign(xDate, scope, canonicalRequest)).toString('hex');
}

/** Signs a request at `epochMs` and returns every header to send. */
export function signVolcengineRequest(
  request: VolcengineRequest,
  credentials: VolcengineCredentials,
  scope: VolcengineScope,
  epochMs: number,
): SignedVolcengineRequest {
  const xDate = formatCompactUtc(epochMs);
  const generated = new Set(['authorization', 'x-date', 'x-content-sha256', 'x-security-token']);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (!generated.has(name.toLowerCase())) headers[name] = value;
  }
  headers['X-Date'] = xDate;
  headers['X-Content-Sha256'] = sha256Hex(request.body);
  if (credentials.sessionToken) headers['X-Security-Token'] = credentials.sessionToken;
  const signedHeaders = Object.keys(headers)
    .map((h) => h.toLowerCase())
    .filter((h) => !UNSIGNABLE_HEADERS.includes(h))
    .sort();
  const signature = volcengineSignature(
    credentials.secretAccessKey,
    xDate,
    scope,
    volcengineCanonicalRequest({ ...request, headers }, signedHeaders),
  );
  headers.Authorization =
    `${VOLCENGINE_ALGORITHM} Credential=${credentials.accessKeyId}/${volcengineCredentialScope(xDate.slice(0, 8), scope)}, ` +
    `SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
  return { headers, signedHeaders };
}

export interface VolcengineAuthorization {
  readonly accessKeyId: string;
  readonly shortDate: string;
  readonly region: string;
  readonly service: string;
  readonly terminator: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** Parses `HMAC-SHA256 Credential=AK/date/region/service/request, SignedHeaders=a;b, Signature=hex`. */
export function parseVolcengineAuthorization(value: string | undefined): VolcengineAuthorization | undefined {
  if (!value) return undefined;
  const match =
    /^HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/([^/,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(
      value.trim(),
    );
  if (!match) return undefined;
  return {
    accessKeyId: match[1]!,
    shortDate: match[2]!,
    region: match[3]!,
    service: match[4]!,
    terminator: match[5]!,
    signedHeaders: match[6]!.split(';'),
    signature: match[7]!,
  };
}
