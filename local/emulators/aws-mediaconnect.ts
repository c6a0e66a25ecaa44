/**
 * AWS Elemental MediaConnect emulator: the REST-JSON API of the flow lifecycle as the real service serves it
 * (`docs/vendors/aws-mediaconnect.md`): same paths, methods, success statuses and camelCase bodies; errors as
 * `x-amzn-ErrorType` plus `{ "message" }`; every request SigV4-verified (region taken from the credential scope, so
 * one emulator serves every region); per-region flow state, quotas (HTTP 420) and a sliding-window rate limit per
 * account and region (HTTP 429). Every request, served or not, is journaled.
 *
 * Where the documentation is silent the emulator is strict rather than lenient, so code that works here does not rely
 * on leniency the real service may not have: StartFlow on a flow that is already starting or running and StopFlow on a
 * flow that is not running answer 400 BadRequestException, duplicate entitlement names within a flow answer 400, and
 * duplicate flow names are accepted (MediaConnect has no "already exists" signal; get-or-create must find its flow by
 * tag).
 */
import { randomUUID } from 'node:crypto';
import {
  createFlowRequest,
  ENTITLEMENTS_PER_FLOW,
  type EntitlementRecord,
  FLOW_QUOTA,
  type FlowRecord,
  fail,
  type GrantRequest,
  grantFlowEntitlementsRequest,
  LIST_DEFAULT_PAGE,
  matchRoute,
  ok,
  type Reply,
  type Route,
  randomAlnum,
  randomTestNetIp,
  SERVICE,
  type SourceRequest,
  TAGS_PER_RESOURCE,
  tagResourceRequest,
  toHttp,
  zodMessage,
} from './aws-mediaconnect-model.ts';
import {
  type FaultSettings,
  type RawRequest,
  type RunningEmulator,
  SlidingWindowLimiter,
  splitOnce,
} from './common.ts';
import { type Exchange, oneOf, startEmulator } from './pipeline.ts';
import { verifySigV4 } from './sigv4.ts';

// --- the service ----------------------------------------------------------------------------------------------------

/**
 * The documented request rates, each per account and Region (docs/vendors/aws-mediaconnect.md, "Limits";
 * https://docs.aws.amazon.com/general/latest/gr/mediaconnect.html): DescribeFlow 30/s in the newer quota table; every
 * other call 5/s (the older table; the newer table's figure for them could not be read, so the stricter one).
 */
export const AWS_MEDIACONNECT_RATE_LIMITS = { describe: 30, other: 5, windowMs: 1000 } as const;

/** The operations the newer quota table rates on their own. */
const DESCRIBE_OPERATIONS: ReadonlySet<string> = new Set(['DescribeFlow']);

export interface AwsMediaConnectEmulatorOptions {
  /** The one key pair (account) the emulator accepts. */
  readonly credentials: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  readonly faults?: FaultSettings;
  /** Answer 429 TooManyRequestsException past the rate limit (default true; the bench turns it off). */
  readonly enforceRateLimit?: boolean;
  /** Accepted calls per window, per account and Region, by scope. @default AWS_MEDIACONNECT_RATE_LIMITS */
  readonly rateLimits?: { readonly describe: number; readonly other: number; readonly windowMs: number };
  /** Flows per region before CreateFlow answers 420 CreateFlow420Exception. @default 20 */
  readonly flowQuota?: number;
  /** Time a started flow stays STARTING before it is ACTIVE. @default 300 */
  readonly startDelayMs?: number;
  /**
   * Time a stopped flow stays STOPPING before it is STANDBY; DeleteFlow is refused until then (MediaConnect deletes
   * only a STANDBY flow: docs/vendors/aws-mediaconnect.md). @default 300
   */
  readonly stopDelayMs?: number;
  /** Allowed distance between `x-amz-date` and the emulator's clock. @default 300000 (AWS: 5 minutes) */
  readonly maxClockSkewMs?: number;
  /** Account id in the ARNs. @default '111122223333' */
  readonly accountId?: string;
}

/** A flow as the tests see it. */
export interface EmulatedFlow {
  readonly flowArn: string;
  readonly name: string;
  readonly region: string;
  readonly status: string;
  readonly tags: Record<string, string>;
  readonly entitlements: unknown[];
}

export interface RunningAwsMediaConnectEmulator extends RunningEmulator {
  /** Every flow that exists, in creation order, with its status as of now. */
  flows(): ReadonlyArray<EmulatedFlow>;
}

/** Starts the emulator on 127.0.0.1 and a free port. */
export async function startAwsMediaConnectEmulator(
  options: AwsMediaConnectEmulatorOptions,
): Promise<RunningAwsMediaConnectEmulator> {
  const rates = options.rateLimits ?? AWS_MEDIACONNECT_RATE_LIMITS;
  const flowQuota = options.flowQuota ?? FLOW_QUOTA;
  const startDelayMs = options.startDelayMs ?? 300;
  const stopDelayMs = options.stopDelayMs ?? 300;
  const maxClockSkewMs = options.maxClockSkewMs ?? 5 * 60_000;
  const accountId = options.accountId ?? '111122223333';
  const limiters = new Map<string, SlidingWindowLimiter>();
  /** Every flow of every region, by ARN, in creation order. */
  const flows = new Map<string, FlowRecord>();

  const limiterFor = (region: string, operation: string) => {
    const scope = DESCRIBE_OPERATIONS.has(operation) ? 'describe' : 'other';
    const key = `${accountId}:${region}:${scope}`;
    let limiter = limiters.get(key);
    if (!limiter) {
      limiter = new SlidingWindowLimiter(rates[scope], rates.windowMs);
      limiters.set(key, limiter);
    }
    return limiter;
  };

  /** Applies the timed transitions (STARTING → ACTIVE, STOPPING → STANDBY) lazily, as of `now`. */
  const settle = (flow: FlowRecord, now: number): FlowRecord => {
    if (now >= flow.settlesAt) {
      if (flow.status === 'STARTING') flow.status = 'ACTIVE';
      else if (flow.status === 'STOPPING') flow.status = 'STANDBY';
    }
    return flow;
  };

  const arnOf = (kind: 'flow' | 'source' | 'entitlement', region: string, name: string) =>
    `arn:aws:mediaconnect:${region}:${accountId}:${kind}:1-${randomAlnum(16)}-${randomAlnum(12)}:${name}`;

  const flowInRegion = (arn: string, region: string, now: number): FlowRecord | undefined => {
    const flow = flows.get(arn);
    return flow && flow.region === region ? settle(flow, now) : undefined;
  };
  const flowNotFound = (arn: string) => fail(404, 'NotFoundException', `Flow not found: ${arn}`);

  const entitlementRecord = (region: string, grant: GrantRequest, index: number): EntitlementRecord => {
    const name = grant.name ?? `entitlement-${index + 1}`;
    return {
      entitlementArn: arnOf('entitlement', region, name),
      name,
      subscribers: grant.subscribers,
      entitlementStatus: grant.entitlementStatus ?? 'ENABLED',
      ...(grant.description !== undefined ? { description: grant.description } : {}),
      ...(grant.dataTransferSubscriberFeePercent !== undefined
        ? { dataTransferSubscriberFeePercent: grant.dataTransferSubscriberFeePercent }
        : {}),
      ...(grant.encryption !== undefined ? { encryption: grant.encryption } : {}),
    };
  };

  /** The response `Source`: request fields plus ARN and ingest IP, transport settings nested as AWS nests them. */
  const sourceRecord = (region: string, source: SourceRequest, index: number): Record<string, unknown> => {
    const name = source.name ?? `source-${index + 1}`;
    const { protocol, maxBitrate, maxLatency, minLatency, streamId, sourceListenerAddress, sourceListenerPort } =
      source;
    const transport = Object.fromEntries(
      Object.entries({
        protocol,
        maxBitrate,
        maxLatency,
        minLatency,
        streamId,
        sourceListenerAddress,
        sourceListenerPort,
      }).filter(([, v]) => v !== undefined),
    );
    return Object.fromEntries(
      Object.entries({
        sourceArn: arnOf('source', region, name),
        name,
        description: source.description,
        entitlementArn: source.entitlementArn,
        ingestIp: source.entitlementArn ? undefined : randomTestNetIp(),
        ingestPort: source.ingestPort,
        whitelistCidr: source.whitelistCidr,
        senderIpAddress: source.senderIpAddress,
        senderControlPort: source.senderControlPort,
        vpcInterfaceName: source.vpcInterfaceName,
        transport: source.entitlementArn ? undefined : transport,
      }).filter(([, v]) => v !== undefined),
    );
  };

  const flowBody = (flow: FlowRecord) => ({
    availabilityZone: flow.availabilityZone,
    ...(flow.description !== undefined ? { description: flow.description } : {}),
    egressIp: flow.egressIp,
    entitlements: flow.entitlements,
    flowArn: flow.flowArn,
    ...(flow.flowSize !== undefined ? { flowSize: flow.flowSize } : {}),
    name: flow.name,
    outputs: flow.outputs,
    source: flow.sources[0],
    ...(flow.sources.length > 1 ? { sources: flow.sources } : {}),
    status: flow.status,
  });

  const parseJson = (body: Buffer): { ok: true; value: unknown } | { ok: false; reply: Reply } => {
    try {
      return { ok: true, value: body.length === 0 ? {} : JSON.parse(body.toString('utf8')) };
    } catch {
      return { ok: false, reply: fail(400, 'BadRequestException', 'Could not parse request body into json.') };
    }
  };

  const operations = {
    CreateFlow(region: string, req: RawRequest, now: number): Reply {
      const json = parseJson(req.body);
      if (!json.ok) return json.reply;
      const parsed = createFlowRequest.safeParse(json.value);
      if (!parsed.success) return fail(400, 'BadRequestException', zodMessage(parsed.error));
      const input = parsed.data;
      const sources = input.sources ?? (input.source ? [input.source] : []);
      if (sources.length === 0 || (input.source && input.sources)) {
        return fail(400, 'BadRequestException', 'A flow must have exactly one of source or sources.');
      }
      const unusable = sources.find((s) => !s.protocol && !s.entitlementArn);
      if (unusable) {
        return fail(400, 'BadRequestException', 'Each source needs a protocol or an entitlementArn.');
      }
      if (input.availabilityZone !== undefined && !input.availabilityZone.startsWith(region)) {
        return fail(400, 'BadRequestException', `Availability zone ${input.availabilityZone} is not in ${region}.`);
      }
      const names = (input.entitlements ?? []).map((e, i) => e.name ?? `entitlement-${i + 1}`);
      if (new Set(names).size !== names.length) {
        return fail(400, 'BadRequestException', 'Entitlement names must be unique within a flow.');
      }
      const inRegion = [...flows.values()].filter((f) => f.region === region).length;
      if (inRegion >= flowQuota) {
        return fail(
          420,
          'CreateFlow420Exception',
          `You have reached the limit of ${flowQuota} flows per account per Region. Delete a flow or request a quota increase.`,
        );
      }
      const flow: FlowRecord = {
        flowArn: arnOf('flow', region, input.name),
        name: input.name,
        region,
        ...(input.description !== undefined ? { description: input.description } : {}),
        availabilityZone: input.availabilityZone ?? `${region}a`,
        ...(input.flowSize !== undefined ? { flowSize: input.flowSize } : {}),
        egressIp: randomTestNetIp(),
        sources: sources.map((s, i) => sourceRecord(region, s, i)),
        outputs: input.outputs ?? [],
        entitlements: (input.entitlements ?? []).map((e, i) => entitlementRecord(region, e, i)),
        tags: { ...input.flowTags },
        status: 'STANDBY',
        settlesAt: now,
      };
      flows.set(flow.flowArn, flow);
      return ok(201, { flow: flowBody(flow) });
    },

    ListFlows(region: string, req: RawRequest, now: number): Reply {
      const maxResultsRaw = req.url.searchParams.get('maxResults');
      const maxResults = maxResultsRaw === null ? LIST_DEFAULT_PAGE : Number(maxResultsRaw);
      if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 1000) {
        return fail(400, 'BadRequestException', 'maxResults must be an integer between 1 and 1000.');
      }
      const token = req.url.searchParams.get('nextToken');
      const start = token === null ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
      if (!Number.isInteger(start) || start < 0) return fail(400, 'BadRequestException', 'Invalid nextToken.');
      const all = [...flows.values()].filter((f) => f.region === region);
      const page = all.slice(start, start + maxResults).map((f) => {
        settle(f, now);
        return {
          availabilityZone: f.availabilityZone,
          description: f.description ?? f.name,
          flowArn: f.flowArn,
          name: f.name,
          sourceType: f.sources[0]?.entitlementArn ? 'ENTITLED' : 'OWNED',
          status: f.status,
        };
      });
      const next =
        start + maxResults < all.length ? Buffer.from(String(start + maxResults)).toString('base64url') : undefined;
      return ok(200, { flows: page, ...(next ? { nextToken: next } : {}) });
    },

    StartFlow(region: string, arn: string, now: number): Reply {
      const flow = flowInRegion(arn, region, now);
      if (!flow) return flowNotFound(arn);
      if (flow.status !== 'STANDBY') {
        return fail(400, 'BadRequestException', `Flow ${arn} cannot be started while it is ${flow.status}.`);
      }
      flow.status = 'STARTING';
      flow.settlesAt = now + startDelayMs;
      settle(flow, now);
      return ok(202, { flowArn: arn, status: 'STARTING' });
    },

    StopFlow(region: string, arn: string, now: number): Reply {
      const flow = flowInRegion(arn, region, now);
      if (!flow) return flowNotFound(arn);
      if (flow.status !== 'STARTING' && flow.status !== 'ACTIVE') {
        return fail(400, 'BadRequestException', `Flow ${arn} cannot be stopped while it is ${flow.status}.`);
      }
      flow.status = 'STOPPING';
      flow.settlesAt = now + stopDelayMs;
      settle(flow, now);
      return ok(202, { flowArn: arn, status: 'STOPPING' });
    },

    DescribeFlow(region: string, arn: string, now: number): Reply {
      const flow = flowInRegion(arn, region, now);
      return flow ? ok(200, { flow: flowBody(flow) }) : flowNotFound(arn);
    },

    DeleteFlow(region: string, arn: string, now: number): Reply {
      const flow = flowInRegion(arn, region, now);
      if (!flow) return flowNotFound(arn);
      if (flow.status !== 'STANDBY') {
        return fail(
          400,
          'BadRequestException',
          `Flow ${arn} must be stopped before it can be deleted; it is ${flow.status}.`,
        );
      }
      flows.delete(arn);
      return ok(202, { flowArn: arn, status: 'DELETING' });
    },

    GrantFlowEntitlements(region: string, arn: string, req: RawRequest, now: number): Reply {
      const json = parseJson(req.body);
      if (!json.ok) return json.reply;
      const parsed = grantFlowEntitlementsRequest.safeParse(json.value);
      if (!parsed.success) return fail(400, 'BadRequestException', zodMessage(parsed.error));
      const flow = flowInRegion(arn, region, now);
      if (!flow) return flowNotFound(arn);
      const grants = parsed.data.entitlements;
      if (flow.entitlements.length + grants.length > ENTITLEMENTS_PER_FLOW) {
        return fail(
          420,
          'GrantFlowEntitlements420Exception',
          `Flow ${arn} would have ${flow.entitlements.length + grants.length} entitlements; the limit is ${ENTITLEMENTS_PER_FLOW} per flow.`,
        );
      }
      const offset = flow.entitlements.length;
      const created = grants.map((g, i) => entitlementRecord(region, g, offset + i));
      const names = [...flow.entitlements, ...created].map((e) => e.name);
      if (new Set(names).size !== names.length) {
        return fail(400, 'BadRequestException', 'Entitlement names must be unique within a flow.');
      }
      flow.entitlements.push(...created);
      return ok(200, { flowArn: arn, entitlements: created });
    },

    TagResource(region: string, arn: string, req: RawRequest, now: number): Reply {
      const json = parseJson(req.body);
      if (!json.ok) return json.reply;
      const parsed = tagResourceRequest.safeParse(json.value);
      if (!parsed.success) return fail(400, 'BadRequestException', zodMessage(parsed.error));
      const flow = flowInRegion(arn, region, now);
      if (!flow) return fail(404, 'NotFoundException', `Resource not found: ${arn}`);
      if (Object.keys({ ...flow.tags, ...parsed.data.tags }).length > TAGS_PER_RESOURCE) {
        return fail(400, 'BadRequestException', `A resource has at most ${TAGS_PER_RESOURCE} tags.`);
      }
      Object.assign(flow.tags, parsed.data.tags);
      return ok(204);
    },

    ListTagsForResource(region: string, arn: string, now: number): Reply {
      const flow = flowInRegion(arn, region, now);
      if (!flow) return fail(404, 'NotFoundException', `Resource not found: ${arn}`);
      return ok(200, { tags: { ...flow.tags } });
    },

    UntagResource(region: string, arn: string, req: RawRequest, now: number): Reply {
      const keys = req.url.searchParams.getAll('tagKeys');
      if (keys.length === 0) return fail(400, 'BadRequestException', 'tagKeys is required.');
      const flow = flowInRegion(arn, region, now);
      if (!flow) return fail(404, 'NotFoundException', `Resource not found: ${arn}`);
      for (const key of keys) delete flow.tags[key];
      return ok(204);
    },
  };

  const serve = (route: Route, region: string, req: RawRequest, now: number): Reply => {
    switch (route.operation) {
      case 'CreateFlow':
        return operations.CreateFlow(region, req, now);
      case 'ListFlows':
        return operations.ListFlows(region, req, now);
      case 'StartFlow':
        return operations.StartFlow(region, route.arn, now);
      case 'StopFlow':
        return operations.StopFlow(region, route.arn, now);
      case 'DescribeFlow':
        return operations.DescribeFlow(region, route.arn, now);
      case 'DeleteFlow':
        return operations.DeleteFlow(region, route.arn, now);
      case 'GrantFlowEntitlements':
        return operations.GrantFlowEntitlements(region, route.arn, req, now);
      case 'TagResource':
        return operations.TagResource(region, route.arn, req, now);
      case 'ListTagsForResource':
        return operations.ListTagsForResource(region, route.arn, now);
      case 'UntagResource':
        return operations.UntagResource(region, route.arn, req, now);
    }
  };

  const open = (req: RawRequest, at: number): Exchange<Reply> => {
    const requestId = randomUUID();
    const [path = '/', query = ''] = splitOnce(req.rawUrl, '?');
    const route = matchRoute(req.method, path);
    const exchange = {
      operation: route?.operation ?? 'unknown',
      budget: 'unknown',
      admit: () => {
        const auth = verifySigV4(
          { method: req.method, path, query, headers: req.headers, body: req.body },
          {
            service: SERVICE,
            secretFor: (id) =>
              id === options.credentials.accessKeyId ? options.credentials.secretAccessKey : undefined,
            sessionTokenFor: () => options.credentials.sessionToken,
            now: at,
            maxClockSkewMs,
          },
        );
        exchange.budget = auth.region ?? 'unknown';
        if (!auth.ok) return { refused: fail(auth.status, auth.code, auth.message) };
        if (!route)
          return { refused: fail(404, 'UnknownOperationException', `No operation matches ${req.method} ${path}.`) };
        const region = auth.region;
        return {
          call: {
            limiter: limiterFor(region, route.operation),
            throttle: () => fail(429, 'TooManyRequestsException', 'Too many requests, please slow down.'),
            serve: (now: number) => serve(route, region, req, now),
          },
        };
      },
      encode: (reply: Reply) => toHttp(reply, requestId),
    };
    return exchange;
  };

  const emulator = await startEmulator<Reply>({
    ...options,
    open,
    unavailable: oneOf(
      fail(500, 'InternalServerErrorException', 'An internal error occurred.'),
      fail(503, 'ServiceUnavailableException', 'The service is currently unavailable.'),
    ),
  });
  return {
    ...emulator,
    flows: () => {
      const now = Date.now();
      return [...flows.values()].map((f) => emulatedFlow(settle(f, now)));
    },
  };
}

/** A copy of a flow record as the tests read it. */
function emulatedFlow(f: FlowRecord): EmulatedFlow {
  const { flowArn, name, region, status, tags, entitlements } = f;
  return { flowArn, name, region, status, tags: { ...tags }, entitlements: entitlements.map((e) => ({ ...e })) };
}
