/**
 * Alibaba Cloud CAMS (Chat App Message Service) Flow APIs (`docs/vendors/alibaba-cams.md`). CAMS "flows" are WhatsApp
 * Flows, so the project's steps map onto their lifecycle:
 *
 * - create = CreateFlow (FlowName, Categories as a JSON string, CustSpaceId); when the request carries a flow JSON
 *   asset, a `completeFlow` step then uploads it (UpdateFlowJSONAsset). Two steps, so each runs in a lane of its own
 *   (`./descriptor.ts`): a slot that made both calls would be held until the later one's interval had passed, one
 *   vendor latency longer than either operation's pace;
 * - start = PublishFlow, then the workflow polls GetFlow until PUBLISHED (DRAFT → STANDBY, PUBLISHED → ACTIVE,
 *   DEPRECATED → ERROR);
 * - share: none (the contract rejects a CAMS request with entitlements);
 * - stop = DeprecateFlow (final: a deprecated flow cannot be published again); delete = DeleteFlow (DRAFT only).
 *
 * Success is `Code == "OK"` in the body; `System.LimitControl` and `Throttling.User` are throttles although CAMS
 * answers them with HTTP 400. Each Flow API operation has its own 5 calls/s per account (`./descriptor.ts`).
 *
 * Get-or-create: the vendor flow name is `<name>-<requestId>` (`../alibaba/flow-name.ts`). Before creating, ListFlow
 * looks the name up (CAMS documents no "already exists" error, so a retried create could otherwise make a second
 * flow); only an exact name match is ours and adopted.
 */

import { z } from 'zod';
import type { AlibabaCamsRequest } from '../../domain/contract.ts';
import {
  InvalidRequestError,
  VendorConflictError,
  type VendorErrorDetails,
  VendorRejectedError,
  VendorUnavailableError,
} from '../../domain/errors.ts';
import type { FlowConnection } from '../../domain/flow-event.ts';
import { vendorFlowName, vendorFlowNameIdentity } from '../alibaba/flow-name.ts';
import { AlibabaProductClient, alibabaProduct } from '../alibaba/product-client.ts';
import { type AlibabaClientOptions, errorForAlibabaCode, type RpcParams, safeVendorMessage } from '../alibaba/rpc.ts';
import { refuseUnlessOurs } from '../common/teardown-identity.ts';
import type {
  CreatedFlow,
  CreateOptions,
  FlowState,
  FlowStatus,
  GrantedEntitlement,
  StepOptions,
  TeardownResult,
  TeardownTarget,
  VendorClient,
} from '../types.ts';
import { camsConnection } from './connection.ts';
import { alibabaCams } from './descriptor.ts';

export const CAMS_API_VERSION = '2020-06-06';

/** ListFlow page size, and how many pages a lookup reads before creating (each page is one paced call). */
export const CAMS_LIST_PAGE_SIZE = 20;
export const CAMS_LIST_MAX_PAGES = 3;

/** The documented host (Singapore is the only region CAMS lists): `cams.{regionId}.aliyuncs.com`. */
export function camsEndpointFor(region: string): URL {
  return new URL(`https://cams.${region}.aliyuncs.com`);
}

export function camsFlowState(vendorStatus: string): FlowState {
  switch (vendorStatus) {
    case 'DRAFT':
      return 'STANDBY';
    case 'PUBLISHED':
      return 'ACTIVE';
    case 'DEPRECATED':
      return 'ERROR';
    default:
      return 'STARTING';
  }
}

export function camsFlowName(request: Pick<AlibabaCamsRequest, 'requestId' | 'flow'>): string {
  return vendorFlowName(request.flow.name, request.requestId);
}

const envelope = z.object({
  RequestId: z.string().optional(),
  Code: z.string(),
  Message: z.string().optional(),
  Data: z.unknown().optional(),
});
const createData = z.object({ FlowId: z.string().min(1) });
const listData = z.array(z.object({ FlowId: z.string().min(1), FlowName: z.string() })).default([]);
const flowData = z.object({
  FlowId: z.string().min(1),
  FlowName: z.string().optional(),
  Status: z.string().min(1),
  EndpointUri: z.string().optional(),
});

/** CAMS on the gateway: parameters in a form body, one regional host per region. */
const CAMS = alibabaProduct(alibabaCams, CAMS_API_VERSION, 'body', camsEndpointFor);

export type AlibabaCamsClientOptions = AlibabaClientOptions;

export class AlibabaCamsClient
  extends AlibabaProductClient<'alibaba-cams'>
  implements VendorClient<AlibabaCamsRequest>
{
  static readonly product = CAMS;

  async createFlow(request: AlibabaCamsRequest, options: CreateOptions = {}): Promise<CreatedFlow> {
    const req = this.own(request);
    const endpoint = this.endpointFor(req.region);
    const name = camsFlowName(req);
    const space = req.flow.custSpaceId;

    // A first try cannot find its own flow: it creates at once, and looks only if the name turns out taken.
    if (!options.firstTry) {
      const adopted = await this.adoptByName(endpoint, name, req);
      if (adopted) return adopted;
    }

    const created = await this.invoke(endpoint, 'CreateFlow', {
      FlowName: name,
      // The SDK serialises the array as one JSON-string form field.
      Categories: JSON.stringify(req.flow.categories),
      CustSpaceId: space,
      EndpointUri: req.flow.endpointUri,
    });
    if (!created.ok) {
      const taken = /already\s*exist|duplicat|重复|已存在/i.test(created.message);
      // A first try that finds its name taken looks once: what it finds is adopted, so a wrong first-try signal costs
      // a call, never a failed request.
      const adopted = taken && options.firstTry ? await this.adoptByName(endpoint, name, req) : undefined;
      if (adopted) return adopted;
      // No exact match was listed, so a name the vendor says is taken belongs to someone else.
      if (taken) {
        throw new VendorConflictError(
          `alibaba-cams CreateFlow: the name "${name}" is taken by a flow this request did not create: ${created.message}`,
          created.details,
        );
      }
      throw created.error;
    }
    const { FlowId } = this.parse(createData, created.data, 'CreateFlow');
    return {
      flowId: FlowId,
      name,
      state: 'STANDBY',
      vendorStatus: 'DRAFT',
      adopted: false,
      // CreateFlow answers only the id; the endpoint is the one the request set, so no read is spent on it.
      connection: camsConnection(FlowId, { flowName: name, endpointUri: req.flow.endpointUri, custSpaceId: space }),
      ...this.assetToUpload(req),
    };
  }

  /**
   * Uploads the request's flow JSON asset (UpdateFlowJSONAsset replaces what the flow has, so a repeat changes
   * nothing). CAMS takes an asset only while the flow is a draft: a repeated step (a retry, a redrive, an adopted flow)
   * whose upload is refused finds the flow published by an earlier attempt, which had its asset already (PublishFlow
   * needs one), and leaves it as it is. The first try on a flow this execution created keeps the refusal.
   */
  async completeFlow(request: AlibabaCamsRequest, flowId: string, options: StepOptions = {}): Promise<undefined> {
    const req = this.own(request);
    if (!req.flow.jsonAsset) return undefined;
    const uploaded = await this.invoke(this.endpointFor(req.region), 'UpdateFlowJSONAsset', {
      FlowId: flowId,
      FilePath: req.flow.jsonAsset.filePath,
      CustSpaceId: req.flow.custSpaceId,
    });
    if (!uploaded.ok && (options.firstTry || !(uploaded.error instanceof VendorRejectedError))) throw uploaded.error;
    return undefined;
  }

  /** One GetFlow: the flow's endpoint as CAMS holds it. */
  async describeConnection(request: AlibabaCamsRequest, flowId: string): Promise<FlowConnection> {
    const req = this.own(request);
    const flow = await this.getFlow(this.endpointFor(req.region), flowId, req.flow.custSpaceId);
    return camsConnection(flowId, {
      flowName: flow.FlowName,
      endpointUri: flow.EndpointUri,
      custSpaceId: req.flow.custSpaceId,
    });
  }

  /**
   * Our flow of this name, if there is one, adopted without reading it: GetFlow is the read lane's alone
   * (`./descriptor.ts`, docs/adr/0007-lanes.md), and the workflow reads an adopted flow before it starts it. An
   * earlier attempt may have stopped before its asset upload, so an adopted flow goes through `completeFlow` too.
   */
  private async adoptByName(endpoint: URL, name: string, req: AlibabaCamsRequest): Promise<CreatedFlow | undefined> {
    const space = req.flow.custSpaceId;
    const existing = await this.findByName(endpoint, name, space);
    if (!existing) return undefined;
    return {
      flowId: existing,
      name,
      // Not read here: the workflow's ReadFlowState reads an adopted flow's state before anything depends on it.
      state: 'STANDBY',
      vendorStatus: 'UNREAD',
      adopted: true,
      connection: camsConnection(existing, { flowName: name, endpointUri: req.flow.endpointUri, custSpaceId: space }),
      ...this.assetToUpload(req),
    };
  }

  /** A request with a flow JSON asset leaves its upload to `completeFlow` (`completed: false`). */
  private assetToUpload(req: AlibabaCamsRequest): { completed?: false } {
    return req.flow.jsonAsset ? { completed: false } : {};
  }

  /**
   * PublishFlow. A refusal of the step's first try stands. A repeated publish (a retry, a redrive or a redelivered
   * work item) may be refused because the earlier one went through and its answer was lost: it answers STARTING
   * instead, and the workflow's next read (GetFlow, in the read lane: `./descriptor.ts`) tells PUBLISHED from a flow
   * that stays a draft, which ends in FlowNotRunning after the poll budget.
   */
  async startFlow(request: AlibabaCamsRequest, flowId: string, options: StepOptions = {}): Promise<FlowStatus> {
    const req = this.own(request);
    const endpoint = this.endpointFor(req.region);
    const published = await this.invoke(endpoint, 'PublishFlow', {
      FlowId: flowId,
      CustSpaceId: req.flow.custSpaceId,
    });
    if (!published.ok) {
      if (!(published.error instanceof VendorRejectedError) || options.firstTry) throw published.error;
      return { flowId, state: 'STARTING', vendorStatus: 'PUBLISH_REPEATED' };
    }
    // Publishing is confirmed by GetFlow (the workflow polls describeFlow until PUBLISHED).
    return { flowId, state: 'STARTING', vendorStatus: 'PUBLISH_REQUESTED' };
  }

  async describeFlow(request: AlibabaCamsRequest, flowId: string): Promise<FlowStatus> {
    const req = this.own(request);
    const flow = await this.getFlow(this.endpointFor(req.region), flowId, req.flow.custSpaceId);
    return { flowId, state: camsFlowState(flow.Status), vendorStatus: flow.Status };
  }

  /** CAMS has nothing to share; the contract rejects entitlements, so this only guards against a bypassed contract. */
  async grantEntitlements(request: AlibabaCamsRequest, _flowId: string): Promise<GrantedEntitlement[]> {
    const req = this.own(request);
    if (req.entitlements.length > 0) {
      throw new InvalidRequestError(['entitlements: alibaba-cams flows cannot be shared (CAMS has no sharing API)']);
    }
    return [];
  }

  /**
   * Desired state "not serving": a DRAFT flow was never published (nothing to stop, and deprecating it would make it
   * undeletable), a DEPRECATED one is stopped already; only a PUBLISHED flow is deprecated. A retried deprecate that
   * finds the flow DEPRECATED (the first answer lost) is a success.
   */
  async stopFlow(request: AlibabaCamsRequest, flowId: string): Promise<FlowStatus> {
    const req = this.own(request);
    const endpoint = this.endpointFor(req.region);
    const space = req.flow.custSpaceId;
    const before = await this.getFlow(endpoint, flowId, space);
    if (before.Status !== 'PUBLISHED') {
      return { flowId, state: camsFlowState(before.Status), vendorStatus: before.Status };
    }
    const deprecated = await this.invoke(endpoint, 'DeprecateFlow', { FlowId: flowId, CustSpaceId: space });
    if (!deprecated.ok) {
      if (!(deprecated.error instanceof VendorRejectedError)) throw deprecated.error;
      const after = await this.getFlow(endpoint, flowId, space);
      if (after.Status !== 'DEPRECATED') throw deprecated.error;
    }
    return { flowId, state: 'ERROR', vendorStatus: 'DEPRECATED' };
  }

  /**
   * CAMS deletes DRAFT flows only (a published one can at best be deprecated). A flow that is already gone
   * (`InvalidFlowId.NotFound`: a retry after a lost answer) counts as deleted.
   */
  async deleteFlow(request: AlibabaCamsRequest, flowId: string): Promise<void> {
    const req = this.own(request);
    const deleted = await this.invoke(this.endpointFor(req.region), 'DeleteFlow', {
      FlowId: flowId,
      CustSpaceId: req.flow.custSpaceId,
    });
    if (!deleted.ok && deleted.details.vendorCode !== 'InvalidFlowId.NotFound') throw deleted.error;
  }

  /**
   * CAMS deletes a DRAFT flow only; a PUBLISHED one can only be deprecated (DeprecateFlow), after which it serves
   * nothing but stays listed: the result says `DEPRECATED`, never `DELETED`, so nobody believes it is gone. The GetFlow
   * read also shows the flow's name, the only identity a CAMS flow carries: one not ours is refused (`VendorConflict`)
   * before anything changes (`vendorFlowNameIdentity`).
   */
  async teardownFlow(target: TeardownTarget, flowId: string): Promise<TeardownResult> {
    const endpoint = this.endpointFor(target.region);
    const space = target.custSpaceId;
    const read = await this.invoke(endpoint, 'GetFlow', { FlowId: flowId, CustSpaceId: space });
    if (!read.ok) {
      if (read.details.vendorCode === 'InvalidFlowId.NotFound') {
        return { flowId, outcome: 'ALREADY_GONE', vendorStatus: 'InvalidFlowId.NotFound' };
      }
      throw read.error;
    }
    const { Status: status, FlowName } = this.parse(flowData, read.data, 'GetFlow');
    refuseUnlessOurs(target, flowId, vendorFlowNameIdentity(FlowName), { vendor: this.vendor, operation: 'GetFlow' });
    if (status === 'DRAFT') {
      const deleted = await this.invoke(endpoint, 'DeleteFlow', { FlowId: flowId, CustSpaceId: space });
      if (!deleted.ok && deleted.details.vendorCode !== 'InvalidFlowId.NotFound') throw deleted.error;
      return { flowId, outcome: 'DELETED', vendorStatus: 'DRAFT' };
    }
    if (status === 'PUBLISHED') {
      const deprecated = await this.invoke(endpoint, 'DeprecateFlow', { FlowId: flowId, CustSpaceId: space });
      // A refusal after a lost answer finds the flow DEPRECATED already: the next teardown call says so.
      if (!deprecated.ok) throw deprecated.error;
    }
    return { flowId, outcome: 'DEPRECATED', vendorStatus: 'DEPRECATED' };
  }

  // --- internals ------------------------------------------------------------------------------------------------

  /** The id of the flow named exactly `name`, reading at most CAMS_LIST_MAX_PAGES pages (the filter may match more). */
  private async findByName(endpoint: URL, name: string, space: string | undefined): Promise<string | undefined> {
    for (let page = 1; page <= CAMS_LIST_MAX_PAGES; page++) {
      const data = await this.expectOk(endpoint, 'ListFlow', {
        FlowName: name,
        Page: JSON.stringify({ Index: page, Size: CAMS_LIST_PAGE_SIZE }),
        CustSpaceId: space,
      });
      const flows = this.parse(listData, data ?? [], 'ListFlow');
      const match = flows.find((f) => f.FlowName === name);
      if (match) return match.FlowId;
      if (flows.length < CAMS_LIST_PAGE_SIZE) return undefined;
    }
    // More near-namesakes than we read: the name carries a request id, so a hit beyond this is not plausible.
    return undefined;
  }

  private async getFlow(endpoint: URL, flowId: string, space: string | undefined): Promise<z.infer<typeof flowData>> {
    const data = await this.expectOk(endpoint, 'GetFlow', { FlowId: flowId, CustSpaceId: space });
    return this.parse(flowData, data, 'GetFlow');
  }

  private async expectOk(endpoint: URL, action: string, params: RpcParams): Promise<unknown> {
    const answer = await this.invoke(endpoint, action, params);
    if (!answer.ok) throw answer.error;
    return answer.data;
  }

  /** One paced call, judged by CAMS's rule: `Code == "OK"`, whatever the HTTP status. */
  private async invoke(
    endpoint: URL,
    action: string,
    params: RpcParams,
  ): Promise<{ ok: true; data: unknown } | { ok: false; error: Error; message: string; details: VendorErrorDetails }> {
    const response = await this.rpc.call(endpoint, action, params);
    const details = this.detailsOf(action, response);
    const parsed = envelope.safeParse(response.body);
    if (!parsed.success) {
      const message = `alibaba-cams ${action}: HTTP ${response.status} without a Code`;
      const error =
        response.status >= 300
          ? errorForAlibabaCode(undefined, response.status, message, details)
          : new VendorUnavailableError(message, details);
      return { ok: false, error, message, details };
    }
    const { Code, Message, Data } = parsed.data;
    if (Code === 'OK' && response.status < 300) return { ok: true, data: Data };
    const message = safeVendorMessage(Message);
    const error = errorForAlibabaCode(Code, response.status, `alibaba-cams ${action}: ${Code}: ${message}`, details);
    return { ok: false, error, message, details: { ...details, vendorCode: Code } };
  }
}
