/**
 * Alibaba Cloud POP gateway emulator serving both ICE MediaConnect (`2020-11-09`) and CAMS Flow (`2020-06-06`) APIs
 * (`docs/vendors/alibaba-ice.md`, `docs/vendors/alibaba-cams.md`). Both products are RPC style on `POST /`; the product
 * is chosen by the signed `x-acs-version` header and the operation by `x-acs-action`, so one base URL serves both
 * clients through their `VENDOR_ENDPOINT_ALIBABA_*`.
 *
 * What is documented is reproduced as documented: ACS3-HMAC-SHA256 verification with the gateway's own codes
 * (`SignatureDoesNotMatch` 400, `IncompleteSignature` 400, `InvalidAccessKeyId.NotFound` 404,
 * `InvalidTimeStamp.Expired` 400 past 15 minutes of skew, `SignatureNonceUsed` 400 for a replayed nonce,
 * `InvalidApi.NotFound` 404, `Missing{Parameter}` 400), the gateway envelope `{ RequestId, HostId, Code, Message,
 * Recommend }`, ICE's `{ RequestId, RetCode, Description, Content }` with business failures in an HTTP 200 and a
 * non-zero `RetCode`, unique ICE flow names per region, ICE's 4 outputs and one input per flow, no delete while online,
 * CAMS's `{ RequestId, Code, Message, Data }`, its DRAFT → PUBLISHED → DEPRECATED lifecycle (delete only in DRAFT), and
 * its 5 calls/s for each Flow API operation (per account) answered with HTTP 400 `System.LimitControl`.
 *
 * What is not documented is chosen here and named as such, so nothing in a client may rely on it by value:
 * - ICE `RetCode` values other than 0 (1001 name exists, 1002 no such flow, ...) and their wording: ICE publishes no
 *   codes for these actions (docs/vendors/alibaba-ice.md, "Errors"), so no answer here carries anything a client could
 *   adopt by (the duplicate-name answer has no flow id).
 * - CAMS `Flow.JSONAssetMissing` (400) for PublishFlow on a flow without its flow JSON, which CAMS refuses
 *   (docs/vendors/alibaba-cams.md, "Constraints").
 * - CAMS `InvalidFlowId.NotFound` (404) and `Flow.StatusInvalid` (400) for a wrong id or a call the flow's status does
 *   not allow; `Unknown.ResourceOwnerId` (documented) for a flow of another `CustSpaceId`; ListFlow's `FlowName` filter
 *   matches substrings (the conservative reading: a client must pick the exact name itself); CAMS accepts duplicate
 *   names (no "already exists" error is documented).
 * - ICE enforces no rate limit unless `iceRateLimit` is given (none is published); then it answers 400
 *   `Throttling.User`.
 */
import { randomUUID } from 'node:crypto';
import {
  alibabaAuthenticator,
  gatewayError,
  header,
  type Params,
  type Reply,
  requestParams,
} from './alibaba-gateway.ts';
import { type FaultSettings, type RawRequest, type RunningEmulator, SlidingWindowLimiter } from './common.ts';
import { type Exchange, oneOf, startEmulator } from './pipeline.ts';

export const ICE_VERSION = '2020-11-09';
export const CAMS_VERSION = '2020-06-06';

export interface AlibabaEmulatorOptions {
  /** The one key pair (account) the gateway accepts, for both products. */
  readonly credentials: { readonly accessKeyId: string; readonly accessKeySecret: string };
  readonly faults?: FaultSettings;
  /** Enforce the rate limits below with each product's throttle error (default true; the bench turns it off). */
  readonly enforceRateLimit?: boolean;
  /**
   * CAMS: accepted calls per window per account for each Flow API operation: every API page states 5 QPS "for this
   * operation" (docs/vendors/alibaba-cams.md, "Limits"). @default CAMS_RATE_LIMIT
   */
  readonly camsRateLimit?: { readonly limit: number; readonly windowMs: number };
  /** ICE: none published, so none by default; when set, excess calls answer 400 `Throttling.User`. */
  readonly iceRateLimit?: { readonly limit: number; readonly windowMs: number };
  /** Allowed distance between `x-acs-date` and the gateway clock. @default 900000 (15 minutes) */
  readonly maxClockSkewMs?: number;
}

export interface EmulatedIceFlow {
  readonly flowId: string;
  readonly name: string;
  readonly region: string;
  readonly status: 'online' | 'offline';
  readonly input?: { readonly name: string; readonly protocol: string };
  readonly outputs: ReadonlyArray<{ readonly name: string; readonly protocol: string }>;
}

export interface EmulatedCamsFlow {
  readonly flowId: string;
  readonly name: string;
  readonly categories: readonly string[];
  readonly custSpaceId?: string;
  readonly status: 'DRAFT' | 'PUBLISHED' | 'DEPRECATED';
  readonly filePath?: string;
}

export interface RunningAlibabaEmulator extends RunningEmulator {
  iceFlows(): EmulatedIceFlow[];
  camsFlows(): EmulatedCamsFlow[];
  /** Creates a flow out of band (a console user, another system): the "not ours" cases. */
  seedIceFlow(flow: { name: string; region: string; status?: 'online' | 'offline' }): string;
  seedCamsFlow(flow: {
    name: string;
    categories?: string[];
    custSpaceId?: string;
    status?: 'DRAFT' | 'PUBLISHED';
  }): string;
}

type Product = 'ice' | 'cams';

const ICE_MAX_OUTPUTS = 4;
/** The regions with an ICE endpoint (docs/vendors/alibaba-ice.md, "Constraints"). */
const ICE_REGIONS = new Set(['ap-southeast-1', 'cn-beijing', 'cn-hangzhou', 'cn-shanghai', 'cn-shenzhen', 'us-west-1']);
const ICE_PROTOCOLS = new Set(['RTMP-PUSH', 'RTMP-PULL', 'SRT-Listener', 'SRT-Caller', 'Flow']);
interface IceFlowState {
  flowId: string;
  name: string;
  region: string;
  status: 'online' | 'offline';
  createTime: string;
  startTime?: string;
  input?: Record<string, string>;
  outputs: Map<string, Record<string, string>>;
}

interface CamsFlowState {
  flowId: string;
  name: string;
  categories: string[];
  custSpaceId: string;
  endpointUri?: string;
  status: 'DRAFT' | 'PUBLISHED' | 'DEPRECATED';
  filePath?: string;
}

/** CAMS's documented rate: 5 calls per second for each Flow API operation (docs/vendors/alibaba-cams.md, "Limits"). */
export const CAMS_RATE_LIMIT = { limit: 5, windowMs: 1000 } as const;

export async function startAlibabaEmulator(options: AlibabaEmulatorOptions): Promise<RunningAlibabaEmulator> {
  const maxClockSkewMs = options.maxClockSkewMs ?? 15 * 60_000;
  const authenticate = alibabaAuthenticator(options.credentials, maxClockSkewMs);
  const camsLimit = options.camsRateLimit ?? CAMS_RATE_LIMIT;
  const camsLimiters = new Map<string, SlidingWindowLimiter>();
  const iceLimiter = options.iceRateLimit
    ? new SlidingWindowLimiter(options.iceRateLimit.limit, options.iceRateLimit.windowMs)
    : undefined;
  /** CAMS counts each operation on its own; ICE (when a limit is set) every call together. */
  const limiterFor = (product: Product, action: string): SlidingWindowLimiter | undefined => {
    if (product === 'ice') return iceLimiter;
    let limiter = camsLimiters.get(action);
    if (!limiter) {
      limiter = new SlidingWindowLimiter(camsLimit.limit, camsLimit.windowMs);
      camsLimiters.set(action, limiter);
    }
    return limiter;
  };
  const iceFlows = new Map<string, IceFlowState>();
  const camsFlows = new Map<string, CamsFlowState>();
  let camsSequence = 333993838000;

  // --- envelopes --------------------------------------------------------------------------------------------------

  const iceOk = (content: unknown = ''): Reply => ({
    status: 200,
    body: { RetCode: 0, Description: 'OK', Content: content },
  });
  const iceFail = (retCode: number, description: string, content: unknown = ''): Reply => ({
    status: 200,
    code: `RetCode ${retCode}`,
    body: { RetCode: retCode, Description: description, Content: content },
  });
  const camsOk = (data?: unknown): Reply => ({
    status: 200,
    body: { Code: 'OK', Message: 'None', ...(data === undefined ? {} : { Data: data }) },
  });
  const camsFail = (status: number, code: string, message: string): Reply => ({
    status,
    code,
    body: { Code: code, Message: message },
  });
  const throttleFor = (product: Product): Reply =>
    product === 'cams'
      ? camsFail(400, 'System.LimitControl', 'The system is under flow control.')
      : gatewayError(400, 'Throttling.User', 'Request was denied due to user flow control.');

  // --- ICE ------------------------------------------------------------------------------------------------------

  const iceFlow = (params: Params): IceFlowState | Reply => {
    const id = params.FlowId;
    if (!id) return gatewayError(400, 'MissingFlowId', 'FlowId is mandatory for this action.');
    return iceFlows.get(id) ?? iceFail(1002, `The flow ${id} does not exist.`);
  };
  const isReply = (value: unknown): value is Reply =>
    typeof value === 'object' && value !== null && 'body' in value && 'status' in value;
  const streamUrl = (protocol: string, name: string) =>
    protocol.startsWith('SRT')
      ? `srt://127.0.0.1:${10000 + Math.floor(Math.random() * 50000)}`
      : `rtmp://127.0.0.1:1935/live/${name}_${randomUUID().replaceAll('-', '')}`;
  const endpointParams = (params: Params, keys: readonly string[]) => {
    const picked: Record<string, string> = {};
    for (const key of keys) if (params[key] !== undefined) picked[key] = params[key]!;
    return picked;
  };
  const SRT_KEYS = ['Cidrs', 'SrtLatency', 'SrtPassphrase', 'SrtPbkeyLen'] as const;

  const ice: Record<string, (params: Params, at: number) => Reply> = {
    CreateMediaConnectFlow: (params, at) => {
      const missing = missingParam(params, ['FlowName', 'FlowRegion']);
      if (missing) return gatewayError(400, `Missing${missing}`, `${missing} is mandatory for this action.`);
      if (!ICE_REGIONS.has(params.FlowRegion!)) {
        return iceFail(1010, `MediaConnect is not available in region ${params.FlowRegion}.`);
      }
      const existing = [...iceFlows.values()].find((f) => f.region === params.FlowRegion && f.name === params.FlowName);
      if (existing) return iceFail(1001, `The flow name ${params.FlowName} already exists in ${params.FlowRegion}.`);
      const flowId = randomUUID();
      iceFlows.set(flowId, {
        flowId,
        name: params.FlowName!,
        region: params.FlowRegion!,
        status: 'offline',
        createTime: isoSeconds(at),
        outputs: new Map(),
      });
      return iceOk({ FlowId: flowId });
    },
    GetMediaConnectFlow: (params) => {
      const flow = iceFlow(params);
      if (isReply(flow)) return flow;
      return iceOk({
        FlowId: flow.flowId,
        FlowName: flow.name,
        FlowStatus: flow.status,
        CreateTime: flow.createTime,
        ...(flow.startTime ? { StartTime: flow.startTime } : {}),
        FlowFailover: 'false',
      });
    },
    UpdateMediaConnectFlowStatus: (params, at) => {
      const flow = iceFlow(params);
      if (isReply(flow)) return flow;
      if (params.Status !== 'online' && params.Status !== 'offline') {
        return params.Status === undefined
          ? gatewayError(400, 'MissingStatus', 'Status is mandatory for this action.')
          : iceFail(1003, `Status must be online or offline, not ${params.Status}.`);
      }
      if (params.Status === 'online' && flow.status !== 'online') flow.startTime = isoSeconds(at);
      flow.status = params.Status;
      return iceOk('');
    },
    DeleteMediaConnectFlow: (params) => {
      const flow = iceFlow(params);
      if (isReply(flow)) return flow;
      if (flow.status === 'online') return iceFail(1004, 'An online flow cannot be deleted; set it offline first.');
      iceFlows.delete(flow.flowId);
      return iceOk('');
    },
    AddMediaConnectFlowInput: (params, at) => {
      const missing = missingParam(params, ['FlowId', 'InputName', 'InputProtocol']);
      if (missing) return gatewayError(400, `Missing${missing}`, `${missing} is mandatory for this action.`);
      const flow = iceFlow(params);
      if (isReply(flow)) return flow;
      const protocol = params.InputProtocol!;
      if (!ICE_PROTOCOLS.has(protocol)) return iceFail(1006, `InputProtocol ${protocol} is not supported.`);
      if (flow.input) return iceFail(1005, 'An input already exists for this flow (failover is not enabled).');
      if ((protocol === 'RTMP-PULL' || protocol === 'SRT-Caller') && !params.InputFromUrl) {
        return iceFail(1006, `InputFromUrl is required for ${protocol}.`);
      }
      const url = params.InputFromUrl ?? streamUrl(protocol, params.InputName!);
      flow.input = {
        InputName: params.InputName!,
        InputProtocol: protocol,
        InputUrl: url,
        CreateTime: isoSeconds(at),
        ...endpointParams(params, ['MaxBitrate', 'PairFlowId', 'PairOutputName', ...SRT_KEYS]),
      };
      return iceOk({ InputUrl: url });
    },
    GetMediaConnectFlowInput: (params) => {
      const flow = iceFlow(params);
      if (isReply(flow)) return flow;
      if (!flow.input) return iceFail(1007, 'The flow has no input.');
      return iceOk(flow.input);
    },
    AddMediaConnectFlowOutput: (params, at) => {
      const missing = missingParam(params, ['FlowId', 'OutputName', 'OutputProtocol']);
      if (missing) return gatewayError(400, `Missing${missing}`, `${missing} is mandatory for this action.`);
      const flow = iceFlow(params);
      if (isReply(flow)) return flow;
      const protocol = params.OutputProtocol!;
      if (!ICE_PROTOCOLS.has(protocol)) return iceFail(1006, `OutputProtocol ${protocol} is not supported.`);
      if (flow.outputs.has(params.OutputName!)) {
        return iceFail(1008, `The output name ${params.OutputName} already exists in this flow.`);
      }
      if (flow.outputs.size >= ICE_MAX_OUTPUTS) return iceFail(1009, 'A flow has at most 4 outputs.');
      // An RTMP output needs an RTMP source (docs/vendors/alibaba-ice.md, "Constraints").
      if (protocol.startsWith('RTMP-') && flow.input?.InputProtocol?.startsWith('SRT-')) {
        return iceFail(1011, `An ${protocol} output needs an RTMP source; the input is ${flow.input.InputProtocol}.`);
      }
      const url = params.OutputToUrl ?? streamUrl(protocol, params.OutputName!);
      flow.outputs.set(params.OutputName!, {
        OutputName: params.OutputName!,
        OutputProtocol: protocol,
        OutputUrl: url,
        CreateTime: isoSeconds(at),
        ...endpointParams(params, ['PlayerLimit', 'PairFlowId', 'PairInputName', ...SRT_KEYS]),
      });
      return iceOk({ OutputUrl: url });
    },
    GetMediaConnectFlowAllOutputName: (params) => {
      const flow = iceFlow(params);
      if (isReply(flow)) return flow;
      return iceOk([...flow.outputs.keys()]);
    },
  };

  // --- CAMS -----------------------------------------------------------------------------------------------------

  const camsFlow = (params: Params): CamsFlowState | Reply => {
    const id = params.FlowId;
    if (!id) return gatewayError(400, 'MissingFlowId', 'FlowId is mandatory for this action.');
    const flow = camsFlows.get(id);
    if (!flow) return camsFail(404, 'InvalidFlowId.NotFound', `The flow ${id} does not exist.`);
    if (flow.custSpaceId !== (params.CustSpaceId ?? '')) {
      return camsFail(400, 'Unknown.ResourceOwnerId', 'The resource does not belong to the caller.');
    }
    return flow;
  };
  const statusInvalid = (flow: CamsFlowState, action: string, allowed: string) =>
    camsFail(400, 'Flow.StatusInvalid', `${action} requires a ${allowed} flow; ${flow.flowId} is ${flow.status}.`);
  const summary = (f: CamsFlowState) => ({ FlowId: f.flowId, FlowName: f.name, Categories: [...f.categories] });

  const cams: Record<string, (params: Params, at: number) => Reply> = {
    CreateFlow: (params) => {
      const missing = missingParam(params, ['FlowName', 'Categories']);
      if (missing) return gatewayError(400, `Missing${missing}`, `${missing} is mandatory for this action.`);
      let categories: unknown;
      try {
        categories = JSON.parse(params.Categories!);
      } catch {
        categories = undefined;
      }
      if (!Array.isArray(categories) || categories.length === 0 || !categories.every((c) => typeof c === 'string')) {
        return gatewayError(400, 'InvalidCategories', 'Categories must be a JSON array of category names.');
      }
      const flowId = String(++camsSequence);
      const flow: CamsFlowState = {
        flowId,
        name: params.FlowName!,
        categories: categories as string[],
        custSpaceId: params.CustSpaceId ?? '',
        status: 'DRAFT',
        ...(params.EndpointUri ? { endpointUri: params.EndpointUri } : {}),
      };
      camsFlows.set(flowId, flow);
      return camsOk(summary(flow));
    },
    ListFlow: (params) => {
      let page = { Index: 1, Size: 20 };
      if (params.Page !== undefined) {
        try {
          page = { ...page, ...(JSON.parse(params.Page) as typeof page) };
        } catch {
          return gatewayError(400, 'InvalidPage', 'Page must be a JSON object {"Index","Size"}.');
        }
      }
      const space = params.CustSpaceId ?? '';
      const matches = [...camsFlows.values()].filter(
        (f) => f.custSpaceId === space && (params.FlowName === undefined || f.name.includes(params.FlowName)),
      );
      const start = (Math.max(1, page.Index) - 1) * Math.max(1, page.Size);
      return camsOk(matches.slice(start, start + Math.max(1, page.Size)).map(summary));
    },
    GetFlow: (params, at) => {
      const flow = camsFlow(params);
      if (isReply(flow)) return flow;
      return camsOk({
        ...summary(flow),
        Status: flow.status,
        JSONVersion: '3.1',
        DataApiVersion: '3.0',
        ...(flow.endpointUri ? { EndpointUri: flow.endpointUri } : {}),
        PreviewUrl: `https://business.facebook.com/wa/manage/flows/${flow.flowId}/preview/`,
        PreviewUrlExpires: at + 30 * 24 * 3600_000,
      });
    },
    UpdateFlowJSONAsset: (params) => {
      const flow = camsFlow(params);
      if (isReply(flow)) return flow;
      if (!params.FilePath) return gatewayError(400, 'MissingFilePath', 'FilePath is mandatory for this action.');
      if (flow.status !== 'DRAFT') return statusInvalid(flow, 'UpdateFlowJSONAsset', 'DRAFT');
      flow.filePath = params.FilePath;
      return camsOk({ FlowId: flow.flowId });
    },
    GetFlowJSONAssest: (params) => {
      const flow = camsFlow(params);
      if (isReply(flow)) return flow;
      return camsOk({ FlowId: flow.flowId, ...(flow.filePath ? { FilePath: flow.filePath } : {}) });
    },
    PublishFlow: (params) => {
      const flow = camsFlow(params);
      if (isReply(flow)) return flow;
      if (flow.status !== 'DRAFT') return statusInvalid(flow, 'PublishFlow', 'DRAFT');
      if (!flow.filePath) {
        return camsFail(400, 'Flow.JSONAssetMissing', `Flow ${flow.flowId} has no flow JSON to publish.`);
      }
      // Synchronous, as WhatsApp's publish is: the next GetFlow reports PUBLISHED.
      flow.status = 'PUBLISHED';
      return camsOk();
    },
    DeprecateFlow: (params) => {
      const flow = camsFlow(params);
      if (isReply(flow)) return flow;
      if (flow.status !== 'PUBLISHED') return statusInvalid(flow, 'DeprecateFlow', 'PUBLISHED');
      flow.status = 'DEPRECATED';
      return camsOk();
    },
    DeleteFlow: (params) => {
      const flow = camsFlow(params);
      if (isReply(flow)) return flow;
      if (flow.status !== 'DRAFT') return statusInvalid(flow, 'DeleteFlow', 'DRAFT');
      camsFlows.delete(flow.flowId);
      return camsOk();
    },
  };

  // --- the gateway --------------------------------------------------------------------------------------------------

  const open = (req: RawRequest, at: number): Exchange<Reply> => {
    const requestId = randomUUID().toUpperCase();
    const version = header(req, 'x-acs-version');
    const product: Product | undefined =
      version === ICE_VERSION ? 'ice' : version === CAMS_VERSION ? 'cams' : undefined;
    const action = header(req, 'x-acs-action') ?? 'unknown';
    const admit = () => {
      if (req.method !== 'POST' && req.method !== 'GET') {
        return {
          refused: gatewayError(400, 'UnsupportedHTTPMethod', `The HTTP method ${req.method} is not supported.`),
        };
      }
      const authFailure = authenticate(req, at);
      if (authFailure) return { refused: authFailure };
      const operations = product === 'ice' ? ice : product === 'cams' ? cams : undefined;
      const operation = operations && Object.hasOwn(operations, action) ? operations[action] : undefined;
      if (!product || !operation) {
        return {
          refused: gatewayError(
            404,
            'InvalidApi.NotFound',
            `Specified api is not found, please check your url and method.`,
          ),
        };
      }
      return {
        call: {
          limiter: limiterFor(product, action),
          throttle: () => throttleFor(product),
          serve: (now: number) => operation(requestParams(req), now),
        },
      };
    };
    return {
      operation: action,
      budget: product ?? 'unknown',
      admit,
      encode: (reply) => ({ status: reply.status, body: JSON.stringify({ RequestId: requestId, ...reply.body }) }),
    };
  };

  const emulator = await startEmulator<Reply>({
    ...options,
    open,
    unavailable: oneOf(
      gatewayError(500, 'InternalError', 'The request processing has failed due to some unknown error.'),
      gatewayError(503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.'),
    ),
  });
  return {
    ...emulator,
    iceFlows: () =>
      [...iceFlows.values()].map((f) => ({
        flowId: f.flowId,
        name: f.name,
        region: f.region,
        status: f.status,
        ...(f.input ? { input: { name: f.input.InputName!, protocol: f.input.InputProtocol! } } : {}),
        outputs: [...f.outputs.values()].map((o) => ({ name: o.OutputName!, protocol: o.OutputProtocol! })),
      })),
    camsFlows: () =>
      [...camsFlows.values()].map((f) => ({
        flowId: f.flowId,
        name: f.name,
        categories: [...f.categories],
        ...(f.custSpaceId ? { custSpaceId: f.custSpaceId } : {}),
        status: f.status,
        ...(f.filePath ? { filePath: f.filePath } : {}),
      })),
    seedIceFlow: ({ name, region, status = 'offline' }) => {
      const flowId = randomUUID();
      iceFlows.set(flowId, { flowId, name, region, status, createTime: isoSeconds(Date.now()), outputs: new Map() });
      return flowId;
    },
    seedCamsFlow: ({ name, categories = ['OTHER'], custSpaceId = '', status = 'DRAFT' }) => {
      const flowId = String(++camsSequence);
      camsFlows.set(flowId, { flowId, name, categories, custSpaceId, status });
      return flowId;
    },
  };
}

function missingParam(params: Params, names: readonly string[]): string | undefined {
  return names.find((name) => params[name] === undefined || params[name] === '');
}

function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}
