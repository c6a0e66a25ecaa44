/**
 * Names of the custom metrics (EMF, written by the handlers through Powertools Metrics) and of their dimensions. Plain
 * data with no AWS import: the handlers emit these, the CDK alarms and dashboard read them, so the two cannot drift.
 * `docs/observability.md` says what each one means.
 */

/** CloudWatch namespace of every custom metric (`POWERTOOLS_METRICS_NAMESPACE`). */
export const METRICS_NAMESPACE = 'FlowProvisioner';

/**
 * `POWERTOOLS_SERVICE_NAME` of every function. Powertools adds it to every dimension set as `service`, so alarms and
 * dashboard widgets name it too.
 */
export const SERVICE_NAME = 'flow-provisioner';

/** Dimension names. */
export const DIMENSION = {
  /** Added by Powertools to every dimension set. */
  service: 'service',
  vendor: 'vendor',
  /** The workflow step that made the call (`createFlow`, `describeFlow`, ...). */
  operation: 'operation',
} as const;

/**
 * Per vendor call, written by the vendor λ around each paced call, with two dimension sets: `[service, vendor,
 * operation]` and `[service, vendor]` (the alarms and the dashboard read the second).
 */
export const VENDOR_CALL_METRICS = {
  /** Count, 1 per call that left for the vendor (whatever the answer). */
  calls: 'VendorCalls',
  /** Count, 1 per call the vendor answered with its throttle error (`VendorThrottled`), else 0. */
  throttles: 'VendorThrottles',
  /** Count, 1 per call that failed any other way (taxonomy error, timeout, network), else 0. */
  errors: 'VendorErrors',
  /** Milliseconds from the call leaving to its answer; the pacing wait before it is not included. */
  latency: 'VendorCallLatency',
} as const;

/** Per dispatched message, written by the dispatcher with the dimension set `[service]`. */
export const DISPATCH_METRICS = {
  started: 'RequestsStarted',
  duplicate: 'RequestsDuplicate',
  redriven: 'RequestsRedriven',
  rejected: 'RequestsRejected',
} as const;
