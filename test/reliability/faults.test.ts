/**
 * Vendors that misbehave: 20 % of all vendor calls fail — a third each the vendor's 5xx, its throttle error, and a lost
 * answer (the call took effect, the response never came) — and every call is 5–40 ms late. Retries, get-or-create and
 * desired-state steps must still make each request exactly once, as the vendors' own state and journals show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverWithDuplicates } from '../../local/batch/duplicates.ts';
import { parseFaults } from '../../local/batch/fault-switches.ts';
import type { LocalStack } from '../../local/stack.ts';
import {
  CALL_TIMEOUT_MS,
  checkInvariant,
  type Figures,
  iceLostCreateAnswers,
  type Outcome,
  REQUESTS_PER_SECOND,
  report,
  sized,
  startReliabilityStack,
  timeoutFor,
  workload,
} from './harness.ts';

const requests = workload(sized(1000), 'fault');
// `flowctl local --faults 0.2,error,timeout,throttle`, with a shorter latency than `latency`'s 50–300 ms.
const faults = { ...parseFaults('0.2,error,timeout,throttle'), latencyMs: [5, 40] as const };

describe(`${requests.length} requests with 20 % of vendor calls failing (error, throttle, lost answer) plus latency`, () => {
  let stack: LocalStack;
  let figures: Figures;
  let outcomes: Outcome[];

  beforeAll(async () => {
    stack = await startReliabilityStack({ faults, callTimeoutMs: CALL_TIMEOUT_MS });
    await deliverWithDuplicates(
      stack,
      requests.map((r) => JSON.stringify(r)),
      { copies: 1, ratePerSecond: REQUESTS_PER_SECOND },
    );
    await stack.waitForDrain({ timeoutMs: timeoutFor(requests.length) });
    ({ figures, outcomes } = await checkInvariant(stack, requests, { messagesSent: requests.length }));
    report('faults-20pct', figures);
  }, timeoutFor(requests.length) * 1.5);
  afterAll(async () => stack?.stop());

  it('injected every kind of fault, about a fifth of the calls', () => {
    const { error, throttle, timeout } = figures.injected;
    expect(error).toBeGreaterThan(0);
    expect(throttle).toBeGreaterThan(0);
    expect(timeout).toBeGreaterThan(0);
    const share = (error + throttle + timeout) / figures.vendorCalls;
    expect(share).toBeGreaterThan(0.1);
    expect(share).toBeLessThan(0.3);
  });

  it('never created a resource twice, though lost answers made steps run again (the invariant holds)', () => {
    expect(figures.createCallsThatTookEffect).toBe(figures.resources);
    expect(figures.provisioned + figures.inDlq).toBe(requests.length);
    expect(figures.taskRetries).toBeGreaterThan(0);
  });

  it('provisioned nearly every request: faults of this rate are what the retry policy absorbs', () => {
    // ICE's documented window (a lost CreateMediaConnectFlow answer) aside, nearly every request is provisioned.
    const iceWindow = iceLostCreateAnswers(outcomes);
    expect(figures.provisioned + iceWindow.length).toBeGreaterThanOrEqual(Math.floor(requests.length * 0.98));
  });
});
