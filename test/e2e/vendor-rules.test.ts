/**
 * A batch of requests that each break one documented vendor rule (docs/vendors/<vendor>.md, "Constraints"), through
 * the local stack of every vendor: the dispatcher rejects each with one reason that says what the vendor allows, no
 * workflow starts, and no emulator is called — judged by the emulators' own journals and the DLQ.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VENDOR_IDS } from '../../functions/domain/contract.ts';
import { type BatchReport, runBatch } from '../../local/batch/run-batch.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { RULE_BREAKERS } from '../helpers/vendor-rule-breakers.ts';

describe('requests that break a vendor rule are refused at the door', () => {
  let stack: LocalStack;
  let report: BatchReport;

  beforeAll(async () => {
    stack = await startLocalStack({ vendors: [...VENDOR_IDS], waitOverrideMs: 200 });
    report = await runBatch(
      stack,
      RULE_BREAKERS.map((b) => JSON.stringify(b.request)),
      { timeoutMs: 120_000 },
    );
  });
  afterAll(async () => stack?.stop());

  it.each(RULE_BREAKERS.map((b) => [`${b.vendor}: ${b.rule}`, b] as const))(
    '%s: REJECTED with that one reason',
    (_name, breaker) => {
      const result = report.results.find((r) => r.requestId === breaker.request.requestId);
      expect(result).toMatchObject({ status: 'REJECTED', vendor: breaker.vendor, executionName: null, flowId: null });
      // `InvalidRequest: <the one issue>`, the issue anchored at both ends: nothing else is listed.
      expect(result!.error).toMatch(new RegExp(`^InvalidRequest: ${breaker.issue.source.slice(1)}`));
    },
  );

  it('starts no workflow and makes no vendor call', () => {
    expect(report.unresolved).toEqual([]);
    expect(report.results).toHaveLength(RULE_BREAKERS.length);
    for (const vendor of VENDOR_IDS) {
      expect(stack.emulators[vendor]!.journal.count(), vendor).toBe(0);
    }
  });
});
