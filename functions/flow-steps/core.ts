/**
 * The vendor task: one workflow step, one vendor call. The workflow passes `{ operation, request, flowId?,
 * executionName }`; the core re-validates the request (the dispatcher did already, but a task must not trust its
 * input), calls the client and returns what the ASL's Choice states read. Errors propagate unchanged: their names are
 * the ASL's `ErrorEquals`.
 */
import { z } from 'zod';
import { vendorConfig } from '../domain/config.ts';
import { formatIssues, parseRequest, VENDOR_IDS, type VendorId } from '../domain/contract.ts';
import { InvalidRequestError } from '../domain/errors.ts';
import { deprovisionRequest } from '../domain/lifecycle.ts';
import {
  type CreatedFlow,
  type FlowStatus,
  type GrantedEntitlement,
  OPERATIONS,
  type TeardownResult,
  type TeardownTarget,
  teardownTargetOf,
  type VendorClient,
} from '../vendors/types.ts';

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
});
export type VendorTaskEvent = z.input<typeof vendorTaskEvent>;

/** What a status-returning step hands the workflow: the state plus how to poll (from the one config module). */
export interface StatusResult extends FlowStatus {
  readonly pollAfterSeconds: number;
  readonly maxPolls: number;
}

export type VendorTaskResult =
  | CreatedFlow
  | StatusResult
  | { readonly flowId: string; readonly entitlements: GrantedEntitlement[] }
  | { readonly flowId: string; readonly deleted: true }
  | (TeardownResult & { readonly alreadyGone: boolean });

export async function runVendorTask(
  vendor: VendorId,
  client: VendorClient,
  rawEvent: unknown,
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
  if (operation === 'createFlow') return client.createFlow(request);
  if (!flowId) throw new InvalidRequestError([`flowId: required for ${operation}`]);

  const config = vendorConfig(vendor);
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
