/**
 * The one configuration source (docs/architecture.md, "Configuration"): vendor limits, reserved concurrency, pacing,
 * retry policy and timeouts. CDK, the handlers and the local stack all read this module, so they cannot drift. It is
 * plain data plus the arithmetic that proves each budget stays under its documented limit; it imports nothing from AWS.
 */
import type { VendorDescriptor } from '../vendors/common/descriptor.ts';
import { VENDOR_DESCRIPTORS } from '../vendors/registry.ts';
import type { VendorId } from './contract.ts';

/** Input limits enforced by the contract. */
export const LIMITS = {
  /** SQS allows 256 KiB; a provisioning request has no business being a tenth of that. */
  maxMessageBytes: 64 * 1024,
  maxEntitlements: 50,
  maxSubscribers: 100,
  maxTags: 50,
  maxFlowNameLength: 64,
} as const;

/** A documented rate limit and the share of it we spend. */
export interface RateBudget {
  /** What the vendor documents, e.g. 5 calls per 1 s, 80 calls per 60 s. */
  readonly documentedLimit: number;
  readonly windowSeconds: number;
  /** What the limit applies to, as documented. */
  readonly scope: 'account' | 'account-region' | 'user' | 'project';
  /** Where the figure comes from (`docs/vendors/<vendor>.md`, "Limits"). */
  readonly source: string;
  /**
   * How many of the documented calls per window we may spend: the account's budget is shared with anything else using
   * it, so operators can lower this. Never above `documentedLimit`.
   */
  readonly spendLimit: number;
  /** Reserved concurrency of the vendor λ: at most this many calls in flight. */
  readonly reservedConcurrency: number;
  /** Extra fraction added to the pacing interval to absorb clock and network jitter between us and the vendor. */
  readonly safetyMargin: number;
}

export interface VendorConfig {
  readonly vendor: VendorId;
  readonly budget: RateBudget;
  /** λ timeout: one paced call plus its hold, with room. */
  readonly functionTimeoutSeconds: number;
  /** Client-side timeout of one vendor HTTP call. */
  readonly callTimeoutMs: number;
  /** Seconds between polls while a started flow is not running yet, and how many polls before giving up. */
  readonly pollIntervalSeconds: number;
  readonly maxPolls: number;
}

/**
 * Pacing interval `T`: a λ instance holds its concurrency slot until `T` has passed since its last call began, so
 * `C` instances start at most `C × ceil(W / T)` calls in any window of `W` seconds (docs/architecture.md, "Pacing").
 */
export function pacingIntervalMs(budget: RateBudget): number {
  const base = (budget.windowSeconds * budget.reservedConcurrency) / budget.spendLimit;
  return Math.ceil(base * (1 + budget.safetyMargin) * 1000);
}

/** The most calls `C` paced instances can start in any window of the budget's length. */
export function maxCallsPerWindow(budget: RateBudget): number {
  const intervalMs = pacingIntervalMs(budget);
  return budget.reservedConcurrency * Math.ceil((budget.windowSeconds * 1000) / intervalMs);
}

/** The steady rate the budget sustains, as a fraction of the documented limit. */
export function sustainedShareOfLimit(budget: RateBudget): number {
  const callsPerSecond = (budget.reservedConcurrency * 1000) / pacingIntervalMs(budget);
  return (callsPerSecond * budget.windowSeconds) / budget.documentedLimit;
}

/** Throws with every broken rule, so a bad edit fails at synth, start-up and in tests, never at a vendor. */
export function validateBudget(vendor: string, budget: RateBudget): void {
  const problems: string[] = [];
  if (!Number.isInteger(budget.reservedConcurrency) || budget.reservedConcurrency < 1) {
    problems.push('reservedConcurrency must be a positive integer');
  }
  if (budget.spendLimit <= 0 || budget.spendLimit > budget.documentedLimit) {
    problems.push(`spendLimit must be in (0, ${budget.documentedLimit}]`);
  }
  if (budget.safetyMargin < 0) problems.push('safetyMargin must be ≥ 0');
  if (problems.length === 0 && maxCallsPerWindow(budget) > budget.spendLimit) {
    problems.push(
      `C × ceil(W/T) = ${maxCallsPerWindow(budget)} exceeds the spend limit ${budget.spendLimit} per ${budget.windowSeconds}s; ` +
        'choose a reserved concurrency that divides the limit',
    );
  }
  if (problems.length > 0) throw new Error(`pacing config for ${vendor} is invalid: ${problems.join('; ')}`);
}

/** Every configured vendor's descriptor (`functions/vendors/<vendor>/descriptor.ts`), by id. */
export const VENDORS = Object.fromEntries(VENDOR_DESCRIPTORS.map((d) => [d.vendor, d])) as unknown as {
  readonly [V in VendorId]: VendorDescriptor<V>;
};

export type ConfiguredVendor = keyof typeof VENDORS;

export function vendorConfig(vendor: VendorId): VendorConfig {
  const config = (VENDORS as Partial<Record<VendorId, VendorConfig>>)[vendor];
  if (!config) throw new Error(`no configuration for vendor ${vendor}`);
  return config;
}

/** Retry policy per error class, written into the ASL by the workflow template and checked by tests. */
export const RETRY_POLICY = {
  /** Vendor throttled us despite pacing (shared account, clock skew): many attempts, full jitter. */
  VendorThrottled: { intervalSeconds: 1, backoffRate: 2, maxAttempts: 8, maxDelaySeconds: 30 },
  /** 5xx, timeouts: bounded. */
  VendorUnavailable: { intervalSeconds: 2, backoffRate: 2, maxAttempts: 5, maxDelaySeconds: 60 },
  /** The vendor λ is at its reserved concurrency: short backoff, many attempts (it is our own queueing). */
  'Lambda.TooManyRequestsException': { intervalSeconds: 1, backoffRate: 1.5, maxAttempts: 20, maxDelaySeconds: 10 },
  /** Lambda service faults. */
  'Lambda.ServiceException': { intervalSeconds: 2, backoffRate: 2, maxAttempts: 6, maxDelaySeconds: 30 },
  /**
   * The vendor λ timed out or its sandbox died. Safe to retry: effect steps are idempotent (a completed call returns
   * its stored result) and get-or-create / desired-state at the vendor (a call cut off mid-way is adopted).
   */
  'Sandbox.Timedout': { intervalSeconds: 2, backoffRate: 2, maxAttempts: 5, maxDelaySeconds: 30 },
  /**
   * The step's idempotency record is held by an invocation that died before its lock expired (at most the λ timeout,
   * 55 s): enough attempts that full-jitter backoff outlasts the lock.
   */
  StepInProgress: { intervalSeconds: 5, backoffRate: 1.5, maxAttempts: 10, maxDelaySeconds: 30 },
  /** The idempotency store (DynamoDB) was unavailable. */
  StepStoreUnavailable: { intervalSeconds: 5, backoffRate: 1.5, maxAttempts: 10, maxDelaySeconds: 30 },
} as const;

/**
 * Idempotency of the vendor task's effect steps (docs/architecture.md, "Exactly-once effects",
 * `functions/flow-steps/idempotency.ts`): how long a completed step's result is kept. It must outlast any retry of the
 * step within its execution (an execution lasts at most `PIPELINE.executionTimeoutSeconds`); a redrive of a timed-out
 * or aborted execution later than this re-runs the step, which the vendor-side get-or-create makes safe. DynamoDB
 * deletes expired items by TTL; the store ignores them until then (and dynalite, locally, has no TTL at all).
 */
export const IDEMPOTENCY = {
  expiresAfterSeconds: 24 * 3600,
  /** The environment variable naming the table, set by the stack on every vendor λ. */
  tableNameEnv: 'IDEMPOTENCY_TABLE_NAME',
  /** The table's partition key and TTL attribute, as the Powertools DynamoDB persistence layer writes them. */
  keyAttribute: 'id',
  expiryAttribute: 'expiration',
} as const;

/**
 * How a workflow step reaches the vendor λ (docs/adr/0004):
 * - `queue`: the step puts a work item with a task token on the vendor's task queue and waits; the λ consumes the
 *   queue at its reserved concurrency and answers with SendTaskSuccess/SendTaskFailure. Bursts wait in line.
 * - `invoke`: Step Functions invokes the λ directly; past its reserved concurrency the invoke fails with
 *   `Lambda.TooManyRequestsException` and the ASL retries it with backoff.
 */
export type DispatchMode = 'queue' | 'invoke';
export const DISPATCH_MODE: DispatchMode = 'queue';

/** Ingress and workflow settings shared by CDK and the local stack. */
export const PIPELINE = {
  /** How often a message may be received before SQS moves it to the DLQ (docs/architecture.md, "Pacing": ≥ 5). */
  maxReceiveCount: 5,
  /** Dispatcher SQS event source. */
  dispatcherBatchSize: 10,
  dispatcherMaxConcurrency: 2,
  dispatcherTimeoutSeconds: 30,
  /** Visibility timeout: six times the dispatcher timeout, as AWS recommends for event sources. */
  ingressVisibilityTimeoutSeconds: 180,
  ingressRetentionDays: 4,
  dlqRetentionDays: 14,
  /** A Standard execution name is reserved for 90 days; redrive is possible for 14. */
  redrivableDays: 14,
  /** Upper bound on one execution: create + start + polls + grant with all retries. */
  executionTimeoutSeconds: 3600,
} as const;

/**
 * Alarm thresholds (`cdk/constructs/observability.ts`; what each alarm means: `docs/observability.md`). Every alarm
 * treats missing data as not breaching: a quiet pipeline is a healthy one.
 */
export const ALARMS = {
  /**
   * The oldest ingress message is older than this for `ingressAgeMinutes` consecutive minutes. The dispatcher takes a
   * message within seconds; a failing one comes back every `ingressVisibilityTimeoutSeconds` (180 s) until SQS moves
   * it to the DLQ, so 5 minutes means messages are not being dispatched.
   */
  ingressOldestMessageAgeSeconds: 300,
  ingressAgeMinutes: 3,
  /**
   * Failed, timed-out and throttled executions of a vendor's workflow: more than 0 in one period of this length.
   */
  executionsPeriodMinutes: 5,
  /**
   * Sustained throttling of a vendor λ: more than `threshold` throttled invocations per minute in `datapointsToAlarm`
   * of `evaluationPeriods` minutes. A burst is expected to meet the reserved concurrency (that is the queueing); a
   * vendor budget saturated for most of ten minutes means a backlog that grows faster than the vendor's limit drains
   * it.
   */
  vendorFunctionThrottles: { threshold: 10, datapointsToAlarm: 5, evaluationPeriods: 10 },
  /** The vendor answered its throttle error (`VendorThrottles` > 0) in one period of this length. */
  vendorThrottlesPeriodMinutes: 5,
} as const;

/** Vendor credentials on AWS (one Secrets Manager secret per vendor λ; `functions/domain/vendor-credentials.ts`). */
export const SECRETS = {
  /**
   * How long a λ instance keeps a secret before reading it again: a rotated credential is picked up within this time,
   * and an instance reads its secret at most once per this many seconds.
   */
  cacheSeconds: 300,
} as const;

for (const [vendor, config] of Object.entries(VENDORS)) validateBudget(vendor, config.budget);
