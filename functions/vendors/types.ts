/**
 * The interface every vendor client implements. Clients know nothing of Lambda or Step Functions: they take their
 * transport, clock, credentials and pacing through the constructor, make signed HTTP calls, and map every vendor
 * answer either to a result below or to one error class of `../domain/errors.ts`.
 */
import type { ProvisionRequest, VendorId } from '../domain/contract.ts';

/**
 * A flow's state in our words. Vendors have their own (STANDBY/STARTING/ACTIVE, online/offline, DRAFT/PUBLISHED,
 * 未开始/生效中...); each client maps its own onto these, and the workflow's Choice states read only these.
 */
export const FLOW_STATES = ['STANDBY', 'STARTING', 'ACTIVE', 'SCHEDULED', 'ERROR'] as const;
export type FlowState = (typeof FLOW_STATES)[number];

export interface FlowStatus {
  /** The vendor's id for the flow (an ARN for AWS). */
  readonly flowId: string;
  readonly state: FlowState;
  /** The vendor's own status string, for logs and operators. */
  readonly vendorStatus: string;
}

export interface CreatedFlow extends FlowStatus {
  readonly name: string;
  /** True when the flow already existed with our request identity and was adopted instead of created. */
  readonly adopted: boolean;
}

export interface GrantedEntitlement {
  readonly name: string;
  /** The vendor's id for the entitlement or output. */
  readonly id: string;
}

/**
 * How a create is called. `firstTry` is true only when no earlier try of this request can have created the flow (not
 * a retry of the step, not a redrive, not a later attempt of the execution, not a redelivered work item:
 * `functions/flow-steps/core.ts`, `isFirstTry`): then there is nothing to adopt, and looking would cost a paced call.
 * Unknown means false.
 */
export interface CreateOptions {
  readonly firstTry?: boolean;
}

/**
 * What the pacer needs to know of one vendor call: the operation as the vendor names it and the Region it goes to,
 * which pick the documented rate scopes it counts against (`functions/domain/config.ts`, `paceKeys`).
 */
export interface CallSite {
  readonly operation: string;
  readonly region?: string | undefined;
}

/** Runs one vendor call under the λ instance's pacer (identity when unpaced, e.g. in contract tests). */
export type PaceFn = <T>(call: () => Promise<T>, site: CallSite) => Promise<T>;
export const unpaced: PaceFn = (call) => call();

export interface VendorClient<R extends ProvisionRequest = ProvisionRequest> {
  readonly vendor: VendorId;
  /**
   * Creates the flow (with its source, input or asset); adopts an existing one that carries our request identity.
   * A client that must look before it creates (the vendor would accept a duplicate) skips the lookup on a first try.
   */
  createFlow(request: R, options?: CreateOptions): Promise<CreatedFlow>;
  /** Asks the vendor to start the flow; answers the state right after the call. */
  startFlow(request: R, flowId: string): Promise<FlowStatus>;
  describeFlow(request: R, flowId: string): Promise<FlowStatus>;
  /** Shares the flow (entitlements, outputs). Only called when the request has some. */
  grantEntitlements(request: R, flowId: string): Promise<GrantedEntitlement[]>;
  stopFlow(request: R, flowId: string): Promise<FlowStatus>;
  deleteFlow(request: R, flowId: string): Promise<void>;
}

/** The operations a vendor task can be asked for by the workflow, one vendor call each. */
export const OPERATIONS = [
  'createFlow',
  'startFlow',
  'describeFlow',
  'grantEntitlements',
  'stopFlow',
  'deleteFlow',
] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Tag or label key that carries the request identity on the vendor's resource (get-or-create, docs/architecture.md, "Exactly-once effects"). */
export const REQUEST_ID_TAG = 'flow-provisioner:request-id';
