/**
 * The one configuration source (DESIGN §6): vendor limits, reserved concurrency, pacing, retry policy and timeouts.
 * CDK, the handlers and the local stack all read this module, so they cannot drift. It is plain data plus the
 * arithmetic that proves each budget stays under its documented limit; it imports nothing from AWS.
 */
import type { VendorId } from './contract.ts';

/** Input limits enforced by the contract (issue 8 tightens them further, never loosens). */
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
  /** Where the figure comes from (`../shared/vendors/*.md`). */
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
 * `C` instances start at most `C × ceil(W / T)` calls in any window of `W` seconds (DESIGN §4).
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

export const VENDORS = {
  'aws-mediaconnect': {
    vendor: 'aws-mediaconnect',
    budget: {
      documentedLimit: 5,
      windowSeconds: 1,
      scope: 'account-region',
      source: 'vendors/aws-mediaconnect.md §4: 5 req/s steady (burst 30); 429 TooManyRequestsException',
      spendLimit: 5,
      reservedConcurrency: 5,
      safetyMargin: 0.05,
    },
    functionTimeoutSeconds: 30,
    callTimeoutMs: 10_000,
    pollIntervalSeconds: 3,
    maxPolls: 40,
  },
  'alibaba-ice': {
    vendor: 'alibaba-ice',
    // ICE publishes no QPS limit for its MediaConnect APIs. We assume the lowest per-user limit Alibaba publishes for
    // comparable media control-plane APIs (5/s: CAMS Flow APIs, ARTC channel management, VOD template APIs) instead
    // of the gateway-wide default (~100/s): a throttle (`Throttling.User`) costs retries, under-spending costs
    // nothing. C = 5, T = 1.05 s → ≤ 5 calls in any second (5 % margin, as CAMS). Raise `documentedLimit`/`spendLimit`
    // if Alibaba states one.
    budget: {
      documentedLimit: 5,
      windowSeconds: 1,
      scope: 'account',
      source:
        'vendors/alibaba-ice.md §4: no limit published (GAP); assumed 5 req/s per account, the lowest per-user QPS Alibaba publishes for media control-plane APIs; throttle = 400 Throttling.User',
      spendLimit: 5,
      reservedConcurrency: 5,
      safetyMargin: 0.05,
    },
    // createFlow is one paced call, completeFlow two (read input, add input), grantEntitlements up to 5 (read output
    // names, one add each): 5 × (T + callTimeout) ≈ 45 s, at the λ timeout and under the ASL task timeout (60 s).
    functionTimeoutSeconds: 45,
    callTimeoutMs: 8_000,
    // Status `online` is set synchronously by UpdateMediaConnectFlowStatus; polling only covers surprises.
    pollIntervalSeconds: 2,
    maxPolls: 15,
  },
  'alibaba-cams': {
    vendor: 'alibaba-cams',
    // Every CAMS Flow API page: 5 QPS per account (main account and RAM users share it). C = 5, T = 1.05 s: the 5 %
    // margin (50 ms) absorbs arrival jitter and sustains 95 % of the limit. It was 10 % while invoke-mode bursts
    // churned thousands of λ throttle retries through the local stack (6 arrivals within 982 ms seen under that load);
    // queue mode removed the churn, and the real-time benchmark measures the jitter (docs/benchmarks.md).
    budget: {
      documentedLimit: 5,
      windowSeconds: 1,
      scope: 'account',
      source: 'vendors/alibaba-cams.md §4: 5 QPS per account for every Flow API; throttle = 400 System.LimitControl',
      spendLimit: 5,
      reservedConcurrency: 5,
      safetyMargin: 0.05,
    },
    // createFlow: ListFlow (≤ 3 pages) + CreateFlow + UpdateFlowJSONAsset ≤ 5 paced calls ≈ 45 s worst case.
    functionTimeoutSeconds: 50,
    callTimeoutMs: 8_000,
    pollIntervalSeconds: 1,
    maxPolls: 30,
  },
  'huawei-live': {
    vendor: 'huawei-live',
    // 80 requests per minute per user (and per API) for the StreamConnect group, outputs included as far as
    // documented. The window is a minute, so the rule is C × ceil(60/T) ≤ 80: C = 4, T = 3 s × 1.05 = 3.15 s →
    // 4 × ceil(60/3.15) = 4 × 20 = 80 calls in any 60 s, sustained 76/min (95 %). The 3 s of jitter the margin buys
    // is far more than localhost or a WAN path needs.
    budget: {
      documentedLimit: 80,
      windowSeconds: 60,
      scope: 'user',
      source:
        'vendors/huawei-live.md §4: StreamConnect APIs 80 req/min per user and per API; throttle = APIG.0308 (HTTP 429 assumed)',
      spendLimit: 80,
      reservedConcurrency: 4,
      safetyMargin: 0.05,
    },
    // createFlow looks before it creates: ListFlows pages (100 flows each), the detail of a namesake, the create, and
    // after an "exists" the same look again. With the client's 5-page bound an account of up to 500 flows costs at
    // most 12 paced calls ≈ 38 s of pacing, under the λ timeout and the ASL task timeout (60 s).
    functionTimeoutSeconds: 55,
    callTimeoutMs: 6_000,
    // Every poll spends 1/80 of a minute of budget: poll sparingly.
    pollIntervalSeconds: 3,
    maxPolls: 20,
  },
  'volcengine-live': {
    vendor: 'volcengine-live',
    // Two documented scopes, one λ: 10 req/s per user for the writes (Create/Update/Stop/Restart/Delete) and 15 req/s
    // for ListPullToPushTask(V2). One λ serves both, so it is paced at the stricter 10/s: C = 10, T = 1 s × 1.05 =
    // 1050 ms → 10 × ceil(1000/1050) = 10 calls in any second, sustained 9.5/s (95 %). Ten instances one call a
    // second apart rather than five at two a second: an instance's two calls cannot share a window, so a late arrival
    // has the whole 50 ms margin to land in (with C = 5 and T = 525 ms it would have 25 ms).
    budget: {
      documentedLimit: 10,
      windowSeconds: 1,
      scope: 'user',
      source:
        'vendors/volcengine-live.md §4: 10 req/s per user for pull-to-push writes, 15 req/s for lists (paced at the stricter); throttle = FlowLimitExceeded (HTTP 429 assumed)',
      spendLimit: 10,
      reservedConcurrency: 10,
      safetyMargin: 0.05,
    },
    // createFlow is two paced calls (group, task), four when it adopts (group exists → list groups → list tasks →
    // create task): 4 × (T + callTimeout) ≈ 37 s worst case.
    functionTimeoutSeconds: 45,
    callTimeoutMs: 8_000,
    // A task flips from 未开始 to 生效中 at its StartTime (second precision).
    pollIntervalSeconds: 2,
    maxPolls: 30,
  },
} as const satisfies Partial<Record<VendorId, VendorConfig>>;

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
 * Idempotency of the vendor task's effect steps (DESIGN §5.3, `functions/vendor-task/idempotency.ts`): how long a
 * completed step's result is kept. It must outlast any retry of the step within its execution (an execution lasts at
 * most `PIPELINE.executionTimeoutSeconds`); a redrive of a timed-out or aborted execution later than this re-runs the
 * step, which the vendor-side get-or-create makes safe. DynamoDB deletes expired items by TTL; the store ignores them
 * until then (and dynalite, locally, has no TTL at all).
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
  /** How often a message may be received before SQS moves it to the DLQ (DESIGN §4: ≥ 5). */
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
   * of `evaluationPeriods` minutes. A burst is expected to meet the reserved concurrency (that is the queueing); a vendor
   * budget saturated for most of ten minutes means a backlog that grows faster than the vendor's limit drains it.
   */
  vendorFunctionThrottles: { threshold: 10, datapointsToAlarm: 5, evaluationPeriods: 10 },
  /** The vendor answered its throttle error (`VendorThrottles` > 0) in one period of this length. */
  vendorThrottlesPeriodMinutes: 5,
} as const;

/** Vendor credentials on AWS (one Secrets Manager secret per vendor λ; `functions/shared/vendor-credentials.ts`). */
export const SECRETS = {
  /**
   * How long a λ instance keeps a secret before reading it again: a rotated credential is picked up within this time,
   * and an instance reads its secret at most once per this many seconds.
   */
  cacheSeconds: 300,
} as const;

for (const [vendor, config] of Object.entries(VENDORS)) validateBudget(vendor, config.budget);
