/**
 * Alibaba Cloud ICE (Intelligent Media Services) MediaConnect flows (`docs/vendors/alibaba-ice.md`).
 *
 * - create = CreateMediaConnectFlow (FlowName, FlowRegion) + AddMediaConnectFlowInput: two paced calls.
 * - start/stop = UpdateMediaConnectFlowStatus `online`/`offline` (ICE has no Start action); read = GetMediaConnectFlow.
 * - share = AddMediaConnectFlowOutput, one paced call per output (ICE has no entitlements; an output's pull URL,
 *   allow-list and player limit are the nearest thing).
 * - delete = DeleteMediaConnectFlow (refused by ICE while the flow is online: stop it first).
 *
 * Success is `RetCode == 0` in the body whatever the HTTP status: ICE reports its own failures in an HTTP 200.
 *
 * Get-or-create: the vendor flow name is `<name>-<requestId>` (`../alibaba/flow-name.ts`) and names are unique per
 * region, so a retried create hits "already exists". ICE has no list or lookup-by-name action, so the existing flow's
 * id can only come from that answer's `Content.FlowId`; the client then reads the flow and adopts it only if its name
 * is exactly ours. ICE does not document its duplicate-name answer (GAP in the vendor notes): when it carries no flow
 * id, the conflict cannot be resolved automatically and surfaces as `VendorConflict` with what to do.
 */
import { z } from 'zod';
import type { AlibabaIceRequest } from '../../domain/contract.ts';
import {
  VendorConflictError,
  type VendorErrorDetails,
  VendorRejectedError,
  VendorUnavailableError,
} from '../../domain/errors.ts';
import { vendorFlowName } from '../alibaba/flow-name.ts';
import { AlibabaProductClient, alibabaProduct } from '../alibaba/product-client.ts';
import {
  type AlibabaClientOptions,
  errorForAlibabaCode,
  gatewayErrorCode,
  type RpcParams,
  safeVendorMessage,
} from '../alibaba/rpc.ts';
import type { CreatedFlow, FlowState, FlowStatus, GrantedEntitlement, VendorClient } from '../types.ts';
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

/** A non-zero RetCode meaning "that name is taken" (undocumented; recognised by its wording). */
function isAlreadyExists(answer: IceAnswer): boolean {
  return !answer.ok && /already\s*exist|duplicat|重复|已存在/i.test(answer.description);
}

/** A non-zero RetCode meaning "no such flow" (undocumented; recognised by its wording). */
function isNotFound(answer: IceAnswer): boolean {
  return !answer.ok && /(does\s*not|doesn't|not)\s*exist|not\s*found|不存在/i.test(answer.description);
}

/** ICE on the gateway: parameters in the query, one regional host per region. */
const ICE = alibabaProduct(alibabaIce, ICE_API_VERSION, 'query', iceEndpointFor);

export type AlibabaIceClientOptions = AlibabaClientOptions;

export class AlibabaIceClient extends AlibabaProductClient<'alibaba-ice'> implements VendorClient<AlibabaIceRequest> {
  static readonly product = ICE;

  async createFlow(request: AlibabaIceRequest): Promise<CreatedFlow> {
    const req = this.own(request);
    const endpoint = this.endpointFor(req.region);
    const name = iceFlowName(req);
    const created = await this.invoke(endpoint, 'CreateMediaConnectFlow', { FlowName: name, FlowRegion: req.region });
    if (created.ok) {
      const { FlowId } = this.parse(createContent, created.content, 'CreateMediaConnectFlow');
      await this.addInput(endpoint, FlowId, req);
      return { flowId: FlowId, name, state: 'STANDBY', vendorStatus: 'offline', adopted: false };
    }
    if (!isAlreadyExists(created)) throw this.rejected(created, 'CreateMediaConnectFlow');
    return this.adopt(endpoint, name, req, created);
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

  async grantEntitlements(request: AlibabaIceRequest, flowId: string): Promise<GrantedEntitlement[]> {
    const req = this.own(request);
    const endpoint = this.endpointFor(req.region);
    const granted: GrantedEntitlement[] = [];
    for (const output of req.entitlements) {
      const answer = await this.invoke(endpoint, 'AddMediaConnectFlowOutput', {
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
      // An output of that name on our flow is one an earlier attempt added (names are unique within a flow).
      if (!answer.ok && !isAlreadyExists(answer)) throw this.rejected(answer, 'AddMediaConnectFlowOutput');
      granted.push({ name: output.name, id: output.name });
    }
    return granted;
  }

  async stopFlow(request: AlibabaIceRequest, flowId: string): Promise<FlowStatus> {
    const endpoint = this.endpointFor(this.own(request).region);
    await this.expectOk(endpoint, 'UpdateMediaConnectFlowStatus', { FlowId: flowId, Status: 'offline' });
    return { flowId, state: 'STANDBY', vendorStatus: 'offline' };
  }

  /** A flow that no longer exists (a retry after a lost answer) counts as deleted. ICE refuses to delete an online flow. */
  async deleteFlow(request: AlibabaIceRequest, flowId: string): Promise<void> {
    const endpoint = this.endpointFor(this.own(request).region);
    const answer = await this.invoke(endpoint, 'DeleteMediaConnectFlow', { FlowId: flowId });
    if (!answer.ok && !isNotFound(answer)) throw this.rejected(answer, 'DeleteMediaConnectFlow');
  }

  // --- internals ------------------------------------------------------------------------------------------------

  private async adopt(
    endpoint: URL,
    name: string,
    request: AlibabaIceRequest,
    conflict: IceAnswer,
  ): Promise<CreatedFlow> {
    const existingId = createContent.safeParse(conflict.ok ? undefined : conflict.content);
    if (!existingId.success) {
      throw new VendorConflictError(
        `alibaba-ice CreateMediaConnectFlow: a flow named "${name}" already exists in ${request.region} and ICE did ` +
          'not say which (ICE has no lookup by name). If an earlier attempt of this request created it, delete it or ' +
          'resubmit the request with a new requestId.',
        this.details('CreateMediaConnectFlow', conflict),
      );
    }
    const flowId = existingId.data.FlowId;
    const flow = await this.getFlow(endpoint, flowId);
    if (flow.FlowName !== name) {
      throw new VendorConflictError(
        `alibaba-ice CreateMediaConnectFlow: the name "${name}" is taken in ${request.region} by flow ${flowId} ` +
          `("${flow.FlowName}"), which does not carry this request's identity`,
        this.details('CreateMediaConnectFlow', conflict),
      );
    }
    // Ours. Finish what the earlier attempt may not have: the input.
    const input = await this.invoke(endpoint, 'GetMediaConnectFlowInput', { FlowId: flowId });
    if (!(input.ok && inputContent.safeParse(input.content).success)) await this.addInput(endpoint, flowId, request);
    return { flowId, name, state: iceFlowState(flow.FlowStatus), vendorStatus: flow.FlowStatus, adopted: true };
  }

  private async addInput(endpoint: URL, flowId: string, request: AlibabaIceRequest): Promise<void> {
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
    if (!answer.ok && !isAlreadyExists(answer)) throw this.rejected(answer, 'AddMediaConnectFlowInput');
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
