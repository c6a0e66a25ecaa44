/**
 * ACS3-HMAC-SHA256, Alibaba Cloud's V3 request signature (shared by ICE and CAMS; `docs/vendors/alibaba-ice.md`,
 * "Authentication").
 *
 * Implemented from the published specification rather than with `@alicloud/openapi-util` (~28 packages, ~25 MB, for
 * one HMAC): a pure function from request + credentials + time + nonce to the signed request, pinned by the published
 * worked example in `test/unit/vendors/alibaba-signer.test.ts`. The emulator verifies with the same canonicalisation,
 * so the known-answer tests are what keep both sides honest.
 *
 * Unlike AWS SigV4 there is no date/region scope and no derived key: the signature is
 * `hex(HMAC-SHA256(secret, "ACS3-HMAC-SHA256\n" + hex(SHA-256(canonicalRequest))))`.
 */
import { createHash, createHmac } from 'node:crypto';

export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

/** SHA-256 of the empty string: `x-acs-content-sha256` of a request without a body. */
export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface AcsCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** STS token, sent as `x-acs-security-token` when present. */
  readonly securityToken?: string;
}

export interface UnsignedAcsRequest {
  readonly method: string;
  /** Absolute URL; its query is part of the signature (RPC style puts parameters there). */
  readonly url: URL;
  /** `x-acs-action`, e.g. `CreateMediaConnectFlow`. */
  readonly action: string;
  /** `x-acs-version`, e.g. `2020-11-09`. */
  readonly version: string;
  /** Extra headers; `content-type` (when there is a body) and any `x-acs-*` are signed. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Request body exactly as it will be sent (a form string for CAMS); hashed into `x-acs-content-sha256`. */
  readonly body?: string;
}

export interface SignedAcsRequest {
  readonly method: string;
  readonly url: string;
  /** Every header to send, lowercase names, `authorization` included. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface SigningContext {
  /** Signing time in epoch milliseconds; sent as `x-acs-date` (UTC, second precision). */
  readonly now: number;
  /** A value never used before for these credentials (`x-acs-signature-nonce`); the gateway rejects replays. */
  readonly nonce: string;
}

/** RFC 3986 percent-encoding as Alibaba's signers apply it: `encodeURIComponent` plus `! ' ( ) *`. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `x-acs-date` format: `yyyy-MM-ddTHH:mm:ssZ`, no milliseconds. */
export function formatAcsDate(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}Z`;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Query pairs (already decoded) → canonical query string: encoded, sorted by encoded key, `key=` for empty values. */
export function canonicalQueryString(pairs: Iterable<readonly [string, string]>): string {
  return [...pairs]
    .map(([k, v]) => [percentEncode(k), percentEncode(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** Whether a header takes part in the signature: `host`, `content-type` and every `x-acs-*`. */
export function isSignedHeader(lowercaseName: string): boolean {
  return lowercaseName === 'host' || lowercaseName === 'content-type' || lowercaseName.startsWith('x-acs-');
}

export interface CanonicalParts {
  readonly method: string;
  /** Path; `/` for RPC. */
  readonly path: string;
  readonly query: Iterable<readonly [string, string]>;
  /** Headers to sign, any case; values are trimmed here. */
  readonly headers: Readonly<Record<string, string>>;
  /** `x-acs-content-sha256`. */
  readonly hashedPayload: string;
}

/** The canonical request and the signed-header list, exactly as the gateway rebuilds them. */
export function canonicalRequest(parts: CanonicalParts): { canonical: string; signedHeaders: string } {
  const headers = Object.entries(parts.headers)
    .map(([name, value]) => [name.toLowerCase(), value.trim()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonicalHeaders = headers.map(([name, value]) => `${name}:${value}\n`).join('');
  const signedHeaders = headers.map(([name]) => name).join(';');
  const canonical = [
    parts.method.toUpperCase(),
    parts.path || '/',
    canonicalQueryString(parts.query),
    canonicalHeaders,
    signedHeaders,
    parts.hashedPayload,
  ].join('\n');
  return { canonical, signedHeaders };
}

export function stringToSign(canonical: string): string {
  return `${ACS3_ALGORITHM}\n${sha256Hex(canonical)}`;
}

/** `hex(HMAC-SHA256(secret, stringToSign))`. */
export function computeSignature(accessKeySecret: string, canonical: string): string {
  return createHmac('sha256', accessKeySecret).update(stringToSign(canonical)).digest('hex');
}

export function authorizationHeader(accessKeyId: string, signedHeaders: string, signature: string): string {
  // Commas without spaces, unlike AWS.
  return `${ACS3_ALGORITHM} Credential=${accessKeyId},SignedHeaders=${signedHeaders},Signature=${signature}`;
}

export interface ParsedAuthorization {
  readonly accessKeyId: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** Parses an `Authorization: ACS3-HMAC-SHA256 ...` header; `undefined` when it is not one. */
export function parseAuthorization(header: string | undefined): ParsedAuthorization | undefined {
  if (!header?.startsWith(`${ACS3_ALGORITHM} `)) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice(ACS3_ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKeyId = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || !signedHeaders || !signature) return undefined;
  return { accessKeyId, signedHeaders: signedHeaders.split(';'), signature };
}

/**
 * Signs one request. Pure: the same request, credentials, time and nonce always give the same headers, which is what
 * the known-answer tests rely on.
 */
export function signAcs3(
  request: UnsignedAcsRequest,
  credentials: AcsCredentials,
  context: SigningContext,
): SignedAcsRequest {
  const body = request.body ?? '';
  const hashedPayload = body === '' ? EMPTY_BODY_SHA256 : sha256Hex(body);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  headers.host = request.url.host;
  headers['x-acs-action'] = request.action;
  headers['x-acs-version'] = request.version;
  headers['x-acs-date'] = formatAcsDate(context.now);
  headers['x-acs-signature-nonce'] = context.nonce;
  headers['x-acs-content-sha256'] = hashedPayload;
  if (credentials.securityToken) headers['x-acs-security-token'] = credentials.securityToken;

  const signed: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (isSignedHeader(name)) signed[name] = value;
  const { canonical, signedHeaders } = canonicalRequest({
    method: request.method,
    path: request.url.pathname,
    query: request.url.searchParams,
    headers: signed,
    hashedPayload,
  });
  const signature = computeSignature(credentials.accessKeySecret, canonical);
  headers.authorization = authorizationHeader(credentials.accessKeyId, signedHeaders, signature);

  const url = new URL(request.url);
  url.search = canonicalQueryString(request.url.searchParams);
  return { method: request.method.toUpperCase(), url: url.toString(), headers, ...(body === '' ? {} : { body }) };
}
