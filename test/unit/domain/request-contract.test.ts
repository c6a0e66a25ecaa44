import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../../functions/domain/config.ts';
import { parseRequestBody } from '../../../functions/domain/contract.ts';
import { executionName } from '../../../functions/domain/execution-name.ts';
import { aRequest } from '../../helpers/factories.ts';

const body = (value: unknown) => JSON.stringify(value);

describe('request contract v1', () => {
  it('accepts the aws-mediaconnect example and applies the defaults', () => {
    const { start, onFailure, entitlements, ...rest } = aRequest();
    const parsed = parseRequestBody(body(rest));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.request).toMatchObject({ start: true, onFailure: 'keep', entitlements: [] });
    void start;
    void onFailure;
    void entitlements;
  });

  it('lists every problem with its path', () => {
    const parsed = parseRequestBody(
      body({
        ...aRequest(),
        requestId: 'has spaces',
        region: 'US EAST',
        flow: { name: '-bad', source: { name: 'src', protocol: 'carrier-pigeon', whitelistCidr: '10.0.0.0/33' } },
        entitlements: [{ name: 'e', subscribers: ['123'] }],
      }),
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const paths = parsed.issues.map((i) => i.split(':')[0]);
    expect(paths).toEqual(
      expect.arrayContaining([
        'requestId',
        'region',
        'flow.name',
        'flow.source.protocol',
        'flow.source.whitelistCidr',
        'entitlements.0.subscribers.0',
      ]),
    );
  });

  it.each([
    ['not JSON', '{"requestId": ', /body is not JSON/],
    ['an array', '[1,2]', /must be a JSON object/],
    ['unknown vendor', body({ ...aRequest(), vendor: 'acme-cloud' }), /unknown vendor "acme-cloud"/],
    ['missing fields', body({ schemaVersion: 1, vendor: 'aws-mediaconnect' }), /requestId: .*|flow: /],
    ['wrong schema version', body({ ...aRequest(), schemaVersion: 2 }), /schemaVersion/],
    ['unknown field (typo)', body({ ...aRequest(), entitelments: [] }), /entitelments/],
    [
      'control characters',
      body({
        ...aRequest(),
        flow: { ...(aRequest().flow as object), source: { name: 'a', protocol: 'rtp', description: 'x\u0007y' } },
      }),
      /control characters/,
    ],
    ['oversize body', body({ ...aRequest(), pad: 'x'.repeat(LIMITS.maxMessageBytes) }), /bytes; the limit is/],
    [
      'too many entitlements',
      body({
        ...aRequest(),
        entitlements: Array.from({ length: LIMITS.maxEntitlements + 1 }, (_, i) => ({
          name: `e${i}`,
          subscribers: ['111122223333'],
        })),
      }),
      /entitlements: /,
    ],
  ])('rejects %s with a clear message', (_label, raw, message) => {
    const parsed = parseRequestBody(raw);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues.join('\n')).toMatch(message);
  });

  it('bounds the issue list so a hostile message cannot produce an unbounded DLQ record', () => {
    const entitlements = Array.from({ length: 40 }, () => ({ name: '', subscribers: ['x'] }));
    const parsed = parseRequestBody(body({ ...aRequest(), entitlements }));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues.length).toBeLessThanOrEqual(51);
    expect(parsed.issues.at(-1)).toMatch(/and \d+ more/);
  });
});

describe('execution names', () => {
  it('are the request id itself, stable, with an attempt suffix after the first', () => {
    expect(executionName('evt-1')).toBe('evt-1');
    expect(executionName('evt-1', 1)).toBe(executionName('evt-1'));
    expect(executionName('evt-1', 2)).toBe('evt-1--a2');
  });

  it('stay within 80 characters and distinct for long request ids', () => {
    const a = `${'a'.repeat(79)}1`;
    const b = `${'a'.repeat(79)}2`;
    for (const attempt of [1, 2, 99]) {
      expect(executionName(a, attempt).length).toBeLessThanOrEqual(80);
      expect(executionName(a, attempt)).toMatch(/^[A-Za-z0-9_-]+$/);
    }
    expect(executionName(a)).not.toBe(executionName(b));
  });
});
