import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../functions/vendors/hmac-signing.ts';
import {
  parseVolcengineAuthorization,
  signVolcengineRequest,
  volcengineCanonicalRequest,
} from '../../../functions/vendors/volcengine-live/signer.ts';

/**
 * Known answers produced by Volcengine's own `@volcengine/openapi` `Signer` (see `producedBy` in the fixture and
 * `test/fixtures/generate-volcengine-signer-vectors.mjs` for how to regenerate them). The second vector is also the
 * one recorded in `docs/vendors/volcengine-live.md`, "Authentication", reproduced independently in Python during
 * research.
 */
interface Vector {
  name: string;
  date: string;
  method: string;
  region: string;
  service: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
  expected: { xDate: string; xContentSha256: string | null; canonicalRequestSha256: string; authorization: string };
}
const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/volcengine-signer-vectors.json', import.meta.url), 'utf8'),
) as {
  producedBy: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  vectors: Vector[];
};

describe('Volcengine HMAC-SHA256 signer', () => {
  it('was pinned against the vendor SDK, not against itself', () => {
    expect(fixture.producedBy).toMatch(/^@volcengine\/openapi@\d+\.\d+\.\d+ Signer/);
    expect(fixture.vectors.length).toBeGreaterThanOrEqual(4);
  });

  for (const vector of fixture.vectors) {
    it(`matches the SDK: ${vector.name}`, () => {
      const request = {
        method: vector.method,
        path: '/',
        query: vector.query,
        headers: vector.headers,
        body: vector.body,
      };
      const signed = signVolcengineRequest(
        request,
        fixture.credentials,
        { region: vector.region, service: vector.service },
        Date.parse(vector.date),
      );
      expect(signed.headers.Authorization).toBe(vector.expected.authorization);
      expect(signed.headers['X-Date']).toBe(vector.expected.xDate);
      if (vector.expected.xContentSha256)
        expect(signed.headers['X-Content-Sha256']).toBe(vector.expected.xContentSha256);
      const canonical = volcengineCanonicalRequest({ ...request, headers: signed.headers }, signed.signedHeaders);
      expect(sha256Hex(canonical)).toBe(vector.expected.canonicalRequestSha256);
    });
  }

  it('never signs Content-Type and scopes the credential to date/region/live/request', () => {
    const vector = fixture.vectors[0]!;
    const signed = signVolcengineRequest(
      { method: 'POST', path: '/', query: vector.query, headers: vector.headers, body: vector.body },
      fixture.credentials,
      { region: 'cn-north-1', service: 'live' },
      Date.parse(vector.date),
    );
    expect(signed.signedHeaders).toEqual(['host', 'x-content-sha256', 'x-date']);
    expect(parseVolcengineAuthorization(signed.headers.Authorization)).toMatchObject({
      accessKeyId: 'AKLTEXAMPLEACCESSKEYID',
      shortDate: '20240101',
      region: 'cn-north-1',
      service: 'live',
      terminator: 'request',
      signedHeaders: ['host', 'x-content-sha256', 'x-date'],
    });
  });

  it('signs an STS session token when there is one', () => {
    const signed = signVolcengineRequest(
      { method: 'GET', path: '/', query: { Action: 'ListPullToPushTask' }, headers: { Host: 'h' }, body: '' },
      { ...fixture.credentials, sessionToken: 'token' },
      { region: 'cn-north-1', service: 'live' },
      0,
    );
    expect(signed.headers['X-Security-Token']).toBe('token');
    expect(signed.signedHeaders).toContain('x-security-token');
  });

  it('changes the signature with the body, the query, the region, the key or the time', () => {
    const vector = fixture.vectors[0]!;
    const request = { method: 'POST', path: '/', query: vector.query, headers: vector.headers, body: vector.body };
    const scope = { region: 'cn-north-1', service: 'live' };
    const at = Date.parse(vector.date);
    const base = signVolcengineRequest(request, fixture.credentials, scope, at).headers.Authorization;
    const variants = [
      signVolcengineRequest({ ...request, body: '{}' }, fixture.credentials, scope, at),
      signVolcengineRequest({ ...request, query: { ...request.query, Action: 'X' } }, fixture.credentials, scope, at),
      signVolcengineRequest(request, fixture.credentials, { ...scope, region: 'ap-southeast-1' }, at),
      signVolcengineRequest(request, { ...fixture.credentials, secretAccessKey: 'other' }, scope, at),
      signVolcengineRequest(request, fixture.credentials, scope, at + 1000),
    ];
    for (const variant of variants) expect(variant.headers.Authorization).not.toBe(base);
  });

  it('rejects malformed Authorization headers', () => {
    expect(parseVolcengineAuthorization('SDK-HMAC-SHA256 Access=x, SignedHeaders=a, Signature=b')).toBeUndefined();
    expect(parseVolcengineAuthorization(undefined)).toBeUndefined();
  });
});
