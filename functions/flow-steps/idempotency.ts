/**
 * Exactly-once effects of the vendor task (docs/architecture.md, "Exactly-once effects"): a task retried after its
 * vendor call succeeded returns the stored result instead of calling the vendor again. Powertools idempotency over
 * DynamoDB, around the plain core.
 *
 * The key is `(requestId, executionName, operation, flowId)`:
 * - **Only effect steps are keyed** — createFlow, completeFlow, startFlow, grantEntitlements, stopFlow, deleteFlow. describeFlow is a
 *   read: it has no effect to protect, and its answer must change from poll to poll (a cached STARTING would freeze
 *   the wait loop until the record expired).
 * - **The execution name is part of the key**, so a record serves the retries of one step of one execution (Step
 *   Functions Retry, a λ that died after its call, a redrive of a timed-out execution, which keeps its name). A new
 *   attempt (ADR 0003: `requestId--a2` after a FAILED execution) re-runs every step for real: the vendor may have
 *   changed since (a rollback deleted the flow, someone stopped it), so stored answers of the failed attempt would be
 *   stale. What the new attempt finds at the vendor is adopted by get-or-create and the desired-state steps.
 * - `flowId` keeps steps on different flows apart (defensive: within one execution there is one flow).
 *
 * Errors are never stored: Powertools deletes the in-progress record when the step throws, so a retry calls the
 * vendor again. A retry that finds the record still in progress (the first invocation died before its lock expired)
 * fails with `StepInProgress`, which the ASL retries. The in-progress lock expires with the invocation's remaining
 * time, which is why the λ context is registered on every invocation.
 */
import {
  IdempotencyConfig,
  IdempotencyInconsistentStateError,
  IdempotencyPersistenceLayerError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { IDEMPOTENCY } from '../domain/config.ts';
import type { VendorId } from '../domain/contract.ts';
import { StepInProgressError, StepStoreUnavailableError } from '../domain/errors.ts';
import type { Operation, VendorClient } from '../vendors/types.ts';
import { runVendorTask, type VendorTaskResult } from './core.ts';
import { DynamoDbFlowLedger, type FlowLedger } from './flow-ledger.ts';

/** The steps whose vendor call has an effect, and so are made idempotent. */
export const IDEMPOTENT_OPERATIONS: ReadonlySet<Operation> = new Set<Operation>([
  'createFlow',
  'completeFlow',
  'startFlow',
  'grantEntitlements',
  'stopFlow',
  'deleteFlow',
]);

/** The environment variable naming the idempotency table (set by the CDK stack on every vendor λ). */
export const IDEMPOTENCY_TABLE_ENV = IDEMPOTENCY.tableNameEnv;

export interface IdempotencyDeps {
  /**
   * The persistence layer of this λ instance. One per instance: Powertools configures it per call (key prefix,
   * expiry), so instances must not share one.
   */
  readonly persistenceStore: BasePersistenceLayer;
  /** @default IDEMPOTENCY.expiresAfterSeconds */
  readonly expiresAfterSeconds?: number;
  /** The flows each request created, for clients that adopt by id (`./flow-ledger.ts`); on the same table. */
  readonly ledger?: FlowLedger;
}

/** What identifies one effect step; hashed into the record key. */
export interface StepKey {
  readonly requestId: string;
  readonly executionName: string;
  readonly operation: Operation;
  readonly flowId: string | null;
}

/** The key of an event, or `undefined` when the step is a read or the event cannot be keyed (it then runs as is). */
export function stepKeyOf(event: unknown): StepKey | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const { operation, executionName, flowId, request } = event as Record<string, unknown>;
  const requestId = (request as { requestId?: unknown } | null | undefined)?.requestId;
  if (typeof operation !== 'string' || !IDEMPOTENT_OPERATIONS.has(operation as Operation)) return undefined;
  // Without an execution name the caller is not our workflow (an operator's test invoke): nothing to scope a record
  // by, so the step runs unprotected rather than sharing a record with an unrelated call.
  if (typeof executionName !== 'string' || executionName === '') return undefined;
  if (typeof requestId !== 'string' || requestId === '') return undefined;
  return {
    requestId,
    executionName,
    operation: operation as Operation,
    flowId: typeof flowId === 'string' && flowId !== '' ? flowId : null,
  };
}

/** Runs one vendor task, effect steps through the idempotency store when one is configured. */
export type VendorTaskRunner = (event: unknown, context?: Context) => Promise<VendorTaskResult>;

export function createVendorTaskRunner(params: {
  readonly vendor: VendorId;
  readonly client: VendorClient;
  readonly idempotency?: IdempotencyDeps;
}): VendorTaskRunner {
  const { vendor, client, idempotency } = params;
  if (!idempotency) return (event) => runVendorTask(vendor, client, event);

  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: idempotency.expiresAfterSeconds ?? IDEMPOTENCY.expiresAfterSeconds,
  });
  const protectedStep = makeIdempotent(
    async (payload: { key: StepKey; event: unknown }): Promise<VendorTaskResult> =>
      // Stored as JSON: DynamoDB marshalling refuses `undefined` members, and the workflow only ever sees JSON.
      JSON.parse(
        JSON.stringify(await runVendorTask(vendor, client, payload.event, idempotency.ledger)),
      ) as VendorTaskResult,
    {
      persistenceStore: idempotency.persistenceStore,
      config,
      // One prefix per vendor λ, independent of the deployed function name (the local stack runs all in one process).
      keyPrefix: `flow-provisioner-${vendor}`,
    },
  );

  return async (event, context) => {
    const key = stepKeyOf(event);
    if (!key) return runVendorTask(vendor, client, event, idempotency?.ledger);
    // The in-progress lock expires with this invocation's remaining time: a retry after a crash can then run.
    if (context) config.registerLambdaContext(context);
    try {
      return await protectedStep({ key, event });
    } catch (error) {
      throw toStepError(error);
    }
  };
}

/** Powertools' own errors in the taxonomy's terms; everything else (the vendor's verdict) passes unchanged. */
function toStepError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  if (error.name === 'IdempotencyAlreadyInProgressError') {
    return new StepInProgressError(
      'this step is already running in another invocation (an earlier one may have died holding its lock); retry after the lock expires',
      { cause: error },
    );
  }
  if (error instanceof IdempotencyPersistenceLayerError || error instanceof IdempotencyInconsistentStateError) {
    const cause = (error.cause as Error | undefined)?.name ?? error.name;
    return new StepStoreUnavailableError(`the idempotency store could not be used (${cause})`, { cause: error });
  }
  return error;
}

/**
 * The persistence layer as the vendor λ builds it at cold start: the table named by `IDEMPOTENCY_TABLE_NAME`, failing
 * fast when it is not set (the stack always sets it).
 */
export function idempotencyFromEnv(env: NodeJS.ProcessEnv, client?: DynamoDBClient): IdempotencyDeps {
  const tableName = env[IDEMPOTENCY_TABLE_ENV]?.trim();
  if (!tableName) throw new Error(`missing idempotency table: set ${IDEMPOTENCY_TABLE_ENV}`);
  return { persistenceStore: dynamoDbStore(tableName, client), ledger: new DynamoDbFlowLedger(tableName, client) };
}

/** A DynamoDB persistence layer on the table (the local stack passes a client for dynalite). */
export function dynamoDbStore(tableName: string, client?: DynamoDBClient): BasePersistenceLayer {
  return new DynamoDBPersistenceLayer({
    tableName,
    keyAttr: IDEMPOTENCY.keyAttribute,
    expiryAttr: IDEMPOTENCY.expiryAttribute,
    ...(client ? { awsSdkV3Client: client } : {}),
  });
}
