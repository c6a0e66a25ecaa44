import { describe, expect, it } from 'vitest';
import {
  canonicalQueryString,
  canonicalRequest,
  computeSignature,
  EMPTY_BODY_SHA256,
  formatAcsDate,
  parseAuthorization,
  percentEncode,
  sha256Hex,
  signAcs3,
} from '../../../functions/vendors/alibaba/signer.ts';

/** Alibaba's published V3 worked example (ECS RunInstances), `docs/vendors/alibaba-ice.md`, "Authentication". */
const PUBLISHED = {
  credentials: { accessKeyId: 'YourAccessKeyId', accessKeySecret: 'YourAccessKeySecret' },
  url: 'https://ecs.cn-shanghai.aliyuncs.com/?ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai',
  action: 'RunInstances',
  version: '2014-05-26',
  date: '2023-10-26T10:22:32Z',
  nonce: '3156853299f313e23d1673dc12e1703d',
  canonicalHash: '7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259',
  signature: '06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0',
  signedHeaders: 'host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version',
};

function signPublished(date: string, nonce: string) {
  return signAcs3(
    { method: 'POST', url: new URL(PUBLISHED.url), action: PUBLISHED.action, version: PUBLISHED.version },
    PUBLISHED.credentials,
    { now: Date.parse(date), nonce },
  );
}

describe('ACS3-HMAC-SHA256 signer', () => {
  it('reproduces the published canonical request hash', () => {
    const { canonical, signedHeaders } = canonicalRequest({
      method: 'POST',
      path: '/',
      query: new URL(PUBLISHED.url).searchParams,
      headers: {
        host: 'ecs.cn-shanghai.aliyuncs.com',
        'x-acs-action': PUBLISHED.action,
        'x-acs-version': PUBLISHED.version,
        'x-acs-date': PUBLISHED.date,
        'x-acs-signature-nonce': PUBLISHED.nonce,
        'x-acs-content-sha256': EMPTY_BODY_SHA256,
      },
      hashedPayload: EMPTY_BODY_SHA256,
    });
    expect(signedHeaders).toBe(PUBLISHED.signedHeaders);
    expect(sha256Hex(canonical)).toBe(PUBLISHED.canonicalHash);
    expect(computeSignature(PUBLISHED.credentials.accessKeySecret, canonical)).toBe(PUBLISHED.signature);
  });

  it('signs the published example to the published Authorization header', () => {
    const signed = signPublished(PUBLISHED.date, PUBLISHED.nonce);
    expect(signed.headers.authorization).toBe(
      `ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=${PUBLISHED.signedHeaders},Signature=${PUBLISHED.signature}`,
    );
    expect(signed.headers['x-acs-date']).toBe(PUBLISHED.date);
    expect(signed.headers['x-acs-content-sha256']).toBe(EMPTY_BODY_SHA256);
    expect(signed.headers.host).toBe('ecs.cn-shanghai.aliyuncs.com');
    expect(signed.url).toBe(PUBLISHED.url);
    expect(signed.body).toBeUndefined();
  });

  it('matches the second pairing of the doc page (date 09:01:01Z, nonce d410180a...)', () => {
    // The doc shows this date/nonce next to the first signature by mistake; recomputed (and published on Alibaba's
    // Model Studio signature page) it signs to e521358f...
    const signed = signPublished('2023-10-26T09:01:01Z', 'd410180a5abf7fe235dd9b74aca91fc0');
    expect(parseAuthorization(signed.headers.authorization)?.signature).toBe(
      'e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804',
    );
  });

  it('changes the signature when the time, nonce, secret, query or body changes', () => {
    const base = signPublished(PUBLISHED.date, PUBLISHED.nonce).headers.authorization;
    expect(signPublished('2023-10-26T10:22:33Z', PUBLISHED.nonce).headers.authorization).not.toBe(base);
    expect(signPublished(PUBLISHED.date, 'another-nonce').headers.authorization).not.toBe(base);
    const other = (patch: { secret?: string; url?: string; body?: string }) =>
      signAcs3(
        {
          method: 'POST',
          url: new URL(patch.url ?? PUBLISHED.url),
          action: PUBLISHED.action,
          version: PUBLISHED.version,
          ...(patch.body ? { body: patch.body, headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}),
        },
        { accessKeyId: 'YourAccessKeyId', accessKeySecret: patch.secret ?? PUBLISHED.credentials.accessKeySecret },
        { now: Date.parse(PUBLISHED.date), nonce: PUBLISHED.nonce },
      ).headers.authorization;
    expect(other({})).toBe(base);
    expect(other({ secret: 'wrong' })).not.toBe(base);
    expect(other({ url: `${PUBLISHED.url}x` })).not.toBe(base);
    expect(other({ body: 'FlowName=a' })).not.toBe(base);
  });

  it('hashes a form body and signs its content-type', () => {
    const body = 'FlowName=flow-001&Categories=%5B%22SIGN_UP%22%5D';
    const signed = signAcs3(
      {
        method: 'POST',
        url: new URL('https://cams.ap-southeast-1.aliyuncs.com/'),
        action: 'CreateFlow',
        version: '2020-06-06',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
      },
      { accessKeyId: 'id', accessKeySecret: 'secret', securityToken: 'sts-token' },
      { now: Date.parse('2026-11-22T08:00:00Z'), nonce: 'n-1' },
    );
    expect(signed.headers['x-acs-content-sha256']).toBe(sha256Hex(body));
    expect(signed.headers['x-acs-security-token']).toBe('sts-token');
    expect(signed.body).toBe(body);
    expect(parseAuthorization(signed.headers.authorization)?.signedHeaders).toEqual([
      'content-type',
      'host',
      'x-acs-action',
      'x-acs-content-sha256',
      'x-acs-date',
      'x-acs-security-token',
      'x-acs-signature-nonce',
      'x-acs-version',
    ]);
  });

  it('percent-encodes per RFC 3986 and sorts the query by encoded key, keeping empty values', () => {
    expect(percentEncode("a b*c~d!e'f(g)h/i+j")).toBe('a%20b%2Ac~d%21e%27f%28g%29h%2Fi%2Bj');
    expect(
      canonicalQueryString([
        ['b', ''],
        ['a', 'x y'],
        ['Cidrs', '10.0.0.0/8,192.168.1.1/32'],
      ]),
    ).toBe('Cidrs=10.0.0.0%2F8%2C192.168.1.1%2F32&a=x%20y&b=');
  });

  it('formats x-acs-date without milliseconds, in UTC', () => {
    expect(formatAcsDate(Date.parse('2026-01-02T03:04:05.678Z'))).toBe('2026-01-02T03:04:05Z');
  });

  it('parses only ACS3 authorization headers', () => {
    expect(parseAuthorization('AWS4-HMAC-SHA256 Credential=x')).toBeUndefined();
    expect(parseAuthorization(undefined)).toBeUndefined();
    expect(parseAuthorization('ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host;x-acs-date,Signature=ab')).toEqual({
      accessKeyId: 'ak',
      signedHeaders: ['host', 'x-acs-date'],
      signature: 'ab',
    });
  });
});
