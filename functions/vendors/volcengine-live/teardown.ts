/**
 * The teardown path (docs/vendors/volcengine-live.md, "Teardown"): StopPullToPushTask → DeletePullToPushTask →
 * DeletePullToPushGroup, after the identity check of `../common/teardown-identity.ts`.
 */
import { TeardownPendingError, VendorConflictError, VendorRejectedError } from '../../domain/errors.ts';
import { refuseUnlessOurs, requestIdIdentity } from '../common/teardown-identity.ts';
import type { TeardownResult, TeardownTarget } from '../types.ts';
import { REQUEST_ID_TAG } from '../types.ts';
import { ignoreNotFound, isResourceNotFound } from './errors.ts';
import { findGroup, GROUP_PAGE_SIZE, type LookupCalls } from './lookup.ts';
import { parseVolcengineFlowId, TASK_STATUS } from './tasks.ts';

const VENDOR = 'volcengine-live';

/** The client's calls the teardown makes: one paced vendor call each, errors mapped to the taxonomy. */
export interface TeardownCalls extends LookupCalls {
  /** Every task of a group (ListPullToPushTaskV2, paged to the end). */
  listTasks(
    region: string,
    groupName: string,
  ): Promise<ReadonlyArray<{ readonly TaskId: string; readonly Status: string }>>;
  /** StopPullToPushTask. */
  stopTask(region: string, groupName: string, taskId: string): Promise<unknown>;
  /** DeletePullToPushTask. */
  deleteTask(region: string, groupName: string, taskId: string): Promise<unknown>;
  /** DeletePullToPushGroup. */
  deleteGroup(region: string, groupName: string): Promise<unknown>;
}

/**
 * StopPullToPushTask → DeletePullToPushTask → DeletePullToPushGroup. Volcengine refuses to delete a group that still
 * holds tasks, so the group goes only once none is listed; a task or group already gone is skipped. The group is
 * read first (ListPullToPushGroup, the only call that answers its tags): a group no longer listed is gone, one
 * without our request-identity tag is refused (`VendorConflict`) before anything changes.
 */
export async function teardownFlow(
  calls: TeardownCalls,
  target: TeardownTarget,
  flowId: string,
  maxGroupPages: number,
): Promise<TeardownResult> {
  const req = { region: target.region };
  const { groupName, taskId } = parseVolcengineFlowId(flowId);
  const listed = await findGroup(calls, req.region, groupName, maxGroupPages);
  if (!listed.group) {
    if (listed.complete) return { flowId, outcome: 'ALREADY_GONE', vendorStatus: 'not listed' };
    throw new VendorConflictError(
      `volcengine-live: more than ${maxGroupPages * GROUP_PAGE_SIZE} groups; group ${groupName} is not among those read, so whether it is ours cannot be told and nothing was torn down`,
      { vendor: VENDOR, operation: 'ListPullToPushGroup' },
    );
  }
  const owners = (listed.group.Tags ?? []).flatMap((tag) =>
    tag.Key === REQUEST_ID_TAG && tag.Value ? [tag.Value] : [],
  );
  refuseUnlessOurs(target, flowId, requestIdIdentity(owners, `tag ${REQUEST_ID_TAG}`), {
    vendor: VENDOR,
    operation: 'ListPullToPushGroup',
  });
  let tasks: ReadonlyArray<{ readonly TaskId: string; readonly Status: string }>;
  try {
    tasks = await calls.listTasks(req.region, groupName);
  } catch (error) {
    if (isResourceNotFound(error)) return { flowId, outcome: 'ALREADY_GONE', vendorStatus: 'ResourceNotFound' };
    throw error;
  }
  const task = tasks.find((t) => t.TaskId === taskId);
  if (task) {
    if (task.Status === TASK_STATUS.notStarted || task.Status === TASK_STATUS.active) {
      try {
        await calls.stopTask(req.region, groupName, taskId);
      } catch (error) {
        // Refused because it stopped or ended since the list (a lost answer): the delete below is what counts.
        if (!(error instanceof VendorRejectedError)) throw error;
      }
    }
    await ignoreNotFound(calls.deleteTask(req.region, groupName, taskId));
  }
  const left = task ? await calls.listTasks(req.region, groupName) : tasks;
  if (left.length > 0) {
    throw new TeardownPendingError(`volcengine-live: group ${groupName} still lists ${left.length} task(s)`, {
      vendor: VENDOR,
      operation: 'ListPullToPushTask',
    });
  }
  try {
    await calls.deleteGroup(req.region, groupName);
  } catch (error) {
    if (!isResourceNotFound(error)) throw error;
    if (!task) return { flowId, outcome: 'ALREADY_GONE', vendorStatus: 'ResourceNotFound' };
  }
  return { flowId, outcome: 'DELETED', vendorStatus: task?.Status ?? 'group deleted' };
}
