/**
 * The benchmark's arithmetic, kept pure so a unit test can check it (`test/unit/bench/metrics.test.ts`): sliding-window
 * counts over the emulator's journal, percentiles, arrival delays, transition counts and the summary object of one
 * scenario. Nothing here reads a clock.
 */

import {
  callsPerFlowByOperation,
  flowsOverIdeal,
  flowsPerSecond,
  idealFlowsPerSecond,
  type ScopeLimit,
  scopeCovers,
} from './flows.ts';

/** Calls per sliding window of `windowMs` over sorted or unsorted call times (ms). */
export interface WindowStats {
  /** The most calls any window `[t, t + windowMs)` holds. */
  readonly max: number;
  /**
   * The mean, over every call, of the calls in the window that ends with it (`(t − windowMs, t]`): how crowded the
   * window a call lands in is, on average. Calls spaced exactly at the limit give the limit.
   */
  readonly mean: number;
}

export function windowStats(times: readonly number[], windowMs: number): WindowStats {
  if (!(windowMs > 0)) throw new Error(`window must be > 0 ms, got ${windowMs}`);
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  let total = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    const inWindow = end - start + 1;
    max = Math.max(max, inWindow);
    total += inWindow;
  }
  return { max, mean: sorted.length === 0 ? 0 : total / sorted.length };
}

/**
 * The safety margin of a pacing interval, in ms: an instance starts at most `k = ceil(W/T)` calls in a window, and
 * `k + 1` of its calls span at least `k·T`, so they stay out of one window unless their arrivals are squeezed by more
 * than `k·T − W` (the first call delayed that much more than the last). This is the jitter the margin absorbs.
 */
export function pacingMarginMs(intervalMs: number, windowMs: number): number {
  if (!(intervalMs > 0)) return 0;
  const k = Math.ceil(windowMs / intervalMs);
  return k * intervalMs - windowMs;
}

/** Nearest-rank percentile (`p` in 0–100) of the values; `NaN` for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  if (p < 0 || p > 100) throw new Error(`percentile must be in [0, 100], got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The rate the calls were accepted at, over the span they were accepted in, as a fraction of the limit: `n` calls
 * spaced exactly at `limit` per `windowMs` give 1. `(n − 1)` intervals over `last − first`, so the edges do not count.
 */
export function usedOverLimit(acceptedTimes: readonly number[], limit: number, windowMs: number): number {
  if (acceptedTimes.length < 2) return 0;
  const first = Math.min(...acceptedTimes);
  const last = Math.max(...acceptedTimes);
  if (last === first) return Number.POSITIVE_INFINITY;
  const rate = (acceptedTimes.length - 1) / (last - first);
  return rate / (limit / windowMs);
}

/** The least time `calls` accepted calls can take at `limit` per `windowMs` (the drain floor). */
export function drainFloorMs(calls: number, limit: number, windowMs: number): number {
  return (calls / limit) * windowMs;
}

/**
 * Delays from each call's start (client side) to its arrival (the emulator's journal), matching the k-th start with
 * the k-th arrival in time order. Calls of different instances can overtake each other; sorted matching then pairs
 * them with the closest arrival, which never overstates the largest delay. `undefined` when the counts differ.
 */
export function arrivalDelays(starts: readonly number[], arrivals: readonly number[]): number[] | undefined {
  if (starts.length !== arrivals.length) return undefined;
  const s = [...starts].sort((a, b) => a - b);
  const a = [...arrivals].sort((x, y) => x - y);
  return s.map((start, i) => a[i]! - start);
}

/** The parts of an execution history the benchmark reads (`local/aws/step-functions.ts` `HistoryEvent`). */
export interface HistoryLike {
  readonly type: string;
  readonly error?: string;
}

export interface TransitionCounts {
  /** `…StateEntered` events. */
  readonly stateEntries: number;
  /** `TaskRetried` events: Step Functions bills each retry as a state transition. */
  readonly retries: number;
  /** Retries of a task that failed with `Lambda.TooManyRequestsException` (the λ at its reserved concurrency). */
  readonly lambdaThrottleRetries: number;
  /** Retries of a task that failed with `VendorThrottled` (the vendor's throttle answer). */
  readonly vendorThrottleRetries: number;
}

export function countTransitions(histories: readonly (readonly HistoryLike[])[]): TransitionCounts {
  let stateEntries = 0;
  let retries = 0;
  let lambdaThrottleRetries = 0;
  let vendorThrottleRetries = 0;
  for (const history of histories) {
    let lastError: string | undefined;
    for (const event of history) {
      if (event.type.endsWith('StateEntered')) stateEntries++;
      if (event.type.endsWith('Failed') && event.type !== 'ExecutionFailed') lastError = event.error;
      if (event.type === 'TaskRetried') {
        retries++;
        if (lastError === 'Lambda.TooManyRequestsException') lambdaThrottleRetries++;
        if (lastError === 'VendorThrottled') vendorThrottleRetries++;
      }
    }
  }
  return { stateEntries, retries, lambdaThrottleRetries, vendorThrottleRetries };
}

export type BenchConfig = 'naive' | 'paced' | 'queued';
export type BenchLoad = 'burst' | 'steady';

/** What one scenario measured, before it is reduced to the summary (all times in ms of the compressed world). */
export interface ScenarioMeasurement {
  readonly vendor: string;
  readonly config: BenchConfig;
  readonly load: BenchLoad;
  readonly timeScale: number;
  /** The documented limit and its window (ms, compressed). */
  readonly limit: number;
  readonly windowMs: number;
  /** Pacing interval the λs ran with, and the safety margin it leaves in ms (compressed). */
  readonly pacingIntervalMs: number;
  readonly marginMs: number;
  readonly requests: number;
  readonly provisioned: number;
  readonly failed: number;
  readonly unresolved: number;
  /** Failures by error name. */
  readonly failures: Readonly<Record<string, number>>;
  /** Every call the emulator saw: arrival time and whether it answered the vendor's throttle error. */
  readonly journal: readonly {
    readonly at: number;
    readonly operation: string;
    readonly throttled: boolean;
    readonly injected: boolean;
  }[];
  /** The vendor's documented scopes as the bench counts them (`bench/minimum.ts`), and its documented minimum. */
  readonly scopes?: readonly ScopeLimit[];
  readonly minimumPerOperation?: Readonly<Record<string, number>>;
  /** When the load began (the burst was sent, or the first steady request), and when the last execution stopped. */
  readonly startedAt: number;
  readonly drainedAt: number;
  /** send → execution succeeded, per provisioned request. */
  readonly latenciesMs: readonly number[];
  readonly transitions: TransitionCounts;
  /** Invokes refused at the λ's concurrency gate (the Lambda runtime's count). */
  readonly lambdaThrottles: number;
  /** Call start → arrival delays (ms), when they could be matched. */
  readonly arrivalDelaysMs?: readonly number[];
  /** Event-loop delay during the run (ms). */
  readonly eventLoopDelayP99Ms: number;
  readonly eventLoopDelayMaxMs: number;
  /** Wall-clock duration of the scenario (start of stack to stop). */
  readonly wallMs: number;
}

/** One line of `--json` and one row of the tables. Latencies: `…Ms` measured (compressed), `…RealMs` ÷ timeScale. */
export interface ScenarioSummary {
  readonly vendor: string;
  readonly config: BenchConfig;
  readonly load: BenchLoad;
  readonly timeScale: number;
  readonly limit: number;
  readonly windowMs: number;
  readonly requests: number;
  readonly provisioned: number;
  readonly failed: number;
  readonly unresolved: number;
  readonly failures: Readonly<Record<string, number>>;
  /** Accepted vendor calls, and every call including throttled ones. */
  readonly calls: number;
  readonly attempts: number;
  /**
   * Calls per sliding window of the documented (compressed) window, every call the vendor received — throttled ones
   * too, since the limit is what we send, not what the vendor let through.
   */
  readonly maxWindowCalls: number;
  readonly meanWindowCalls: number;
  /** Accepted calls only (the emulator's limiter never lets more through than the limit). */
  readonly maxWindowAccepted: number;
  readonly usedOverLimit: number;
  readonly vendorThrottles: number;
  readonly lambdaThrottleRetries: number;
  readonly lambdaThrottles: number;
  readonly vendorThrottleRetries: number;
  readonly drainMs: number;
  readonly floorMs: number;
  readonly drainOverFloor: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p50RealMs: number;
  readonly p99RealMs: number;
  /** State transitions as billed (entries + retries) per provisioned flow; entries alone beside it. */
  readonly transitionsPerFlow: number;
  readonly stateEntriesPerFlow: number;
  readonly pacingIntervalMs: number;
  readonly marginMs: number;
  readonly arrivalDelayP50Ms: number | null;
  readonly arrivalDelayP99Ms: number | null;
  readonly arrivalDelayMaxMs: number | null;
  /** max − min of the arrival delays: what the safety margin has to absorb. */
  readonly arrivalJitterMs: number | null;
  readonly eventLoopDelayP99Ms: number;
  readonly eventLoopDelayMaxMs: number;
  readonly wallMs: number;
  /** Provisioned flows per real second, from the first request sent to the last execution ended. */
  readonly flowsPerSecond: number;
  /** Every call the vendor received (throttled ones too) per provisioned flow, by operation. */
  readonly callsPerFlow: Readonly<Record<string, number>>;
  /** What the documented scopes allow at the documented minimum of calls per flow, and the scope that binds. */
  readonly idealFlowsPerSecond: number | null;
  readonly bindingScope: string | null;
  readonly flowsOverIdeal: number | null;
  /** Per documented scope: the most calls (throttled ones too) any of its windows held, and its limit. */
  readonly scopeWindows: Readonly<Record<string, { readonly maxWindowCalls: number; readonly limit: number }>>;
}

const round = (value: number, digits = 3) => {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

export function summarize(m: ScenarioMeasurement): ScenarioSummary {
  const attempts = m.journal.map((e) => e.at);
  const accepted = m.journal.filter((e) => !e.throttled).map((e) => e.at);
  const windows = windowStats(attempts, m.windowMs);
  const drainMs = m.drainedAt - m.startedAt;
  const floorMs = drainFloorMs(accepted.length, m.limit, m.windowMs);
  const delays = m.arrivalDelaysMs;
  const perFlow = (n: number) => (m.provisioned > 0 ? n / m.provisioned : Number.NaN);
  return {
    vendor: m.vendor,
    config: m.config,
    load: m.load,
    timeScale: round(m.timeScale, 5),
    limit: m.limit,
    windowMs: round(m.windowMs, 1),
    requests: m.requests,
    provisioned: m.provisioned,
    failed: m.failed,
    unresolved: m.unresolved,
    failures: m.failures,
    calls: accepted.length,
    attempts: attempts.length,
    maxWindowCalls: windows.max,
    meanWindowCalls: round(windows.mean, 2),
    maxWindowAccepted: windowStats(accepted, m.windowMs).max,
    usedOverLimit: round(usedOverLimit(accepted, m.limit, m.windowMs)),
    vendorThrottles: m.journal.filter((e) => e.throttled && !e.injected).length,
    lambdaThrottleRetries: m.transitions.lambdaThrottleRetries,
    lambdaThrottles: m.lambdaThrottles,
    vendorThrottleRetries: m.transitions.vendorThrottleRetries,
    drainMs: Math.round(drainMs),
    floorMs: Math.round(floorMs),
    drainOverFloor: round(floorMs > 0 ? drainMs / floorMs : Number.NaN),
    p50Ms: Math.round(percentile(m.latenciesMs, 50)),
    p99Ms: Math.round(percentile(m.latenciesMs, 99)),
    p50RealMs: Math.round(percentile(m.latenciesMs, 50) / m.timeScale),
    p99RealMs: Math.round(percentile(m.latenciesMs, 99) / m.timeScale),
    transitionsPerFlow: round(perFlow(m.transitions.stateEntries + m.transitions.retries), 2),
    stateEntriesPerFlow: round(perFlow(m.transitions.stateEntries), 2),
    pacingIntervalMs: m.pacingIntervalMs,
    marginMs: round(m.marginMs, 1),
    arrivalDelayP50Ms: delays && delays.length > 0 ? round(percentile(delays, 50), 1) : null,
    arrivalDelayP99Ms: delays && delays.length > 0 ? round(percentile(delays, 99), 1) : null,
    arrivalDelayMaxMs: delays && delays.length > 0 ? round(Math.max(...delays), 1) : null,
    arrivalJitterMs: delays && delays.length > 0 ? round(Math.max(...delays) - Math.min(...delays), 1) : null,
    eventLoopDelayP99Ms: round(m.eventLoopDelayP99Ms, 1),
    eventLoopDelayMaxMs: round(m.eventLoopDelayMaxMs, 1),
    wallMs: Math.round(m.wallMs),
    ...flowFigures(m, drainMs),
  };
}

/** Flows per second, calls per flow and the ideal the documented scopes allow (`./flows.ts`). */
function flowFigures(
  m: ScenarioMeasurement,
  drainMs: number,
): Pick<
  ScenarioSummary,
  'flowsPerSecond' | 'callsPerFlow' | 'idealFlowsPerSecond' | 'bindingScope' | 'flowsOverIdeal' | 'scopeWindows'
> {
  const measured = flowsPerSecond(m.provisioned, 0, drainMs / m.timeScale);
  const scopes = m.scopes ?? [];
  const ideal = idealFlowsPerSecond(scopes, m.minimumPerOperation ?? {});
  const scopeWindows: Record<string, { maxWindowCalls: number; limit: number }> = {};
  for (const scope of scopes) {
    const times = m.journal.filter((e) => scopeCovers(scope, e.operation)).map((e) => e.at);
    scopeWindows[scope.name] = {
      maxWindowCalls: windowStats(times, scope.windowSeconds * 1000 * m.timeScale).max,
      limit: scope.limit,
    };
  }
  return {
    flowsPerSecond: round(measured),
    callsPerFlow: Object.fromEntries(
      Object.entries(callsPerFlowByOperation(m.journal, m.provisioned)).map(([op, n]) => [op, round(n, 2)]),
    ),
    idealFlowsPerSecond: Number.isFinite(ideal.flowsPerSecond) ? round(ideal.flowsPerSecond) : null,
    bindingScope: ideal.binding ?? null,
    flowsOverIdeal: Number.isFinite(ideal.flowsPerSecond)
      ? round(flowsOverIdeal(measured, ideal.flowsPerSecond))
      : null,
    scopeWindows,
  };
}

/** The targets, per summary row (paced and queued are held to them; naive is the baseline). */
export interface TargetCheck {
  readonly usedOverLimit: boolean;
  readonly noVendorThrottles: boolean;
  readonly windowWithinLimit: boolean;
  readonly drainOverFloor: boolean;
  readonly allProvisioned: boolean;
}

export const TARGETS = { usedOverLimit: 0.9, drainOverFloor: 1.1 } as const;

export function checkTargets(s: ScenarioSummary): TargetCheck {
  return {
    usedOverLimit: s.usedOverLimit >= TARGETS.usedOverLimit,
    noVendorThrottles: s.vendorThrottles === 0,
    windowWithinLimit: s.maxWindowCalls <= s.limit,
    drainOverFloor: s.drainOverFloor <= TARGETS.drainOverFloor,
    allProvisioned: s.provisioned === s.requests,
  };
}
