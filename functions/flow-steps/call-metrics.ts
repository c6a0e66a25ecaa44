/**
 * Vendor call metrics: a decorator of the λ instance's `pace` function, so every paced vendor call is counted, timed
 * and classified without the vendor clients knowing (they stay free of Lambda concerns). The workflow step that made
 * the call (`createFlow`, `describeFlow`, ...) is the `operation` dimension: {@link VendorCallMeter.client} decorates
 * the client so that each of its methods runs as that step, whichever way the task arrived (invoke or work queue).
 *
 * Classification: the clients judge a vendor's answer after the paced call has returned (an HTTP 400 `Throttling`, a
 * 200 with a non-zero `RetCode`...), so a call's outcome is known only when its step goes on or ends. A call is
 * recorded when the next call of its step starts (its answer was taken: ok), or when the step ends: if the step threw,
 * its last call is the one whose answer it threw on, and it is recorded as a throttle (`VendorThrottled`) or an error.
 * A call that fails by itself (timeout, network) is recorded as such at once.
 *
 * One EMF line per call (its own Metrics instance, published at once): a step may make several calls, and a call's
 * line must not wait for, or mix with, anything else. The line carries `VendorCalls` = 1, `VendorThrottles` and
 * `VendorErrors` as 0 or 1, and `VendorCallLatency`, under `[service, vendor, operation]` and `[service, vendor]`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ProvisionRequest, VendorId } from '../domain/contract.ts';
import { ERROR_NAMES } from '../domain/errors.ts';
import { DIMENSION, METRICS_NAMESPACE, SERVICE_NAME, VENDOR_CALL_METRICS } from '../domain/metric-names.ts';
import { logger, metricsEnabled, publishMetrics, taskLogKeys } from '../domain/observability.ts';
import type { Operation, PaceFn, StepOptions, VendorClient } from '../vendors/types.ts';

/** How one vendor call ended. */
export type CallOutcome = 'ok' | 'throttled' | 'error';

export interface VendorCallMeterOptions {
  /** Where the EMF lines go. @default a Metrics instance of the service's namespace */
  readonly metrics?: Metrics;
  /** Whether EMF lines are written. @default `metricsEnabled` (inside Lambda only) */
  readonly enabled?: boolean;
  /** Clock for the latency. @default `performance.now` */
  readonly now?: () => number;
}

/** The operation dimension of calls made outside a step (no client method known). */
export const UNKNOWN_OPERATION = 'unknown';

interface Call {
  readonly durationMs: number;
  readonly outcome: CallOutcome;
  readonly error?: unknown;
}

interface Step {
  readonly operation: Operation;
  readonly requestId: string | undefined;
  /** Calls that returned and whose answer the client is still judging. */
  settled: Call[];
}

/**
 * One storage for every meter of the process. An AsyncLocalStorage stays enabled for the life of the process and
 * slows every async operation in proportion to how many exist: one per meter grows without bound where sandboxes
 * are replaced in one process (the local stack after a crashed invocation), until the process stalls. A step is only
 * ever read by the meter that started it (its client and its pace run inside that step), so sharing is safe.
 */
const meterSteps = new AsyncLocalStorage<Step>();

export class VendorCallMeter {
  private readonly metrics: Metrics;
  private readonly enabled: boolean;
  private readonly now: () => number;
  private readonly steps = meterSteps;

  constructor(
    readonly vendor: VendorId,
    options: VendorCallMeterOptions = {},
  ) {
    this.metrics =
      options.metrics ??
      new Metrics({
        namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
        serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
      });
    // The instance serves one vendor: `vendor` joins `service` in every dimension set.
    this.metrics.setDefaultDimensions({ [DIMENSION.vendor]: vendor });
    this.enabled = options.enabled ?? metricsEnabled;
    this.now = options.now ?? (() => performance.now());
  }

  /** Decorates a client: each method runs as the step of its name. */
  client(inner: VendorClient): VendorClient {
    const complete = inner.completeFlow?.bind(inner);
    const adopt = inner.adoptFlow?.bind(inner);
    return {
      vendor: inner.vendor,
      createFlow: (request, options) => this.step('createFlow', request, () => inner.createFlow(request, options)),
      ...(complete
        ? {
            completeFlow: (request: ProvisionRequest, flowId: string, options?: StepOptions) =>
              this.step('completeFlow', request, () => complete(request, flowId, options)),
          }
        : {}),
      // Adoption is part of the create step: its calls count as createFlow's.
      ...(adopt
        ? {
            adoptFlow: (request: ProvisionRequest, flowId: string) =>
              this.step('createFlow', request, () => adopt(request, flowId)),
          }
        : {}),
      startFlow: (request, flowId, options) =>
        this.step('startFlow', request, () => inner.startFlow(request, flowId, options)),
      describeFlow: (request, flowId) => this.step('describeFlow', request, () => inner.describeFlow(request, flowId)),
      grantEntitlements: (request, flowId, options) =>
        this.step('grantEntitlements', request, () => inner.grantEntitlements(request, flowId, options)),
      stopFlow: (request, flowId) => this.step('stopFlow', request, () => inner.stopFlow(request, flowId)),
      deleteFlow: (request, flowId) => this.step('deleteFlow', request, () => inner.deleteFlow(request, flowId)),
      teardownFlow: (target, flowId) => this.step('teardownFlow', target, () => inner.teardownFlow(target, flowId)),
      describeConnection: (request, flowId) =>
        this.step('describeConnection', request, () => inner.describeConnection(request, flowId)),
    };
  }

  /**
   * Decorates a pace function: the call is timed from when it leaves (after the pacer's wait) to its answer; the
   * answer or error passes through unchanged.
   */
  pace(inner: PaceFn): PaceFn {
    return (call, site) => inner(() => this.measure(call), site);
  }

  private async step<T>(
    operation: Operation,
    request: { readonly requestId?: string },
    fn: () => Promise<T>,
  ): Promise<T> {
    const step: Step = { operation, requestId: request?.requestId, settled: [] };
    return this.steps.run(step, async () => {
      try {
        const result = await fn();
        this.flush(step);
        return result;
      } catch (error) {
        this.flush(step, error);
        throw error;
      }
    });
  }

  private async measure<T>(call: () => Promise<T>): Promise<T> {
    const step = this.steps.getStore();
    // The step goes on: the answers of its earlier calls were taken.
    if (step) this.flush(step);
    const started = this.now();
    const settle = (settled: Call) => (step ? step.settled.push(settled) : this.record(undefined, settled));
    try {
      const result = await call();
      settle({ outcome: 'ok', durationMs: this.now() - started });
      return result;
    } catch (error) {
      settle({ outcome: outcomeOf(error), durationMs: this.now() - started, error });
      throw error;
    }
  }

  /** Records the step's settled calls; when the step threw, its last answered call is the one it threw on. */
  private flush(step: Step, stepError?: unknown): void {
    const calls = step.settled.splice(0);
    calls.forEach((call, i) => {
      const threwOnThis = stepError !== undefined && i === calls.length - 1 && call.outcome === 'ok';
      this.record(step, threwOnThis ? { ...call, outcome: outcomeOf(stepError), error: stepError } : call);
    });
  }

  private record(step: Step | undefined, call: Call): void {
    const operation = step?.operation ?? UNKNOWN_OPERATION;
    const latency = Math.max(0, Math.round(call.durationMs));
    const task = taskLogKeys();
    // Keys of this task's own context: in the embedded stack other invocations share the logger's appended keys.
    const keys = {
      ...task,
      vendor: this.vendor,
      step: operation,
      ...(step?.requestId ? { requestId: step.requestId } : {}),
      durationMs: latency,
    };
    if (call.outcome === 'ok') {
      logger.debug('vendor call', keys);
    } else {
      // The error's name, message and details (vendor code, HTTP status, vendor request id); never the request.
      logger.warn('vendor call failed', { ...keys, outcome: call.outcome, error: call.error });
    }
    const m = this.metrics;
    // [service, vendor, operation], and an empty extra set for [service, vendor]: each key in one place only
    // (Powertools warns on every line when two sets name the same key).
    m.addDimension(DIMENSION.operation, operation);
    m.addDimensions({});
    m.addMetric(VENDOR_CALL_METRICS.calls, MetricUnit.Count, 1);
    m.addMetric(VENDOR_CALL_METRICS.throttles, MetricUnit.Count, call.outcome === 'throttled' ? 1 : 0);
    m.addMetric(VENDOR_CALL_METRICS.errors, MetricUnit.Count, call.outcome === 'error' ? 1 : 0);
    m.addMetric(VENDOR_CALL_METRICS.latency, MetricUnit.Milliseconds, latency);
    if (call.error instanceof Error) m.addMetadata('error', call.error.name);
    publishMetrics(m, this.enabled);
  }
}

/** A throttle is the taxonomy's `VendorThrottled` (by name, so it survives bundling); anything else is an error. */
export function outcomeOf(error: unknown): CallOutcome {
  return error instanceof Error && error.name === ERROR_NAMES.throttled ? 'throttled' : 'error';
}
