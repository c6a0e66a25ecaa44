/**
 * 50 Huawei Live requests through the embedded stack at once, judged by the emulator's own state and journal: no
 * 60-second window above the documented 80 calls, no APIG.0308 answered, every flow created exactly once.
 *
 * Huawei allows 80 calls a minute, so this is the slowest test of the suite by design: each request is `start: false`
 * without outputs (two calls: ListFlows, as the create looks for its flow first, then CreateFlows), and 100 calls at
 * the paced 76/min take about 80 s.
 *
 * A burst this large overflows the vendor λ's reserved concurrency for over a minute. In queue mode (the default,
 * ADR 0004) the steps wait in the task queue and nothing fails. In invoke mode the ASL's retry budget for
 * `Lambda.TooManyRequestsException` (20 attempts, ≤ 10 s apart) can run out first: those executions fail into the DLQ
 * with that error, and the documented remedy — moving them back to the ingress queue — provisions them on a new
 * attempt. The test allows exactly that and nothing else, so it checks the whole promise in either mode: nothing lost,
 * nothing made twice, the vendor never pushed past its limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindingScope, VENDORS } from '../../functions/domain/config.ts';
import { huaweiFlowName } from '../../functions/vendors/huawei-live/client.ts';
import { requestsFor } from '../../local/batch/demo-batch.ts';
import { type BatchReport, runBatch } from '../../local/batch/run-batch.ts';
import type { RunningHuaweiLiveEmulator } from '../../local/emulators/huawei-live.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { aHuaweiRequest } from '../helpers/live-vendors.ts';

const COUNT = 50;

describe(`local run: ${COUNT} huawei-live requests at once`, () => {
  let stack: LocalStack;
  let first: BatchReport;
  let final: BatchReport;
  let redriven: string[] = [];
  const requests: Record<string, unknown>[] = requestsFor('huawei-live', COUNT, 'e2e').map((r) => ({
    ...r,
    start: false,
    entitlements: [],
  }));

  beforeAll(async () => {
    stack = await startLocalStack({ vendors: ['huawei-live'], waitOverrideMs: 200 });
    const bodies = requests.map((r) => JSON.stringify(r));
    first = await runBatch(stack, bodies, { timeoutMs: 300_000 });
    // DLQ redrive of what waited in line too long for a λ slot: a failure record's body is the original request, and
    // redriving moves it back to the ingress queue as it is (the report has already read the DLQ, so resend the body).
    const waitedTooLong = first.results.filter(
      (r) => r.status === 'FAILED' && r.error?.startsWith('Lambda.TooManyRequestsException'),
    );
    redriven = waitedTooLong.map((r) => r.requestId!);
    const redriveBodies = requests
      .filter((r) => redriven.includes(r.requestId as string))
      .map((r) => JSON.stringify(r));
    final = redriveBodies.length > 0 ? await runBatch(stack, redriveBodies, { timeoutMs: 120_000 }) : first;
  }, 480_000);
  afterAll(async () => stack?.stop());

  it('fails nothing for any reason but waiting in line for the λ, and loses nothing', () => {
    // Queue mode: the burst waits in the task queue, so not even the concurrency gate fails anything.
    if (stack.dispatch === 'queue') expect(redriven).toEqual([]);
    const failedFirst = first.results.filter((r) => r.status !== 'PROVISIONED');
    expect(failedFirst.map((r) => r.requestId).sort()).toEqual([...redriven].sort());
    for (const result of failedFirst) expect(result.error).toMatch(/^Lambda\.TooManyRequestsException/);
    for (const requestId of redriven) {
      expect(final.results.find((r) => r.requestId === requestId)?.status).toBe('PROVISIONED');
    }
  });

  it('creates every flow exactly once, named after its request', () => {
    const flows = (stack.emulators['huawei-live'] as RunningHuaweiLiveEmulator).flows();
    expect(flows).toHaveLength(COUNT);
    const expected = requests.map((r) => huaweiFlowName(aHuaweiRequest(r)));
    expect(flows.map((f) => f.name).sort()).toEqual(expected.sort());
    expect(flows.every((f) => f.status === 'STANDBY')).toBe(true);
  });

  it('never exceeds 80 calls in any 60 seconds at the vendor and is never throttled', () => {
    const journal = stack.emulators['huawei-live']!.journal;
    // First tries: no lookup before the create (nothing of an earlier try can exist), no read after it.
    expect(journal.count((e) => e.operation === 'ListFlows')).toBe(0);
    expect(journal.count((e) => e.operation === 'CreateFlows' && e.status === 201)).toBe(COUNT);
    expect(journal.count()).toBe(COUNT);
    expect(journal.maxInWindow(60_000)).toBeLessThanOrEqual(
      bindingScope(VENDORS['huawei-live'].budget).documentedLimit,
    );
    expect(journal.count((e) => e.throttled)).toBe(0);
  });
});
