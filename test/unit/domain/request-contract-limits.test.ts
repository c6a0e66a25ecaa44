/**
 * Input limits (`LIMITS` in `functions/domain/config.ts`), each at its edge: the limit itself is accepted, one more is
 * rejected with a message that names the field and the limit, so an upstream team can fix the message from the DLQ
 * record alone. Every vendor that carries the field is checked.
 */
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../../functions/domain/config.ts';
import { parseRequestBody, type VendorId } from '../../../functions/domain/contract.ts';
import { AWS_MAX_ENTITLEMENTS, AWS_MAX_FLOW_TAGS } from '../../../functions/vendors/aws-mediaconnect/constraints.ts';
import { HUAWEI_MAX_OUTPUTS } from '../../../functions/vendors/huawei-live/constraints.ts';
import { aRequest } from '../../helpers/factories.ts';

type Json = Record<string, unknown>;

/** The problems of a request, or [] when it is valid. */
function issuesOf(request: Json | string): string[] {
  const parsed = parseRequestBody(typeof request === 'string' ? request : JSON.stringify(request));
  return parsed.ok ? [] : parsed.issues;
}

const withFlow = (vendor: VendorId, flow: Json): Json => {
  const request = aRequest(vendor);
  return { ...request, flow: { ...(request.flow as Json), ...flow } };
};

/** A valid name of `length` characters for the vendor's flow-name rule. */
const nameOf = (length: number) => `f${'x'.repeat(length - 1)}`;

describe('input limits', () => {
  it(`accepts a message of ${LIMITS.maxMessageBytes} bytes and rejects one byte more, counting bytes not characters`, () => {
    const base = JSON.stringify(aRequest());
    // Padding in a field the schema rejects anyway: only the size problem is looked at.
    const padded = (bytes: number, char = 'x') => {
      const body = `${base.slice(0, -1)},"pad":"${char.repeat(Math.ceil((bytes - base.length - 9) / Buffer.byteLength(char)))}"}`;
      return body;
    };
    const atLimit = padded(LIMITS.maxMessageBytes);
    expect(Buffer.byteLength(atLimit)).toBeLessThanOrEqual(LIMITS.maxMessageBytes);
    expect(issuesOf(atLimit).join('\n')).not.toMatch(/the limit is/);

    const over = `${atLimit.slice(0, -2)}${'x'.repeat(LIMITS.maxMessageBytes - Buffer.byteLength(atLimit) + 1)}"}`;
    expect(Buffer.byteLength(over)).toBe(LIMITS.maxMessageBytes + 1);
    expect(issuesOf(over)).toEqual([
      `message is ${LIMITS.maxMessageBytes + 1} bytes; the limit is ${LIMITS.maxMessageBytes}`,
    ]);

    // 'é' is two bytes: fewer characters than the limit, more bytes.
    const multibyte = padded(LIMITS.maxMessageBytes + 2, 'é');
    expect(multibyte.length).toBeLessThan(LIMITS.maxMessageBytes);
    expect(issuesOf(multibyte).join('\n')).toMatch(/bytes; the limit is 65536/);
  });

  it('rejects a request id over 80 characters, naming the field', () => {
    expect(issuesOf({ ...aRequest(), requestId: 'r'.repeat(80) })).toEqual([]);
    expect(issuesOf({ ...aRequest(), requestId: 'r'.repeat(81) })).toEqual([expect.stringMatching(/^requestId: .*80/)]);
  });

  it.each(['aws-mediaconnect', 'alibaba-ice', 'alibaba-cams', 'huawei-live'] as const)(
    `%s: accepts a flow name of ${LIMITS.maxFlowNameLength} characters and rejects one more`,
    (vendor) => {
      expect(issuesOf(withFlow(vendor, { name: nameOf(LIMITS.maxFlowNameLength) }))).toEqual([]);
      expect(issuesOf(withFlow(vendor, { name: nameOf(LIMITS.maxFlowNameLength + 1) }))).toEqual([
        expect.stringMatching(new RegExp(`^flow\\.name: .*${LIMITS.maxFlowNameLength}`)),
      ]);
    },
  );

  it('volcengine-live: keeps its own, stricter name rule (20), with a message that says so', () => {
    expect(issuesOf(withFlow('volcengine-live', { name: 'R'.repeat(20) }))).toEqual([]);
    expect(issuesOf(withFlow('volcengine-live', { name: 'R'.repeat(21) }))).toEqual([
      expect.stringMatching(/^flow\.name: .*20/),
    ]);
  });

  it.each([
    ['aws-mediaconnect', AWS_MAX_ENTITLEMENTS],
    ['huawei-live', HUAWEI_MAX_OUTPUTS],
  ] as const)('%s: accepts %i entitlements (the per-flow maximum) and rejects one more', (vendor, max) => {
    const [template] = aRequest(vendor).entitlements as Json[];
    const entitlements = (count: number) =>
      Array.from({ length: count }, (_, i) => ({
        ...template,
        name: `e${i}`,
        ...(vendor === 'huawei-live' ? { port: 9000 + i } : {}),
      }));
    expect(issuesOf({ ...aRequest(vendor), entitlements: entitlements(max) })).toEqual([]);
    expect(issuesOf({ ...aRequest(vendor), entitlements: entitlements(max + 1) })).toEqual([
      expect.stringMatching(new RegExp(`^entitlements: .*${max}`)),
    ]);
  });

  it(`aws-mediaconnect: accepts ${LIMITS.maxSubscribers} subscribers per entitlement and rejects one more`, () => {
    const request = aRequest('aws-mediaconnect');
    const [template] = request.entitlements as Json[];
    const subscribers = (count: number) => Array.from({ length: count }, (_, i) => String(111122220000 + i));
    const withSubscribers = (count: number) => ({
      ...request,
      entitlements: [{ ...template, subscribers: subscribers(count) }],
    });
    expect(issuesOf(withSubscribers(LIMITS.maxSubscribers))).toEqual([]);
    expect(issuesOf(withSubscribers(LIMITS.maxSubscribers + 1))).toEqual([
      expect.stringMatching(new RegExp(`^entitlements\\.0\\.subscribers: .*${LIMITS.maxSubscribers}`)),
    ]);
  });

  it(`aws-mediaconnect: accepts ${AWS_MAX_FLOW_TAGS - 1} tags (the provisioner adds its own) and rejects one more`, () => {
    const tags = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, 'v']));
    expect(issuesOf(withFlow('aws-mediaconnect', { tags: tags(AWS_MAX_FLOW_TAGS - 1) }))).toEqual([]);
    expect(issuesOf(withFlow('aws-mediaconnect', { tags: tags(AWS_MAX_FLOW_TAGS) }))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^flow\\.tags: MediaConnect allows ${AWS_MAX_FLOW_TAGS} tags per flow .* at most ${AWS_MAX_FLOW_TAGS - 1}`,
        ),
      ),
    ]);
  });

  it(`volcengine-live: accepts ${LIMITS.maxTags - 1} tags (the provisioner adds its own) and rejects one more`, () => {
    const tags = (count: number) =>
      Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: 'v', category: 'Custom' }));
    expect(issuesOf(withFlow('volcengine-live', { tags: tags(LIMITS.maxTags - 1) }))).toEqual([]);
    expect(issuesOf(withFlow('volcengine-live', { tags: tags(LIMITS.maxTags) }))).toEqual([
      expect.stringMatching(new RegExp(`^flow\\.tags: .*${LIMITS.maxTags - 1}`)),
    ]);
  });
});
