/**
 * The one configuration source (docs/architecture.md, "Configuration"): vendor limits, reserved concurrency, pacing,
 * retry policy and timeouts. CDK, the handlers and the local stack all read this module, so they cannot drift. It is
 * plain data plus the arithmetic that proves each budget stays under its documented limit; it imports nothing from AWS.
 */
import type { VendorDescriptor } from '../vendors/common/descriptor.ts';
import { VENDOR_DESCRIPTORS } from '../vendors/registry.ts';
import { OPERATIONS } from '../vendors/types.ts';
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

/**
 * One documented rate-limit scope and the share of it we spend (docs/adr/0002-pacing.md). A vendor documents one or
 * several: CAMS 5 QPS for each operation, Volcengine 10/s for the writes and 15/s for the lists, AWS a rate per account
 * and Region. Every call a vendor client makes is paced against each scope that covers it.
 */
export interface RateScope {
  /** The scope's name in logs, the pacer and the benchmark (`writes`, `describe`, `account`). */
  readonly name: string;
  /** The operations the scope covers, as the vendor names them; `'*'` covers every call of the vendor. */
  readonly operations: readonly string[] | '*';
  /** The limit applies to each covered operation on its own (CAMS: "for this operation"), not to their sum. */
  readonly eachOperation?: boolean;
  /** The limit applies per Region (AWS: per account *and* Region): a budget per Region the calls go to. */
  readonly perRegion?: boolean;
  /** What the vendor documents, e.g. 5 calls per 1 s, 80 calls per 60 s. */
  readonly documentedLimit: number;
  readonly windowSeconds: number;
  /** Who the limit is counted for, as documented. */
  readonly per: 'account' | 'account-region' | 'user' | 'project';
  /** Where the figure comes from (`docs/vendors/<vendor>.md`, "Limits"), and what is unclear in it. */
  readonly source: string;
  /**
   * How many of the documented calls per window we may spend: the account's budget is shared with anything else using
   * it, so operators can lower this. Never above `documentedLimit`.
   */
  readonly spendLimit: number;
  /** Extra fraction added to the pacing interval to absorb clock and network jitter between us and the vendor. */
  readonly safetyMargin: number;
}

/**
 * A lane (docs/adr/0007-lanes.md): a task queue and the λ that consumes it, serving some of the workflow's steps. Its
 * `reservedConcurrency` instances are the slots of the vendor calls its steps make; each instance paces each scope it
 * calls and holds its slot until every interval it started has passed. A scope's interval counts every slot that may
 * call it (`scopeSlots`), so lanes that share an operation share its budget, and lanes that do not share one each
 * spend their own scopes in full, at once.
 */
export interface VendorLane {
  /** Names its queue and λ; the first lane of a vendor keeps the vendor's own names (`cdk/naming.ts`). */
  readonly name: string;
  /** The workflow steps (`OPERATIONS`) whose work items go to this lane. */
  readonly steps: readonly string[];
  /** Every vendor operation its steps may call, as the vendor names them (`'*'`: any); the pacer refuses others. */
  readonly operations: readonly string[] | '*';
  /** Reserved concurrency of the lane's λ: its slots. */
  readonly reservedConcurrency: number;
}

/** A vendor's budget: its slots, the documented scopes every λ instance paces, and the lanes that hold the slots. */
export interface RateBudget {
  /** Every slot of the vendor: the sum of its lanes' reserved concurrency (the one λ's, without lanes). */
  readonly reservedConcurrency: number;
  readonly scopes: readonly RateScope[];
  /** The vendor's lanes; without any, one lane serves every step and may call every operation. */
  readonly lanes?: readonly VendorLane[];
}

/** The environment variable that tells a vendor λ which of its vendor's lanes it serves (set by CDK). */
export const VENDOR_LANE_ENV = 'VENDOR_LANE';

/** The name of the one lane of a vendor that declares none. */
export const MAIN_LANE = 'main';

/** A budget's lanes: its own, or one lane serving every step with every slot. */
export function vendorLanes(budget: RateBudget): readonly VendorLane[] {
  return (
    budget.lanes ?? [
      { name: MAIN_LANE, steps: OPERATIONS, operations: '*', reservedConcurrency: budget.reservedConcurrency },
    ]
  );
}

/**
 * What a lane adds to its vendor's queue and λ names: nothing for the first lane (a vendor without lanes keeps the
 * names it has always had), `-<lane>` for the others.
 */
export function laneSuffix(budget: RateBudget, lane: string): string {
  const lanes = vendorLanes(budget);
  const index = lanes.findIndex((l) => l.name === lane);
  if (index < 0) throw new Error(`no lane ${lane}`);
  return index === 0 ? '' : `-${lane}`;
}

/** The lane a workflow step's work item goes to. */
export function laneOf(budget: RateBudget, step: string): VendorLane {
  const lane = vendorLanes(budget).find((l) => l.steps.includes(step));
  if (!lane) throw new Error(`no lane serves the step ${step}`);
  return lane;
}

/** Whether a lane may call an operation counted under this scope (`operation`: that one only, if given). */
function laneCalls(lane: VendorLane, scope: RateScope, operation?: string): boolean {
  if (lane.operations === '*') return true;
  return lane.operations.some((op) => scopeCovers(scope, op) && (operation === undefined || op === operation));
}

/**
 * The slots that may call under one scope's key: every lane's reserved concurrency whose operations the scope covers
 * (for a scope counted per operation, that operation). The key's interval is computed for this many instances.
 */
export function scopeSlots(budget: RateBudget, scope: RateScope, operation?: string): number {
  const perOperation = scope.eachOperation ? operation : undefined;
  return vendorLanes(budget)
    .filter((lane) => laneCalls(lane, scope, perOperation))
    .reduce((sum, lane) => sum + lane.reservedConcurrency, 0);
}

/**
 * Every key of a scope with the slots that share it: one for the scope, or one per operation any lane names (plus
 * one for the operations only a `'*'` lane may call) when the limit is counted per operation.
 */
function scopeKeys(budget: RateBudget, scope: RateScope): { operation?: string; slots: number }[] {
  if (!scope.eachOperation) return [{ slots: scopeSlots(budget, scope) }];
  const lanes = vendorLanes(budget);
  const named = new Set(lanes.flatMap((l) => (l.operations === '*' ? [] : l.operations)));
  const keys = [...named].filter((op) => scopeCovers(scope, op)).map((op) => ({ operation: op }));
  const wildcard = lanes.filter((l) => l.operations === '*').reduce((sum, l) => sum + l.reservedConcurrency, 0);
  return [
    ...keys.map((k) => ({ ...k, slots: scopeSlots(budget, scope, k.operation) })),
    ...(wildcard > 0 ? [{ slots: wildcard }] : []),
  ];
}

/**
 * The slots of a key when a λ serves no lane: in invoke mode (docs/adr/0004) one λ per vendor, the first lane's,
 * serves every step, so at most its reserved concurrency calls under any key; the key's lanes' slots are counted too,
 * so the interval is never shorter than in queue mode.
 */
function invokeSlots(budget: RateBudget, scope: RateScope, operation: string): number {
  return Math.max(scopeSlots(budget, scope, operation), vendorLanes(budget)[0]!.reservedConcurrency);
}

/** The most slots any key of the scope is shared by: what its slowest interval is computed for. */
export function scopeMaxSlots(budget: RateBudget, scope: RateScope): number {
  return Math.max(...scopeKeys(budget, scope).map((k) => k.slots));
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
 * Pacing interval `T` of one scope for `C` instances: each instance may start `k = floor(spend / C)` calls of the
 * scope per window, so `T = W / k × (1 + margin)`; then `W / T < k` and `C` instances start at most
 * `C × ceil(W / T) ≤ C × k ≤ spend` calls in any window of `W` seconds (docs/architecture.md, "Pacing"). Infinite when
 * `C` exceeds the spend limit (`validateBudget` refuses that).
 */
export function scopeIntervalMs(scope: RateScope, reservedConcurrency: number): number {
  const perInstance = Math.floor(scope.spendLimit / reservedConcurrency);
  if (perInstance < 1) return Number.POSITIVE_INFINITY;
  return Math.ceil(((scope.windowSeconds * 1000) / perInstance) * (1 + scope.safetyMargin));
}

/** The most calls `C` paced instances can start in any window of the scope's length. */
export function maxCallsPerWindow(scope: RateScope, reservedConcurrency: number): number {
  const intervalMs = scopeIntervalMs(scope, reservedConcurrency);
  return reservedConcurrency * Math.ceil((scope.windowSeconds * 1000) / intervalMs);
}

/** The steady rate one scope sustains, as a fraction of its documented limit. */
export function sustainedShareOfLimit(scope: RateScope, reservedConcurrency: number): number {
  const callsPerSecond = (reservedConcurrency * 1000) / scopeIntervalMs(scope, reservedConcurrency);
  return (callsPerSecond * scope.windowSeconds) / scope.documentedLimit;
}

export function scopeCovers(scope: RateScope, operation: string): boolean {
  return scope.operations === '*' || scope.operations.includes(operation);
}

/** The longest interval of one scope's keys, for the slots that share them. */
function scopeLongestIntervalMs(budget: RateBudget, scope: RateScope): number {
  return scopeIntervalMs(scope, scopeMaxSlots(budget, scope));
}

/**
 * The scope that covers every call and paces slowest: what one λ slot is held for after a call, at most. The
 * bench and the DLQ redrive rate read it; a vendor with no such scope answers its slowest scope.
 */
export function bindingScope(budget: RateBudget): RateScope {
  const slowest = (scopes: readonly RateScope[]) =>
    scopes.reduce((a, b) => (scopeLongestIntervalMs(budget, b) > scopeLongestIntervalMs(budget, a) ? b : a));
  const wide = budget.scopes.filter((s) => s.operations === '*');
  return slowest(wide.length > 0 ? wide : budget.scopes);
}

/** The longest pacing interval of the budget's scopes: the most one call can hold an instance's slot. */
export function pacingIntervalMs(budget: RateBudget): number {
  return Math.max(...budget.scopes.map((s) => scopeLongestIntervalMs(budget, s)));
}

/** One pacer key of a call: the scope (and its operation or Region when the limit is counted per each). */
export interface PaceKey {
  readonly key: string;
  readonly intervalMs: number;
}

/**
 * The pacer keys of one call: one per scope that covers its operation, each with the interval for the slots that
 * share the key. Throws for a call no scope covers, and for a call the lane does not declare (its slots are not
 * counted in that operation's budget, so making it could break the limit).
 */
export function paceKeys(
  budget: RateBudget,
  site: { readonly operation: string; readonly region?: string | undefined },
  scale = 1,
  /** The lane of the calling λ (queue mode); none when one λ serves every step (invoke mode). */
  lane?: string,
): PaceKey[] {
  if (lane !== undefined) {
    const own = vendorLanes(budget).find((l) => l.name === lane);
    if (!own) throw new Error(`no lane ${lane}`);
    if (own.operations !== '*' && !own.operations.includes(site.operation)) {
      throw new Error(`lane ${lane} does not declare the vendor call ${site.operation}: its budget has no room for it`);
    }
  }
  const keys: PaceKey[] = [];
  for (const scope of budget.scopes) {
    if (!scopeCovers(scope, site.operation)) continue;
    let key = scope.name;
    if (scope.eachOperation) key += `:${site.operation}`;
    if (scope.perRegion) key += `@${site.region ?? 'default'}`;
    const slots =
      lane === undefined ? invokeSlots(budget, scope, site.operation) : scopeSlots(budget, scope, site.operation);
    keys.push({ key, intervalMs: Math.round(scopeIntervalMs(scope, slots) * scale) });
  }
  if (keys.length === 0) throw new Error(`no rate scope covers the vendor call ${site.operation}`);
  return keys;
}

/** Throws with every broken rule, so a bad edit fails at synth, start-up and in tests, never at a vendor. */
export function validateBudget(vendor: string, budget: RateBudget): void {
  const problems: string[] = [];
  const c = budget.reservedConcurrency;
  if (!Number.isInteger(c) || c < 1) problems.push('reservedConcurrency must be a positive integer');
  if (budget.scopes.length === 0) problems.push('a budget needs at least one scope');
  problems.push(...laneProblems(budget));
  const names = new Set<string>();
  for (const scope of budget.scopes) {
    const at = `scope ${scope.name}`;
    if (names.has(scope.name)) problems.push(`${at} is listed twice`);
    names.add(scope.name);
    if (scope.operations !== '*' && scope.operations.length === 0) problems.push(`${at} covers no operation`);
    if (scope.spendLimit <= 0 || scope.spendLimit > scope.documentedLimit) {
      problems.push(`${at}: spendLimit must be in (0, ${scope.documentedLimit}]`);
      continue;
    }
    if (scope.safetyMargin < 0) {
      problems.push(`${at}: safetyMargin must be ≥ 0`);
      continue;
    }
    if (problems.length > 0) continue;
    // Per key: the slots of every lane that may call under it, C × ceil(W/T) ≤ L; in invoke mode the first lane's λ
    // serves every step, so its slots count for every key too.
    const first = vendorLanes(budget)[0]?.reservedConcurrency ?? 0;
    for (const { operation, slots: laneSlots } of scopeKeys(budget, scope)) {
      const slots = Math.max(laneSlots, first);
      const key = operation ? `${at} (${operation})` : at;
      if (slots > scope.spendLimit) {
        problems.push(
          `${key}: reservedConcurrency ${slots} exceeds the spend limit ${scope.spendLimit} per ${scope.windowSeconds}s (every lane that may call it counts)`,
        );
      } else if (slots > 0 && maxCallsPerWindow(scope, slots) > scope.spendLimit) {
        problems.push(
          `${key}: C × ceil(W/T) = ${maxCallsPerWindow(scope, slots)} exceeds the spend limit ${scope.spendLimit} per ${scope.windowSeconds}s`,
        );
      }
    }
  }
  if (problems.length > 0) throw new Error(`pacing config for ${vendor} is invalid: ${problems.join('; ')}`);
}

/** Lanes serve every step exactly once, hold every slot, and name themselves once. */
function laneProblems(budget: RateBudget): string[] {
  if (!budget.lanes) return [];
  const problems: string[] = [];
  const lanes = budget.lanes;
  if (lanes.length === 0) problems.push('lanes: give at least one, or none at all');
  const names = new Set<string>();
  for (const lane of lanes) {
    if (names.has(lane.name)) problems.push(`lane ${lane.name} is listed twice`);
    names.add(lane.name);
    if (!/^[a-z][a-z0-9-]{0,15}$/.test(lane.name))
      problems.push(`lane ${lane.name}: name must be [a-z][a-z0-9-]{0,15}`);
    if (!Number.isInteger(lane.reservedConcurrency) || lane.reservedConcurrency < 1) {
      problems.push(`lane ${lane.name}: reservedConcurrency must be a positive integer`);
    }
    if (lane.operations !== '*' && lane.operations.length === 0) problems.push(`lane ${lane.name} calls nothing`);
  }
  for (const step of OPERATIONS) {
    const serving = lanes.filter((l) => l.steps.includes(step)).map((l) => l.name);
    if (serving.length !== 1)
      problems.push(`step ${step} is served by ${serving.length} lanes (${serving.join(', ')})`);
  }
  for (const step of lanes.flatMap((l) => l.steps)) {
    if (!(OPERATIONS as readonly string[]).includes(step)) problems.push(`lanes: ${step} is not a workflow step`);
  }
  const slots = lanes.reduce((sum, l) => sum + l.reservedConcurrency, 0);
  if (slots !== budget.reservedConcurrency) {
    problems.push(`reservedConcurrency ${budget.reservedConcurrency} is not the lanes' sum ${slots}`);
  }
  return problems;
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
 * How long a teardown step waits for a vendor to settle (`TeardownPending`: AWS STOPPING, a Huawei flow stopping, a
 * Volcengine group whose task is still listed): no jitter, since it waits on the vendor, not on a shared limit.
 * 5 + 7.5 + 11.25 + 16.9 + 25.3 + 10 × 30 s ≈ 6 minutes, well past the minute or two a MediaConnect flow takes to
 * leave STOPPING (docs/vendors/aws-mediaconnect.md); each attempt reads the flow first and does only what is left.
 */
export const TEARDOWN_RETRY = {
  errorName: 'TeardownPending',
  intervalSeconds: 5,
  backoffRate: 1.5,
  maxAttempts: 15,
  maxDelaySeconds: 30,
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
  /**
   * Upper bound on one execution: waiting until `startAt` and `deprovisionAt` (at most 30 days ahead,
   * `SCHEDULE_HORIZON_SECONDS` in lifecycle.ts) plus two hours for create + start + polls + grant + teardown with all
   * retries. The ASL's `TimeoutSeconds` is this number (a test keeps them equal).
   */
  executionTimeoutSeconds: 30 * 24 * 3600 + 7200,
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
  /**
   * Queue mode: a lane's oldest work item has waited longer than this for `taskQueueAgeMinutes` consecutive minutes.
   * Each queued step's task timeout (`QUEUED_TASK_TIMEOUT_SECONDS`, 1800 s) counts from when the step put its item on
   * the queue, so an item that waits that long fails its execution with `States.Timeout`. Half of it warns while the
   * backlog can still be drained (fewer arrivals, or more budget), and a burst the lane drains in minutes stays below.
   */
  taskQueueOldestItemAgeSeconds: 900,
  taskQueueAgeMinutes: 3,
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
