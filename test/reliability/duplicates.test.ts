/**
 * At-least-once delivery: every request delivered 3 times — copies before its execution starts, while it runs and
 * after it finished. One execution and one vendor resource per request, judged by the vendors' state and journals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeliveryStats, deliverWithDuplicates } from '../../local/batch/duplicates.ts';
import type { LocalStack } from '../../local/stack.ts';
import {
  checkInvariant,
  type Figures,
  REQUESTS_PER_SECOND,
  type Request,
  report,
  sized,
  startReliabilityStack,
  timeoutFor,
  workload,
} from './harness.ts';

const requests = workload(sized(1000), 'dup');
const bodies = requests.map((r) => JSON.stringify(r));

describe(`${requests.length} requests, each delivered 3 times`, () => {
  let stack: LocalStack;
  let delivery: DeliveryStats;
  let figures: Figures;

  beforeAll(async () => {
    stack = await startReliabilityStack();
    delivery = await deliverWithDuplicates(stack, bodies, {
      copies: 3,
      spreadMs: 1500,
      ratePerSecond: REQUESTS_PER_SECOND,
    });
    await stack.waitForDrain({ timeoutMs: timeoutFor(requests.length) });
    ({ figures } = await checkInvariant(stack, requests as Request[], { messagesSent: delivery.sent }));
    report('duplicates', figures, { delivery });
  }, timeoutFor(requests.length));
  afterAll(async () => stack?.stop());

  it('provisions every request exactly once at its vendor (the invariant holds)', () => {
    expect(figures.provisioned).toBe(requests.length);
    expect(figures.inDlq).toBe(0);
    expect(figures.resources).toBe(requests.length);
    expect(figures.createCallsThatTookEffect).toBe(requests.length);
  });

  it('delivered every message 3 times, copies arriving before, during and after its execution', () => {
    expect(delivery.sent).toBe(requests.length * 3);
    expect(delivery.whileRunning + delivery.beforeStart).toBeGreaterThan(0);
    expect(delivery.afterFinished).toBeGreaterThan(0);
  });

  it('started one execution per request: every duplicate was acknowledged', () => {
    expect(figures.executions).toBe(requests.length);
    expect(figures.laterAttempts).toBe(0);
  });
});
