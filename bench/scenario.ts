/**
 * One benchmark scenario: a fresh local stack for one vendor in one configuration, one load sent through it, and
 * the measurement read from the stack's own records — the emulator's journal (calls, throttles), the execution
 * histories (transitions, retries), the Lambda runtime (gate refusals) and the DLQ (what failed).
 *
 * Time compression: every duration of the vendor's world is multiplied by the vendor's `timeScale` — the emulator's
 * rate window and state delays, the pacing interval, the vendor latency, Wait states and Retry pauses — so ratios
 * (calls per window ÷ limit, used rate ÷ limit, drain ÷ floor) are those of the real-time run. What is not scaled:
 * the interpreter, SQS, DynamoDB and HTTP overheads of the local stack itself, and timeouts (never reached here).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { bindingScope, pacingIntervalMs, vendorConfig } from '../functions/domain/config.ts';
import type { VendorId } from '../functions/domain/contract.ts';
import { requestsFor } from '../local/batch/demo-batch.ts';
import { buildReport, readDeadLetterQueue } from '../local/batch/run-batch.ts';
import { startLocalStack, vendorFunctionName } from '../local/stack.ts';
import {
  arrivalDelays,
  type BenchConfig,
  type BenchLoad,
  countTransitions,
  pacingMarginMs,
  type ScenarioMeasurement,
} from './metrics.ts';
import { benchScopes, DOCUMENTED_MINIMUM } from './minimum.ts';

/** Realistic vendor latency (ms, real time), scaled per vendor. */
export const VENDOR_LATENCY_MS = [50, 300] as const;
/** A flow quota no burst reaches: the benchmark measures rate limits, not AWS's 20 flows per region. */
const UNLIMITED_FLOWS = 1_000_000;

export interface ScenarioSpec {
  readonly vendor: VendorId;
  readonly config: BenchConfig;
  readonly load: BenchLoad;
  readonly requests: number;
  readonly timeScale: number;
  /** Steady load: requests per second of real time (the bench scales it). */
  readonly steadyRequestsPerSecond?: number;
  readonly drainTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

/** Calls the documented limit allows per second, and the compressed window. */
export function scaledWindowMs(vendor: VendorId, timeScale: number): number {
  return bindingScope(vendorConfig(vendor).budget).windowSeconds * 1000 * timeScale;
}

export async function runScenario(spec: ScenarioSpec): Promise<ScenarioMeasurement> {
  const wallStart = Date.now();
  const { vendor, timeScale: s } = spec;
  const config = vendorConfig(vendor);
  const budget = config.budget;
  const starts: number[] = [];
  const paced = spec.config !== 'naive';
  const stack = await startLocalStack({
    vendors: [vendor],
    dispatch: spec.config === 'queued' ? 'queue' : 'invoke',
    pacing: paced,
    pacingScale: s,
    enforceRateLimit: true,
    faults: { latencyMs: [VENDOR_LATENCY_MS[0] * s, VENDOR_LATENCY_MS[1] * s] },
    waitOverrideMs: config.pollIntervalSeconds * 1000 * s,
    retryScale: s,
    emulatorOptions: { timeScale: s, enforceAssumedLimit: true, flowQuota: UNLIMITED_FLOWS },
    onVendorCall: (_vendor, at) => starts.push(at),
  });
  const loop = monitorEventLoopDelay({ resolution: 10 });
  try {
    const prefix = `bench-${spec.config}-${spec.load}`;
    const bodies = requestsFor(vendor, spec.requests, prefix).map((r) => JSON.stringify(r));
    const sentAt = new Map<string, number>();
    loop.enable();
    const startedAt = Date.now();
    if (spec.load === 'burst') {
      for (const body of bodies) sentAt.set(requestIdOf(body), startedAt);
      await stack.send(bodies);
    } else {
      const perSecond = spec.steadyRequestsPerSecond;
      if (!perSecond) throw new Error('steady load needs steadyRequestsPerSecond');
      const gapMs = (1000 / perSecond) * s;
      const sends: Promise<void>[] = [];
      for (let i = 0; i < bodies.length; i++) {
        const due = startedAt + i * gapMs;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        sentAt.set(requestIdOf(bodies[i]!), Date.now());
        sends.push(stack.send([bodies[i]!]));
      }
      await Promise.all(sends);
    }
    const progress = setInterval(() => {
      const all = stack.stepFunctions.allExecutions();
      const done = all.filter((e) => e.status !== 'RUNNING').length;
      spec.log?.(`  … ${Math.round((Date.now() - startedAt) / 1000)} s: ${done}/${all.length} executions ended`);
    }, 30_000);
    try {
      await stack.waitForDrain({ timeoutMs: spec.drainTimeoutMs ?? 30 * 60_000 });
    } catch (error) {
      spec.log?.(`  ! ${(error as Error).message}; measuring what ended`);
    } finally {
      clearInterval(progress);
    }
    loop.disable();
    const report = buildReport(stack, bodies, await readDeadLetterQueue(stack), Date.now() - startedAt);
    const executions = stack.stepFunctions.allExecutions();
    const latenciesMs: number[] = [];
    let drainedAt = startedAt;
    for (const execution of executions) {
      if (execution.stopDate !== undefined) drainedAt = Math.max(drainedAt, execution.stopDate);
      if (execution.status !== 'SUCCEEDED' || execution.stopDate === undefined) continue;
      const sent = sentAt.get(requestIdOf(execution.input));
      if (sent !== undefined) latenciesMs.push(execution.stopDate - sent);
    }
    const failures: Record<string, number> = {};
    for (const result of report.results) {
      if (result.status === 'PROVISIONED') continue;
      const reason = (result.error ?? result.status).split(':')[0]!;
      failures[reason] = (failures[reason] ?? 0) + 1;
    }
    if (report.unresolved.length > 0) failures.unresolved = report.unresolved.length;
    const journal = stack.emulators[vendor]?.journal.entries ?? [];
    const intervalMs = paced ? Math.round(pacingIntervalMs(budget) * s) : 0;
    const windowMs = scaledWindowMs(vendor, s);
    return {
      vendor,
      config: spec.config,
      load: spec.load,
      timeScale: s,
      limit: bindingScope(budget).documentedLimit,
      windowMs,
      pacingIntervalMs: intervalMs,
      marginMs: paced ? pacingMarginMs(intervalMs, windowMs) : 0,
      requests: bodies.length,
      provisioned: report.results.filter((r) => r.status === 'PROVISIONED').length,
      failed: report.results.filter((r) => r.status !== 'PROVISIONED').length,
      unresolved: report.unresolved.length,
      failures,
      journal: journal.map((e) => ({ at: e.at, operation: e.operation, throttled: e.throttled, injected: e.injected })),
      scopes: benchScopes(vendor, [
        ...new Set([...journal.map((e) => e.operation), ...Object.keys(DOCUMENTED_MINIMUM[vendor])]),
      ]),
      minimumPerOperation: DOCUMENTED_MINIMUM[vendor],
      startedAt,
      drainedAt,
      latenciesMs,
      transitions: countTransitions(executions.map((e) => e.history)),
      lambdaThrottles: stack.lambdas.stats(vendorFunctionName(vendor))?.throttles ?? 0,
      ...(() => {
        const delays = arrivalDelays(
          starts,
          journal.map((e) => e.at),
        );
        return delays ? { arrivalDelaysMs: delays } : {};
      })(),
      eventLoopDelayP99Ms: loop.percentile(99) / 1e6,
      eventLoopDelayMaxMs: loop.max / 1e6,
      wallMs: Date.now() - wallStart,
    };
  } finally {
    loop.disable();
    await stack.stop();
  }
}

function requestIdOf(body: string): string {
  try {
    return String((JSON.parse(body) as { requestId?: unknown }).requestId);
  } catch {
    return '';
  }
}
