/**
 * The teardown path (docs/vendors/aws-mediaconnect.md, "Teardown"): StopFlow → STANDBY → DeleteFlow, one step of it
 * per call, after the identity check of `../common/teardown-identity.ts`.
 */
import { TeardownPendingError } from '../../domain/errors.ts';
import { refuseUnlessOurs, requestIdIdentity } from '../common/teardown-identity.ts';
import type { TeardownResult, TeardownTarget } from '../types.ts';
import { REQUEST_ID_TAG } from '../types.ts';
import { isNotFound } from './errors.ts';
import type { LookupCalls } from './lookup.ts';

const VENDOR = 'aws-mediaconnect';

/** The client's calls the teardown makes: one paced vendor call each (two for a desired-state stop or delete). */
export interface TeardownCalls extends Pick<LookupCalls, 'tagsOf'> {
  /** DescribeFlow: the flow's status. */
  readFlow(region: string, flowId: string): Promise<{ readonly Status: string }>;
  /** StopFlow, desired-state (`AwsMediaConnectClient.stopFlow`). */
  stopFlow(region: string, flowId: string): Promise<unknown>;
  /** DeleteFlow, desired-state (`AwsMediaConnectClient.deleteFlow`). */
  deleteFlow(region: string, flowId: string): Promise<void>;
}

/**
 * StopFlow → STANDBY → DeleteFlow, one step of it per call. MediaConnect deletes only a STANDBY flow and STOPPING
 * takes time (docs/vendors/aws-mediaconnect.md, "Teardown"), so a flow still stopping or updating raises
 * `TeardownPending` and the workflow comes back. DescribeFlow answers no tags, so before it stops, deletes or
 * answers for a flow, teardown reads the request-id tag (ListTagsForResource) and refuses a flow not ours
 * (`VendorConflict`); a poll that only waits changes nothing and reads no tags.
 */
export async function teardownFlow(
  calls: TeardownCalls,
  target: TeardownTarget,
  flowId: string,
): Promise<TeardownResult> {
  let flow: { readonly Status: string };
  try {
    flow = await calls.readFlow(target.region, flowId);
  } catch (error) {
    if (isNotFound(error)) return { flowId, outcome: 'ALREADY_GONE', vendorStatus: 'NotFoundException' };
    throw error;
  }
  const pending = (status: string) =>
    new TeardownPendingError(`MediaConnect: flow ${flowId} is ${status}; it is deleted once STANDBY`, {
      vendor: VENDOR,
      operation: 'DescribeFlow',
    });
  if (flow.Status === 'STOPPING' || flow.Status === 'UPDATING') throw pending(flow.Status);
  let tags: Record<string, string>;
  try {
    tags = await calls.tagsOf(target.region, flowId);
  } catch (error) {
    if (isNotFound(error)) return { flowId, outcome: 'ALREADY_GONE', vendorStatus: 'NotFoundException' };
    throw error;
  }
  const owner = tags[REQUEST_ID_TAG];
  refuseUnlessOurs(target, flowId, requestIdIdentity(owner ? [owner] : [], `tag ${REQUEST_ID_TAG}`), {
    vendor: VENDOR,
    operation: 'ListTagsForResource',
  });
  switch (flow.Status) {
    case 'DELETING':
      return { flowId, outcome: 'DELETED', vendorStatus: 'DELETING' };
    case 'STARTING':
    case 'ACTIVE':
      await calls.stopFlow(target.region, flowId);
      throw pending('STOPPING');
    default:
      await calls.deleteFlow(target.region, flowId);
      return { flowId, outcome: 'DELETED', vendorStatus: 'DELETING' };
  }
}
