/**
 * A vendor outage, then a redrive: a third of the way through steady traffic every vendor starts answering 5xx, so the
 * executions in flight fail at whatever step they were on and the rest fail at their create — each into the DLQ with
 * its failure record. Once the vendors are back, the DLQ is moved back to the ingress queue as it is (as `flowctl dlq
 * redrive` does). The dispatcher starts the next attempt of each failed request (ADR 0003), whose steps adopt what the
 * failed one created: every request ends provisioned, with one resource, nothing created twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverWithDuplicates } from '../../local/batch/duplicates.ts';
import type { LocalStack } from '../../local/stack.ts';
import {
  checkInvariant,
  type Figures,
  moveDeadLettersBack,
  REQUESTS_PER_SECOND,
  report,
  sized,
  startReliabilityStack,
  timeoutFor,
  workload,
} from './harness.ts';

const requests = workload(sized(1000), 'outage');

describe(`${requests.length} requests through a vendor outage, then a DLQ redrive`, () => {
  let stack: LocalStack;
  let during: Figures;
  let after: Figures;
  let moved = 0;
  let partial = 0;

  beforeAll(async () => {
    stack = await startReliabilityStack();
    const setFaults = (
      faults: Parameters<NonNullable<LocalStack['emulators']['aws-mediaconnect']>['setFaults']>[0],
    ) => {
      for (const emulator of Object.values(stack.emulators)) emulator?.setFaults(faults);
    };
    let outage = false;
    const watcher = setInterval(() => {
      const succeeded = stack.stepFunctions.allExecutions().filter((e) => e.status === 'SUCCEEDED').length;
      if (!outage && succeeded >= requests.length / 3) {
        outage = true;
        setFaults({ errorRate: 1 });
      }
    }, 20);
    try {
      await deliverWithDuplicates(
        stack,
        requests.map((r) => JSON.stringify(r)),
        { copies: 1, ratePerSecond: REQUESTS_PER_SECOND },
      );
      await stack.waitForDrain({ timeoutMs: timeoutFor(requests.length) });
    } finally {
      clearInterval(watcher);
    }
    expect(outage).toBe(true);
    const first = await checkInvariant(stack, requests, { messagesSent: requests.length });
    during = first.figures;
    // Failed after they had made something: the next attempt must adopt it, not make another.
    partial = first.outcomes.filter((o) => o.status === 'DLQ' && o.resources > 0).length;
    report('outage', during, { partial });

    setFaults({});
    moved = await moveDeadLettersBack(stack);
    await stack.waitForDrain({ timeoutMs: timeoutFor(requests.length) });
    ({ figures: after } = await checkInvariant(stack, requests, { messagesSent: requests.length + moved }));
    report('outage-then-redrive', after, { redriven: moved, partial });
  }, timeoutFor(requests.length) * 3);
  afterAll(async () => stack?.stop());

  it('sent every request failed by the outage to the DLQ with its failure record (the invariant holds)', () => {
    expect(during.inDlq).toBeGreaterThan(0);
    expect(during.provisioned + during.inDlq).toBe(requests.length);
    // The outage's own error, and — while failing steps retry and hold the vendor λs — some steps that waited for a
    // free λ longer than their retries allow.
    expect(during.dlqReasons['WorkflowFailed/VendorUnavailable']).toBeGreaterThan(0);
    for (const reason of Object.keys(during.dlqReasons)) {
      expect(['WorkflowFailed/VendorUnavailable', 'WorkflowFailed/Lambda.TooManyRequestsException']).toContain(reason);
    }
    expect(moved).toBe(during.inDlq);
  });

  it('provisions every request after the redrive, adopting what the failed attempts had made', () => {
    expect(after.provisioned).toBe(requests.length);
    expect(after.inDlq).toBe(0);
    expect(after.resources).toBe(requests.length);
    expect(after.createCallsThatTookEffect).toBe(requests.length);
    // One new attempt per redriven request (ADR 0003: FAILED → requestId--a2).
    expect(after.laterAttempts).toBe(moved);
  });
});
