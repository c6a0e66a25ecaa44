/**
 * The vendor task: one workflow step, one vendor call. The workflow passes `{ operation, request, flowId?,
 * executionName }`; the core re-validates the request (the dispatcher did already, but a task must not trust its
 * input), calls the client and returns what the ASL's Choice states read. Errors propagate unchanged: their names are
 * the ASL's `ErrorEquals`.
 */
import { z } from 'zod';
import { vendorConfig } from '../domain/config.ts';
import { parseRequest, type VendorId } from '../domain/contract.ts';
import { InvalidRequestError } from '../domain/errors.ts';
import {
  type CreatedFlow,
  type FlowStatus,
  type GrantedEntitlement,
  OPERATIONS,
  type VendorClient,
} from '../vendors/types.ts';

export const vendorTaskEvent = z.object({
  operation: z.enum(OPERATIONS),
  request: z.unknown(),
  flowId: z.string().min(1).optional(),
  executionName: z.string().optional(),
  /** `$$.State.RetryCount`: how often Step Functions retried this step before this attempt. */
  retryCount: z.number().int().nonnegative().optional(),
  /** `$$.Execution.RedriveCount`: how often the execution was redriven. */
  redriveCount: z.number().int().nonnegative().optional(),
  /** SQS `ApproximateReceiveCount` of the work item (queue mode): above 1 when it was delivered before. */
  receiveCount: z.number().int().positive().optional(),
});
export type VendorTaskEvent = z.input<typeof vendorTaskEvent>;

/** What a status-returning step hands the workflow: the state plus how to poll (from the one config module). */
export interface StatusResult extends FlowStatus {
  readonly pollAfterSeconds: number;
  readonly maxPolls: number;
}

export type VendorTaskResult =
  | (CreatedFlow & { readonly pollAfterSeconds: number; readonly maxPolls: number })
  | CreatedFlow
  | StatusResult
  | { readonly flowId: string; readonly entitlements: GrantedEntitlement[] }
  | { readonly flowId: string; readonly deleted: true };

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

export async function runVendorTask(
  vendor: VendorId,
  client: VendorClient,
  rawEvent: unknown,
): Promise<VendorTaskResult> {
  const event = vendorTaskEvent.safeParse(rawEvent);
  if (!event.success) {
    throw new InvalidRequestError(event.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`));
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
    const created = await client.createFlow(request, { firstTry: isFirstTry(event.data) });
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
    case 'startFlow':
      return withPolling(await client.startFlow(request, flowId));
    case 'describeFlow':
      return withPolling(await client.describeFlow(request, flowId));
    case 'stopFlow':
      return withPolling(await client.stopFlow(request, flowId));
    case 'grantEntitlements':
      return { flowId, entitlements: await client.grantEntitlements(request, flowId) };
    case 'deleteFlow':
      await client.deleteFlow(request, flowId);
      return { flowId, deleted: true };
  }
}
