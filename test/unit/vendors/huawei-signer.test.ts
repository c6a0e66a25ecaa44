import { describe, expect, it } from 'vitest';
import { parseCompactUtc, sha256Hex } from '../../../functions/vendors/hmac-signing.ts';
import {
  huaweiCanonicalRequest,
  huaweiCanonicalUri,
  parseHuaweiAuthorization,
  signHuaweiRequest,
} from '../../../functions/vendors/huawei-live/signer.ts';

/** Huawei's own vector: `core/src/test/java/com/huaweicloud/sdk/core/TestAKSKSigner.java` (docs/vendors/huawei-live.md, "Authentication"). */
const vector = {
  credentials: { accessKey: 'QTWAOYTTINDUT2QVKYUC', secretKey: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc' },
  date: '20191115T033655Z',
  request: {
    method: 'GET',
    path: '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs',
    query: { limit: '2', marker: '13551d6b-755d-4757-b956-536f674975c0' },
    headers: { 'Content-Type': 'application/json', Host: 'service.region.example.com' },
    body: '',
  },
  canonicalRequestSha256: 'b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a',
  authorization:
    'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
};

describe('Huawei SDK-HMAC-SHA256 signer', () => {
  const epochMs = parseCompactUtc(vector.date)!;

  it('reproduces the official test vector byte for byte', () => {
    const signed = signHuaweiRequest(vector.request, vector.credentials, epochMs);
    expect(signed.headers.Authorization).toBe(vector.authorization);
    expect(signed.headers['X-Sdk-Date']).toBe(vector.date);
    expect(signed.signedHeaders).toEqual(['content-type', 'host', 'x-sdk-date']);
  });

  it('builds the documented canonical request (URI ending in "/", sorted query, empty-body hash)', () => {
    const canonical = huaweiCanonicalRequest(
      { ...vector.request, headers: { ...vector.request.headers, 'X-Sdk-Date': vector.date } },
      ['content-type', 'host', 'x-sdk-date'],
    );
    expect(canonical).toBe(
      [
        'GET',
        '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/',
        'limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
        'content-type:application/json\nhost:service.region.example.com\nx-sdk-date:20191115T033655Z\n',
        'content-type;host;x-sdk-date',
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      ].join('\n'),
    );
    expect(sha256Hex(canonical)).toBe(vector.canonicalRequestSha256);
  });

  it('keeps a trailing slash once and encodes each path segment', () => {
    expect(huaweiCanonicalUri('/v1/p/flows/')).toBe('/v1/p/flows/');
    expect(huaweiCanonicalUri('/v1/p/a b')).toBe('/v1/p/a%20b/');
  });

  it('changes the signature when the body, the query, a signed header or the key changes', () => {
    const base = signHuaweiRequest(vector.request, vector.credentials, epochMs).headers.Authorization;
    const variants = [
      signHuaweiRequest({ ...vector.request, body: '{}' }, vector.credentials, epochMs),
      signHuaweiRequest({ ...vector.request, query: { limit: '3' } }, vector.credentials, epochMs),
      signHuaweiRequest(
        { ...vector.request, headers: { ...vector.request.headers, Host: 'x' } },
        vector.credentials,
        epochMs,
      ),
      signHuaweiRequest(vector.request, { ...vector.credentials, secretKey: 'other' }, epochMs),
      signHuaweiRequest(vector.request, vector.credentials, epochMs + 1000),
    ];
    for (const variant of variants) expect(variant.headers.Authorization).not.toBe(base);
  });

  it('replaces a caller-supplied X-Sdk-Date instead of signing two dates', () => {
    const signed = signHuaweiRequest(
      { ...vector.request, headers: { ...vector.request.headers, 'x-sdk-date': '20000101T000000Z' } },
      vector.credentials,
      epochMs,
    );
    expect(signed.headers.Authorization).toBe(vector.authorization);
  });

  it('parses its own Authorization header and rejects malformed ones', () => {
    expect(parseHuaweiAuthorization(vector.authorization)).toEqual({
      accessKey: 'QTWAOYTTINDUT2QVKYUC',
      signedHeaders: ['content-type', 'host', 'x-sdk-date'],
      signature: '7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
    });
    expect(parseHuaweiAuthorization('HMAC-SHA256 Credential=x')).toBeUndefined();
    expect(parseHuaweiAuthorization(undefined)).toBeUndefined();
  });
});
