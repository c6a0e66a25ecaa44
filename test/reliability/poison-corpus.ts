/**
 * A corpus of poison messages, generated with fast-check from a fixed seed (reproducible; `RELIABILITY_SEED` picks
 * another): bad JSON, wrong types, unknown vendors, oversize bodies, missing fields, hostile strings, and well-formed
 * requests that break one documented vendor rule (`../helpers/vendor-rule-breakers.ts`). Every message
 * is one SQS accepts (SQS refuses some characters outright, which is the queue's business, not ours) and one the
 * contract rejects.
 */
import fc from 'fast-check';
import { LIMITS } from '../../functions/domain/config.ts';
import { parseRequestBody, VENDOR_IDS, type VendorId } from '../../functions/domain/contract.ts';
import { exampleRequest } from '../../local/batch/demo-batch.ts';
import { RULE_BREAKERS } from '../helpers/vendor-rule-breakers.ts';

export const POISON_KINDS = [
  'bad-json',
  'wrong-type',
  'unknown-vendor',
  'oversize',
  'missing-field',
  'hostile-string',
  'vendor-rule',
] as const;
export type PoisonKind = (typeof POISON_KINDS)[number];

export interface PoisonMessage {
  readonly kind: PoisonKind;
  readonly body: string;
}

/**
 * What the queue accepts in a body: SQS takes #x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD | #x10000–#x10FFFF; the
 * local queue (fauxqs) refuses the supplementary planes too, so the corpus keeps to what both take.
 */
const SQS_BODY = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD]*$/u;
/** SQS's own size limit: 256 KiB. */
const SQS_MAX_BYTES = 256 * 1024;

export function acceptedBySqs(body: string): boolean {
  return body.length > 0 && SQS_BODY.test(body) && Buffer.byteLength(body, 'utf8') <= SQS_MAX_BYTES;
}

const vendorArb = fc.constantFrom<VendorId>(...VENDOR_IDS);
const templateArb = (id: number) =>
  vendorArb.map((vendor) => ({ ...exampleRequest(vendor), requestId: `poison-${id}` }) as Record<string, unknown>);

/** Strings meant to break parsers, logs and shells; each embedded in a JSON string by `JSON.stringify`. */
const hostileArb = fc.oneof(
  fc.constantFrom(
    '\u0000\u0001\u0007\u001b[31m',
    '\u202Eevil\u202C',
    '\u200B\u200C\u200D\uFEFF',
    '../../../../etc/passwd',
    "'; DROP TABLE flows; --",
    '<script>alert(1)</script>',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell-style lookup string, meant literally
    '${jndi:ldap://127.0.0.1/a}',
    '__proto__',
    'constructor',
    '%s%s%s%n',
    'Robert\u0000Tables',
    '\uD83D\uDE00\uD83D\uDE00',
    'ＡＤＭＩＮ',
  ),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  fc.string({ minLength: 81, maxLength: 5000 }),
);

const keysOf = (value: Record<string, unknown>) => Object.keys(value);

function arbitraryFor(kind: PoisonKind, id: number): fc.Arbitrary<string> {
  switch (kind) {
    case 'bad-json':
      return fc.oneof(
        templateArb(id).chain((request) => {
          const text = JSON.stringify(request);
          return fc.integer({ min: 1, max: text.length - 1 }).map((cut) => text.slice(0, cut));
        }),
        fc.string({ minLength: 1, maxLength: 200 }).map((s) => `{${s}`),
        fc.constantFrom('null', '[]', '"a string"', '42', 'true', '{}', "{'single': 'quotes'}", 'NaN', '{"a":1,}'),
      );
    case 'wrong-type': {
      const wrong = fc.oneof(
        fc.integer(),
        fc.double(),
        fc.boolean(),
        fc.constant(null),
        fc.array(fc.integer(), { maxLength: 3 }),
        fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
        fc.string({ maxLength: 10 }),
      );
      return fc.tuple(templateArb(id), fc.nat(), wrong, fc.boolean()).map(([request, pick, value, inFlow]) => {
        const target = inFlow ? (request.flow as Record<string, unknown>) : request;
        const keys = keysOf(target);
        return JSON.stringify(withValue(request, inFlow ? 'flow' : null, keys[pick % keys.length]!, value));
      });
    }
    case 'unknown-vendor':
      return fc
        .tuple(templateArb(id), fc.oneof(fc.string({ maxLength: 30 }), hostileArb))
        .filter(([, vendor]) => !(VENDOR_IDS as readonly string[]).includes(vendor))
        .map(([request, vendor]) => JSON.stringify({ ...request, vendor }));
    case 'oversize':
      return fc
        .tuple(templateArb(id), fc.integer({ min: LIMITS.maxMessageBytes + 1, max: 200 * 1024 }))
        .map(([request, size]) => {
          const flow = { ...(request.flow as Record<string, unknown>), name: 'x'.repeat(size) };
          return JSON.stringify({ ...request, flow });
        });
    case 'missing-field':
      return fc.tuple(templateArb(id), fc.nat(), fc.boolean()).map(([request, pick, inFlow]) => {
        const target = { ...(inFlow ? (request.flow as Record<string, unknown>) : request) };
        const keys = keysOf(target).filter((k) => !['start', 'onFailure', 'entitlements', 'tags'].includes(k));
        delete target[keys[pick % keys.length]!];
        return JSON.stringify(inFlow ? { ...request, flow: target } : target);
      });
    case 'hostile-string':
      return fc
        .tuple(
          templateArb(id),
          hostileArb,
          fc.constantFrom('requestId', 'region', 'flow.name', 'vendor', 'onFailure', '__proto__'),
        )
        .map(([request, text, field]) => {
          if (field === '__proto__') return `{"__proto__":{"polluted":true},${JSON.stringify(request).slice(1)}`;
          if (field === 'flow.name') return JSON.stringify(withValue(request, 'flow', 'name', `${text}\u0000`));
          return JSON.stringify({ ...request, [field]: field === 'requestId' ? `${text}/../` : text });
        });
    case 'vendor-rule':
      return fc
        .constantFrom(...RULE_BREAKERS)
        .map((breaker) => JSON.stringify({ ...breaker.request, requestId: `poison-${id}` }));
  }
}

function withValue(
  request: Record<string, unknown>,
  parent: string | null,
  key: string,
  value: unknown,
): Record<string, unknown> {
  if (parent === null) return { ...request, [key]: value };
  return { ...request, [parent]: { ...(request[parent] as Record<string, unknown>), [key]: value } };
}

/**
 * `count` distinct poison messages, the kinds in turn, each rejected by the contract and accepted by SQS.
 * Deterministic for a given seed.
 */
export function poisonCorpus(count: number, seed = Number(process.env.RELIABILITY_SEED ?? 20261122)): PoisonMessage[] {
  const messages: PoisonMessage[] = [];
  const seen = new Set<string>();
  let attempt = 0;
  while (messages.length < count) {
    const kind = POISON_KINDS[messages.length % POISON_KINDS.length]!;
    const [body] = fc.sample(arbitraryFor(kind, messages.length), { numRuns: 1, seed: seed + attempt++ });
    if (body === undefined || seen.has(body) || !acceptedBySqs(body) || parseRequestBody(body).ok) continue;
    seen.add(body);
    messages.push({ kind, body });
  }
  return messages;
}
