/**
 * Huawei Cloud AK/SK request signing, `SDK-HMAC-SHA256` (`docs/vendors/huawei-live.md`, "Authentication"): no key
 * derivation, the SK itself is the HMAC key, and the canonical URI always ends in `/` even though the request is sent
 * without it.
 *
 * Implemented from the signing guide and the official Node core signer (`core/auth/AKSKSigner.ts`) instead of
 * depending on `@huaweicloud/huaweicloud-sdk-core` (~45 packages for ~100 lines, and only reachable by deep import).
 * Pinned by Huawei's own test vector (`TestAKSKSigner.java`) in `test/unit/vendors/huawei-signer.test.ts`; the emulator
 * verifies with the same functions, so that vector keeps both sides honest.
 */
import { canonicalQueryString, formatCompactUtc, hmacSha256, lowerCaseHeaders, sha256Hex } from '../hmac-signing.ts';

export const HUAWEI_ALGORITHM = 'SDK-HMAC-SHA256';

export interface HuaweiCredentials {
  /** Access key id (`HUAWEICLOUD_SDK_AK`). */
  readonly accessKey: string;
  /** Secret access key (`HUAWEICLOUD_SDK_SK`); never logged. */
  readonly secretKey: string;
}

export interface HuaweiRequest {
  readonly method: string;
  /** Decoded path without the query, as sent: `/v1/{project_id}/flows/start`. */
  readonly path: string;
  /** Decoded query parameters. */
  readonly query: Readonly<Record<string, string>>;
  /**
   * Headers to send, `Host` included. Every one of them is signed, as the official Node signer does, so pass only
   * headers that reach the gateway unchanged (`Content-Type`, `Host`, `X-Project-Id`...).
   */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact body bytes that will be sent (`''` when there is none). */
  readonly body: string;
}

export interface SignedHuaweiRequest {
  /** The request's headers plus `X-Sdk-Date` and `Authorization`. */
  readonly headers: Readonly<Record<string, string>>;
  readonly signedHeaders: readonly string[];
}

/** Each path segment URI-encoded (`encodeURIComponent`, as the SDK does), with a trailing `/` added when missing. */
export function huaweiCanonicalUri(path: string): string {
  const encoded = path
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
  return encoded.endsWith('/') ? encoded : `${encoded}/`;
}

/**
 * `METHOD\nURI\nQUERY\nHEADERS\nSIGNED\nhex(sha256(body))`, with only `signedHeaders` (lower case) in the canonical
 * headers. Throws when a signed header is missing from `headers`.
 */
export function huaweiCanonicalRequest(request: HuaweiRequest, signedHeaders: readonly string[]): string {
  const headers = lowerCaseHeaders(request.headers);
  const names = [...signedHeaders].map((h) => h.toLowerCase()).sort();
  const canonicalHeaders = names
    .map((name) => {
      const value = headers[name];
      if (value === undefined) throw new Error(`signed header ${name} is missing from the request`);
      return `${name}:${value}\n`;
    })
    .join('');
  return [
    request.method.toUpperCase(),
    huaweiCanonicalUri(request.path),
    canonicalQueryString(request.query),
    canonicalHeaders,
    names.join(';'),
    sha256Hex(request.body),
  ].join('\n');
}

export function huaweiStringToSign(sdkDate: string, canonicalRequest: string): string {
  return `${HUAWEI_ALGORITHM}\n${sdkDate}\n${sha256Hex(canonicalRequest)}`;
}

/** Hex HMAC-SHA256 of the string to sign, keyed by the SK directly (no derived key). */
export function huaweiSignature(secretKey: string, sdkDate: string, canonicalRequest: string): string {
  return hmacSha256(secretKey, huaweiStringToSign(sdkDate, canonicalRequest)).toString('hex');
}

/** Signs a request at `epochMs`: adds `X-Sdk-Date`, then signs every header, then adds `Authorization`. */
export function signHuaweiRequest(
  request: HuaweiRequest,
  credentials: HuaweiCredentials,
  epochMs: number,
): SignedHuaweiRequest {
  const sdkDate = formatCompactUtc(epochMs);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.toLowerCase() !== 'x-sdk-date' && name.toLowerCase() !== 'authorization') headers[name] = value;
  }
  headers['X-Sdk-Date'] = sdkDate;
  const signedHeaders = Object.keys(headers)
    .map((h) => h.toLowerCase())
    .sort();
  const signature = huaweiSignature(
    credentials.secretKey,
    sdkDate,
    huaweiCanonicalRequest({ ...request, headers }, signedHeaders),
  );
  headers.Authorization = `${HUAWEI_ALGORITHM} Access=${credentials.accessKey}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
  return { headers, signedHeaders };
}

export interface HuaweiAuthorization {
  readonly accessKey: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** Parses `SDK-HMAC-SHA256 Access=..., SignedHeaders=a;b, Signature=hex`; `undefined` when malformed. */
export function parseHuaweiAuthorization(value: string | undefined): HuaweiAuthorization | undefined {
  if (!value) return undefined;
  const match = /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(
    value.trim(),
  );
  if (!match) return undefined;
  return { accessKey: match[1]!, signedHeaders: match[2]!.split(';'), signature: match[3]! };
}
