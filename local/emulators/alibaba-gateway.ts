/**
 * The Alibaba Cloud POP gateway in front of ICE and CAMS, as both emulated products share it: ACS3-HMAC-SHA256
 * verification with the gateway's codes, nonce replay refusal, the gateway error envelope, and the RPC parameters of a
 * request (https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature).
 */
import { timingSafeEqual } from 'node:crypto';
import {
  canonicalRequest,
  computeSignature,
  parseAuthorization,
  sha256Hex,
} from '../../functions/vendors/alibaba/signer.ts';
import { type RawRequest, safeDecode, splitOnce } from './common.ts';

export interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** The error code journaled (gateway/CAMS `Code`, or `RetCode n` for ICE). */
  readonly code?: string;
}

const HOST_ID = 'emulator.aliyuncs.com';

const REQUIRED_SIGNED_HEADERS = [
  'host',
  'x-acs-action',
  'x-acs-version',
  'x-acs-date',
  'x-acs-signature-nonce',
  'x-acs-content-sha256',
];

export const gatewayError = (status: number, code: string, message: string): Reply => ({
  status,
  code,
  body: {
    HostId: HOST_ID,
    Code: code,
    Message: message,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(code)}`,
  },
});

export const header = (req: RawRequest, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

/**
 * Verifies ACS3-HMAC-SHA256 as the gateway does: the answer is `undefined` when the request may proceed, else the
 * gateway's refusal. Each verifier remembers the nonces it has seen until their timestamps expire.
 */
export function alibabaAuthenticator(
  credentials: { readonly accessKeyId: string; readonly accessKeySecret: string },
  maxClockSkewMs: number,
): (req: RawRequest, at: number) => Reply | undefined {
  /** Nonces seen per access key, with the time after which a replay would fail the timestamp check anyway. */
  const nonces = new Map<string, number>();
  return (req: RawRequest, at: number): Reply | undefined => {
    const auth = parseAuthorization(header(req, 'authorization'));
    if (!auth) {
      return gatewayError(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards.');
    }
    if (auth.accessKeyId !== credentials.accessKeyId) {
      return gatewayError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    }
    const signed = new Set(auth.signedHeaders);
    const required = [...REQUIRED_SIGNED_HEADERS, ...(req.body.length > 0 ? ['content-type'] : [])];
    const unsigned = required.filter((name) => !signed.has(name) || header(req, name) === undefined);
    if (unsigned.length > 0) {
      return gatewayError(400, 'IncompleteSignature', `Headers must be present and signed: ${unsigned.join(', ')}.`);
    }
    const contentHash = sha256Hex(req.body);
    if (header(req, 'x-acs-content-sha256') !== contentHash) {
      return gatewayError(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
    }
    const headers: Record<string, string> = {};
    for (const name of auth.signedHeaders) headers[name] = header(req, name) ?? '';
    const [path = '/', query = ''] = splitOnce(req.rawUrl, '?');
    const { canonical } = canonicalRequest({
      method: req.method,
      path,
      query: decodeQuery(query),
      headers,
      hashedPayload: contentHash,
    });
    const expected = Buffer.from(computeSignature(credentials.accessKeySecret, canonical));
    const given = Buffer.from(auth.signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return gatewayError(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
    }
    const date = header(req, 'x-acs-date') ?? '';
    const signedAt = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(date) ? Date.parse(date) : Number.NaN;
    if (Number.isNaN(signedAt)) {
      return gatewayError(400, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.');
    }
    if (Math.abs(at - signedAt) > maxClockSkewMs) {
      return gatewayError(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
    }
    // Insertion order is (nearly) signing order, so expired nonces sit at the front: prune until the first live one.
    for (const [key, expiry] of nonces) {
      if (expiry >= at) break;
      nonces.delete(key);
    }
    const nonceKey = `${auth.accessKeyId}:${header(req, 'x-acs-signature-nonce')}`;
    if (nonces.has(nonceKey)) {
      return gatewayError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
    }
    nonces.set(nonceKey, signedAt + maxClockSkewMs);
    return undefined;
  };
}

export type Params = Readonly<Record<string, string | undefined>>;

/** RPC parameters: the query (ICE) and the form body (CAMS); the gateway reads both. */
export function requestParams(req: RawRequest): Params {
  const params: Record<string, string> = {};
  const [, query = ''] = splitOnce(req.rawUrl, '?');
  for (const [key, value] of decodeQuery(query)) params[key] = value;
  const type = String(req.headers['content-type'] ?? '');
  if (req.body.length > 0 && type.startsWith('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(req.body.toString('utf8'))) params[key] = value;
  }
  return params;
}

function decodeQuery(query: string): Array<[string, string]> {
  if (query === '') return [];
  return query
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const [key = '', value = ''] = splitOnce(part, '=');
      return [safeDecode(key), safeDecode(value)];
    });
}
