/**
 * The teardown path (docs/vendors/huawei-live.md, "Teardown"): ModifyFlowStop → DeleteFlow, one step of it per call,
 * after the identity check of `../common/teardown-identity.ts`.
 */
import { TeardownPendingError } from '../../domain/errors.ts';
import { refuseUnlessOurs, requestIdIdentity } from '../common/teardown-identity.ts';
import type { TeardownResult, TeardownTarget } from '../types.ts';
import { REQUEST_ID_TAG } from '../types.ts';
import { isFlowNotFound, isStateConflict } from './errors.ts';
import { type FlowDetail, huaweiFlowStatus, huaweiMarkedRequestIds } from './flows.ts';
import type { LookupCalls } from './lookup.ts';

const VENDOR = 'huawei-live';

/** The client's calls the teardown makes: one paced vendor call each (two for a desired-state stop). */
export interface TeardownCalls extends Pick<LookupCalls, 'detail'> {
  /** ModifyFlowStop, desired-state (`HuaweiLiveClient.stopFlow`). */
  stopFlow(region: string, flowId: string): Promise<unknown>;
  /** DeleteFlow as Huawei answers it: a 404 is the caller's to read. */
  deleteFlow(region: string, flowId: string): Promise<unknown>;
}

/**
 * ModifyFlowStop → DeleteFlow, one step of it per call. "Not found" is a 404 carrying a Live code; a gateway 404
 * (`APIG.0101`: the API does not exist) is a real failure, never "gone". Huawei refuses to delete a started flow with
 * `LIVE.103011022` (docs/vendors/huawei-live.md), and a started flow can read STANDBY until it runs, so that answer
 * stops the flow and raises `TeardownPending`: the next call finds it stopped and deletes it. The detail read also
 * shows the sources' identity markers (`huaweiIdentityMarker`): a flow without ours is refused (`VendorConflict`)
 * before anything changes.
 */
export async function teardownFlow(
  calls: TeardownCalls,
  target: TeardownTarget,
  flowId: string,
): Promise<TeardownResult> {
  const req = { region: target.region };
  const gone: TeardownResult = { flowId, outcome: 'ALREADY_GONE', vendorStatus: 'not found' };
  const pending = (why: string) =>
    new TeardownPendingError(`huawei-live: flow ${flowId} ${why}`, { vendor: VENDOR, operation: 'DeleteFlow' });
  let detail: FlowDetail;
  try {
    detail = await calls.detail(req.region, flowId);
  } catch (error) {
    if (isFlowNotFound(error)) return gone;
    throw error;
  }
  const identity = requestIdIdentity(huaweiMarkedRequestIds(detail), `source marker ${REQUEST_ID_TAG}`);
  refuseUnlessOurs(target, flowId, identity, { vendor: VENDOR, operation: 'ShowFlowDetail' });
  const status = huaweiFlowStatus(detail);
  if (status.state === 'ACTIVE' || status.state === 'STARTING') {
    await calls.stopFlow(req.region, flowId);
    throw pending(`was ${status.vendorStatus}; stopped, deleted once it has settled`);
  }
  try {
    await calls.deleteFlow(req.region, flowId);
    return { flowId, outcome: 'DELETED', vendorStatus: status.vendorStatus };
  } catch (error) {
    if (isFlowNotFound(error)) return gone;
    if (!isStateConflict(error)) throw error;
    await calls.stopFlow(req.region, flowId);
    throw pending('is started (LIVE.103011022); stopped, deleted once it has settled');
  }
}
