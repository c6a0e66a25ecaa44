/**
 * Teardown deletes only flow-provisioner's own flows. A deprovision request may name any vendor id
 * (`target.flowId`), so before it stops or deletes anything each client reads what identity the flow carries (the
 * vendor's own mark, docs/vendors/<vendor>.md, "Teardown") and refuses with `VendorConflict`, which the workflow never
 * retries, when:
 *
 * - the flow carries no flow-provisioner request identity at all (someone else's flow), or
 * - the teardown knows the provision request (`TeardownTarget.requestId`: rollback, `deprovisionAt`, a deprovision
 *   by requestId) and the flow carries another request's identity.
 *
 * A flow already gone is never checked: there is nothing left to protect, and a repeat stays `ALREADY_GONE`.
 */
import { VendorConflictError, type VendorErrorDetails } from '../../domain/errors.ts';
import type { TeardownTarget } from '../types.ts';

/** What a flow says about whose it is, as one vendor marks it. */
export interface FlowIdentity {
  /** True when the flow carries the identity of this provision request. */
  carries(requestId: string): boolean;
  /** True when it carries flow-provisioner's identity of some request (the check when no requestId is known). */
  readonly ours: boolean;
  /** What the flow carries, for the refusal's message (never a secret: tags, names and markers only). */
  readonly shown: string;
}

/** A flow marked with request ids (a tag value, description markers): ours when it has one. */
export function requestIdIdentity(requestIds: readonly string[], mark: string): FlowIdentity {
  return {
    carries: (requestId) => requestIds.includes(requestId),
    ours: requestIds.length > 0,
    shown: requestIds.length > 0 ? requestIds.map((id) => `${mark}=${id}`).join(', ') : `no ${mark}`,
  };
}

/**
 * Throws `VendorConflict` unless the flow carries the identity the teardown may act on; answers nothing otherwise.
 * Called after the teardown's own read of the flow and before any call that changes it.
 */
export function refuseUnlessOurs(
  target: TeardownTarget,
  flowId: string,
  identity: FlowIdentity,
  details: VendorErrorDetails,
): void {
  const wanted = target.requestId;
  if (wanted !== undefined ? identity.carries(wanted) : identity.ours) return;
  const why =
    wanted === undefined
      ? `it does not carry flow-provisioner's request identity (${identity.shown})`
      : identity.ours
        ? `it carries another request's identity (${identity.shown}), not request ${wanted}'s`
        : `it does not carry request ${wanted}'s identity (${identity.shown})`;
  throw new VendorConflictError(
    `${target.vendor}: refusing to tear down flow ${flowId}: ${why}; it is left as it is`,
    details,
  );
}
