/**
 * Huawei Cloud Live "StreamConnect" emulator (`docs/vendors/huawei-live.md`): the flow REST API under
 * `/v1/{project_id}/...` with Huawei's snake_case bodies and `{ error_code, error_msg }` errors, behind an API-gateway
 * front that does what APIG does:
 *
 * - verifies SDK-HMAC-SHA256 (unknown AK, stale or future `X-Sdk-Date` beyond 15 minutes, any mismatch → 401
 *   `APIG.0301` with the gateway's wording) and that the path's project is the credentials' project;
 * - enforces 80 requests per 60-second sliding window per user → 429 `APIG.0308` "The throttling threshold has been
 *   reached" (the status is not published; 429 is the gateway's usual);
 * - journals every request with its budget, and injects faults (502/504 from the gateway, throttles, lost answers).
 *
 * State: flows are STANDBY until started, start answers ACTIVE (or STANDBY while `startDelayMs` runs), outputs are
 * added in batches with unique names. Whether Huawei refuses a duplicate flow name is not documented for flows
 * (docs/vendors/huawei-live.md, "Identity and adoption"): by default a duplicate → 400 `LIVE.103011018` ("already
 * exists"); `acceptDuplicateNames` creates a second flow of the same name instead, so tests can hold the client to
 * both. Where the documentation is silent the emulator is strict: starting a running flow, stopping a stopped one
 * and deleting a running one answer 400 `LIVE.103011022` (operation not allowed in the current state).
 *
 * It refuses what docs/vendors/huawei-live.md, "Constraints" says Huawei refuses: flow, source and output names that
 * do not start with a letter, a source key type other than `srt-password`, more than 10 outputs per flow, the
 * reserved ports 2077 and 2088, and allow-lists over 20 entries.
 */
import { randomUUID } from 'node:crypto';
import { parseCompactUtc, parseRawQuery } from '../../functions/vendors/hmac-signing.ts';
import {
  HUAWEI_ALGORITHM,
  type HuaweiRequest,
  huaweiCanonicalRequest,
  huaweiSignature,
  parseHuaweiAuthorization,
} from '../../functions/vendors/huawei-live/signer.ts';
import {
  type FaultSettings,
  flattenHeaders,
  hexSignaturesEqual,
  type RawRequest,
  type RawResponse,
  type RunningEmulator,
  SlidingWindowLimiter,
} from './common.ts';
import { type Exchange, oneOf, startEmulator } from './pipeline.ts';

/** The documented limit: 80 requests per minute per user (StreamConnect group). */
export const HUAWEI_RATE_LIMIT = { limit: 80, windowMs: 60_000 } as const;
/** APIG refuses signatures whose `X-Sdk-Date` is more than 15 minutes from its clock. */
export const HUAWEI_MAX_CLOCK_SKEW_MS = 15 * 60_000;
/** The journal's budget name: one per-user budget covers every flow API. */
export const HUAWEI_BUDGET = 'user';

export interface HuaweiLiveEmulatorOptions {
  /** The one AK/SK and project the emulator accepts. */
  readonly credentials: { readonly accessKey: string; readonly secretKey: string; readonly projectId: string };
  readonly faults?: FaultSettings;
  /** Answer 429 APIG.0308 past the limit (default true; the bench turns it off). */
  readonly enforceRateLimit?: boolean;
  /** @default HUAWEI_RATE_LIMIT (80 per 60 s) */
  readonly rateLimit?: { readonly limit: number; readonly windowMs: number };
  /** @default HUAWEI_MAX_CLOCK_SKEW_MS (15 minutes) */
  readonly maxClockSkewMs?: number;
  /** How long a started flow stays STANDBY before it is ACTIVE; 0 makes start answer ACTIVE. @default 0 */
  readonly startDelayMs?: number;
  /** Create a second flow of a name already taken instead of answering `LIVE.103011018`. @default false */
  readonly acceptDuplicateNames?: boolean;
}

/** A flow as the tests see it. */
export interface EmulatedHuaweiFlow {
  readonly flowId: string;
  readonly name: string;
  readonly region: string;
  readonly status: 'STANDBY' | 'ACTIVE';
  readonly sources: ReadonlyArray<Record<string, unknown>>;
  readonly outputs: ReadonlyArray<Record<string, unknown>>;
}

export interface RunningHuaweiLiveEmulator extends RunningEmulator {
  flows(): EmulatedHuaweiFlow[];
  /** Puts a flow in place as if someone else had created it (conflict tests). Returns its id. */
  addFlow(flow: { name: string; region: string; sources: Array<Record<string, unknown>> }): string;
}

interface FlowRecord {
  readonly flowId: string;
  readonly name: string;
  readonly region: string;
  status: 'STANDBY' | 'ACTIVE';
  /** When a started flow turns ACTIVE. */
  activeAt: number;
  readonly sources: Array<Record<string, unknown>>;
  readonly outputs: Array<Record<string, unknown>>;
}

interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly code?: string;
}

const error = (status: number, code: string, message: string, detail?: string): Reply => ({
  status,
  code,
  body: { error_code: code, error_msg: message, ...(detail ? { error_detail: detail } : {}) },
});
const invalid = (detail: string) => error(400, 'LIVE.100011001', 'Invalid request parameter.', detail);
const notAllowed = (detail: string) =>
  error(400, 'LIVE.103011022', 'The operation is not allowed in the current state.', detail);
const alreadyExists = (detail: string) => error(400, 'LIVE.103011018', 'The resource already exists.', detail);
const iamFailure = (reason: string) => error(401, 'APIG.0301', `Incorrect IAM authentication information: ${reason}`);

// --- the gateway: SDK-HMAC-SHA256 verification, pure -------------------------------------------------------------

export type HuaweiVerification = { readonly ok: true } | { readonly ok: false; readonly reply: Reply };

/**
 * Verifies an AK/SK-signed request as APIG does: `Authorization` in SDK-HMAC-SHA256 form signing at least `host` and
 * `x-sdk-date`, a known AK, a date within `maxClockSkewMs` of `now`, and the signature recomputed over the request as
 * received (path, decoded query, signed headers, body).
 */
export function verifyHuaweiSignature(
  request: HuaweiRequest,
  credentials: { readonly accessKey: string; readonly secretKey: string },
  now: number,
  maxClockSkewMs: number,
): HuaweiVerification {
  const fail = (reason: string): HuaweiVerification => ({ ok: false, reply: iamFailure(reason) });
  const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const authorization = headers.authorization;
  if (authorization === undefined) return fail('x-auth-token not found');
  const auth = parseHuaweiAuthorization(authorization);
  if (!auth)
    return fail(`unsupported authorization, expected ${HUAWEI_ALGORITHM} Access=..., SignedHeaders=..., Signature=...`);
  if (auth.accessKey !== credentials.accessKey) return fail('Get secretKey failed,ak:******,err:ak not exist');
  const sdkDate = headers['x-sdk-date'];
  if (!auth.signedHeaders.includes('host') || !auth.signedHeaders.includes('x-sdk-date') || sdkDate === undefined) {
    return fail('verify aksk signature fail, host and x-sdk-date must be signed');
  }
  const signedAt = parseCompactUtc(sdkDate);
  if (signedAt === undefined) return fail(`verify aksk signature fail, invalid x-sdk-date ${sdkDate}`);
  if (Math.abs(now - signedAt) > maxClockSkewMs) return fail('calc ak sk signature fail:signature expired');
  let expected: string;
  try {
    expected = huaweiSignature(credentials.secretKey, sdkDate, huaweiCanonicalRequest(request, auth.signedHeaders));
  } catch {
    return fail('verify aksk signature fail, a signed header is missing');
  }
  if (!hexSignaturesEqual(expected, auth.signature)) return fail('verify aksk signature fail');
  return { ok: true };
}

// --- request shapes ------------------------------------------------------------------------------------------------

const PROTOCOLS = ['srt-caller', 'srt-listener'];
const RESERVED_PORTS = [2077, 2088];
/** Flow, source and output names start with a letter (docs/vendors/huawei-live.md, "Constraints"). */
const NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** Outputs per flow (docs/vendors/huawei-live.md, "Constraints"). */
const MAX_OUTPUTS = 10;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The documented constraints of a source or an output; `undefined` when fine, else what is wrong. */
function endpointProblem(item: unknown, kind: 'source' | 'output'): string | undefined {
  if (!isRecord(item)) return `each ${kind} must be an object`;
  if (typeof item.name !== 'string' || item.name === '') return `${kind} name is required`;
  if (!NAME.test(item.name) || item.name.length > 64) {
    return `${kind} name ${item.name} must be letters, digits, "-" or "_", starting with a letter`;
  }
  const decryption = item.decryption;
  if (kind === 'source' && isRecord(decryption) && decryption.key_type !== 'srt-password') {
    return `source ${item.name}: key_type ${String(decryption.key_type)} is not supported, only srt-password`;
  }
  if (typeof item.protocol !== 'string' || !PROTOCOLS.includes(item.protocol)) {
    return `${kind} ${item.name}: protocol must be srt-caller or srt-listener`;
  }
  const port = kind === 'source' ? item.source_listener_port : item.port;
  if (port !== undefined && (!Number.isInteger(port) || RESERVED_PORTS.includes(port as number))) {
    return `${kind} ${item.name}: port ${String(port)} is not allowed`;
  }
  const cidrs = item.cidr_whitelist;
  if (cidrs !== undefined && (!Array.isArray(cidrs) || cidrs.length > 20)) {
    return `${kind} ${item.name}: cidr_whitelist holds at most 20 entries`;
  }
  return undefined;
}

// --- the service ---------------------------------------------------------------------------------------------------

export async function startHuaweiLiveEmulator(options: HuaweiLiveEmulatorOptions): Promise<RunningHuaweiLiveEmulator> {
  const rate = options.rateLimit ?? HUAWEI_RATE_LIMIT;
  const limiter = new SlidingWindowLimiter(rate.limit, rate.windowMs);
  const maxClockSkewMs = options.maxClockSkewMs ?? HUAWEI_MAX_CLOCK_SKEW_MS;
  const startDelayMs = options.startDelayMs ?? 0;
  const { projectId } = options.credentials;
  const flows = new Map<string, FlowRecord>();

  const settle = (flow: FlowRecord, now: number): FlowRecord => {
    if (flow.status === 'STANDBY' && now >= flow.activeAt) flow.status = 'ACTIVE';
    return flow;
  };
  const addFlow = (name: string, region: string, sources: Array<Record<string, unknown>>): FlowRecord => {
    const flow: FlowRecord = {
      flowId: randomUUID(),
      name,
      region,
      status: 'STANDBY',
      activeAt: Number.POSITIVE_INFINITY,
      sources: structuredClone(sources),
      outputs: [],
    };
    flows.set(flow.flowId, flow);
    return flow;
  };
  const detail = (flow: FlowRecord) => ({
    name: flow.name,
    region: flow.region,
    sources: flow.sources.map((s) => ({
      ...s,
      health_status: flow.status === 'ACTIVE' ? 'CONNECTED' : 'DISCONNECTED',
    })),
    status: flow.status,
    flow_id: flow.flowId,
    outputs: flow.outputs.map((o) => ({ name: o.name, type: o.protocol })),
  });
  const flowFor = (query: Record<string, string>, now: number): FlowRecord | Reply => {
    const flowId = query.flow_id;
    if (!flowId) return invalid('flow_id is required');
    const flow = flows.get(flowId);
    return flow
      ? settle(flow, now)
      : error(404, 'LIVE.100011001', 'Invalid request parameter.', `flow ${flowId} does not exist`);
  };
  const parseBody = (req: RawRequest): { ok: true; value: unknown } | { ok: false; reply: Reply } => {
    try {
      return { ok: true, value: JSON.parse(req.body.toString('utf8')) };
    } catch {
      return { ok: false, reply: invalid('the request body is not JSON') };
    }
  };

  const operations: Record<string, (req: RawRequest, query: Record<string, string>, now: number) => Reply> = {
    CreateFlows(req, _query, now) {
      const json = parseBody(req);
      if (!json.ok) return json.reply;
      const body = json.value;
      if (!isRecord(body)) return invalid('the body must be an object');
      if (typeof body.name !== 'string' || body.name === '') return invalid('name is required');
      if (!NAME.test(body.name) || body.name.length > 64) {
        return invalid(`name ${body.name} must be letters, digits, "-" or "_", starting with a letter`);
      }
      if (typeof body.region !== 'string' || body.region === '') return invalid('region is required');
      if (!Array.isArray(body.sources) || body.sources.length === 0) return invalid('sources is required');
      for (const source of body.sources) {
        const problem = endpointProblem(source, 'source');
        if (problem) return invalid(problem);
      }
      if (!options.acceptDuplicateNames && [...flows.values()].some((f) => f.name === body.name))
        return alreadyExists(`flow ${body.name} already exists`);
      const flow = addFlow(body.name, body.region, body.sources as Array<Record<string, unknown>>);
      return { status: 201, body: { flow: detail(settle(flow, now)) } };
    },
    ListFlows(_req, query, now) {
      const limit = query.limit === undefined ? 10 : Number(query.limit);
      const offset = query.offset === undefined ? 0 : Number(query.offset);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) return invalid('limit must be in [1,100]');
      if (!Number.isInteger(offset) || offset < 0) return invalid('offset must be ≥ 0');
      const all = [...flows.values()].map((f) => settle(f, now));
      return {
        status: 200,
        body: {
          total: all.length,
          flows: all.slice(offset, offset + limit).map((f) => ({
            name: f.name,
            region: f.region,
            flow_id: f.flowId,
            status: f.status,
            description: typeof f.sources[0]?.description === 'string' ? f.sources[0].description : undefined,
            protocol: f.sources[0]?.protocol,
          })),
        },
      };
    },
    ShowFlowDetail(_req, query, now) {
      const flow = flowFor(query, now);
      return 'flowId' in flow ? { status: 200, body: detail(flow) } : flow;
    },
    ModifyFlowStart(_req, query, now) {
      const flow = flowFor(query, now);
      if (!('flowId' in flow)) return flow;
      if (flow.status === 'ACTIVE' || Number.isFinite(flow.activeAt))
        return notAllowed(`flow ${flow.flowId} is already started`);
      flow.activeAt = now + startDelayMs;
      settle(flow, now);
      return { status: 200, body: { status: flow.status, flow_id: flow.flowId } };
    },
    ModifyFlowStop(_req, query, now) {
      const flow = flowFor(query, now);
      if (!('flowId' in flow)) return flow;
      if (!Number.isFinite(flow.activeAt)) return notAllowed(`flow ${flow.flowId} is not started`);
      flow.status = 'STANDBY';
      flow.activeAt = Number.POSITIVE_INFINITY;
      return { status: 200, body: { status: flow.status, flow_id: flow.flowId } };
    },
    CreateFlowOutput(req, query, now) {
      const flow = flowFor(query, now);
      if (!('flowId' in flow)) return flow;
      const json = parseBody(req);
      if (!json.ok) return json.reply;
      if (!Array.isArray(json.value) || json.value.length === 0)
        return invalid('the body must be a JSON array of outputs');
      const outputs = json.value as unknown[];
      for (const output of outputs) {
        const problem = endpointProblem(output, 'output');
        if (problem) return invalid(problem);
      }
      const names = outputs.map((o) => (o as Record<string, unknown>).name as string);
      if (new Set(names).size !== names.length) return invalid('output names must be unique');
      const taken = names.filter((name) => flow.outputs.some((o) => o.name === name));
      if (taken.length > 0) return alreadyExists(`output ${taken.join(', ')} already exists`);
      if (flow.outputs.length + names.length > MAX_OUTPUTS) {
        return invalid(`a flow has at most ${MAX_OUTPUTS} outputs; ${flow.flowId} has ${flow.outputs.length}`);
      }
      for (const output of outputs as Array<Record<string, unknown>>) {
        // An srt-listener output listens on an address Huawei assigns; the answer carries it as `listener_address`
        // (docs/vendors/huawei-live.md). A TEST-NET-3 address (RFC 5737) here.
        const listener =
          output.protocol === 'srt-listener'
            ? { listener_address: `203.0.113.${1 + Math.floor(Math.random() * 254)}` }
            : {};
        flow.outputs.push({
          ...structuredClone(output),
          ...listener,
          output_status: output.output_status ?? 'ENABLED',
        });
      }
      return {
        status: 200,
        body: {
          flow_id: flow.flowId,
          outputs: flow.outputs.map((o) => ({ ...o, health_status: 'DISCONNECTED', type: o.protocol })),
        },
      };
    },
    DeleteFlow(_req, query, now) {
      const flow = flowFor(query, now);
      if (!('flowId' in flow)) return flow;
      if (Number.isFinite(flow.activeAt)) return notAllowed(`flow ${flow.flowId} is started: stop it first`);
      flows.delete(flow.flowId);
      return { status: 204 };
    },
  };

  const routes: Readonly<Record<string, string>> = {
    'POST /flows': 'CreateFlows',
    'GET /flows': 'ListFlows',
    'DELETE /flows': 'DeleteFlow',
    'GET /flows/detail': 'ShowFlowDetail',
    'PUT /flows/start': 'ModifyFlowStart',
    'PUT /flows/stop': 'ModifyFlowStop',
    'POST /flows/outputs': 'CreateFlowOutput',
  };
  const route = (method: string, rest: string): string | undefined => routes[`${method} ${rest.replace(/\/+$/, '')}`];

  const open = (req: RawRequest, at: number): Exchange<Reply> => {
    const requestId = randomUUID().replaceAll('-', '');
    const queryAt = req.rawUrl.indexOf('?');
    const rawPath = queryAt < 0 ? req.rawUrl : req.rawUrl.slice(0, queryAt);
    const rawQuery = queryAt < 0 ? '' : req.rawUrl.slice(queryAt + 1);
    const match = /^\/v1\/([^/]+)(\/.*)$/.exec(rawPath);
    const operation = match ? (route(req.method, match[2]!) ?? 'unknown') : 'unknown';
    const admit = () => {
      let query: Record<string, string>;
      let path: string;
      try {
        query = parseRawQuery(rawQuery);
        path = rawPath.split('/').map(decodeURIComponent).join('/');
      } catch {
        return { refused: error(400, 'APIG.0201', 'API request error.') };
      }
      const headers = flattenHeaders(req.headers);
      const auth = verifyHuaweiSignature(
        { method: req.method, path, query, headers, body: req.body.toString('utf8') },
        options.credentials,
        at,
        maxClockSkewMs,
      );
      if (!auth.ok) return { refused: auth.reply };
      if (!match || operation === 'unknown') {
        return {
          refused: error(404, 'APIG.0101', 'The API does not exist or has not been published in the environment.'),
        };
      }
      if (decodeURIComponent(match[1]!) !== projectId || headers['x-project-id'] !== projectId) {
        return { refused: iamFailure("the project id in the path and X-Project-Id must be the credentials' project") };
      }
      return {
        call: {
          limiter,
          throttle: () => throttled(rate),
          serve: (now: number) => operations[operation]!(req, query, now),
        },
      };
    };
    const encode = (reply: Reply): RawResponse => {
      const withRequestId = isRecord(reply.body) && reply.code ? { ...reply.body, request_id: requestId } : reply.body;
      return {
        status: reply.status,
        headers: { 'x-request-id': requestId },
        ...(withRequestId === undefined ? {} : { body: JSON.stringify(withRequestId) }),
      };
    };
    return { operation, budget: HUAWEI_BUDGET, admit, encode };
  };

  const emulator = await startEmulator<Reply>({
    ...options,
    open,
    unavailable: oneOf(error(502, 'APIG.0202', 'Backend unavailable.'), error(504, 'APIG.0203', 'Backend timeout.')),
  });
  return {
    ...emulator,
    flows: () => {
      const now = Date.now();
      return [...flows.values()].map((f) => emulatedFlow(settle(f, now)));
    },
    addFlow: (flow) => addFlow(flow.name, flow.region, flow.sources).flowId,
  };
}

/** A copy of a flow record as the tests read it. */
function emulatedFlow(f: FlowRecord): EmulatedHuaweiFlow {
  const { flowId, name, region, status, sources, outputs } = f;
  return { flowId, name, region, status, sources: structuredClone(sources), outputs: structuredClone(outputs) };
}

function throttled(rate: { readonly limit: number; readonly windowMs: number }): Reply {
  const window = rate.windowMs % 60_000 === 0 ? `${rate.windowMs / 60_000} minute` : `${rate.windowMs / 1000} second`;
  return error(
    429,
    'APIG.0308',
    `The throttling threshold has been reached: policy user over ratelimit,limit:${rate.limit},time:${window}`,
  );
}
