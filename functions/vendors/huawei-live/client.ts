/**
 * Huawei Cloud Live "StreamConnect" flows (`docs/vendors/huawei-live.md`), REST + JSON signed with SDK-HMAC-SHA256.
 *
 * - create = `POST /v1/{project_id}/flows`; read = `GET .../flows/detail?flow_id=`; start/stop =
 *   `PUT .../flows/start|stop?flow_id=`; delete = `DELETE .../flows?flow_id=`; share = `POST
 * .../flows/outputs?flow_id=`   with a JSON array of outputs (Huawei has no entitlements; an output is how a consumer
 * gets the stream).
 * - Huawei knows two flow states, STANDBY (not started) and ACTIVE (running). Start answers one of them; STANDBY
 *   right after a start means "accepted, not running yet", reported as STARTING so the workflow polls until ACTIVE.
 * - Get-or-create (docs/architecture.md, "Exactly-once effects"): the flow name carries the request identity
 *   (`<name>-<requestId>`, `../alibaba/flow-name.ts`) and every source description carries
 *   `[flow-provisioner:request-id=<id>]`. Whether Huawei refuses a duplicate flow name is not documented for flows
 *   (docs/vendors/huawei-live.md, "Identity and adoption"), so create never relies on it: a create that may repeat an
 *   earlier try (not `firstTry`: a retry, redrive, later attempt or redelivery) first lists the flows (ListFlows, paged
 *   to the end), reads the one named ours and adopts it when the marker is there, and only creates when there is none.
 *   A first try cannot meet a flow of its own, so it creates at once. A `LIVE.103011018` answer to the create is looked
 *   up the same way; a namesake without the marker is `VendorConflict` (`./lookup.ts`).
 * - Teardown (stop, then delete, after the identity check) is `./teardown.ts`.
 * - Errors: `{ error_code, error_msg }` bodies mapped by code first (APIG.0308 throttles whatever the status), by HTTP
 *   status only when the code is unknown.
 * - One HTTP call per `pace(...)`; each call signed when it leaves (inside the pacer), with a deadline.
 *
 * The project id (`HUAWEICLOUD_PROJECT_ID`) belongs to one region: requests for another region are refused by Huawei.
 */

import { z } from 'zod';
import type { HuaweiLiveRequest, ProvisionRequest } from '../../domain/contract.ts';
import type { TaxonomyError, VendorErrorDetails } from '../../domain/errors.ts';
import {
  InvalidRequestError,
  VendorConflictError,
  VendorRejectedError,
  VendorUnavailableError,
} from '../../domain/errors.ts';
import type { FlowConnection } from '../../domain/flow-event.ts';
import { vendorFlowName } from '../alibaba/flow-name.ts';
import { credentialsFromEnv, endpointFromEnv } from '../common/environment.ts';
import { errorFromCode } from '../common/error-table.ts';
import { SignedHttpClient, type SignedHttpClientOptions } from '../common/signed-http-client.ts';
import { canonicalQueryString } from '../hmac-signing.ts';
import { clip, parseJson, sendHttp } from '../http-call.ts';
import type {
  CreatedFlow,
  CreateOptions,
  FlowStatus,
  GrantedEntitlement,
  TeardownResult,
  TeardownTarget,
  VendorClient,
} from '../types.ts';
import { huaweiIngest, huaweiOutputs } from './connection.ts';
import { huaweiLive } from './descriptor.ts';
import { HUAWEI_ALREADY_EXISTS, HUAWEI_ERRORS, isStateConflict } from './errors.ts';
import { type FlowDetail, flowDetail, huaweiFlowState, huaweiFlowStatus, huaweiIdentityMarker } from './flows.ts';
import { findOwnFlow, LIST_PAGE_SIZE, type LookupCalls } from './lookup.ts';
import { type HuaweiCredentials, signHuaweiRequest } from './signer.ts';
import { type TeardownCalls, teardownFlow } from './teardown.ts';

export { huaweiFlowState, huaweiIdentityMarker, huaweiMarkedRequestIds } from './flows.ts';

const VENDOR = 'huawei-live';

/** The documented regional host: `live.{region}.myhuaweicloud.com`. */
export function huaweiEndpointFor(region: string): URL {
  return new URL(`https://live.${region}.myhuaweicloud.com`);
}

/** The Huawei name of a request's flow: it carries the request identity. */
export function huaweiFlowName(request: Pick<HuaweiLiveRequest, 'requestId' | 'flow'>): string {
  return vendorFlowName(request.flow.name, request.requestId);
}

/** Maps one Huawei error answer to the taxonomy: the code decides; the status only when the code is unknown. */
export function huaweiError(status: number, body: unknown, details: VendorErrorDetails): TaxonomyError {
  const parsed = errorBody.safeParse(body);
  const code = parsed.success ? parsed.data.error_code : undefined;
  const text = parsed.success ? parsed.data.error_msg : undefined;
  const message = `huawei-live ${details.operation ?? 'call'}: HTTP ${status}${code ? ` ${code}` : ''}${text ? `: ${clip(text)}` : ''}`;
  return errorFromCode(HUAWEI_ERRORS, status, code, message, details);
}

// --- response boundary -------------------------------------------------------------------------------------------

const errorBody = z.object({
  error_code: z.string().min(1),
  error_msg: z.string().optional(),
  request_id: z.string().optional(),
});
const createResponse = z.object({ flow: flowDetail });
const statusResponse = z.object({ status: z.string().min(1), flow_id: z.string().optional() });
const listResponse = z.object({
  total: z.number().int().min(0).optional(),
  flows: z.array(z.object({ flow_id: z.string().min(1), name: z.string(), status: z.string().optional() })).default([]),
});
const outputsResponse = z.object({
  flow_id: z.string().optional(),
  outputs: z.array(z.looseObject({ name: z.string() })).default([]),
});

// --- request mapping ---------------------------------------------------------------------------------------------

type HuaweiSourceInput = HuaweiLiveRequest['flow']['sources'][number];
type HuaweiOutputInput = HuaweiLiveRequest['entitlements'][number];
type HuaweiEncryptionInput = NonNullable<HuaweiOutputInput['encryption']>;

function encryptionBody(e: HuaweiEncryptionInput) {
  return { key_type: e.keyType, passphrase: e.passphrase, algorithm: e.algorithm };
}

function sourceBody(source: HuaweiSourceInput, requestId: string) {
  const marker = huaweiIdentityMarker(requestId);
  return {
    name: source.name,
    protocol: source.protocol,
    source_listener_address: source.sourceListenerAddress,
    source_listener_port: source.sourceListenerPort,
    stream_id: source.streamId,
    min_latency: source.minLatency,
    cidr_whitelist: source.cidrWhitelist,
    description: source.description ? `${source.description} ${marker}` : marker,
    decryption: source.decryption ? encryptionBody(source.decryption) : undefined,
  };
}

function outputBody(output: HuaweiOutputInput) {
  return {
    name: output.name,
    protocol: output.protocol,
    destination: output.destination,
    port: output.port,
    cidr_whitelist: output.cidrWhitelist,
    encryption: output.encryption ? encryptionBody(output.encryption) : undefined,
    output_status: output.outputStatus,
    stream_id: output.streamId,
    description: output.description,
    min_latency: output.minLatency,
  };
}

// --- the client ----------------------------------------------------------------------------------------------------

export interface HuaweiLiveClientOptions extends SignedHttpClientOptions {
  readonly credentials: HuaweiCredentials;
  /** Project id of the region served (`HUAWEICLOUD_PROJECT_ID`): path segment and `X-Project-Id` header. */
  readonly projectId: string;
  /** Base URL for every region (`VENDOR_ENDPOINT_HUAWEI_LIVE`); default `live.{region}.myhuaweicloud.com`. */
  readonly endpoint?: URL;
  /**
   * How many ListFlows pages (100 flows each) a lookup may read before it gives up, refusing to create a flow it
   * cannot rule out exists. Every page is a paced call (80 a minute), so the bound keeps a create within the λ
   * timeout (`functions/vendors/huawei-live/descriptor.ts`). @default 5
   */
  readonly maxListPages?: number;
}

export type HuaweiLiveFromEnvOptions = SignedHttpClientOptions;

interface Call {
  readonly operation: string;
  readonly region: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path below `/v1/{project_id}`, e.g. `/flows/start`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

export class HuaweiLiveClient extends SignedHttpClient implements VendorClient<HuaweiLiveRequest> {
  readonly vendor = VENDOR;
  private readonly credentials: HuaweiCredentials;
  private readonly projectId: string;
  private readonly endpoint: URL | undefined;
  private readonly maxListPages: number;
  /** The calls get-or-create's lookup and the teardown make, on this client's pacer and signer. */
  private readonly calls: LookupCalls & TeardownCalls = {
    listFlows: (region, offset) => this.listFlows(region, offset),
    detail: (region, flowId) => this.detail({ region }, flowId),
    stopFlow: (region, flowId) => this.stopIn(region, flowId),
    deleteFlow: (region, flowId) => this.deleteIn(region, flowId),
  };

  constructor(options: HuaweiLiveClientOptions) {
    super(huaweiLive, options);
    this.credentials = options.credentials;
    this.projectId = options.projectId;
    this.endpoint = options.endpoint;
    this.maxListPages = options.maxListPages ?? 5;
    if (!/^[A-Za-z0-9-]+$/.test(this.projectId)) throw new Error('HUAWEICLOUD_PROJECT_ID must be a project id');
  }

  /**
   * As the vendor λ builds it: `HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK`, `HUAWEICLOUD_PROJECT_ID` (all required,
   * every missing one named) and the optional `VENDOR_ENDPOINT_HUAWEI_LIVE`.
   */
  static fromEnv(env: NodeJS.ProcessEnv, options: HuaweiLiveFromEnvOptions = {}): HuaweiLiveClient {
    const vars = credentialsFromEnv(env, huaweiLive.credentialKeys, 'Huawei Cloud credentials');
    const endpoint = endpointFromEnv(env, huaweiLive.endpointEnv);
    return new HuaweiLiveClient({
      credentials: { accessKey: vars.HUAWEICLOUD_SDK_AK, secretKey: vars.HUAWEICLOUD_SDK_SK },
      projectId: vars.HUAWEICLOUD_PROJECT_ID,
      ...(endpoint ? { endpoint } : {}),
      ...options,
    });
  }

  async createFlow(request: HuaweiLiveRequest, options: CreateOptions = {}): Promise<CreatedFlow> {
    const req = own(request);
    const name = huaweiFlowName(req);
    // A create that may repeat an earlier try whose answer was lost looks first; a first try has nothing to find.
    const existing = options.firstTry ? undefined : await findOwnFlow(this.calls, req, name, this.maxListPages);
    // The detail that proved the flow ours answered its sources too: no further read for the connection.
    if (existing) return { ...huaweiFlowStatus(existing), name, adopted: true, connection: connectionOf(existing) };
    try {
      const answer = await this.call(
        {
          operation: 'CreateFlows',
          region: req.region,
          method: 'POST',
          path: '/flows',
          body: {
            name,
            region: req.region,
            sources: req.flow.sources.map((source) => sourceBody(source, req.requestId)),
          },
        },
        createResponse,
      );
      return { ...huaweiFlowStatus(answer.flow), name, adopted: false, connection: connectionOf(answer.flow) };
    } catch (error) {
      if (!(error instanceof VendorConflictError) || error.details.vendorCode !== HUAWEI_ALREADY_EXISTS) throw error;
      // Created in the moment between the lookup and the create (a concurrent duplicate delivery): look again.
      const raced = await findOwnFlow(this.calls, req, name, this.maxListPages, error);
      if (raced) return { ...huaweiFlowStatus(raced), name, adopted: true, connection: connectionOf(raced) };
      throw new VendorConflictError(
        `huawei-live: Huawei answered ${HUAWEI_ALREADY_EXISTS} but no flow is named "${name}": something else of this request (a source name or port) is taken`,
        { ...error.details, operation: 'CreateFlows' },
        { cause: error },
      );
    }
  }

  /**
   * Huawei answers ACTIVE (running) or STANDBY (accepted, not yet running: STARTING in our words). Start is a
   * desired-state operation: when Huawei refuses it for the flow's state (LIVE.103011022 — e.g. a retry after a lost
   * answer finds it already started), the flow is read and its state answered instead.
   */
  async startFlow(request: HuaweiLiveRequest, flowId: string): Promise<FlowStatus> {
    const req = own(request);
    try {
      const answer = await this.call(
        {
          operation: 'ModifyFlowStart',
          region: req.region,
          method: 'PUT',
          path: '/flows/start',
          query: { flow_id: flowId },
        },
        statusResponse,
      );
      const state = huaweiFlowState(answer.status);
      return { flowId, state: state === 'STANDBY' ? 'STARTING' : state, vendorStatus: answer.status };
    } catch (error) {
      if (!isStateConflict(error)) throw error;
      const status = huaweiFlowStatus(await this.detail(req, flowId));
      if (status.state === 'STANDBY') throw error;
      return status;
    }
  }

  async describeFlow(request: HuaweiLiveRequest, flowId: string): Promise<FlowStatus> {
    const detail = await this.detail(own(request), flowId);
    return huaweiFlowStatus(detail);
  }

  /** Adds the request's outputs in one call; a retry that finds them all on our flow adopts them. */
  async grantEntitlements(request: HuaweiLiveRequest, flowId: string): Promise<GrantedEntitlement[]> {
    const req = own(request);
    const wanted = req.entitlements.map((output) => output.name);
    if (wanted.length === 0) return [];
    let answered: unknown;
    try {
      const answer = await this.call(
        {
          operation: 'CreateFlowOutput',
          region: req.region,
          method: 'POST',
          path: '/flows/outputs',
          query: { flow_id: flowId },
          body: req.entitlements.map(outputBody),
        },
        outputsResponse,
      );
      answered = answer;
      const names = new Set(answer.outputs.map((o) => o.name));
      const missing = wanted.filter((name) => !names.has(name));
      if (missing.length > 0 && answer.outputs.length > 0) {
        throw new VendorUnavailableError(
          `huawei-live CreateFlowOutput: outputs ${missing.join(', ')} not in the answer`,
          {
            vendor: VENDOR,
            operation: 'CreateFlowOutput',
          },
        );
      }
    } catch (error) {
      if (!(error instanceof VendorConflictError) || error.details.vendorCode !== HUAWEI_ALREADY_EXISTS) throw error;
      const existing = new Set((await this.detail(req, flowId)).outputs?.map((o) => o.name) ?? []);
      const missing = wanted.filter((name) => !existing.has(name));
      if (missing.length > 0) {
        throw new VendorConflictError(
          `huawei-live CreateFlowOutput: Huawei says an output already exists, but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not on flow ${flowId}: another resource holds the name or port`,
          error.details,
          { cause: error },
        );
      }
    }
    const outputs = huaweiOutputs(req.entitlements, answered);
    return outputs.map((output) => ({ name: output.name, id: output.name, output }));
  }

  /** One ShowFlowDetail: the source's address, for a flow whose create answer is gone. */
  async describeConnection(request: HuaweiLiveRequest, flowId: string): Promise<FlowConnection> {
    const req = own(request);
    const ingest = huaweiIngest(await this.detail(req, flowId));
    return { ...(ingest ? { ingest } : {}), outputs: huaweiOutputs(req.entitlements, undefined) };
  }

  /** Desired-state like start: a flow Huawei will not stop because it is not running is answered as it is. */
  async stopFlow(request: HuaweiLiveRequest, flowId: string): Promise<FlowStatus> {
    return this.stopIn(own(request).region, flowId);
  }

  private async stopIn(region: string, flowId: string): Promise<FlowStatus> {
    const req = { region };
    try {
      const answer = await this.call(
        {
          operation: 'ModifyFlowStop',
          region: req.region,
          method: 'PUT',
          path: '/flows/stop',
          query: { flow_id: flowId },
        },
        statusResponse,
      );
      return { flowId, state: huaweiFlowState(answer.status), vendorStatus: answer.status };
    } catch (error) {
      if (!isStateConflict(error)) throw error;
      const status = huaweiFlowStatus(await this.detail(req, flowId));
      if (status.state !== 'STANDBY') throw error;
      return status;
    }
  }

  /** A flow that is already gone (HTTP 404) counts as deleted: a retry after a lost answer must not fail. */
  async deleteFlow(request: HuaweiLiveRequest, flowId: string): Promise<void> {
    const req = own(request);
    try {
      await this.deleteIn(req.region, flowId);
    } catch (error) {
      if (!(error instanceof VendorRejectedError && error.details.httpStatus === 404)) throw error;
    }
  }

  /** ModifyFlowStop → DeleteFlow, one step per call, after the identity check (`./teardown.ts`). */
  async teardownFlow(target: TeardownTarget, flowId: string): Promise<TeardownResult> {
    return teardownFlow(this.calls, target, flowId);
  }

  private deleteIn(region: string, flowId: string): Promise<unknown> {
    return this.call(
      { operation: 'DeleteFlow', region, method: 'DELETE', path: '/flows', query: { flow_id: flowId } },
      z.unknown(),
    );
  }

  private listFlows(region: string, offset: number): Promise<z.output<typeof listResponse>> {
    return this.call(
      {
        operation: 'ListFlows',
        region,
        method: 'GET',
        path: '/flows',
        query: { limit: String(LIST_PAGE_SIZE), offset: String(offset) },
      },
      listResponse,
    );
  }

  private detail(req: { readonly region: string }, flowId: string): Promise<FlowDetail> {
    return this.call(
      {
        operation: 'ShowFlowDetail',
        region: req.region,
        method: 'GET',
        path: '/flows/detail',
        query: { flow_id: flowId },
      },
      flowDetail,
    );
  }

  /** One paced, signed HTTP call; resolves with the parsed 2xx body or rejects with a taxonomy error. */
  private async call<S extends z.ZodType>(call: Call, schema: S): Promise<z.output<S>> {
    const base = this.endpoint ?? huaweiEndpointFor(call.region);
    const path = `${base.pathname.replace(/\/+$/, '')}/v1/${this.projectId}${call.path}`;
    const query = call.query ?? {};
    const queryString = canonicalQueryString(query);
    const url = `${base.origin}${path}${queryString ? `?${queryString}` : ''}`;
    const body = call.body === undefined ? '' : JSON.stringify(call.body);
    const headers: Record<string, string> = {
      'Content-Type': body ? 'application/json;charset=utf-8' : 'application/json',
      Host: base.host,
      'X-Project-Id': this.projectId,
    };
    const details: VendorErrorDetails = { vendor: VENDOR, operation: call.operation };

    const answer = await this.pace(
      () => {
        // Signed inside the paced call: X-Sdk-Date is when the call really leaves, not when it was queued.
        const signed = signHuaweiRequest(
          { method: call.method, path, query, headers, body },
          this.credentials,
          this.now(),
        );
        return sendHttp(
          this.fetchFn,
          { url, method: call.method, headers: signed.headers, ...(body ? { body } : {}) },
          this.callTimeoutMs,
          details,
        );
      },
      { operation: call.operation, region: call.region },
    );
    const json = parseJson(answer.text);
    const requestId = answer.headers.get('x-request-id') ?? undefined;
    const withId = requestId ? { ...details, vendorRequestId: requestId } : details;
    if (answer.status < 200 || answer.status >= 300 || errorBody.safeParse(json).success) {
      throw huaweiError(answer.status, json, withId);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new VendorUnavailableError(
        `huawei-live ${call.operation}: unexpected answer (${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'} ${i.message}`).join('; ')})`,
        { ...withId, httpStatus: answer.status },
      );
    }
    return parsed.data;
  }
}

function own(request: ProvisionRequest): HuaweiLiveRequest {
  if (request.vendor !== VENDOR)
    throw new InvalidRequestError([`vendor: the ${VENDOR} client got a ${request.vendor} request`]);
  return request;
}

/** The ingest side from a flow detail (CreateFlows' answer, or the detail read that adopted it). */
function connectionOf(detail: unknown): FlowConnection {
  const ingest = huaweiIngest(detail);
  return { ...(ingest ? { ingest } : {}), outputs: [] };
}
