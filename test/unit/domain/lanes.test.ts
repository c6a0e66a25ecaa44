/**
 * Lanes (docs/adr/0007-lanes.md): a scope's interval counts every slot of every lane that may call under it, so the
 * rule C × ceil(W/T) ≤ L holds per scope however the slots are split, and lanes that share no operation spend their
 * scopes at once. Proven on a fake clock with instances that hold their slot as the λ does (release in a finally).
 */
import { describe, expect, it } from 'vitest';
import {
  laneOf,
  laneSuffix,
  paceKeys,
  type RateBudget,
  type RateScope,
  scopeSlots,
  type VendorLane,
  validateBudget,
  vendorLanes,
} from '../../../functions/domain/config.ts';
import { ScopedPacer } from '../../../functions/domain/pacing.ts';
import { OPERATIONS } from '../../../functions/vendors/types.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

const perOperation: RateScope = {
  name: 'operation',
  operations: '*',
  eachOperation: true,
  documentedLimit: 5,
  windowSeconds: 1,
  per: 'account',
  source: 'docs/vendors/alibaba-cams.md, "Limits"',
  spendLimit: 5,
  safetyMargin: 0.05,
};

const lane = (
  name: string,
  steps: readonly string[],
  operations: string[] | '*',
  reservedConcurrency = 5,
): VendorLane => ({
  name,
  steps,
  operations,
  reservedConcurrency,
});

/** CAMS-like: three lanes, each calling operations no other lane calls. */
const threeLanes: RateBudget = {
  reservedConcurrency: 15,
  scopes: [perOperation],
  lanes: [
    lane('create', ['createFlow', 'completeFlow', 'grantEntitlements'], ['CreateFlow', 'UpdateFlowJSONAsset']),
    lane('start', ['startFlow'], ['PublishFlow']),
    lane('read', ['describeFlow', 'describeConnection', 'stopFlow', 'deleteFlow', 'teardownFlow'], ['GetFlow']),
  ],
};

/** Every lane's instances serve steps of their lane as long as there are any; each step's calls, then the hold. */
async function simulate(budget: RateBudget, stepsPerLane: number, callsOf: Record<string, string[]>, latencyMs = 30) {
  const clock = new FakeClock();
  const starts: { at: number; operation: string }[] = [];
  const instances = vendorLanes(budget).flatMap((l) => {
    let left = stepsPerLane;
    return Array.from({ length: l.reservedConcurrency }, async () => {
      const pacer = new ScopedPacer(clock);
      while (left > 0) {
        left--;
        try {
          for (const operation of callsOf[l.name]!) {
            await pacer.call(paceKeys(budget, { operation }, 1, l.name), async () => {
              starts.push({ at: clock.now(), operation });
              await clock.sleep(latencyMs);
            });
          }
        } finally {
          await pacer.release();
        }
      }
    });
  });
  const all = Promise.all(instances);
  while (await clock.step()) {
    // drive virtual time until every instance is done
  }
  await all;
  return { starts, clock };
}

const maxInAnySecond = (times: number[]) =>
  Math.max(...times.map((at) => times.filter((t) => t >= at && t - at < 1000).length));

describe('lanes', () => {
  const calls = { create: ['CreateFlow', 'UpdateFlowJSONAsset'], start: ['PublishFlow'], read: ['GetFlow'] };

  it('keep every operation within its own limit in any second while the lanes run at once', async () => {
    const { starts, clock } = await simulate(threeLanes, 100, calls);
    for (const operation of ['CreateFlow', 'UpdateFlowJSONAsset', 'PublishFlow', 'GetFlow']) {
      const times = starts.filter((s) => s.operation === operation).map((s) => s.at);
      expect(times).toHaveLength(100);
      expect(maxInAnySecond(times)).toBeLessThanOrEqual(5);
    }
    // 100 steps per lane at 5 slots × one step per 1.05 s: the lanes overlap, so the whole takes about as long as
    // one lane alone (≈ 21 s), not three times that.
    expect(clock.now()).toBeLessThan((100 * 1050 * 1.1) / 5);
  });

  it('share an operation two lanes may call: its interval counts both lanes’ slots, and the limit holds', async () => {
    const shared: RateBudget = {
      reservedConcurrency: 5,
      scopes: [perOperation],
      lanes: [
        lane(
          'writes',
          OPERATIONS.filter((s) => s !== 'describeFlow'),
          ['CreateFlow', 'GetFlow'],
          3,
        ),
        lane('reads', ['describeFlow'], ['GetFlow'], 2),
      ],
    };
    expect(scopeSlots(shared, perOperation, 'GetFlow')).toBe(5);
    expect(scopeSlots(shared, perOperation, 'CreateFlow')).toBe(3);
    // CreateFlow: 3 slots, floor(5/3) = 1 call each per window; GetFlow: 5 slots, 1 each.
    expect(paceKeys(shared, { operation: 'CreateFlow' }, 1, 'writes')).toEqual([
      { key: 'operation:CreateFlow', intervalMs: 1050 },
    ]);
    const { starts } = await simulate(shared, 40, { writes: ['CreateFlow', 'GetFlow'], reads: ['GetFlow'] });
    expect(maxInAnySecond(starts.filter((s) => s.operation === 'GetFlow').map((s) => s.at))).toBeLessThanOrEqual(5);
  });

  it('refuse a call the lane does not declare: its slots are not counted in that operation’s budget', () => {
    expect(() => paceKeys(threeLanes, { operation: 'GetFlow' }, 1, 'create')).toThrow(
      /lane create does not declare the vendor call GetFlow/,
    );
    expect(() => paceKeys(threeLanes, { operation: 'GetFlow' }, 1, 'nowhere')).toThrow(/no lane nowhere/);
  });

  it('are checked at import: slots over a scope, a step served twice or never, slots that do not add up', () => {
    const over: RateBudget = {
      ...threeLanes,
      lanes: [...threeLanes.lanes!.slice(0, 2), lane('read', threeLanes.lanes![2]!.steps, ['GetFlow', 'PublishFlow'])],
    };
    expect(() => validateBudget('x', over)).toThrow(/scope operation \(PublishFlow\): reservedConcurrency 10 exceeds/);
    const twice: RateBudget = {
      ...threeLanes,
      lanes: [...threeLanes.lanes!, lane('again', ['startFlow'], ['PublishFlow'], 0)],
    };
    expect(() => validateBudget('x', twice)).toThrow(/step startFlow is served by 2 lanes/);
    expect(() => validateBudget('x', { ...threeLanes, reservedConcurrency: 5 })).toThrow(/not the lanes' sum 15/);
    const missing: RateBudget = { ...threeLanes, lanes: threeLanes.lanes!.slice(0, 2), reservedConcurrency: 10 };
    expect(() => validateBudget('x', missing)).toThrow(/step describeFlow is served by 0 lanes/);
    expect(() => validateBudget('x', threeLanes)).not.toThrow();
  });

  it('route each step to one lane; the first lane keeps the vendor’s names; no lanes means one for everything', () => {
    expect(laneOf(threeLanes, 'startFlow').name).toBe('start');
    expect(laneSuffix(threeLanes, 'create')).toBe('');
    expect(laneSuffix(threeLanes, 'read')).toBe('-read');
    const plain: RateBudget = { reservedConcurrency: 5, scopes: [perOperation] };
    expect(vendorLanes(plain)).toEqual([{ name: 'main', steps: OPERATIONS, operations: '*', reservedConcurrency: 5 }]);
    expect(paceKeys(plain, { operation: 'GetFlow' })).toEqual([{ key: 'operation:GetFlow', intervalMs: 1050 }]);
  });
});
