/**
 * Volcengine's OpenAPI gateway as the Live emulator runs it: the reply shape of every answer and the HMAC-SHA256
 * verification, pure (https://www.volcengine.com/docs/6369/67269).
 */
import { formatCompactUtc, parseCompactUtc, sha256Hex } from '../../functions/vendors/hmac-signing.ts';
import {
  parseVolcengineAuthorization,
  type VolcengineRequest,
  volcengineCanonicalRequest,
  volcengineSignature,
} from '../../functions/vendors/volcengine-live/signer.ts';
import { hexSignaturesEqual } from './common.ts';

export const VOLCENGINE_VERSION = '2023-01-01';
export const VOLCENGINE_REGION = 'cn-north-1';
export const VOLCENGINE_SERVICE = 'live';

export interface Reply {
  readonly status: number;
  readonly result?: unknown;
  readonly error?: { readonly code: string; readonly codeN?: number; readonly message: string };
}

const _fail = (status: number, code: string, message: string, codeN?: number): Reply => ({
  status,
  error: { code, message, ...(codeN !== undefined ? { codeN } : {}) },
});
export const fail = (status: number, code: string, message: string, codeN?: number): Reply => ({
  status,
  error: { code, message, ...(codeN !== undefined ? { codeN } : {}) },
});

export type VolcengineVerification = { readonly ok: true } | { readonly ok: false; readonly reply: Reply };

/**
 * Verifies a signed request as the OpenAPI gateway answers: `Authorization` present and well-formed, a known key, a
 * scope of `<X-Date's day>/cn-north-1/live/request`, `host` and `x-date` signed, `X-Date` within the skew,
 * `X-Content-Sha256` equal to the body's hash, and the signature recomputed over the request as received.
 */
export function verifyVolcengineSignature(
  request: VolcengineRequest,
  credentials: { readonly accessKeyId: string; readonly secretAccessKey: string },
  now: number,
  maxClockSkewMs: number,
): VolcengineVerification {
  const reject = (status: number, code: string, codeN: number, message: string): VolcengineVerification => ({
    ok: false,
    reply: fail(status, code, message, codeN),
  });
  const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
  if (headers.authorization === undefined) {
    return reject(401, 'MissingAuthenticationToken', 100003, 'The request is missing an authentication token.');
  }
  const auth = parseVolcengineAuthorization(headers.authorization);
  if (!auth) return reject(401, 'MissingSignature', 100005, 'The request signature is missing or malformed.');
  if (auth.accessKeyId !== credentials.accessKeyId) {
    return reject(401, 'InvalidAccessKey', 100009, 'The specified access key is invalid.');
  }
  const xDate = headers['x-date'];
  const signedAt = xDate === undefined ? undefined : parseCompactUtc(xDate);
  if (xDate === undefined || signedAt === undefined) {
    return reject(400, 'MissingRequestInfo', 100004, 'The request is missing a valid X-Date.');
  }
  if (Math.abs(now - signedAt) > maxClockSkewMs) {
    return reject(
      400,
      'InvalidTimestamp',
      100006,
      `The request timestamp ${xDate} is expired or in the future (server time ${formatCompactUtc(now)}).`,
    );
  }
  if (!auth.signedHeaders.includes('x-date') || (headers.host !== undefined && !auth.signedHeaders.includes('host'))) {
    return reject(401, 'SignatureDoesNotMatch', 100010, 'host and x-date must be signed.');
  }
  if (
    auth.shortDate !== xDate.slice(0, 8) ||
    auth.region !== VOLCENGINE_REGION ||
    auth.service !== VOLCENGINE_SERVICE ||
    auth.terminator !== 'request'
  ) {
    return reject(
      401,
      'SignatureDoesNotMatch',
      100010,
      `The credential scope must be ${xDate.slice(0, 8)}/${VOLCENGINE_REGION}/${VOLCENGINE_SERVICE}/request.`,
    );
  }
  const contentSha256 = headers['x-content-sha256'];
  if (contentSha256 !== undefined && contentSha256 !== sha256Hex(request.body)) {
    return reject(401, 'SignatureDoesNotMatch', 100010, 'X-Content-Sha256 does not match the request body.');
  }
  let expected: string;
  try {
    expected = volcengineSignature(
      credentials.secretAccessKey,
      xDate,
      { region: auth.region, service: auth.service },
      volcengineCanonicalRequest(request, auth.signedHeaders),
    );
  } catch {
    return reject(401, 'SignatureDoesNotMatch', 100010, 'A signed header is missing from the request.');
  }
  if (!hexSignaturesEqual(expected, auth.signature)) {
    return reject(401, 'SignatureDoesNotMatch', 100010, 'The request signature we calculated does not match.');
  }
  return { ok: true };
}
