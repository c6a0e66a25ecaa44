/**
 * The pacing rule itself, with a fake clock: C paced instances never put more than C × ceil(W/T) calls — and never
 * more than the spend limit — into any window of any scope, across success and error paths and whatever the call
 * latency; and calls of different scopes do not wait for each other.
 */
import { describe, expect, it } from 'vitest';
import {
  maxCallsPerWindow,
  paceKeys,
  pacingIntervalMs,
  type RateBudget,
  type RateScope,
  scopeIntervalMs,
  scopeMaxSlots,
  sustainedShareOfLimit,
  VENDORS,
  validateBudget,
} from '../../../functions/domain/config.ts';
import { Pacer, ScopedPacer } from '../../../functions/domain/pacing.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

const scope = (over: Partial<RateScope> = {}): RateScope => ({
  name: 'account',
  operations: '*',
  documentedLimit: 5,
  windowSeconds: 1,
  per: 'account',
  source: 'test',
  spendLimit: 5,
  safetyMargin: 0.05,
  ...over,
});

/** A one-scope budget. */
const budget = (over: Partial<RateScope> & { reservedConcurrency?: number } = {}): RateBudget => {
  const { reservedConcurrency = 5, ...rest } = over;
  return { reservedConcurrency, scopes: [scope(rest)] };
};
const only = (b: RateBudget) => b.scopes[0]!;

/** Most calls in any half-open window [t, t + windowMs). */
function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

/**
 * Simulates C instances (each its own pacer) serving `requests` invocations as fast as the gate lets them, each
 * invocation making `callsPerInvocation` calls of the given latency, failing every `failEvery`-th call, and releasing
 * its slot through `release()` in a finally — the handler's exact shape.
 */
async function simulate(
  b: RateBudget,
  opts: { requests: number; latencyMs: number; callsPerInvocation?: number; failEvery?: number },
) {
  const clock = new FakeClock();
  const starts: number[] = [];
  let callCount = 0;
  let next = 0;
  const instance = async () => {
    const pacer = new Pacer(pacingIntervalMs(b), clock);
    while (next < opts.requests) {
      next++;
      try {
        for (let c = 0; c < (opts.callsPerInvocation ?? 1); c++) {
          await pacer.call(async () => {
            starts.push(clock.now());
            callCount++;
            await clock.sleep(opts.latencyMs);
            if (opts.failEvery && callCount % opts.failEvery === 0) throw new Error('vendor 503');
          });
        }
      } catch {
        // the error reaches the workflow; the slot is still held below
      } finally {
        await pacer.release();
      }
    }
  };
  const all = Promise.all(Array.from({ length: b.reservedConcurrency }, instance));
  while (await clock.step()) {
    // drive virtual time until every instance is done
  }
  await all;
  return { starts, clock };
}

describe('pacing rule', () => {
  it.each([
    ['fast vendor, success', 5, { requests: 200, latencyMs: 10 }],
    ['slow vendor', 5, { requests: 100, latencyMs: 700 }],
    ['errors every third call', 5, { requests: 150, latencyMs: 50, failEvery: 3 }],
    ['two calls per invocation (create + input)', 5, { requests: 100, latencyMs: 40, callsPerInvocation: 2 }],
  ] as const)('%s: no 1 s window exceeds the limit', async (_label, limit, opts) => {
    const b = budget({ documentedLimit: limit, spendLimit: limit });
    const { starts } = await simulate(b, opts);
    expect(starts.length).toBe(opts.requests * ('callsPerInvocation' in opts ? opts.callsPerInvocation : 1));
    expect(maxInWindow(starts, 1000)).toBeLessThanOrEqual(limit);
    expect(maxInWindow(starts, 1000)).toBeLessThanOrEqual(maxCallsPerWindow(only(b), b.reservedConcurrency));
  });

  it('keeps a per-minute budget (80 per 60 s) in every 60 s window', async () => {
    const b = budget({ documentedLimit: 80, spendLimit: 80, windowSeconds: 60, reservedConcurrency: 4 });
    const { starts } = await simulate(b, { requests: 400, latencyMs: 120 });
    expect(maxInWindow(starts, 60_000)).toBeLessThanOrEqual(80);
    // and uses the budget: at least 90 % of it in the busiest minute
    expect(maxInWindow(starts, 60_000)).toBeGreaterThanOrEqual(72);
  });

  it('sustains at least 90 % of the limit when the vendor is fast', async () => {
    const b = budget();
    const { starts, clock } = await simulate(b, { requests: 500, latencyMs: 20 });
    const perSecond = starts.length / (clock.now() / 1000);
    expect(perSecond / only(b).documentedLimit).toBeGreaterThanOrEqual(0.9);
  });

  it('without pacing, the same concurrency breaks the limit (why pacing exists)', async () => {
    const b = budget();
    const clock = new FakeClock();
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 5 }, async () => {
        for (let i = 0; i < 20; i++) {
          starts.push(clock.now());
          clock.advanceBy(20);
        }
      }),
    );
    expect(maxInWindow(starts, 1000)).toBeGreaterThan(only(b).documentedLimit);
  });
});

describe('pacing every scope (5 calls/s for each operation, CAMS-like)', () => {
  const perOperation: RateBudget = {
    reservedConcurrency: 5,
    scopes: [scope({ name: 'operation', eachOperation: true })],
  };
  const operations = ['CreateFlow', 'StartFlow', 'GetFlow'];

  /** C instances, each invocation making one call of each operation in turn; the slot released in a finally. */
  async function simulateScoped(b: RateBudget, requests: number, latencyMs: number) {
    const clock = new FakeClock();
    const starts: { at: number; operation: string }[] = [];
    let next = 0;
    const instance = async () => {
      const pacer = new ScopedPacer(clock);
      while (next < requests) {
        next++;
        try {
          for (const operation of operations) {
            await pacer.call(paceKeys(b, { operation }), async () => {
              starts.push({ at: clock.now(), operation });
              await clock.sleep(latencyMs);
            });
          }
        } finally {
          await pacer.release();
        }
      }
    };
    const all = Promise.all(Array.from({ length: b.reservedConcurrency }, instance));
    while (await clock.step()) {
      // drive virtual time until every instance is done
    }
    await all;
    return { starts, clock };
  }

  it('keeps every operation within its own limit in any second, while the operations together exceed it', async () => {
    const { starts } = await simulateScoped(perOperation, 60, 20);
    expect(starts).toHaveLength(180);
    for (const operation of operations) {
      const times = starts.filter((s) => s.operation === operation).map((s) => s.at);
      expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(5);
    }
    expect(
      maxInWindow(
        starts.map((s) => s.at),
        1000,
      ),
    ).toBeGreaterThan(5);
  });

  it('paces a call against every scope that covers it, and refuses a call no scope covers', () => {
    const aws: RateBudget = {
      reservedConcurrency: 5,
      scopes: [
        scope({ name: 'describe', operations: ['DescribeFlow'], documentedLimit: 30, spendLimit: 30, perRegion: true }),
        scope({ name: 'other', operations: ['CreateFlow'], perRegion: true }),
      ],
    };
    expect(paceKeys(aws, { operation: 'DescribeFlow', region: 'eu-west-1' })).toEqual([
      { key: 'describe@eu-west-1', intervalMs: 175 },
    ]);
    expect(paceKeys(aws, { operation: 'CreateFlow', region: 'us-east-1' })).toEqual([
      { key: 'other@us-east-1', intervalMs: 1050 },
    ]);
    expect(() => paceKeys(aws, { operation: 'ListFlows' })).toThrow(/no rate scope covers the vendor call ListFlows/);
    const overlapping: RateBudget = {
      reservedConcurrency: 5,
      scopes: [scope(), scope({ name: 'op', eachOperation: true })],
    };
    expect(paceKeys(overlapping, { operation: 'X' }).map((k) => k.key)).toEqual(['account', 'op:X']);
  });

  it('waits for the slowest key of a call and holds the slot until every key is free', async () => {
    const clock = new FakeClock();
    const pacer = new ScopedPacer(clock);
    const a = { key: 'a', intervalMs: 1000 };
    const b = { key: 'b', intervalMs: 200 };
    await pacer.call([a], async () => undefined);
    // b is free at once, a is not.
    expect(pacer.delayMs([b])).toBe(0);
    expect(pacer.delayMs([a, b])).toBe(1000);
    expect(pacer.delayMs()).toBe(1000);
  });
});

describe('budget arithmetic', () => {
  it('derives T from C, W and the spend limit with the margin', () => {
    expect(pacingIntervalMs(budget())).toBe(1050);
    expect(maxCallsPerWindow(scope(), 5)).toBe(5);
    expect(sustainedShareOfLimit(scope(), 5)).toBeCloseTo(5 / 5.25, 5);
    // C that does not divide the limit: each instance gets floor(L / C) calls per window, never more than L in all.
    expect(scopeIntervalMs(scope(), 3)).toBe(1050);
    expect(maxCallsPerWindow(scope(), 3)).toBe(3);
    expect(scopeIntervalMs(scope({ documentedLimit: 30, spendLimit: 30 }), 5)).toBe(175);
    expect(maxCallsPerWindow(scope({ documentedLimit: 30, spendLimit: 30 }), 5)).toBe(30);
  });

  it('rejects a budget that cannot stay under a scope, naming the scope and the rule', () => {
    expect(() => validateBudget('x', budget({ reservedConcurrency: 6 }))).toThrow(
      /scope account: reservedConcurrency 6 exceeds the spend limit 5/,
    );
    expect(() => validateBudget('x', budget({ spendLimit: 6 }))).toThrow(/scope account: spendLimit must be in/);
    expect(() => validateBudget('x', budget({ reservedConcurrency: 0 }))).toThrow(/positive integer/);
    expect(() => validateBudget('x', { reservedConcurrency: 1, scopes: [] })).toThrow(/at least one scope/);
    expect(() => validateBudget('x', { reservedConcurrency: 1, scopes: [scope(), scope()] })).toThrow(/listed twice/);
  });

  it.each(Object.entries(VENDORS))(
    '%s: the configured budget is provably within its documented limit',
    (vendor, config) => {
      expect(() => validateBudget(vendor, config.budget)).not.toThrow();
      // Each scope for the slots of every lane that may call it.
      const slots = (s: RateScope) => scopeMaxSlots(config.budget, s);
      for (const s of config.budget.scopes) {
        expect(maxCallsPerWindow(s, slots(s))).toBeLessThanOrEqual(s.documentedLimit);
        expect(s.source).toMatch(new RegExp(`^docs/vendors/${vendor}\\.md, "Limits"`));
      }
      // The scope covering the most calls is spent at ≥ 90 %.
      const shares = config.budget.scopes.map(
        (s) => sustainedShareOfLimit(s, slots(s)) / (s.spendLimit / s.documentedLimit),
      );
      expect(Math.max(...shares)).toBeGreaterThanOrEqual(0.9);
      expect(config.functionTimeoutSeconds * 1000).toBeGreaterThan(
        pacingIntervalMs(config.budget) + config.callTimeoutMs,
      );
    },
  );
});
