/**
 * The interface every vendor client implements. Clients know nothing of Lambda or Step Functions: they take their
 * transport, clock, credentials and pacing through the constructor, make signed HTTP calls, and map every vendor
 * answer either to a result below or to one error class of `../domain/errors.ts`.
 */
import type { ProvisionRequest, VendorId } from '../domain/contract.ts';
import type { ConnectionOutput, FlowConnection } from '../domain/flow-event.ts';

/**
 * A flow's state in our words. Vendors have their own (STANDBY/STARTING/ACTIVE, online/offline, DRAFT/PUBLISHED,
 * 未开始/生效中...); each client maps its own onto these, and the workflow's Choice states read only these.
 * `STOPPING` is a transition towards idle or gone (AWS STOPPING, DELETING): the workflow waits it out before it
 * starts the flow, instead of failing as it does on `ERROR`.
 */
export const FLOW_STATES = ['STANDBY', 'STARTING', 'ACTIVE', 'SCHEDULED', 'STOPPING', 'ERROR'] as const;
export type FlowState = (typeof FLOW_STATES)[number];

export interface FlowStatus {
  /** The vendor's id for the flow (an ARN for AWS). */
  readonly flowId: string;
  readonly state: FlowState;
  /** The vendor's own status string, for logs and operators. */
  readonly vendorStatus: string;
}

/** A read that also answered where to connect (Volcengine's task list carries its addresses): no read for the event. */
export interface ReadFlowStatus extends FlowStatus {
  readonly connection?: FlowConnection;
}

export interface CreatedFlow extends FlowStatus {
  readonly name: string;
  /** True when the flow already existed with our request identity and was adopted instead of created. */
  readonly adopted: boolean;
  /**
   * Where to connect, from what the create calls answered. Absent when they answered nothing usable (an adopted
   * flow, a vendor whose create answers only an id): the workflow then asks `describeConnection`, one read.
   */
  readonly connection?: FlowConnection;
  /**
   * `false` when the flow exists but still lacks part of what the request asks for, which a separate `completeFlow`
   * step adds: a create that takes two vendor calls answers after the first, so the flow id reaches the workflow (and
   * a rollback or failure record) even when the second call fails. Absent means complete.
   */
  readonly completed?: boolean;
}

export interface GrantedEntitlement {
  readonly name: string;
  /** The vendor's id for the entitlement or output. */
  readonly id: string;
  /** Where a consumer reaches it, from the grant's answer (never a secret). */
  readonly output?: ConnectionOutput;
}

/**
 * What a teardown left: `DELETED` (this call deleted it, or the vendor is deleting it), `ALREADY_GONE` (nothing was
 * there: a repeat, or a target never created) or `DEPRECATED` (CAMS: a published flow cannot be deleted, only
 * deprecated, so it stays listed but serves nothing).
 */
export const TEARDOWN_OUTCOMES = ['DELETED', 'ALREADY_GONE', 'DEPRECATED'] as const;
export type TeardownOutcome = (typeof TEARDOWN_OUTCOMES)[number];

export interface TeardownResult {
  readonly flowId: string;
  readonly outcome: TeardownOutcome;
  /** The vendor's own last status string (`DELETING`, `DEPRECATED`, `gone`...). */
  readonly vendorStatus: string;
}

/**
 * What a teardown needs to know besides the flow id: a deprovision request may name only a flow id, so teardown never
 * reads the provision request's vendor options. `custSpaceId` is the CAMS space the flow lives in (absent: default).
 */
export interface TeardownTarget {
  readonly vendor: VendorId;
  /** The request the flow belongs to, when known (logs and metrics). */
  readonly requestId?: string;
  readonly region: string;
  readonly custSpaceId?: string;
}

/** The teardown target of a provision request (rollback tears down what the request created). */
export function teardownTargetOf(request: ProvisionRequest): TeardownTarget {
  const space = request.vendor === 'alibaba-cams' ? request.flow.custSpaceId : undefined;
  return {
    vendor: request.vendor,
    requestId: request.requestId,
    region: request.region,
    ...(space ? { custSpaceId: space } : {}),
  };
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
 * How a step after the create is called. `firstTry` is true only on the step's first attempt in the execution's first
 * run from a work item delivered once (`functions/flow-steps/core.ts`, `isFirstTryOfStep`) — and, for the steps that
 * add to the flow (complete, grant), on a flow this execution created rather than adopted: then nothing it would add
 * can exist yet, and an effect it meets already done was not its own. Unknown means false.
 */
export interface StepOptions {
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
  /**
   * Adds what a create answered as missing (`completed: false`), desired-state: unless it is the first try on a flow
   * this execution created, it reads what exists first, so a retry after a lost answer adds nothing twice. Answers
   * where to connect when what it added says so. Only clients whose create can answer `completed: false` implement it.
   */
  completeFlow?(request: R, flowId: string, options?: StepOptions): Promise<FlowConnection | undefined>;
  /**
   * Reads a flow an earlier attempt of this request recorded (by id, from the vendor task's flow ledger) and answers
   * it as adopted when it is still there and ours, `undefined` when it is gone. Only clients whose vendor cannot find a
   * flow by the request's identity implement it.
   */
  adoptFlow?(request: R, flowId: string): Promise<CreatedFlow | undefined>;
  /** Asks the vendor to start the flow; answers the state right after the call. */
  startFlow(request: R, flowId: string, options?: StepOptions): Promise<FlowStatus>;
  describeFlow(request: R, flowId: string): Promise<ReadFlowStatus>;
  /** Shares the flow (entitlements, outputs). Only called when the request has some. */
  grantEntitlements(request: R, flowId: string, options?: StepOptions): Promise<GrantedEntitlement[]>;
  stopFlow(request: R, flowId: string): Promise<FlowStatus>;
  deleteFlow(request: R, flowId: string): Promise<void>;
  /**
   * The one teardown path (deprovision and rollback): reads the flow and does what is left of stop → settle → remove
   * dependants → delete. Desired-state, so a repeat or a retry is harmless; a flow still settling raises
   * `TeardownPending`, which the workflow retries within the vendor's budget.
   */
  teardownFlow(target: TeardownTarget, flowId: string): Promise<TeardownResult>;
  /** Reads where to connect: called only when `createFlow` answered no `connection`. */
  describeConnection(request: R, flowId: string): Promise<FlowConnection>;
}

/** The operations a vendor task can be asked for by the workflow, one vendor call each. */
export const OPERATIONS = [
  'createFlow',
  'completeFlow',
  'startFlow',
  'describeFlow',
  'grantEntitlements',
  'stopFlow',
  'deleteFlow',
  'teardownFlow',
  'describeConnection',
] as const;
export type Operation = (typeof OPERATIONS)[number];

/**
 * The operations a workflow state calls. `stopFlow` and `deleteFlow` stay operations a vendor task serves (a step can
 * be run on its own, and the contract tests drive them), but no state calls them: rollback, `deprovisionAt` and a
 * deprovision request all run the one `teardownFlow` path.
 */
export const WORKFLOW_STEPS: readonly Operation[] = OPERATIONS.filter((op) => op !== 'stopFlow' && op !== 'deleteFlow');

/** Tag or label key that carries the request identity on the vendor's resource (get-or-create, docs/architecture.md, "Exactly-once effects"). */
export const REQUEST_ID_TAG = 'flow-provisioner:request-id';
