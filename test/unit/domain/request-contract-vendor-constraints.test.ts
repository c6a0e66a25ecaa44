/**
 * The contract refuses at the door what each vendor documents it refuses (docs/vendors/<vendor>.md, "Constraints"):
 * a request that breaks one rule gets exactly one issue, on the field to fix, saying what the vendor allows; the same
 * request with the rule respected is valid.
 */
import { describe, expect, it } from 'vitest';
import { parseRequest } from '../../../functions/domain/contract.ts';
import { exampleRequest } from '../../../local/batch/demo-batch.ts';
import { RULE_BREAKERS } from '../../helpers/vendor-rule-breakers.ts';

describe('vendor constraints at the door', () => {
  it.each(RULE_BREAKERS.map((b) => [`${b.vendor}: ${b.rule}`, b] as const))('%s', (_name, breaker) => {
    const parsed = parseRequest(breaker.request);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.issues).toEqual([expect.stringMatching(breaker.issue)]);
  });

  it('accepts every vendor example, so each breaker fails on its one rule only', () => {
    for (const vendor of new Set(RULE_BREAKERS.map((b) => b.vendor))) {
      expect(parseRequest(exampleRequest(vendor))).toMatchObject({ ok: true });
    }
  });

  it('accepts what the rules allow at their edges', () => {
    const aws = exampleRequest('aws-mediaconnect');
    const tags = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, 'v']));
    expect(parseRequest({ ...aws, flow: { ...(aws.flow as object), tags } })).toMatchObject({ ok: true });

    const cams = exampleRequest('alibaba-cams');
    const { jsonAsset: _asset, ...draft } = cams.flow as Record<string, unknown>;
    expect(parseRequest({ ...cams, start: false, flow: draft })).toMatchObject({ ok: true });

    const huawei = exampleRequest('huawei-live');
    const flow = huawei.flow as { sources: Record<string, unknown>[] };
    const srt = { keyType: 'srt-password', passphrase: 'a-passphrase-0123', algorithm: 'aes128' };
    const sources = [{ ...flow.sources[0], decryption: srt }];
    expect(parseRequest({ ...huawei, region: 'cn-north-4', flow: { ...flow, sources } })).toMatchObject({ ok: true });

    const volcengine = exampleRequest('volcengine-live');
    const vflow = volcengine.flow as { task: Record<string, unknown> };
    const task = { ...vflow.task, startTime: 2 ** 31 - 1 - 7200 };
    expect(parseRequest({ ...volcengine, flow: { ...vflow, task } })).toMatchObject({ ok: true });
  });
});
