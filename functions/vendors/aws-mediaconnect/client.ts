/**
 * AWS Elemental MediaConnect client (`docs/vendors/aws-mediaconnect.md`) on the official SDK v3.
 *
 * - SDK retries are off (`maxAttempts: 1`): Step Functions owns retries, and the pacing arithmetic of
 *   docs/architecture.md, "Pacing" holds only when one paced call is exactly one HTTP request.
 * - Every call has a deadline (`callTimeoutMs` of the one config module), enforced twice: the HTTP handler's
 *   connection/socket timeouts and an overall abort signal. A timeout surfaces as `VendorUnavailableError`.
 * - The request carries its region; one SDK client per region is built on first use and cached.
 * - Every vendor answer maps to one class of the taxonomy, decided by the vendor's error name *and* the HTTP status.
 * - Responses are checked with zod for the fields used.
 * - Get-or-create (docs/architecture.md, "Exactly-once effects"): MediaConnect has no client token and accepts
 *   duplicate flow names, so a create that may repeat an earlier one first looks for a flow of its name carrying our
 *   request-id tag (`./lookup.ts`). Teardown is `./teardown.ts`.
 * - Desired state under lost answers: StartFlow on a flow already STARTING/ACTIVE, StopFlow on one already
 *   STANDBY/STOPPING and DeleteFlow on one already gone answer the state instead of failing; GrantFlowEntitlements
 *   adopts entitlements of our names already on the flow (DescribeFlow). Each extra read is one more paced call.
 */
import {
  CreateFlowCommand,
  DeleteFlowCommand,
  DescribeFlowCommand,
  type GrantEntitlementRequest,
  GrantFlowEntitlementsCommand,
  ListFlowsCommand,
  ListTagsForResourceCommand,
  MediaConnectClient,
  type MediaConnectClientConfig,
  type Protocol,
  type SetSourceRequest,
  StartFlowCommand,
  StopFlowCommand,
} from '@aws-sdk/client-mediaconnect';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { z } from 'zod';
import type { AwsMediaConnectRequest } from '../../domain/contract.ts';
import type { VendorRejectedError } from '../../domain/errors.ts';
import { VendorUnavailableError } from '../../domain/errors.ts';
import type { FlowConnection } from '../../domain/flow-event.ts';
import { endpointFromEnv } from '../common/environment.ts';
import type {
  CreatedFlow,
  CreateOptions,
  FlowState,
  FlowStatus,
  GrantedEntitlement,
  PaceFn,
  TeardownResult,
  TeardownTarget,
  VendorClient,
} from '../types.ts';
import { REQUEST_ID_TAG, unpaced } from '../types.ts';
import { awsEntitlementOutput, awsFlowConnection } from './connection.ts';
import { awsMediaConnect } from './descriptor.ts';
import { compactDetails, isBadRequest, isNotFound, toVendorError } from './errors.ts';
import { findOwnFlow, LIST_PAGE_SIZE, type LookupCalls } from './lookup.ts';
import { type TeardownCalls, teardownFlow } from './teardown.ts';

const VENDOR = 'aws-mediaconnect';

export interface AwsMediaConnectClientOptions {
  /**
   * Home region. Requests carry their own region and get a client for it; `sdk`, when given, serves this region.
   */
  readonly region: string;
  /** API base URL override (`VENDOR_ENDPOINT_AWS_MEDIACONNECT`); default: the SDK's regional endpoint. */
  readonly endpoint?: string;
  /** @default the AWS default credential chain */
  readonly credentials?: MediaConnectClientConfig['credentials'];
  /** Runs each vendor call under the λ instance's pacer. @default unpaced */
  readonly pace?: PaceFn;
  /** A ready SDK client for `region` (tests, custom middleware). Build it with `maxAttempts: 1`. */
  readonly sdk?: MediaConnectClient;
  /** Deadline of one vendor call. @default the descriptor's `callTimeoutMs` */
  readonly callTimeoutMs?: number;
  /** How many ListFlows pages (1000 flows each) get-or-create may read before creating. @default 3 */
  readonly maxListPages?: number;
}

export interface AwsMediaConnectFromEnvOptions {
  readonly pace?: PaceFn;
  /** @default the descriptor's `callTimeoutMs` */
  readonly callTimeoutMs?: number;
}

export class AwsMediaConnectClient implements VendorClient<AwsMediaConnectRequest> {
  readonly vendor = VENDOR;
  private readonly region: string;
  private readonly endpoint: string | undefined;
  private readonly credentials: MediaConnectClientConfig['credentials'];
  private readonly pace: PaceFn;
  private readonly callTimeoutMs: number;
  private readonly maxListPages: number;
  private readonly clients = new Map<string, MediaConnectClient>();
  /** Clients this instance built (and so may destroy); an injected `sdk` belongs to its caller. */
  private readonly owned = new Set<MediaConnectClient>();
  /** The calls get-or-create's lookup and the teardown make, on this client's pacer and SDK clients. */
  private readonly calls: LookupCalls & TeardownCalls = {
    listFlows: (region, nextToken) => this.listFlows(region, nextToken),
    tagsOf: (region, flowArn) => this.tagsOf(region, flowArn),
    readFlow: (region, flowId) => this.readFlow(region, flowId),
    stopFlow: (region, flowId) => this.stopIn(region, flowId),
    deleteFlow: (region, flowId) => this.deleteIn(region, flowId),
  };

  constructor(options: AwsMediaConnectClientOptions) {
    this.region = options.region;
    this.endpoint = options.endpoint;
    this.credentials = options.credentials;
    this.pace = options.pace ?? unpaced;
    this.callTimeoutMs = options.callTimeoutMs ?? awsMediaConnect.callTimeoutMs;
    if (!(this.callTimeoutMs > 0)) throw new Error(`callTimeoutMs must be > 0, got ${this.callTimeoutMs}`);
    this.maxListPages = options.maxListPages ?? 3;
    if (options.sdk) this.clients.set(options.region, options.sdk);
  }

  /**
   * The client as the vendor λ builds it: endpoint from `VENDOR_ENDPOINT_AWS_MEDIACONNECT` when set, credentials
   * from `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`(/`AWS_SESSION_TOKEN`) of `env` when set, else the default chain
   * (profiles, container and instance roles).
   */
  static fromEnv(env: NodeJS.ProcessEnv, options: AwsMediaConnectFromEnvOptions = {}): AwsMediaConnectClient {
    // Checked as a URL, passed on as written: the SDK joins its paths to it.
    const endpoint = endpointFromEnv(env, awsMediaConnect.endpointEnv) && env[awsMediaConnect.endpointEnv]!.trim();
    const accessKeyId = env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
    const sessionToken = env.AWS_SESSION_TOKEN;
    return new AwsMediaConnectClient({
      region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
      ...(endpoint !== undefined ? { endpoint } : {}),
      ...(accessKeyId && secretAccessKey
        ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } }
        : {}),
      ...(options.pace ? { pace: options.pace } : {}),
      ...(options.callTimeoutMs !== undefined ? { callTimeoutMs: options.callTimeoutMs } : {}),
    });
  }

  async createFlow(request: AwsMediaConnectRequest, options: CreateOptions = {}): Promise<CreatedFlow> {
    const { flow } = request;
    // MediaConnect accepts two flows of one name, so a create that may repeat an earlier one looks first; a first try
    // cannot find its own flow and goes straight to CreateFlow.
    const existing = options.firstTry ? undefined : await findOwnFlow(this.calls, request, this.maxListPages);
    if (existing) {
      return {
        flowId: existing.FlowArn,
        name: existing.Name,
        state: flowStateOf(existing.Status),
        vendorStatus: existing.Status,
        adopted: true,
      };
    }
    const command = new CreateFlowCommand({
      Name: flow.name,
      Source: toSetSourceRequest(flow.source),
      ...(flow.availabilityZone !== undefined ? { AvailabilityZone: flow.availabilityZone } : {}),
    });
    // SDK 3.654's model predates `flowTags` and `flowSize`: its serializer silently drops unknown input members, so
    // they are added to the serialized body here (before content-length and signing). The request-id tag is what
    // get-or-create finds our flow by.
    const fields = {
      flowTags: { ...flow.tags, [REQUEST_ID_TAG]: request.requestId },
      ...(flow.flowSize !== undefined ? { flowSize: flow.flowSize } : {}),
    };
    command.middlewareStack.add(
      (next) => async (args) => {
        addJsonBodyFields(args.request, fields);
        return next(args);
      },
      { step: 'build', priority: 'high', name: 'flowProvisionerCreateFlowFields' },
    );
    const output = await this.send(request.region, 'CreateFlow', (sdk, options) => sdk.send(command, options));
    const { Flow } = parseOutput(flowOutput, output, 'CreateFlow');
    return {
      flowId: Flow.FlowArn,
      name: Flow.Name,
      state: flowStateOf(Flow.Status),
      vendorStatus: Flow.Status,
      adopted: false,
      connection: awsFlowConnection(output) ?? { outputs: [] },
    };
  }

  /**
   * Desired state: MediaConnect answers 400 to StartFlow on a flow that is not STANDBY, which is what a retry finds
   * when the first call's answer was lost. The flow is then read, and STARTING/ACTIVE answered as success.
   */
  async startFlow(request: AwsMediaConnectRequest, flowId: string): Promise<FlowStatus> {
    try {
      const output = await this.send(request.region, 'StartFlow', (sdk, options) =>
        sdk.send(new StartFlowCommand({ FlowArn: flowId }), options),
      );
      return toFlowStatus(parseOutput(statusOutput, output, 'StartFlow'));
    } catch (error) {
      if (!isBadRequest(error)) throw error;
      const status = await this.describeFlow(request, flowId);
      if (status.state === 'STARTING' || status.state === 'ACTIVE') return status;
      throw error;
    }
  }

  async describeFlow(request: AwsMediaConnectRequest, flowId: string): Promise<FlowStatus> {
    const output = await this.send(request.region, 'DescribeFlow', (sdk, options) =>
      sdk.send(new DescribeFlowCommand({ FlowArn: flowId }), options),
    );
    return toFlowStatus(parseOutput(flowOutput, output, 'DescribeFlow').Flow);
  }

  async grantEntitlements(request: AwsMediaConnectRequest, flowId: string): Promise<GrantedEntitlement[]> {
    if (request.entitlements.length === 0) return [];
    const entitlements: GrantEntitlementRequest[] = request.entitlements.map((e) => ({
      Name: e.name,
      Subscribers: e.subscribers,
      ...(e.description !== undefined ? { Description: e.description } : {}),
      ...(e.dataTransferSubscriberFeePercent !== undefined
        ? { DataTransferSubscriberFeePercent: e.dataTransferSubscriberFeePercent }
        : {}),
      ...(e.entitlementStatus !== undefined ? { EntitlementStatus: e.entitlementStatus } : {}),
    }));
    try {
      return await this.grant(request.region, flowId, entitlements);
    } catch (error) {
      // Entitlement names are unique within a flow: a retry after a lost answer gets 400. Ours are on our flow, so
      // the ones already there are adopted and only the missing ones granted.
      if (!isBadRequest(error)) throw error;
      const existing = (await this.readFlow(request.region, flowId)).Entitlements ?? [];
      const byName = new Map(existing.map((e) => [e.Name, e.EntitlementArn]));
      const missing = entitlements.filter((e) => !byName.has(e.Name!));
      if (missing.length === entitlements.length) throw error;
      const added = missing.length > 0 ? await this.grant(request.region, flowId, missing) : [];
      for (const e of added) byName.set(e.name, e.id);
      return entitlements.map((e) => ({
        name: e.Name!,
        id: byName.get(e.Name!)!,
        output: awsEntitlementOutput({
          Name: e.Name!,
          EntitlementArn: byName.get(e.Name!)!,
          Subscribers: e.Subscribers,
        }),
      }));
    }
  }

  /** One DescribeFlow: the source's ingest address and the entitlements, for a flow whose create answer is gone. */
  async describeConnection(request: AwsMediaConnectRequest, flowId: string): Promise<FlowConnection> {
    const output = await this.send(request.region, 'DescribeFlow', (sdk, options) =>
      sdk.send(new DescribeFlowCommand({ FlowArn: flowId }), options),
    );
    parseOutput(flowOutput, output, 'DescribeFlow');
    return awsFlowConnection(output) ?? { outputs: [] };
  }

  /** Desired state like start: a flow MediaConnect will not stop because it is STANDBY or STOPPING is answered. */
  async stopFlow(request: AwsMediaConnectRequest, flowId: string): Promise<FlowStatus> {
    return this.stopIn(request.region, flowId);
  }

  private async stopIn(region: string, flowId: string): Promise<FlowStatus> {
    try {
      const output = await this.send(region, 'StopFlow', (sdk, options) =>
        sdk.send(new StopFlowCommand({ FlowArn: flowId }), options),
      );
      return toFlowStatus(parseOutput(statusOutput, output, 'StopFlow'));
    } catch (error) {
      if (!isBadRequest(error)) throw error;
      const flow = await this.readFlow(region, flowId);
      if (flow.Status === 'STANDBY' || flow.Status === 'STOPPING') return toFlowStatus(flow);
      throw error;
    }
  }

  /**
   * Deletes the flow. A flow that is already gone (404 NotFoundException, or DELETING) counts as deleted, so a retry
   * after a lost answer is safe; one that is still STOPPING (MediaConnect deletes only STANDBY flows) is
   * `VendorUnavailable`, so the workflow retries until the stop has settled.
   */
  async deleteFlow(request: AwsMediaConnectRequest, flowId: string): Promise<void> {
    return this.deleteIn(request.region, flowId);
  }

  private async deleteIn(region: string, flowId: string): Promise<void> {
    try {
      await this.send(region, 'DeleteFlow', (sdk, options) =>
        sdk.send(new DeleteFlowCommand({ FlowArn: flowId }), options),
      );
    } catch (error) {
      if (isNotFound(error)) return;
      if (!isBadRequest(error)) throw error;
      let flow: z.output<typeof flowShape>;
      try {
        flow = await this.readFlow(region, flowId);
      } catch (readError) {
        if (isNotFound(readError)) return;
        throw readError;
      }
      if (flow.Status === 'DELETING') return;
      // STANDBY here means the stop settled between the refusal and the read: a retry deletes it.
      if (flow.Status === 'STOPPING' || flow.Status === 'UPDATING' || flow.Status === 'STANDBY') {
        throw new VendorUnavailableError(
          `MediaConnect DeleteFlow: flow ${flowId} is ${flow.Status}; it can be deleted once STANDBY`,
          (error as VendorRejectedError).details,
          { cause: error },
        );
      }
      throw error;
    }
  }

  /** StopFlow → STANDBY → DeleteFlow, one step per call, after the identity check (`./teardown.ts`). */
  async teardownFlow(target: TeardownTarget, flowId: string): Promise<TeardownResult> {
    return teardownFlow(this.calls, target, flowId);
  }

  private async listFlows(region: string, token: string | undefined): Promise<z.output<typeof listOutput>> {
    const output = await this.send(region, 'ListFlows', (sdk, options) =>
      sdk.send(
        new ListFlowsCommand({ MaxResults: LIST_PAGE_SIZE, ...(token !== undefined ? { NextToken: token } : {}) }),
        options,
      ),
    );
    return parseOutput(listOutput, output, 'ListFlows');
  }

  private async tagsOf(region: string, flowArn: string): Promise<Record<string, string>> {
    const output = await this.send(region, 'ListTagsForResource', (sdk, options) =>
      sdk.send(new ListTagsForResourceCommand({ ResourceArn: flowArn }), options),
    );
    return parseOutput(tagsOutput, output, 'ListTagsForResource').Tags;
  }

  private async readFlow(region: string, flowId: string): Promise<z.output<typeof flowShape>> {
    const output = await this.send(region, 'DescribeFlow', (sdk, options) =>
      sdk.send(new DescribeFlowCommand({ FlowArn: flowId }), options),
    );
    return parseOutput(flowOutput, output, 'DescribeFlow').Flow;
  }

  private async grant(
    region: string,
    flowId: string,
    entitlements: GrantEntitlementRequest[],
  ): Promise<GrantedEntitlement[]> {
    const output = await this.send(region, 'GrantFlowEntitlements', (sdk, options) =>
      sdk.send(new GrantFlowEntitlementsCommand({ FlowArn: flowId, Entitlements: entitlements }), options),
    );
    return parseOutput(grantOutput, output, 'GrantFlowEntitlements').Entitlements.map((e) => ({
      name: e.Name,
      id: e.EntitlementArn,
      output: awsEntitlementOutput(e),
    }));
  }

  /** Closes the sockets of the SDK clients this instance built. */
  destroy(): void {
    for (const sdk of this.owned) sdk.destroy();
    for (const [region, sdk] of this.clients) if (this.owned.has(sdk)) this.clients.delete(region);
    this.owned.clear();
  }

  /** One paced call = one SDK send = one HTTP request (retries are off); errors leave mapped to the taxonomy. */
  private async send<T>(
    region: string,
    operation: string,
    call: (sdk: MediaConnectClient, options: { abortSignal: AbortSignal }) => Promise<T>,
  ): Promise<T> {
    const sdk = this.sdkFor(region);
    return this.pace(
      async () => {
        try {
          return await call(sdk, { abortSignal: AbortSignal.timeout(this.callTimeoutMs) });
        } catch (error) {
          throw toVendorError(error, operation, { timeoutMs: this.callTimeoutMs });
        }
      },
      { operation, region },
    );
  }

  private sdkFor(region: string): MediaConnectClient {
    const cached = this.clients.get(region);
    if (cached) return cached;
    const sdk = new MediaConnectClient({
      region,
      maxAttempts: 1,
      ...(this.endpoint !== undefined ? { endpoint: this.endpoint } : {}),
      ...(this.credentials !== undefined ? { credentials: this.credentials } : {}),
      requestHandler: new NodeHttpHandler({
        connectionTimeout: this.callTimeoutMs,
        requestTimeout: this.callTimeoutMs,
      }),
    });
    this.clients.set(region, sdk);
    this.owned.add(sdk);
    return sdk;
  }
}

/**
 * MediaConnect flow status → our state (docs/vendors/aws-mediaconnect.md, "Operations": the Flow.status enum and the
 * SDK waiters, which retry on STARTING/UPDATING towards ACTIVE and on STOPPING/DELETING towards STANDBY or gone).
 * Transitions towards running are STARTING, towards idle or gone STOPPING; only ERROR and unknown values are ERROR.
 */
export function flowStateOf(vendorStatus: string): FlowState {
  switch (vendorStatus) {
    case 'STANDBY':
      return 'STANDBY';
    case 'STARTING':
    case 'UPDATING':
      return 'STARTING';
    case 'STOPPING':
    case 'DELETING':
      return 'STOPPING';
    case 'ACTIVE':
      return 'ACTIVE';
    default:
      return 'ERROR';
  }
}

function toSetSourceRequest(source: AwsMediaConnectRequest['flow']['source']): SetSourceRequest {
  const mapped: SetSourceRequest = {
    Name: source.name,
    // `ndi-speed-hq` is newer than SDK 3.654's enum; the serializer passes the string through unchanged.
    Protocol: source.protocol as Protocol,
    IngestPort: source.ingestPort,
    WhitelistCidr: source.whitelistCidr,
    MaxBitrate: source.maxBitrate,
    MaxLatency: source.maxLatency,
    MinLatency: source.minLatency,
    StreamId: source.streamId,
    SourceListenerAddress: source.sourceListenerAddress,
    SourceListenerPort: source.sourceListenerPort,
    Description: source.description,
  };
  return Object.fromEntries(Object.entries(mapped).filter(([, v]) => v !== undefined)) as SetSourceRequest;
}

/**
 * Adds top-level members to a serialized JSON request body, in place. Runs in the build step ahead of the SDK's
 * content-length and signing middleware, so both cover the added members.
 */
function addJsonBodyFields(request: unknown, fields: Record<string, unknown>): void {
  const http = request as { body?: unknown };
  if (typeof http.body !== 'string') return;
  http.body = JSON.stringify({ ...(JSON.parse(http.body) as Record<string, unknown>), ...fields });
}

// --- responses ------------------------------------------------------------------------------------------------------

const flowShape = z.object({
  FlowArn: z.string().min(1),
  Name: z.string().min(1),
  Status: z.string().min(1),
  Entitlements: z.array(z.object({ EntitlementArn: z.string().min(1), Name: z.string().min(1) })).optional(),
});
const flowOutput = z.object({ Flow: flowShape });
const listedFlow = z.object({ FlowArn: z.string().min(1), Name: z.string().min(1), Status: z.string().min(1) });
const listOutput = z.object({
  Flows: z.array(listedFlow).default([]),
  NextToken: z.string().min(1).optional(),
});
const tagsOutput = z.object({ Tags: z.record(z.string(), z.string()).default({}) });
const statusOutput = z.object({ FlowArn: z.string().min(1), Status: z.string().min(1) });
const grantOutput = z.object({
  Entitlements: z.array(
    z.object({
      EntitlementArn: z.string().min(1),
      Name: z.string().min(1),
      Subscribers: z.array(z.string()).optional(),
    }),
  ),
});

function parseOutput<S extends z.ZodType>(schema: S, output: unknown, operation: string): z.output<S> {
  const result = schema.safeParse(output);
  if (result.success) return result.data;
  const meta = (output as { $metadata?: { httpStatusCode?: number; requestId?: string } } | undefined)?.$metadata;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  // A success status with a body we cannot use is a broken answer (proxy, truncation), not a wrong request.
  throw new VendorUnavailableError(
    `MediaConnect ${operation} answered without the expected fields: ${problems}`,
    compactDetails({
      vendor: VENDOR,
      operation,
      httpStatus: meta?.httpStatusCode,
      vendorRequestId: meta?.requestId,
    }),
  );
}

function toFlowStatus(output: { FlowArn: string; Status: string }): FlowStatus {
  return { flowId: output.FlowArn, state: flowStateOf(output.Status), vendorStatus: output.Status };
}
