/**
 * Get-or-create's lookup (docs/architecture.md, "Exactly-once effects"): the flow name carries the request identity
 * and every source description carries `[flow-provisioner:request-id=<id>]` (`./flows.ts`). Whether Huawei refuses a
 * duplicate flow name is not documented for flows (docs/vendors/huawei-live.md, "Identity and adoption"), so create
 * never relies on it and looks first.
 */
import type { HuaweiLiveRequest } from '../../domain/contract.ts';
import { VendorConflictError, type VendorErrorDetails } from '../../domain/errors.ts';
import { type FlowDetail, huaweiIdentityMarker } from './flows.ts';

const VENDOR = 'huawei-live';
/** ListFlows pages at most 100 flows. */
export const LIST_PAGE_SIZE = 100;

/** The client's calls the lookup makes: one paced vendor call each, errors mapped to the taxonomy. */
export interface LookupCalls {
  /** One ListFlows page of `LIST_PAGE_SIZE` flows from `offset`. */
  listFlows(
    region: string,
    offset: number,
  ): Promise<{
    readonly total?: number | undefined;
    readonly flows: ReadonlyArray<{ readonly flow_id: string; readonly name: string }>;
  }>;
  /** ShowFlowDetail. */
  detail(region: string, flowId: string): Promise<FlowDetail>;
}

/**
 * Our flow, if one exists: ListFlows paged to the end (at most `maxListPages` pages), the flow named ours read in
 * full, and kept only when its sources carry our marker. A namesake without it is someone else's: `VendorConflict`,
 * never a second flow. `cause` is the create's answer when it said the flow exists.
 */
export async function findOwnFlow(
  calls: LookupCalls,
  req: HuaweiLiveRequest,
  name: string,
  maxListPages: number,
  cause?: Error,
): Promise<FlowDetail | undefined> {
  const details: VendorErrorDetails = { vendor: VENDOR, operation: 'CreateFlows' };
  const marker = huaweiIdentityMarker(req.requestId);
  for (let page = 0; page < maxListPages; page++) {
    const list = await calls.listFlows(req.region, page * LIST_PAGE_SIZE);
    for (const match of list.flows.filter((flow) => flow.name === name)) {
      const detail = await calls.detail(req.region, match.flow_id);
      if (detail.sources?.some((source) => source.description?.includes(marker))) return detail;
      throw new VendorConflictError(
        `huawei-live: flow "${name}" (${match.flow_id}) already exists and is not this request's (no ${marker} on its sources); rename the flow or delete the other one`,
        details,
        cause ? { cause } : undefined,
      );
    }
    const total = list.total ?? Number.POSITIVE_INFINITY;
    if (list.flows.length < LIST_PAGE_SIZE || (page + 1) * LIST_PAGE_SIZE >= total) return undefined;
  }
  throw new VendorConflictError(
    `huawei-live: the project holds more than ${maxListPages * LIST_PAGE_SIZE} flows, so whether "${name}" already exists cannot be told; nothing was created (raise maxListPages)`,
    details,
    cause ? { cause } : undefined,
  );
}
