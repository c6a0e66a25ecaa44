/**
 * The pacing rule itself, with a fake clock: C paced instances never put more than C × ceil(W/T) calls — and never
 * more than the spend limit — into any window, across success and error paths and whatever the call latency.
 */
import { describe, expect, it } from 'vitest';
import {
  maxCallsPerWindow,
  pacingIntervalMs,
  type RateBudget,
  sustainedShareOfLimit,
  VENDORS,
  validateBudget,
} from '../../../functions/domain/config.ts';
import { Pacer } from '../../../functions/domain/pacing.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

const budget = (over: Partial<RateBudget> = {}): RateBudget => ({
  documentedLimit: 5,
  windowSeconds: 1,
  scope: 'account',
  source: 'test',
  spendLimit: 5,
  reservedConcurrency: 5,
  safetyMargin: 0.05,
  ...over,
});

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
    expect(maxInWindow(starts, 1000)).toBeLessThanOrEqual(maxCallsPerWindow(b));
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
    expect(perSecond / b.documentedLimit).toBeGreaterThanOrEqual(0.9);
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
    expect(maxInWindow(starts, 1000)).toBeGreaterThan(b.documentedLimit);
  });
});

describe('budget arithmetic', () => {
  it('derives T from C, W and the spend limit with the margin', () => {
    expect(pacingIntervalMs(budget())).toBe(1050);
    expect(maxCallsPerWindow(budget())).toBe(5);
    expect(sustainedShareOfLimit(budget())).toBeCloseTo(5 / 5.25, 5);
  });

  it('rejects a budget whose window bound exceeds the spend limit, naming the rule', () => {
    expect(() => validateBudget('x', budget({ reservedConcurrency: 3 }))).toThrow(/C × ceil\(W\/T\) = 6 exceeds/);
    expect(() => validateBudget('x', budget({ spendLimit: 6 }))).toThrow(/spendLimit must be in/);
    expect(() => validateBudget('x', budget({ reservedConcurrency: 0 }))).toThrow(/positive integer/);
  });

  it.each(Object.entries(VENDORS))(
    '%s: the configured budget is provably within its documented limit',
    (vendor, config) => {
      expect(() => validateBudget(vendor, config.budget)).not.toThrow();
      expect(maxCallsPerWindow(config.budget)).toBeLessThanOrEqual(config.budget.documentedLimit);
      expect(sustainedShareOfLimit(config.budget)).toBeGreaterThanOrEqual(
        0.9 * (config.budget.spendLimit / config.budget.documentedLimit),
      );
      expect(config.functionTimeoutSeconds * 1000).toBeGreaterThan(
        pacingIntervalMs(config.budget) + config.callTimeoutMs,
      );
    },
  );
});
