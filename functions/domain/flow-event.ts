/**
 * Outcome events v1: what the pipeline tells the caller. The zod schemas here are the single source; `npm run schema`
 * exports `schemas/flow-event.v1.json` for consumers that do not use TypeScript, and a test fails when it is stale.
 *
 * Every event is an EventBridge event with `source: "flow-provisioner"` and one of the detail-types below, put on the
 * stage's custom bus: by the workflow itself (the `events:putEvents` service integration) for `FlowProvisioned` and
 * `FlowProvisioningFailed` (by the failure capture for an execution that timed out or was aborted), `FlowStarted` (a
 * `startAt` request at its start), `FlowDeprovisioned` and `FlowDeprovisioningFailed` (a deprovision request, or a
 * provision's `deprovisionAt`), by the dispatcher for `RequestRejected`. Detail-types name a fact about a flow or
 * request in the past tense.
 *
 * `eventId` is stable: the same execution and type always yield the same id (a Step Functions retry of the put, or a
 * redrive that reaches the same end, puts an event with the id of the first), so a consumer drops a repeat by id.
 * Events never carry a secret: no SRT passphrase, key, signature, token or credential in a URL (see `safeUrl`).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { VENDOR_IDS } from './contract.ts';

export const EVENT_SOURCE = 'flow-provisioner';
export const DETAIL_TYPES = [
  'FlowProvisioned',
  'FlowProvisioningFailed',
  'FlowStarted',
  'FlowDeprovisioned',
  'FlowDeprovisioningFailed',
  'RequestRejected',
] as const;
export type DetailType = (typeof DETAIL_TYPES)[number];

// --- connection -------------------------------------------------------------------------------------------------

const port = z.number().int().min(1).max(65535);

/** Where to reach one end of a flow, ingest or output alike. */
const endpointFields = {
  /** The vendor's protocol name as the vendor spells it (`srt-listener`, `RTMP-PUSH`, `rtmp`…). */
  protocol: z.string().min(1).optional(),
  /** Host name or IP address to connect to. */
  host: z.string().min(1).optional(),
  port: port.optional(),
  /** A full URL when the vendor gives one (credentials and signed query parameters removed). */
  url: z.string().min(1).optional(),
  /** Who may connect: the allow-list the vendor enforces. */
  allowedCidrs: z.array(z.string().min(1)).optional(),
};

/** Where the video goes in: the address a sender pushes to, or the one the vendor pulls from. */
export const connectionIngest = z.strictObject({
  ...endpointFields,
  /** `push`: the sender connects to this address; `pull`: the vendor fetches the stream from it. */
  mode: z.enum(['push', 'pull']).optional(),
});
export type ConnectionIngest = z.output<typeof connectionIngest>;

/** Where the video can be taken from: one output, or one entitlement another account subscribes to. */
export const connectionOutput = z.strictObject({
  name: z.string().min(1),
  ...endpointFields,
  /** `pull`: the consumer fetches from this address; `push`: the vendor sends to it. */
  mode: z.enum(['push', 'pull']).optional(),
  /** AWS entitlements: the ARN a subscriber's flow names as its source. */
  entitlementArn: z.string().min(1).optional(),
  /** AWS entitlements: the accounts allowed to subscribe. */
  subscribers: z.array(z.string().min(1)).optional(),
});
export type ConnectionOutput = z.output<typeof connectionOutput>;

/** What the vendor answered that has no neutral place (ids, endpoints), never a secret. */
export const vendorDetail = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

/** Vendor-neutral "where to connect" of one flow. */
export const flowConnection = z.strictObject({
  ingest: connectionIngest.optional(),
  outputs: z.array(connectionOutput).default([]),
  vendorDetail: vendorDetail.optional(),
  /** Set when the connection could not be read (the flow is provisioned all the same); the error name. */
  unavailable: z.string().min(1).optional(),
});
export type FlowConnection = z.input<typeof flowConnection>;

// --- details ----------------------------------------------------------------------------------------------------

const common = {
  schemaVersion: z.literal(1),
  /** Stable per execution and type (per message body and type for `RequestRejected`): drop a repeat by it. Opaque. */
  eventId: z
    .string()
    .min(1)
    .max(1024)
    .regex(
      /#(FlowProvisioned|FlowProvisioningFailed|FlowStarted|FlowDeprovisioned|FlowDeprovisioningFailed|RequestRejected)$/,
      'must end in #<detail-type>',
    ),
};
const executionFields = {
  requestId: z.string().min(1).max(80),
  vendor: z.enum(VENDOR_IDS),
  region: z.string().min(1),
  executionName: z.string().min(1).max(80),
  executionArn: z.string().regex(/^arn:/, 'must be an execution ARN'),
  /** 1 for the first execution of a request, n for `<requestId>--a<n>` (a new attempt after a failed one). */
  attempt: z.number().int().min(1),
};

export const flowProvisionedDetail = z.strictObject({
  ...common,
  ...executionFields,
  /** The vendor's own id of the flow (an ARN for AWS; `<group>:<task id>` for Volcengine). */
  flowId: z.string().min(1),
  flowName: z.string().min(1),
  /** True when an earlier attempt had created the flow and this one adopted it. */
  adopted: z.boolean(),
  connection: flowConnection,
});

/** What every failure event says of the failure and where its record went. */
const failureFields = {
  /** The error class (`VendorRejected`, `FlowNotRunning`…, the workflow's `ErrorEquals` names). */
  error: z.string().min(1),
  cause: z.string(),
  failedState: z.string().min(1),
  /**
   * Where the failure record went: the DLQ with the original request as its body; `reason` `WorkflowFailed` (a Catch
   * recorded it), or `TimedOut` / `Aborted` (the execution stopped inside a step and the failure capture recorded it).
   */
  failureRecord: z.strictObject({ queue: z.literal('dlq'), reason: z.enum(['WorkflowFailed', 'TimedOut', 'Aborted']) }),
};

export const flowProvisioningFailedDetail = z.strictObject({
  ...common,
  ...executionFields,
  /** The flow the execution created or adopted before failing, when it got that far. */
  flowId: z.string().min(1).optional(),
  ...failureFields,
  /** `onFailure: rollback` deleted what was created. */
  rolledBack: z.boolean(),
  rollbackDetail: z.string(),
});

/** A `startAt` request's flow runs: put once the vendor reports it running after the wait. */
export const flowStartedDetail = z.strictObject({
  ...common,
  ...executionFields,
  flowId: z.string().min(1),
  flowName: z.string().min(1),
  /** The request's `startAt`, as it was sent (the event's own `time` says when the flow was seen running). */
  startAt: z.string().min(1),
});

/** What the teardown path answered: `DEPRECATED` is CAMS's published flow, which cannot be deleted (docs/runbook.md). */
const teardownOutcome = z.enum(['DELETED', 'ALREADY_GONE', 'DEPRECATED']);
/** `request`: a deprovision request (its own `requestId`); `deprovisionAt`: the provision's own scheduled teardown. */
const teardownTrigger = z.enum(['request', 'deprovisionAt']);

export const flowDeprovisionedDetail = z.strictObject({
  ...common,
  ...executionFields,
  trigger: teardownTrigger,
  /** A deprovision request's target, as sent. */
  target: z
    .union([z.strictObject({ requestId: z.string().min(1) }), z.strictObject({ flowId: z.string().min(1) })])
    .optional(),
  /** Absent when no provision of the target ever got as far as a flow. */
  flowId: z.string().min(1).optional(),
  outcome: teardownOutcome,
  /** True when there was nothing left to remove: a repeat, or a target never created. */
  alreadyGone: z.boolean(),
  /** The vendor's own last word on the flow (`DELETING`, `DEPRECATED`, `not found`…). */
  vendorStatus: z.string(),
});

export const flowDeprovisioningFailedDetail = z.strictObject({
  ...common,
  ...executionFields,
  flowId: z.string().min(1).optional(),
  ...failureFields,
});

export const requestRejectedDetail = z.strictObject({
  ...common,
  /** What could be read of the message: a rejected message may lack any of these. */
  requestId: z.string().min(1).max(80).optional(),
  vendor: z.string().min(1).max(80).optional(),
  region: z.string().min(1).max(32).optional(),
  /** `InvalidRequest` (the message fails the contract) or `AttemptsExhausted` (every attempt has failed). */
  reason: z.enum(['InvalidRequest', 'AttemptsExhausted']),
  /** Every problem found, as `path: message`. */
  issues: z.array(z.string()).min(1),
  /** The SQS message id of the delivery that was rejected. */
  sourceMessageId: z.string().min(1),
  failureRecord: z.strictObject({ queue: z.literal('dlq'), reason: z.enum(['InvalidRequest', 'AttemptsExhausted']) }),
});

export type FlowProvisionedDetail = z.output<typeof flowProvisionedDetail>;
export type FlowProvisioningFailedDetail = z.output<typeof flowProvisioningFailedDetail>;
export type RequestRejectedDetail = z.output<typeof requestRejectedDetail>;
export type FlowStartedDetail = z.output<typeof flowStartedDetail>;
export type FlowDeprovisionedDetail = z.output<typeof flowDeprovisionedDetail>;
export type FlowDeprovisioningFailedDetail = z.output<typeof flowDeprovisioningFailedDetail>;

/**
 * One event as a consumer's rule target receives it: the fields we define are constrained, the envelope EventBridge
 * adds (`id`, `time`, `account`, `region`, `resources`, `version`) is allowed.
 */
export const flowEvent = z.discriminatedUnion('detail-type', [
  z.looseObject({
    source: z.literal(EVENT_SOURCE),
    'detail-type': z.literal('FlowProvisioned'),
    detail: flowProvisionedDetail,
  }),
  z.looseObject({
    source: z.literal(EVENT_SOURCE),
    'detail-type': z.literal('FlowProvisioningFailed'),
    detail: flowProvisioningFailedDetail,
  }),
  z.looseObject({
    source: z.literal(EVENT_SOURCE),
    'detail-type': z.literal('FlowStarted'),
    detail: flowStartedDetail,
  }),
  z.looseObject({
    source: z.literal(EVENT_SOURCE),
    'detail-type': z.literal('FlowDeprovisioned'),
    detail: flowDeprovisionedDetail,
  }),
  z.looseObject({
    source: z.literal(EVENT_SOURCE),
    'detail-type': z.literal('FlowDeprovisioningFailed'),
    detail: flowDeprovisioningFailedDetail,
  }),
  z.looseObject({
    source: z.literal(EVENT_SOURCE),
    'detail-type': z.literal('RequestRejected'),
    detail: requestRejectedDetail,
  }),
]);
export type FlowEvent = z.output<typeof flowEvent>;

/** The detail schema of each detail-type. */
export const DETAIL_SCHEMAS = {
  FlowProvisioned: flowProvisionedDetail,
  FlowProvisioningFailed: flowProvisioningFailedDetail,
  FlowStarted: flowStartedDetail,
  FlowDeprovisioned: flowDeprovisionedDetail,
  FlowDeprovisioningFailed: flowDeprovisioningFailedDetail,
  RequestRejected: requestRejectedDetail,
} as const satisfies Record<DetailType, z.ZodType>;

// --- PutEvents entries ------------------------------------------------------------------------------------------

/** A PutEvents request entry as the workflow, the dispatcher and `flowctl local --events` write it. */
export interface PutEventsEntry {
  readonly Source: string;
  readonly DetailType: string;
  /** The detail as a JSON string (PutEvents takes a string). */
  readonly Detail: string;
  readonly EventBusName?: string;
  readonly Time?: string;
}

/** Parses a PutEvents entry of ours into the event a consumer receives; throws with every problem listed. */
export function parseEntry(entry: PutEventsEntry): FlowEvent {
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail);
  } catch {
    throw new Error(`event ${entry.DetailType}: Detail is not JSON`);
  }
  const parsed = flowEvent.safeParse({ source: entry.Source, 'detail-type': entry.DetailType, detail });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`);
    throw new Error(`event ${entry.DetailType} does not match flow-event v1: ${issues.join('; ')}`);
  }
  return parsed.data;
}

/**
 * The event id: `<key>#<detail-type>`, where the key is the execution ARN (unique per execution for 90 days) for the
 * workflow's events, computed in the ASL as `States.Format('{}#FlowProvisioned', $$.Execution.Id)`, and
 * `sha256:<hex digest of the message body>` for the dispatcher's rejections, so every delivery of the same invalid
 * message carries the same id. Plain text rather than a hash in the ASL: nothing to compute where it is put.
 */
export function eventIdOf(key: string, detailType: DetailType): string {
  return `${key}#${detailType}`;
}

/** The key of a rejected message: the digest of its body, as received. */
export function messageKeyOf(body: string): string {
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}

// --- secrets ----------------------------------------------------------------------------------------------------

/** Query parameters that carry a credential or a signature in the stream URLs vendors hand out. */
const SECRET_PARAM = /pass|secret|key|sign|token|auth|credential|^sig|sig$|^volc/i;

/**
 * A URL safe to publish: user info dropped, and every query parameter that may be a credential (SRT `passphrase`,
 * CDN `auth_key`, `volcSecret`, `sign`, `token`…) removed. A value that is not a URL is returned unchanged.
 */
export function safeUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value;
  }
  const changed =
    url.username !== '' || url.password !== '' || [...url.searchParams.keys()].some((k) => SECRET_PARAM.test(k));
  if (!changed) return value;
  url.username = '';
  url.password = '';
  for (const key of [...url.searchParams.keys()]) if (SECRET_PARAM.test(key)) url.searchParams.delete(key);
  return url.toString();
}

/** Host and port of a URL (`srt://1.2.3.4:1025` → `{ host: '1.2.3.4', port: 1025 }`), when it names them. */
export function hostPortOf(value: string | undefined): { host?: string; port?: number } {
  if (!value) return {};
  try {
    const url = new URL(value);
    const portNumber = url.port === '' ? undefined : Number(url.port);
    return {
      ...(url.hostname ? { host: url.hostname.replace(/^\[|\]$/g, '') } : {}),
      ...(portNumber !== undefined && portNumber > 0 ? { port: portNumber } : {}),
    };
  } catch {
    return {};
  }
}

/** Drops `undefined` members (zod's strict objects and JSON both want them absent). */
export function compact<T extends Record<string, unknown>>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

// --- JSON Schema ------------------------------------------------------------------------------------------------

/** The event contract as JSON Schema (draft 2020-12): the event a rule target receives, by detail-type. */
export function flowEventJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(flowEvent, { io: 'output', target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    $id: 'https://flow-provisioner.dev/schemas/flow-event.v1.json',
    title: 'flow-provisioner outcome event, v1',
    description:
      'An EventBridge event (source "flow-provisioner") as a rule target receives it; only source, detail-type and ' +
      'detail are constrained. `detail.eventId` is stable per execution and type: drop repeats by it.',
    ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$schema')),
  };
}
