/**
 * The benchmark's flow arithmetic, kept pure so a unit test can check it (`test/unit/bench/flows.test.ts`): calls per
 * flow by operation, flows per second, the ideal rate the documented scopes allow, and the per-second call series the
 * compliance charts draw. Nothing here reads a clock.
 */

/** One documented rate-limit scope as the bench sees it: the operations it covers, its limit and window. */
export interface ScopeLimit {
  readonly name: string;
  /** The operations the scope covers; `'*'` covers every operation of the vendor. */
  readonly operations: readonly string[] | '*';
  readonly limit: number;
  readonly windowSeconds: number;
}

/** One call as the emulator journaled it. */
export interface JournalCall {
  readonly at: number;
  readonly operation: string;
  readonly throttled: boolean;
}

export function scopeCovers(scope: ScopeLimit, operation: string): boolean {
  return scope.operations === '*' || scope.operations.includes(operation);
}

/** Calls per provisioned flow, by operation (every journaled call, throttled ones too), sorted by operation. */
export function callsPerFlowByOperation(
  calls: readonly Pick<JournalCall, 'operation'>[],
  flows: number,
): Record<string, number> {
  if (flows <= 0) return {};
  const counts = new Map<string, number>();
  for (const call of calls) counts.set(call.operation, (counts.get(call.operation) ?? 0) + 1);
  return Object.fromEntries([...counts.keys()].sort().map((op) => [op, counts.get(op)! / flows]));
}

/** Calls per flow that a scope's operations add up to, from calls per flow by operation. */
export function scopeCallsPerFlow(scope: ScopeLimit, perOperation: Readonly<Record<string, number>>): number {
  let total = 0;
  for (const [operation, calls] of Object.entries(perOperation)) if (scopeCovers(scope, operation)) total += calls;
  return total;
}

/**
 * The most flows per second the documented limits allow at the given calls per flow by operation: the scope that
 * binds is the one with the least `limit per second ÷ its calls per flow`. Scopes the flow does not call do not bind.
 */
export function idealFlowsPerSecond(
  scopes: readonly ScopeLimit[],
  perOperation: Readonly<Record<string, number>>,
): { readonly flowsPerSecond: number; readonly binding: string | undefined } {
  let best = Number.POSITIVE_INFINITY;
  let binding: string | undefined;
  for (const scope of scopes) {
    if (!(scope.limit > 0) || !(scope.windowSeconds > 0))
      throw new Error(`scope ${scope.name}: limit and window must be > 0`);
    const calls = scopeCallsPerFlow(scope, perOperation);
    if (calls <= 0) continue;
    const flows = scope.limit / scope.windowSeconds / calls;
    if (flows < best) {
      best = flows;
      binding = scope.name;
    }
  }
  return { flowsPerSecond: best, binding };
}

/**
 * Flows per second over the span the flows were provisioned in: `n` flows from the first request sent to the last
 * flow running. 0 for no flow or no span.
 */
export function flowsPerSecond(flows: number, firstSentMs: number, lastDoneMs: number): number {
  const spanMs = lastDoneMs - firstSentMs;
  if (flows <= 0 || !(spanMs > 0)) return 0;
  return flows / (spanMs / 1000);
}

/** A measured rate over the ideal; `NaN` when there is no ideal to compare with. */
export function flowsOverIdeal(measured: number, ideal: number): number {
  if (!(ideal > 0) || !Number.isFinite(ideal)) return Number.NaN;
  return measured / ideal;
}

/** One point of a chart: calls in the second starting `second` seconds after `origin`, for one scope. */
export interface RatePoint {
  readonly second: number;
  readonly scope: string;
  readonly calls: number;
}

/**
 * Calls per scope in each whole second from `origin` (ms), throttled calls included (they are what the vendor saw).
 * `timeScale` converts a compressed run back to real seconds: a compressed second is `timeScale` real seconds, and the
 * count is per real second. Every second up to the last call is present, with 0 where none fell.
 */
export function callsPerSecondByScope(
  calls: readonly JournalCall[],
  scopes: readonly ScopeLimit[],
  origin: number,
  timeScale = 1,
): RatePoint[] {
  if (!(timeScale > 0)) throw new Error(`time scale must be > 0, got ${timeScale}`);
  const bucketMs = 1000 * timeScale;
  const points: RatePoint[] = [];
  for (const scope of scopes) {
    const counts: number[] = [];
    for (const call of calls) {
      if (!scopeCovers(scope, call.operation) || call.at < origin) continue;
      const second = Math.floor((call.at - origin) / bucketMs);
      counts[second] = (counts[second] ?? 0) + 1;
    }
    for (let second = 0; second < counts.length; second++) {
      points.push({ second, scope: scope.name, calls: counts[second] ?? 0 });
    }
  }
  return points;
}
