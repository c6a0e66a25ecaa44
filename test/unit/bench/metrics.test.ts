/**
 * The benchmark's pure pieces (`bench/metrics.ts`, `bench/report.ts`): window counting, percentiles, rates, arrival
 * delays, transition counts, and the shape of the summary object `npm run bench -- --json` prints. No timing.
 */
import { describe, expect, it } from 'vitest';
import {
  arrivalDelays,
  checkTargets,
  countTransitions,
  drainFloorMs,
  median,
  pacingMarginMs,
  percentile,
  type ScenarioMeasurement,
  summarize,
  usedOverLimit,
  windowStats,
} from '../../../bench/metrics.ts';
import { keptNotes, markdown, NOTES_END, NOTES_START, sideBySide } from '../../../bench/report.ts';

describe('windowStats', () => {
  it('counts calls per half-open sliding window [t, t + W)', () => {
    // 0, 999 share a 1000-ms window; 1000 starts a new one with 999.
    expect(windowStats([0, 999, 1000], 1000).max).toBe(2);
    expect(windowStats([0, 100, 200, 300, 400, 1000], 1000).max).toBe(5);
    expect(windowStats([1000, 0, 500, 1499], 1000).max).toBe(3);
  });

  it('gives the limit as max and mean for calls spaced exactly at the limit', () => {
    const times = Array.from({ length: 100 }, (_, i) => i * 200); // 5 per second
    const stats = windowStats(times, 1000);
    expect(stats.max).toBe(5);
    // The first four calls see fewer predecessors; the rest see exactly 5.
    expect(stats.mean).toBeCloseTo((1 + 2 + 3 + 4 + 96 * 5) / 100, 10);
  });

  it('handles no calls and rejects a non-positive window', () => {
    expect(windowStats([], 1000)).toEqual({ max: 0, mean: 0 });
    expect(() => windowStats([1], 0)).toThrow();
  });
});

describe('percentile and median', () => {
  it('uses the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 1..100, unsorted
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow();
  });

  it('median averages the middle pair', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('rates and margins', () => {
  it('usedOverLimit is 1 for calls at exactly the limit, edges excluded', () => {
    const times = Array.from({ length: 51 }, (_, i) => i * 200);
    expect(usedOverLimit(times, 5, 1000)).toBeCloseTo(1, 10);
    expect(usedOverLimit(times, 10, 1000)).toBeCloseTo(0.5, 10);
    expect(usedOverLimit([5], 5, 1000)).toBe(0);
  });

  it('drain floor is calls ÷ limit windows', () => {
    expect(drainFloorMs(1800, 5, 1000)).toBe(360_000);
    expect(drainFloorMs(1200, 80, 60_000)).toBe(900_000);
  });

  it('pacing margin is k·T − W with k = ceil(W/T) calls per instance and window', () => {
    expect(pacingMarginMs(1050, 1000)).toBe(50); // AWS: one call per instance per second
    expect(pacingMarginMs(550, 1000)).toBe(100); // Volcengine: two calls, 2 × 550 − 1000
    expect(pacingMarginMs(3150, 60_000)).toBe(3000); // Huawei: 20 calls, 20 × 3150 − 60 000
    expect(pacingMarginMs(0, 1000)).toBe(0);
  });

  it('arrival delays pair starts and arrivals in time order', () => {
    expect(arrivalDelays([0, 100, 50], [52, 3, 110])).toEqual([3, 2, 10]);
    expect(arrivalDelays([0], [])).toBeUndefined();
  });
});

describe('countTransitions', () => {
  it('counts state entries, retries, and attributes retries to the error that caused them', () => {
    const counts = countTransitions([
      [
        { type: 'ExecutionStarted' },
        { type: 'PassStateEntered' },
        { type: 'PassStateExited' },
        { type: 'TaskStateEntered' },
        { type: 'TaskFailed', error: 'Lambda.TooManyRequestsException' },
        { type: 'TaskRetried' },
        { type: 'TaskFailed', error: 'VendorThrottled' },
        { type: 'TaskRetried' },
        { type: 'TaskStateExited' },
        { type: 'ExecutionSucceeded' },
      ],
      [{ type: 'TaskStateEntered' }, { type: 'TaskFailed', error: 'VendorUnavailable' }, { type: 'TaskRetried' }],
    ]);
    expect(counts).toEqual({ stateEntries: 3, retries: 3, lambdaThrottleRetries: 1, vendorThrottleRetries: 1 });
  });
});

function measurement(over: Partial<ScenarioMeasurement> = {}): ScenarioMeasurement {
  // 11 calls 250 ms apart against 5 per 1000 ms → used 0.8; one throttled answer.
  const journal = Array.from({ length: 11 }, (_, i) => ({
    at: 1000 + i * 250,
    operation: i % 2 === 0 ? 'CreateFlow' : 'DescribeFlow',
    throttled: false,
    injected: false,
  }));
  journal.push({ at: 1010, operation: 'CreateFlow', throttled: true, injected: false });
  journal.push({ at: 1020, operation: 'CreateFlow', throttled: true, injected: true });
  return {
    vendor: 'aws-mediaconnect',
    config: 'paced',
    load: 'burst',
    timeScale: 0.25,
    limit: 5,
    windowMs: 1000,
    pacingIntervalMs: 1050,
    marginMs: 50,
    requests: 2,
    provisioned: 2,
    failed: 0,
    unresolved: 0,
    failures: {},
    journal,
    startedAt: 900,
    drainedAt: 900 + 2640,
    latenciesMs: [1000, 2000],
    transitions: { stateEntries: 30, retries: 4, lambdaThrottleRetries: 3, vendorThrottleRetries: 1 },
    lambdaThrottles: 3,
    arrivalDelaysMs: [1, 2, 3, 10],
    eventLoopDelayP99Ms: 12.34,
    eventLoopDelayMaxMs: 40,
    wallMs: 5000,
    ...over,
  };
}

describe('summarize: flows against the documented scopes', () => {
  it('compares flows per second with the ideal of the binding scope and counts each scope’s windows', () => {
    const s = summarize(
      measurement({
        scopes: [
          { name: 'describe', operations: ['DescribeFlow'], limit: 30, windowSeconds: 1 },
          { name: 'other', operations: ['CreateFlow'], limit: 5, windowSeconds: 1 },
        ],
        minimumPerOperation: { CreateFlow: 2, DescribeFlow: 1 },
      }),
    );
    // other: 5/s ÷ 2 calls = 2.5 flows/s; describe: 30/s ÷ 1 = 30. The other calls bind.
    expect(s.idealFlowsPerSecond).toBe(2.5);
    expect(s.bindingScope).toBe('other');
    expect(s.flowsOverIdeal).toBeCloseTo(2 / 10.56 / 2.5, 3);
    // Windows of 1 s real = 250 ms compressed: CreateFlow at 1000, 1010, 1020 (and 1500 is out) → 3.
    expect(s.scopeWindows.other).toEqual({ maxWindowCalls: 3, limit: 5 });
    expect(s.scopeWindows.describe).toEqual({ maxWindowCalls: 1, limit: 30 });
  });
});

describe('summarize', () => {
  it('carries the fields the issue asks for, plus the time scale and counts', () => {
    const s = summarize(measurement());
    for (const key of [
      'vendor',
      'config',
      'load',
      'usedOverLimit',
      'maxWindowCalls',
      'limit',
      'vendorThrottles',
      'lambdaThrottleRetries',
      'drainOverFloor',
      'p50Ms',
      'p99Ms',
      'transitionsPerFlow',
      'timeScale',
      'calls',
      'provisioned',
    ]) {
      expect(s).toHaveProperty(key);
    }
    expect(s.calls).toBe(11);
    expect(s.attempts).toBe(13);
    expect(s.usedOverLimit).toBeCloseTo(0.8, 3);
    expect(s.vendorThrottles).toBe(1); // the injected throttle is not the vendor's rule
    expect(s.maxWindowCalls).toBe(6); // 1000, 1010, 1020, 1250, 1500, 1750
    expect(s.maxWindowAccepted).toBe(4);
    expect(s.floorMs).toBe(2200);
    expect(s.drainOverFloor).toBeCloseTo(1.2, 3);
    expect(s.p50Ms).toBe(1000);
    expect(s.p99Ms).toBe(2000);
    expect(s.p99RealMs).toBe(8000); // ÷ timeScale 0.25
    expect(s.transitionsPerFlow).toBe(17); // (30 entries + 4 retries) ÷ 2 flows
    expect(s.stateEntriesPerFlow).toBe(15);
    // Flows: 2 in 2640 ms compressed at 0.25 = 10.56 s real; calls per flow by operation, throttled calls included.
    expect(s.flowsPerSecond).toBeCloseTo(2 / 10.56, 3);
    expect(s.callsPerFlow).toEqual({ CreateFlow: 4, DescribeFlow: 2.5 });
    expect(s.lambdaThrottleRetries).toBe(3);
    expect(s.arrivalJitterMs).toBe(9);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it('checks the targets', () => {
    const s = summarize(measurement());
    expect(checkTargets(s)).toEqual({
      usedOverLimit: false,
      noVendorThrottles: false,
      windowWithinLimit: false,
      drainOverFloor: false,
      allProvisioned: true,
    });
  });

  it('renders one side-by-side row per vendor and load, naive / paced / queued', () => {
    const rows = (['naive', 'paced', 'queued'] as const).map((config) => summarize(measurement({ config })));
    const table = sideBySide(rows);
    expect(table.split('\n')).toHaveLength(3);
    expect(table).toContain('| aws-mediaconnect | burst | 2/2 / 2/2 / 2/2 |');
  });
});

describe('docs notes', () => {
  it('keeps the hand-written analysis when the file is rewritten', () => {
    const result = {
      machine: {
        cpu: 'cpu',
        cores: 2,
        node: 'v20',
        platform: 'linux',
        date: '2026-01-01T00:00:00Z',
        loadAverageStart: [0, 0, 0],
        loadAverageEnd: [0, 0, 0],
      },
      quick: false,
      requests: 2,
      setups: [],
      scenarios: [summarize(measurement())],
      bundles: [],
      throughput: [],
      totalMs: 1,
    };
    const first = markdown(result, '\nWhat we learned.\n');
    expect(first).toContain(`${NOTES_START}\nWhat we learned.\n${NOTES_END}`);
    expect(keptNotes(first).trim()).toBe('What we learned.');
    expect(keptNotes('no markers')).toBe('');
  });
});
