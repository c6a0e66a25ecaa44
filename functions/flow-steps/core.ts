/**
 * The vendor task: one workflow step, one vendor call. The workflow passes `{ operation, request, flowId?,
 * executionName }`; the core re-validates the request (the dispatcher did already, but a task must not trust its
 * input), calls the client and returns what the ASL's Choice states read. Errors propagate unchanged: their names are
 * the ASL's `ErrorEquals`.
 */
import { z } from 'zod';
import { vendorConfig } from '../domain/config.ts';
import { formatIssues, type ProvisionRequest, parseRequest, VENDOR_IDS, type VendorId } from '../domain/contract.ts';
import { InvalidRequestError, StepStoreUnavailableError } from '../domain/errors.ts';
import { type FlowConnection, flowConnection } from '../domain/flow-event.ts';
import { deprovisionRequest } from '../domain/lifecycle.ts';
import { logger } from '../domain/observability.ts';
import {
  type CreatedFlow,
  type CreateOptions,
  type FlowStatus,
  type GrantedEntitlement,
  OPERATIONS,
  type TeardownResult,
  type TeardownTarget,
  teardownTargetOf,
  type VendorClient,
} from '../vendors/types.ts';
import type { FlowLedger } from './flow-ledger.ts';

/** Where a deprovision's flow lives, as the dispatcher resolved it (a deprovision request has no vendor options). */
export const teardownTarget = z.strictObject({
  vendor: z.enum(VENDOR_IDS),
  requestId: z.string().min(1).optional(),
  region: z.string().min(1),
  custSpaceId: z.string().min(1).optional(),
});

export const vendorTaskEvent = z.object({
  operation: z.enum(OPERATIONS),
  request: z.unknown(),
  flowId: z.string().min(1).optional(),
  executionName: z.string().optional(),
  /** Only with `teardownFlow` for a deprovision request. */
  target: teardownTarget.optional(),
  /** `$$.State.RetryCount`: how often Step Functions retried this step before this attempt. */
  retryCount: z.number().int().nonnegative().optional(),
  /** `$$.Execution.RedriveCount`: how often the execution was redriven. */
  redriveCount: z.number().int().nonnegative().optional(),
  /** SQS `ApproximateReceiveCount` of the work item (queue mode): above 1 when it was delivered before. */
  receiveCount: z.number().int().positive().optional(),
  /** `$.flow.adopted`: the flow was found rather than created by this execution (steps that add to the flow). */
  adopted: z.boolean().optional(),
});
export type VendorTaskEvent = z.input<typeof vendorTaskEvent>;

/** What a status-returning step hands the workflow: the state plus how to poll (from the one config module). */
export interface StatusResult extends FlowStatus {
  /** Where to connect, when the read answered it (`ReadFlowStatus`). */
  readonly connection?: FlowConnection;
  readonly pollAfterSeconds: number;
  readonly maxPolls: number;
}

export type VendorTaskResult =
  | (CreatedFlow & { readonly pollAfterSeconds: number; readonly maxPolls: number })
  | CreatedFlow
  | StatusResult
  | {
      readonly flowId: string;
      readonly entitlements: GrantedEntitlement[];
      /** The outputs part of the flow's connection, merged over the create's by the workflow (`States.JsonMerge`). */
      readonly connection: { readonly outputs: NonNullable<GrantedEntitlement['output']>[] };
    }
  | { readonly flowId: string; readonly completed: true; readonly connection?: FlowConnection }
  | { readonly flowId: string; readonly deleted: true }
  | (TeardownResult & { readonly alreadyGone: boolean })
  | FlowConnection;

/**
 * Whether no earlier try of this request can have created its flow, so a create need not look for one to adopt: the
 * step's first attempt (no retry) of the execution's first run (no redrive) of the request's first execution (no
 * `--a<N>` suffix, `functions/domain/execution-name.ts`), from a work item delivered once. Every signal must be
 * present: a caller that does not say is answered false, which costs a lookup, never a duplicate.
 */
export function isFirstTry(event: z.infer<typeof vendorTaskEvent>): boolean {
  const { executionName, retryCount, redriveCount, receiveCount } = event;
  if (executionName === undefined || retryCount === undefined || redriveCount === undefined) return false;
  if (/--a\d+$/.test(executionName)) return false;
  return retryCount === 0 && redriveCount === 0 && (receiveCount ?? 1) === 1;
}

/**
 * Whether this is the step's first attempt in the execution's first run, from a work item delivered once: then an
 * effect the step finds already done was not its own. Every signal must be present; a caller that does not say is
 * answered false.
 */
export function isFirstTryOfStep(event: z.infer<typeof vendorTaskEvent>): boolean {
  const { retryCount, redriveCount, receiveCount } = event;
  if (retryCount === undefined || redriveCount === undefined) return false;
  return retryCount === 0 && redriveCount === 0 && (receiveCount ?? 1) === 1;
}

/** A step that adds to the flow, on its first try on a flow this execution created: nothing it adds can exist yet. */
function isFirstAddition(event: z.infer<typeof vendorTaskEvent>): boolean {
  return isFirstTryOfStep(event) && event.adopted === false;
}

export async function runVendorTask(
  vendor: VendorId,
  client: VendorClient,
  rawEvent: unknown,
  ledger?: FlowLedger,
): Promise<VendorTaskResult> {
  const event = vendorTaskEvent.safeParse(rawEvent);
  if (!event.success) {
    throw new InvalidRequestError(event.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`));
  }
  if (event.data.operation === 'teardownFlow' && event.data.target) {
    return deprovisionTeardown(vendor, client, event.data.request, event.data.target, event.data.flowId);
  }
  const parsed = parseRequest(event.data.request);
  if (!parsed.ok) throw new InvalidRequestError(parsed.issues);
  const request = parsed.request;
  if (request.vendor !== vendor) {
    throw new InvalidRequestError([`vendor: this task serves ${vendor}, the request is for ${request.vendor}`]);
  }
  const { operation, flowId } = event.data;
  const config = vendorConfig(vendor);
  if (operation === 'createFlow') {
    // The poll settings ride along, so the workflow can go on from the create's own answer without a read.
    const created = await createOrAdopt(vendor, client, request, { firstTry: isFirstTry(event.data) }, ledger);
    return { ...created, pollAfterSeconds: config.pollIntervalSeconds, maxPolls: config.maxPolls };
  }
  if (!flowId) throw new InvalidRequestError([`flowId: required for ${operation}`]);

  const withPolling = (status: FlowStatus): StatusResult => ({
    flowId: status.flowId,
    state: status.state,
    vendorStatus: status.vendorStatus,
    pollAfterSeconds: config.pollIntervalSeconds,
    maxPolls: config.maxPolls,
  });
  switch (operation) {
    case 'completeFlow':
      if (!client.completeFlow) {
        throw new InvalidRequestError([
          `operation: ${vendor} creates its flows in one step; there is nothing to complete`,
        ]);
      }
      {
        const connection = await client.completeFlow(request, flowId, { firstTry: isFirstAddition(event.data) });
        return connection ? { flowId, completed: true, connection } : { flowId, completed: true };
      }
    case 'startFlow':
      return withPolling(await client.startFlow(request, flowId, { firstTry: isFirstTryOfStep(event.data) }));
    case 'describeFlow': {
      const status = await client.describeFlow(request, flowId);
      // Parsed on the way out, as describeConnection's: the workflow takes it as the event's connection.
      const connection = status.connection ? flowConnection.parse(status.connection) : undefined;
      return connection ? { ...withPolling(status), connection } : withPolling(status);
    }
    case 'stopFlow':
      return withPolling(await client.stopFlow(request, flowId));
    case 'grantEntitlements': {
      const entitlements = await client.grantEntitlements(request, flowId, { firstTry: isFirstAddition(event.data) });
      const outputs = entitlements.map((e) => e.output ?? { name: e.name });
      return { flowId, entitlements, connection: { outputs } };
    }
    case 'describeConnection':
      // Parsed on the way out: a client must never hand the workflow (and so an event) a shape the contract refuses.
      return flowConnection.parse(await client.describeConnection(request, flowId));
    case 'deleteFlow':
      await client.deleteFlow(request, flowId);
      return { flowId, deleted: true };
    case 'teardownFlow': {
      const result = await client.teardownFlow(teardownTargetOf(request), flowId);
      return { ...result, alreadyGone: result.outcome === 'ALREADY_GONE' };
    }
  }
}

/** A deprovision request's teardown: the request is the deprovision message, the target what the dispatcher found. */
async function deprovisionTeardown(
  vendor: VendorId,
  client: VendorClient,
  rawRequest: unknown,
  target: TeardownTarget,
  flowId: string | undefined,
): Promise<VendorTaskResult> {
  const request = deprovisionRequest.safeParse(rawRequest);
  if (!request.success) throw new InvalidRequestError(formatIssues(request.error));
  if (request.data.vendor !== vendor || target.vendor !== vendor) {
    throw new InvalidRequestError([
      `vendor: this task serves ${vendor}, the deprovision is for ${request.data.vendor}`,
    ]);
  }
  if (!flowId) throw new InvalidRequestError(['flowId: required for teardownFlow']);
  const result = await client.teardownFlow(target, flowId);
  return { ...result, alreadyGone: result.outcome === 'ALREADY_GONE' };
}

/**
 * Create, or adopt by id the flow an earlier attempt of this request recorded, for a client whose vendor cannot find
 * a flow by the request's identity (`adoptFlow`, `./flow-ledger.ts`). Other clients create (get-or-create) as they are.
 */
async function createOrAdopt(
  vendor: VendorId,
  client: VendorClient,
  request: ProvisionRequest,
  options: CreateOptions,
  ledger: FlowLedger | undefined,
): Promise<CreatedFlow> {
  if (!ledger || !client.adoptFlow) return client.createFlow(request, options);
  const known = await ledger.recall(vendor, request.requestId).catch((error: unknown) => {
    throw new StepStoreUnavailableError('the flow ledger could not be read', { cause: error });
  });
  if (known !== undefined) {
    const adopted = await client.adoptFlow(request, known);
    if (adopted) return adopted;
  }
  const created = await client.createFlow(request, options);
  // Best effort: the flow exists now, and failing the step would make its retry meet "name taken".
  await ledger.remember(vendor, request.requestId, created.flowId).catch((error: unknown) => {
    logger.warn('the flow ledger could not record the flow; a new attempt of this request cannot adopt it', {
      flowId: created.flowId,
      error: (error as Error).name,
    });
  });
  return created;
}
