/**
 * Vendor λs that die after their vendor call succeeded (`lambdaCrash` of the local stack):
 * - before their answer leaves (the idempotency record is complete): the retried step must be answered from the
 *   store, so the vendor sees each effect call exactly as often as without crashes;
 * - right after the vendor call, before the handler finishes (the record is still in progress until the invocation's
 *   deadline): the retried step calls the vendor again, and get-or-create / desired-state keep the effect single.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VendorId } from '../../functions/domain/contract.ts';
import { deliverWithDuplicates } from '../../local/batch/duplicates.ts';
import type { LocalStack } from '../../local/stack.ts';
import {
  checkInvariant,
  type Figures,
  iceLostCreateAnswers,
  type Outcome,
  REQUESTS_PER_SECOND,
  type Request,
  report,
  sized,
  startReliabilityStack,
  timeoutFor,
  workload,
} from './harness.ts';

/** The effect calls one request makes at its vendor when nothing goes wrong (reads excluded). */
const EFFECT_CALLS: Readonly<Record<VendorId, (request: Request) => Record<string, number>>> = {
  'aws-mediaconnect': () => ({ CreateFlow: 1, StartFlow: 1, GrantFlowEntitlements: 1 }),
  'alibaba-ice': (r) => ({
    CreateMediaConnectFlow: 1,
    AddMediaConnectFlowInput: 1,
    UpdateMediaConnectFlowStatus: 1,
    AddMediaConnectFlowOutput: (r.entitlements ?? []).length,
  }),
  'alibaba-cams': () => ({ CreateFlow: 1, UpdateFlowJSONAsset: 1, PublishFlow: 1 }),
  'huawei-live': () => ({ CreateFlows: 1, ModifyFlowStart: 1, CreateFlowOutput: 1 }),
  'volcengine-live': () => ({ CreatePullToPushGroup: 1, CreatePullToPushTask: 1 }),
};

async function run(stack: LocalStack, requests: Request[]): Promise<void> {
  await deliverWithDuplicates(
    stack,
    requests.map((r) => JSON.stringify(r)),
    { copies: 1, ratePerSecond: REQUESTS_PER_SECOND },
  );
  await stack.waitForDrain({ timeoutMs: timeoutFor(requests.length) });
}

describe('a vendor λ that dies before its answer leaves (10 % of invocations)', () => {
  const requests = workload(sized(1000), 'crash-answer');
  let stack: LocalStack;
  let figures: Figures;

  beforeAll(async () => {
    stack = await startReliabilityStack({ lambdaCrash: { rate: 0.1, point: 'before-response' } });
    await run(stack, requests);
    ({ figures } = await checkInvariant(stack, requests, { messagesSent: requests.length }));
    report('crash-before-response', figures);
  }, timeoutFor(requests.length) * 1.5);
  afterAll(async () => stack?.stop());

  it('provisions every request exactly once (the invariant holds) although invocations died', () => {
    expect(figures.lambdaCrashes).toBeGreaterThan(0);
    expect(figures.provisioned).toBe(requests.length);
    expect(figures.resources).toBe(requests.length);
  });

  it('answers each retried effect step from the idempotency store: no effect call is repeated at the vendor', () => {
    for (const vendor of stack.vendors) {
      const expected: Record<string, number> = {};
      for (const request of requests.filter((r) => r.vendor === vendor)) {
        for (const [operation, calls] of Object.entries(EFFECT_CALLS[vendor](request))) {
          expected[operation] = (expected[operation] ?? 0) + calls;
        }
      }
      const journal = stack.emulators[vendor]!.journal;
      const actual = Object.fromEntries(
        Object.keys(expected).map((operation) => [operation, journal.count((e) => e.operation === operation)]),
      );
      expect({ vendor, calls: actual }).toEqual({ vendor, calls: expected });
    }
  });
});

describe('a vendor λ that dies right after a vendor call returned (5 % of calls)', () => {
  const requests = workload(sized(1000), 'crash-call');
  let stack: LocalStack;
  let figures: Figures;
  let outcomes: Outcome[];

  beforeAll(async () => {
    // A dead sandbox holds its slot until the λ timeout: 1 s here (the suite's calls take milliseconds).
    stack = await startReliabilityStack({
      lambdaCrash: { rate: 0.05, point: 'after-vendor-call' },
      vendorTimeoutSeconds: 1,
    });
    await run(stack, requests);
    ({ figures, outcomes } = await checkInvariant(stack, requests, { messagesSent: requests.length }));
    report('crash-after-vendor-call', figures);
  }, timeoutFor(requests.length) * 2);
  afterAll(async () => stack?.stop());

  it('provisions every request exactly once: the re-run steps adopted what the dead ones made', () => {
    expect(figures.lambdaCrashes).toBeGreaterThan(0);
    // A death right after ICE's CreateMediaConnectFlow returned loses its answer like a dropped reply: the documented
    // window, refused with a reason; every other request is provisioned. No request has a second flow either way.
    const iceWindow = iceLostCreateAnswers(outcomes);
    expect(figures.provisioned + iceWindow.length).toBe(requests.length);
    expect(figures.resources).toBe(requests.length);
    expect(figures.createCallsThatTookEffect).toBe(requests.length);
  });
});
