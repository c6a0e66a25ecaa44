/**
 * Alibaba Cloud ICE (Intelligent Media Services) MediaConnect flows (`docs/vendors/alibaba-ice.md`).
 *
 * - create = CreateMediaConnectFlow (FlowName, FlowRegion), answered at once with `completed: false`; the workflow's
 *   `completeFlow` step then adds the input (AddMediaConnectFlowInput). Two steps, so the flow id reaches the workflow
 *   as soon as ICE has made the flow, and a failure adding the input still leaves an id to roll back or redrive.
 * - start/stop = UpdateMediaConnectFlowStatus `online`/`offline` (ICE has no Start action); read = GetMediaConnectFlow.
 * - share = AddMediaConnectFlowOutput for each output GetMediaConnectFlowAllOutputName does not list yet (ICE has no
 *   entitlements; an output's pull URL, allow-list and player limit are the nearest thing).
 * - delete = DeleteMediaConnectFlow (refused by ICE while the flow is online: stop it first).
 *
 * Success is `RetCode == 0` in the body whatever the HTTP status: ICE reports its own failures in an HTTP 200.
 *
 * ICE publishes no error codes for these actions (docs/vendors/alibaba-ice.md, "Errors"), so nothing here depends on
 * what a refusal says: after a lost answer the client reads what exists (the flow by id, its input, its output names)
 * and adds only what is missing. The vendor flow name is `<name>-<requestId>` (`../alibaba/flow-name.ts`) and names
 * are unique per region, but ICE has no lookup by name: when the answer of CreateMediaConnectFlow itself is lost, the
 * flow it made cannot be found by the retry, which is refused and says so (docs/vendors/alibaba-ice.md, "Identity and
 * adoption"). That one call is the whole window: everything after it has the flow id.
 */
import { z } from 'zod';
import type { AlibabaIceRequest } from '../../domain/contract.ts';
import {
  TeardownPendingError,
  VendorConflictError,
  type VendorErrorDetails,
  VendorRejectedError,
  VendorUnavailableError,
} from '../../domain/errors.ts';
import type { FlowConnection } from '../../domain/flow-event.ts';
import { vendorFlowName, vendorFlowNameIdentity } from '../alibaba/flow-name.ts';
import { AlibabaProductClient, alibabaProduct } from '../alibaba/product-client.ts';
import {
  type AlibabaClientOptions,
  errorForAlibabaCode,
  gatewayErrorCode,
  type RpcParams,
  safeVendorMessage,
} from '../alibaba/rpc.ts';
import { refuseUnlessOurs } from '../common/teardown-identity.ts';
import type {
  CreatedFlow,
  FlowState,
  FlowStatus,
  GrantedEntitlement,
  StepOptions,
  TeardownResult,
  TeardownTarget,
  VendorClient,
} from '../types.ts';
import { iceIngest, iceInputAnswer, iceOutput, iceUrlAnswer } from './connection.ts';
import { alibabaIce } from './descriptor.ts';

export const ICE_API_VERSION = '2020-11-09';

/** The documented regional host: `ice.{regionId}.aliyuncs.com`. */
export function iceEndpointFor(region: string): URL {
  return new URL(`https://ice.${region}.aliyuncs.com`);
}

/** ICE's status (`online`/`offline`) in our words; anything else is treated as in transition (bounded polling). */
export function iceFlowState(vendorStatus: string): FlowState {
  const status = vendorStatus.toLowerCase();
  if (status === 'online') return 'ACTIVE';
  if (status === 'offline') return 'STANDBY';
  if (/error|fail|abnormal/.test(status)) return 'ERROR';
  return 'STARTING';
}

/** The vendor name of a request's flow (exported for operators and tests). */
export function iceFlowName(request: Pick<AlibabaIceRequest, 'requestId' | 'flow'>): string {
  return vendorFlowName(request.flow.name, request.requestId);
}

// `RetCode` is an integer in most models and a string ("0") in UpdateMediaConnectFlowStatus's.
const retCode = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number),
]);
const envelope = z.object({
  RequestId: z.string().optional(),
  RetCode: retCode,
  Description: z.string().optional(),
  Content: z.unknown().optional(),
});
const createContent = z.object({ FlowId: z.string().min(1) });
const flowContent = z.object({
  FlowId: z.string().min(1),
  FlowName: z.string(),
  FlowStatus: z.string().min(1),
  CreateTime: z.string().optional(),
  StartTime: z.string().optional(),
});
const inputContent = z.object({ InputName: z.string().min(1) });

type IceAnswer =
  | { readonly ok: true; readonly content: unknown; readonly requestId?: string }
  | {
      readonly ok: false;
      readonly retCode: number;
      readonly description: string;
      readonly content: unknown;
      readonly requestId?: string;
    };

const outputNames = z.array(z.string());

/** ICE on the gateway: parameters in the query, one regional host per region. */
const ICE = alibabaProduct(alibabaIce, ICE_API_VERSION, 'query', iceEndpointFor);

export type AlibabaIceClientOptions = AlibabaClientOptions;

export class AlibabaIceClient extends AlibabaProductClient<'alibaba-ice'> implements VendorClient<AlibabaIceRequest> {
  static readonly product = ICE;

  /**
   * CreateMediaConnectFlow and nothing more: the input is `completeFlow`'s. A refusal cannot be told apart (ICE
   * publishes no codes), and a name taken by an earlier attempt of this request cannot be looked up, so the message
   * says what to do.
   */
  async createFlow(request: AlibabaIceRequest): Promise<CreatedFlow> {
    const req = this.own(request);
    const name = iceFlowName(req);
    const created = await this.invoke(this.endpointFor(req.region), 'CreateMediaConnectFlow', {
      FlowName: name,
      FlowRegion: req.region,
    });
    if (!created.ok) {
      throw new VendorRejectedError(
        `alibaba-ice CreateMediaConnectFlow: RetCode ${created.retCode}: ${created.description}. Flow names are unique ` +
          `per region; if "${name}" is taken, it may be this request's own flow from an attempt whose answer was lost, ` +
          'and ICE has no lookup by name to adopt it: find it in the ICE console, delete it, and redrive the request',
        this.details('CreateMediaConnectFlow', created),
      );
    }
    const { FlowId } = this.parse(createContent, created.content, 'CreateMediaConnectFlow');
    return { flowId: FlowId, name, state: 'STANDBY', vendorStatus: 'offline', adopted: false, completed: false };
  }

  /**
   * The flow an earlier attempt of this request created, read by the id it recorded: adopted (its input is then
   * `completeFlow`'s to check) when it is there and carries our name, `undefined` when it can no longer be read.
   */
  async adoptFlow(request: AlibabaIceRequest, flowId: string): Promise<CreatedFlow | undefined> {
    const req = this.own(request);
    const name = iceFlowName(req);
    const answer = await this.invoke(this.endpointFor(req.region), 'GetMediaConnectFlow', { FlowId: flowId });
    if (!answer.ok) return undefined;
    const flow = this.parse(flowContent, answer.content, 'GetMediaConnectFlow');
    if (flow.FlowName !== name) {
      throw new VendorConflictError(
        `alibaba-ice: flow ${flowId}, recorded for this request, is "${flow.FlowName}", not "${name}"`,
        { vendor: this.vendor, operation: 'GetMediaConnectFlow' },
      );
    }
    const state = iceFlowState(flow.FlowStatus);
    return { flowId, name, state, vendorStatus: flow.FlowStatus, adopted: true, completed: false };
  }

  /**
   * Adds the request's input unless the flow has it: GetMediaConnectFlowInput first, AddMediaConnectFlowInput only
   * when the flow has none. A retry after a lost answer finds the input and adds nothing. The first try on a flow this
   * execution created adds at once (a flow ICE has just made has no input), and answers where to connect from
   * AddMediaConnectFlowInput's `InputUrl`, so the workflow spends no read on it.
   */
  async completeFlow(
    request: AlibabaIceRequest,
    flowId: string,
    options: StepOptions = {},
  ): Promise<FlowConnection | undefined> {
    const req = this.own(request);
    const endpoint = this.endpointFor(req.region);
    if (options.firstTry) return this.addInput(endpoint, flowId, req);
    const existing = await this.invoke(endpoint, 'GetMediaConnectFlowInput', { FlowId: flowId });
    const input = existing.ok ? inputContent.safeParse(existing.content) : undefined;
    if (input?.success) {
      if (input.data.InputName === req.flow.input.name) return undefined;
      throw new VendorConflictError(
        `alibaba-ice: flow ${flowId} already has input "${input.data.InputName}", not this request's "${req.flow.input.name}" (ICE allows one input per flow)`,
        { vendor: this.vendor, operation: 'GetMediaConnectFlowInput' },
      );
    }
    return this.addInput(endpoint, flowId, req);
  }

  async startFlow(request: AlibabaIceRequest, flowId: string): Promise<FlowStatus> {
    const endpoint = this.endpointFor(this.own(request).region);
    await this.expectOk(endpoint, 'UpdateMediaConnectFlowStatus', { FlowId: flowId, Status: 'online' });
    // The status change is synchronous: RetCode 0 means the flow is online.
    return { flowId, state: 'ACTIVE', vendorStatus: 'online' };
  }

  async describeFlow(request: AlibabaIceRequest, flowId: string): Promise<FlowStatus> {
    const flow = await this.getFlow(this.endpointFor(this.own(request).region), flowId);
    return { flowId, state: iceFlowState(flow.FlowStatus), vendorStatus: flow.FlowStatus };
  }

  /**
   * Adds each output GetMediaConnectFlowAllOutputName does not list yet, so a retry adds nothing twice. The first try
   * on a flow this execution created lists nothing: its outputs cannot exist yet.
   */
  async grantEntitlements(
    request: AlibabaIceRequest,
    flowId: string,
    options: StepOptions = {},
  ): Promise<GrantedEntitlement[]> {
    const req = this.own(request);
    const endpoint = this.endpointFor(req.region);
    const listed = options.firstTry
      ? []
      : this.parse(
          outputNames,
          (await this.expectOk(endpoint, 'GetMediaConnectFlowAllOutputName', { FlowId: flowId })) ?? [],
          'GetMediaConnectFlowAllOutputName',
        );
    const existing = new Set(listed);
    const granted: GrantedEntitlement[] = [];
    for (const output of req.entitlements) {
      let added: unknown;
      if (!existing.has(output.name)) {
        added = await this.expectOk(endpoint, 'AddMediaConnectFlowOutput', {
          FlowId: flowId,
          OutputName: output.name,
          OutputProtocol: output.protocol,
          OutputToUrl: output.toUrl,
          PairFlowId: output.pairFlowId,
          PairInputName: output.pairInputName,
          PlayerLimit: output.playerLimit,
          Cidrs: output.cidrs?.join(','),
          SrtLatency: output.srtLatency,
          SrtPassphrase: output.srtPassphrase,
          SrtPbkeyLen: output.srtPbkeyLen,
        });
      }
      // An output an earlier attempt added answers no URL here; its name is all the event can say of it.
      const outputUrl = iceUrlAnswer.safeParse(added).data?.OutputUrl;
      granted.push({ name: output.name, id: output.name, output: iceOutput(output, outputUrl) });
    }
    return granted;
  }

  async stopFlow(request: AlibabaIceRequest, flowId: string): Promise<FlowStatus> {
    const endpoint = this.endpointFor(this.own(request).region);
    await this.expectOk(endpoint, 'UpdateMediaConnectFlowStatus', { FlowId: flowId, Status: 'offline' });
    return { flowId, state: 'STANDBY', vendorStatus: 'offline' };
  }

  /**
   * A refused delete is judged by reading the flow: one that can no longer be read is gone (a retry after a lost
   * answer); one that can is still there, and the refusal stands (ICE refuses to delete an online flow).
   */
  async deleteFlow(request: AlibabaIceRequest, flowId: string): Promise<void> {
    const endpoint = this.endpointFor(this.own(request).region);
    const answer = await this.invoke(endpoint, 'DeleteMediaConnectFlow', { FlowId: flowId });
    if (answer.ok) return;
    const still = await this.invoke(endpoint, 'GetMediaConnectFlow', { FlowId: flowId });
    if (still.ok) throw this.rejected(answer, 'DeleteMediaConnectFlow');
  }

  /**
   * offline → DeleteMediaConnectFlow, one step of it per call. ICE refuses to delete an online flow, and nothing says
   * `offline` takes effect within the call, so the flow is read again after it: still online raises `TeardownPending`.
   * The first read also shows the flow's name, the only identity an ICE flow carries: one not ours is refused
   * (`VendorConflict`) before anything changes (`vendorFlowNameIdentity`).
   */
  async teardownFlow(target: TeardownTarget, flowId: string): Promise<TeardownResult> {
    const endpoint = this.endpointFor(target.region);
    const read = async () => {
      const answer = await this.invoke(endpoint, 'GetMediaConnectFlow', { FlowId: flowId });
      // As for delete: a flow ICE can no longer read is gone (ICE documents no "not found" code).
      if (!answer.ok) return undefined;
      return this.parse(flowContent, answer.content, 'GetMediaConnectFlow');
    };
    const gone: TeardownResult = { flowId, outcome: 'ALREADY_GONE', vendorStatus: 'not found' };
    let flow = await read();
    if (!flow) return gone;
    refuseUnlessOurs(target, flowId, vendorFlowNameIdentity(flow.FlowName), {
      vendor: this.vendor,
      operation: 'GetMediaConnectFlow',
    });
    if (flow.FlowStatus.toLowerCase() === 'online') {
      await this.expectOk(endpoint, 'UpdateMediaConnectFlowStatus', { FlowId: flowId, Status: 'offline' });
      flow = await read();
      if (!flow) return gone;
      if (flow.FlowStatus.toLowerCase() === 'online') {
        throw new TeardownPendingError(`alibaba-ice: flow ${flowId} is still online after going offline`, {
          vendor: this.vendor,
          operation: 'GetMediaConnectFlow',
        });
      }
    }
    const deleted = await this.invoke(endpoint, 'DeleteMediaConnectFlow', { FlowId: flowId });
    if (!deleted.ok) {
      if (!(await read())) return gone;
      throw this.rejected(deleted, 'DeleteMediaConnectFlow');
    }
    return { flowId, outcome: 'DELETED', vendorStatus: 'deleted' };
  }

  /** One GetMediaConnectFlowInput: the input's URL, for a flow whose create answer is gone. */
  async describeConnection(request: AlibabaIceRequest, flowId: string): Promise<FlowConnection> {
    const req = this.own(request);
    const content = await this.expectOk(this.endpointFor(req.region), 'GetMediaConnectFlowInput', { FlowId: flowId });
    const input = this.parse(iceInputAnswer, content, 'GetMediaConnectFlowInput');
    const ingest = iceIngest(
      { ...req.flow.input, protocol: input.InputProtocol ?? req.flow.input.protocol },
      input.InputUrl,
    );
    return { ingest, outputs: [], vendorDetail: { flowId } };
  }

  // --- internals ------------------------------------------------------------------------------------------------

  /** AddMediaConnectFlowInput; answers the connection from its `InputUrl` (docs/vendors/alibaba-ice.md). */
  private async addInput(endpoint: URL, flowId: string, request: AlibabaIceRequest): Promise<FlowConnection> {
    const input = request.flow.input;
    const answer = await this.invoke(endpoint, 'AddMediaConnectFlowInput', {
      FlowId: flowId,
      InputName: input.name,
      InputProtocol: input.protocol,
      InputFromUrl: input.fromUrl,
      Cidrs: input.cidrs?.join(','),
      MaxBitrate: input.maxBitrate,
      PairFlowId: input.pairFlowId,
      PairOutputName: input.pairOutputName,
      SrtLatency: input.srtLatency,
      SrtPassphrase: input.srtPassphrase,
      SrtPbkeyLen: input.srtPbkeyLen,
    });
    if (!answer.ok) throw this.rejected(answer, 'AddMediaConnectFlowInput');
    const inputUrl = iceUrlAnswer.safeParse(answer.content).data?.InputUrl;
    return { ingest: iceIngest(input, inputUrl), outputs: [], vendorDetail: { flowId } };
  }

  private async getFlow(endpoint: URL, flowId: string): Promise<z.infer<typeof flowContent>> {
    const answer = await this.expectOk(endpoint, 'GetMediaConnectFlow', { FlowId: flowId });
    return this.parse(flowContent, answer, 'GetMediaConnectFlow');
  }

  private async expectOk(endpoint: URL, action: string, params: RpcParams): Promise<unknown> {
    const answer = await this.invoke(endpoint, action, params);
    if (!answer.ok) throw this.rejected(answer, action);
    return answer.content;
  }

  /** One paced call, judged by ICE's rules: gateway errors mapped, `RetCode` returned for the caller to judge. */
  private async invoke(endpoint: URL, action: string, params: RpcParams): Promise<IceAnswer> {
    const response = await this.rpc.call(endpoint, action, params);
    const details = this.detailsOf(action, response);
    const gateway = response.body.RetCode === undefined ? gatewayErrorCode(response.body) : undefined;
    if (gateway || response.status >= 300) {
      const code = gateway?.code ?? (typeof response.body.Code === 'string' ? response.body.Code : undefined);
      const message = gateway?.message ?? safeVendorMessage(response.body.Message ?? response.body.Description);
      throw errorForAlibabaCode(
        code,
        response.status,
        `alibaba-ice ${action}: ${code ?? `HTTP ${response.status}`}: ${message}`,
        details,
      );
    }
    const parsed = envelope.safeParse(response.body);
    if (!parsed.success) {
      throw new VendorUnavailableError(`alibaba-ice ${action}: unexpected response shape (no RetCode)`, details);
    }
    const { RetCode, Description, Content, RequestId } = parsed.data;
    const requestId = RequestId ? { requestId: RequestId } : {};
    if (RetCode === 0) return { ok: true, content: Content, ...requestId };
    return { ok: false, retCode: RetCode, description: safeVendorMessage(Description), content: Content, ...requestId };
  }

  private rejected(answer: IceAnswer, action: string): VendorRejectedError {
    const retCode = answer.ok ? 0 : answer.retCode;
    const description = answer.ok ? '' : answer.description;
    return new VendorRejectedError(
      `alibaba-ice ${action}: RetCode ${retCode}: ${description}`,
      this.details(action, answer),
    );
  }

  private details(action: string, answer: IceAnswer): VendorErrorDetails {
    return {
      vendor: this.vendor,
      operation: action,
      httpStatus: 200,
      ...(answer.ok ? {} : { vendorCode: `RetCode ${answer.retCode}` }),
      ...(answer.requestId ? { vendorRequestId: answer.requestId } : {}),
    };
  }
}
