/**
 * Logger, metrics and tracer as shared singletons (the Powertools way). Handlers add request id, vendor, execution
 * name and step as persistent keys; nothing here ever receives a secret, signature or Authorization header.
 *
 * Locally (the embedded stack, tests) the same singletons run harmlessly: Tracer disables itself outside Lambda, and
 * metrics are only written inside Lambda (see {@link metricsEnabled}).
 *
 * Keys appended to the shared logger are per process: right in Lambda (one invocation per instance at a time), shared
 * by every in-process invocation of the embedded stack. Lines that must name their task whatever runs beside them
 * (the vendor call lines) take the keys from {@link taskLogKeys}, which follows the task's own async context.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { METRICS_NAMESPACE, SERVICE_NAME } from './metric-names.ts';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME;

export const logger = new Logger({ serviceName });
export const metrics = new Metrics({
  serviceName,
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
});
export const tracer = new Tracer({ serviceName });

/**
 * Whether EMF lines are written. They become metrics only in a Lambda log stream; anywhere else (`flowctl local`,
 * whose `--json` output is stdout, and the tests) they would be noise on stdout, so they are written only when the
 * Lambda runtime has set `AWS_LAMBDA_FUNCTION_NAME`. `POWERTOOLS_METRICS_DISABLED=true` still turns them off in Lambda.
 */
export const metricsEnabled = process.env.AWS_LAMBDA_FUNCTION_NAME !== undefined;

/** Writes the metrics stored on `target` as one EMF line (when {@link metricsEnabled}), then clears them. */
export function publishMetrics(target: Metrics = metrics, enabled = metricsEnabled): void {
  if (enabled) {
    if (target.hasStoredMetrics()) target.publishStoredMetrics();
    return;
  }
  target.clearMetrics();
  target.clearDimensions();
  target.clearMetadata();
}

/** The keys every line about one vendor task carries. */
export interface TaskLogKeys {
  readonly requestId?: string;
  readonly executionName?: string;
  readonly step?: string;
}

const taskKeys = new AsyncLocalStorage<TaskLogKeys>();

/**
 * Runs one vendor task (a workflow step: `{ operation, request, executionName }`, invoked or from a work queue) with
 * its log keys in its async context; {@link taskLogKeys} reads them anywhere below.
 */
export function withTaskLogKeys<T>(task: unknown, fn: () => Promise<T>): Promise<T> {
  const { operation, executionName, request } = (typeof task === 'object' && task !== null ? task : {}) as Record<
    string,
    unknown
  >;
  const requestId = (request as { requestId?: unknown } | null | undefined)?.requestId;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value.slice(0, 128) : undefined);
  const keys: TaskLogKeys = {
    ...(text(requestId) ? { requestId: text(requestId) } : {}),
    ...(text(executionName) ? { executionName: text(executionName) } : {}),
    ...(text(operation) ? { step: text(operation) } : {}),
  };
  return taskKeys.run(keys, fn);
}

/** The log keys of the task running in this async context (empty outside one). */
export function taskLogKeys(): TaskLogKeys {
  return taskKeys.getStore() ?? {};
}
