/**
 * Failed-execution capture (docs/architecture.md, "Exactly-once effects"): an execution that times out or is aborted
 * stops *inside* a step, so no Catch runs and no failure record reaches the DLQ. This core writes that record instead:
 * the execution's input (the original request) as body, the reason and the state it stopped in as message attributes —
 * the same shape as the workflow's own failure records, so `flowctl dlq` lists it and a DLQ redrive moves it back as it
 * is. The dispatcher then finds the TIMED_OUT/ABORTED execution and redrives it (ADR 0003), resuming at that state.
 *
 * After the record, it puts one `FlowProvisioningFailed` outcome event on the stage's bus (`../domain/flow-event.ts`),
 * the one the workflow's `PublishFailed` state would have put, with `failureRecord.reason` `TimedOut` or `Aborted`.
 * Order: the record first, so an event never announces a record that is not there. A refused put throws, and the
 * caller's retry runs the whole capture again, which writes a second record of the same execution (the same
 * `executionArn` attribute) before the put succeeds: a rare duplicate (the SDK has already retried the put) that
 * `flowctl dlq` shows side by side, chosen over a record lost to a put that failed. The event id is the workflow's
 * (`<execution ARN>#FlowProvisioningFailed`), so consumers drop a repeated event by id.
 *
 * On AWS an EventBridge rule on "Step Functions Execution Status Change" invokes it (`./handler.ts`); the local stack
 * calls it from the local Step Functions service's status listener.
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { type MessageAttributeValue, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { MAX_ATTEMPTS } from '../domain/execution-name.ts';
import {
  EVENT_SOURCE,
  eventIdOf,
  type FlowDeprovisioningFailedDetail,
  type FlowProvisioningFailedDetail,
  flowDeprovisioningFailedDetail,
  flowProvisioningFailedDetail,
} from '../domain/flow-event.ts';
import { DEPROVISIONED_ERROR, isDeprovisionMessage } from '../domain/lifecycle.ts';
import { requestIdentity } from '../domain/request-identity.ts';

/** The `detail` of an EventBridge "Step Functions Execution Status Change" event (the fields used here). */
export interface ExecutionStatusChange {
  readonly executionArn: string;
  readonly stateMachineArn?: string;
  readonly name?: string;
  readonly status: string;
  /** The execution input as a JSON string; `null` when EventBridge left it out (`inputDetails.included: false`). */
  readonly input?: string | null;
  readonly inputDetails?: { readonly included?: boolean } | null;
  readonly error?: string | null;
  readonly cause?: string | null;
}

export interface FailureCaptureDeps {
  readonly sfn: SFNClient;
  readonly sqs: SQSClient;
  readonly deadLetterQueueUrl: string;
  /** The stage's bus (`EVENT_BUS_NAME`) and a client to put on it. */
  readonly events: { readonly client: EventBridgeClient; readonly busName: string };
}

export type CaptureOutcome =
  | {
      readonly kind: 'captured';
      readonly reason: CaptureReason;
      readonly failedState: string;
      readonly messageId: string;
      /** `put`, or why no event could be built (the input is not a request the event schema can name). */
      readonly event: 'put' | { readonly skipped: string };
    }
  | { readonly kind: 'ignored'; readonly status: string }
  /** A provision execution a deprovision request stopped: the deprovision is its outcome, nothing is recorded. */
  | { readonly kind: 'cancelled' };

/** DLQ `reason` attribute per captured status. */
export const CAPTURE_REASONS = { TIMED_OUT: 'TimedOut', ABORTED: 'Aborted' } as const;
export type CaptureReason = (typeof CAPTURE_REASONS)[keyof typeof CAPTURE_REASONS];

/** What `failedState` says when the history could not tell (the record is written anyway). */
export const UNKNOWN_STATE = '(unknown)';

/** λ timeout: a DescribeExecution, a GetExecutionHistory and a SendMessage, with room for SDK retries. */
export const CAPTURE_TIMEOUT_SECONDS = 30;

const MAX_ATTRIBUTE_CHARS = 16 * 1024;

/**
 * Writes the failure record of a TIMED_OUT or ABORTED execution; ignores every other status (FAILED executions of the
 * workflow wrote their own record through Catch). Throws only when the DLQ send fails, so the caller's retry (Lambda
 * async retries, then the function's own DLQ) keeps the event.
 */
export async function captureStoppedExecution(
  detail: ExecutionStatusChange,
  deps: FailureCaptureDeps,
): Promise<CaptureOutcome> {
  const reason = CAPTURE_REASONS[detail.status as keyof typeof CAPTURE_REASONS];
  if (!reason) return { kind: 'ignored', status: detail.status };
  if (detail.status === 'ABORTED' && detail.error === DEPROVISIONED_ERROR) return { kind: 'cancelled' };

  let input = typeof detail.input === 'string' && detail.inputDetails?.included !== false ? detail.input : undefined;
  let error = detail.error ?? undefined;
  let cause = detail.cause ?? undefined;
  if (input === undefined) {
    // EventBridge leaves out inputs over its event size limit; the execution still has it.
    const described = await deps.sfn.send(new DescribeExecutionCommand({ executionArn: detail.executionArn }));
    input = described.input ?? '{}';
    error ??= described.error;
    cause ??= described.cause;
    if (detail.status === 'ABORTED' && error === DEPROVISIONED_ERROR) return { kind: 'cancelled' };
  }
  const failedState = await stateThatWasRunning(deps.sfn, detail.executionArn);
  const identity = requestIdentity(input);

  const attributes: Record<string, MessageAttributeValue> = {
    reason: text(reason),
    error: text(error || (detail.status === 'TIMED_OUT' ? 'States.Timeout' : 'ExecutionAborted')),
    cause: text(
      cause ||
        (detail.status === 'TIMED_OUT'
          ? `the execution timed out in state ${failedState}`
          : `the execution was stopped (StopExecution) in state ${failedState}`),
    ),
    failedState: text(failedState),
    executionArn: text(detail.executionArn),
  };
  if (identity.requestId) attributes.requestId = text(identity.requestId);
  if (identity.vendor) attributes.vendor = text(identity.vendor);

  const sent = await deps.sqs.send(
    new SendMessageCommand({
      QueueUrl: deps.deadLetterQueueUrl,
      MessageBody: input.length > 0 ? input : '{}',
      MessageAttributes: attributes,
    }),
  );
  const event = failureEventOf({
    input,
    executionArn: detail.executionArn,
    executionName: detail.name ?? detail.executionArn.split(':').at(-1) ?? '',
    reason,
    error: attributes.error!.StringValue!,
    cause: attributes.cause!.StringValue!,
    failedState,
  });
  if (event.success) await putFailureEvent(deps.events, event.type, event.data);
  return {
    kind: 'captured',
    reason,
    failedState,
    messageId: sent.MessageId ?? '',
    event: event.success ? 'put' : { skipped: event.error },
  };
}

/**
 * The `FlowProvisioningFailed` detail of a stopped execution, as the workflow's `DescribeFailure` state builds it:
 * requestId, vendor and region from the input, the attempt from the name (`<requestId>--a<n>`, n ≤ MAX_ATTEMPTS, as
 * the workflow's `IsLaterAttempt` state reads it). No rollback runs: the execution stopped inside a step. A
 * deprovision request's execution gets `FlowDeprovisioningFailed` instead, as `DescribeTeardownFailure` builds it.
 */
export function failureEventOf(params: {
  readonly input: string;
  readonly executionArn: string;
  readonly executionName: string;
  readonly reason: CaptureReason;
  readonly error: string;
  readonly cause: string;
  readonly failedState: string;
}):
  | { success: true; type: 'FlowProvisioningFailed'; data: FlowProvisioningFailedDetail }
  | { success: true; type: 'FlowDeprovisioningFailed'; data: FlowDeprovisioningFailedDetail }
  | { success: false; error: string } {
  let request: Record<string, unknown> = {};
  try {
    const value: unknown = JSON.parse(params.input);
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      request = value as Record<string, unknown>;
  } catch {
    // The schema check below names what is missing.
  }
  const suffix = /--a(\d+)$/.exec(params.executionName);
  const n = suffix ? Number(suffix[1]) : 1;
  const execution = {
    schemaVersion: 1,
    requestId: request.requestId,
    vendor: request.vendor,
    region: request.region,
    executionName: params.executionName,
    executionArn: params.executionArn,
    attempt: n >= 2 && n <= MAX_ATTEMPTS ? n : 1,
    error: params.error,
    cause: params.cause,
    failedState: params.failedState,
    failureRecord: { queue: 'dlq', reason: params.reason },
  };
  const problems = (error: { issues: { path: PropertyKey[]; message: string }[] }) =>
    error.issues.map((i) => `${i.path.map(String).join('.') || '(detail)'}: ${i.message}`).join('; ');
  if (isDeprovisionMessage(request)) {
    const teardown = flowDeprovisioningFailedDetail.safeParse({
      ...execution,
      eventId: eventIdOf(params.executionArn, 'FlowDeprovisioningFailed'),
    });
    return teardown.success
      ? { success: true, type: 'FlowDeprovisioningFailed', data: teardown.data }
      : { success: false, error: problems(teardown.error) };
  }
  const parsed = flowProvisioningFailedDetail.safeParse({
    ...execution,
    eventId: eventIdOf(params.executionArn, 'FlowProvisioningFailed'),
    rolledBack: false,
    rollbackDetail: `no rollback: the execution ${params.reason === 'TimedOut' ? 'timed out' : 'was aborted'} inside state ${params.failedState}`,
  });
  if (parsed.success) return { success: true, type: 'FlowProvisioningFailed', data: parsed.data };
  return { success: false, error: problems(parsed.error) };
}

/** Puts the event; a refused entry is an error, so the caller retries the capture. */
async function putFailureEvent(
  events: FailureCaptureDeps['events'],
  detailType: 'FlowProvisioningFailed' | 'FlowDeprovisioningFailed',
  detail: FlowProvisioningFailedDetail | FlowDeprovisioningFailedDetail,
) {
  const result = await events.client.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: events.busName,
          Source: EVENT_SOURCE,
          DetailType: detailType,
          Detail: JSON.stringify(detail),
        },
      ],
    }),
  );
  const failed = result.Entries?.find((e) => e.ErrorCode);
  if ((result.FailedEntryCount ?? 0) > 0 || failed) {
    throw new Error(`PutEvents refused the ${detailType} event: ${failed?.ErrorCode}: ${failed?.ErrorMessage}`);
  }
}

/**
 * The state the execution was in when it stopped: the newest state entered that has no matching exit. Best effort —
 * a history that cannot be read must not cost the failure record.
 */
async function stateThatWasRunning(sfn: SFNClient, executionArn: string): Promise<string> {
  try {
    const history = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn,
        reverseOrder: true,
        maxResults: 200,
        includeExecutionData: false,
      }),
    );
    const exits = new Map<string, number>();
    for (const event of history.events ?? []) {
      const type = event.type ?? '';
      if (type.endsWith('StateExited')) {
        const name = event.stateExitedEventDetails?.name ?? '';
        exits.set(name, (exits.get(name) ?? 0) + 1);
      } else if (type.endsWith('StateEntered')) {
        const name = event.stateEnteredEventDetails?.name ?? '';
        const pending = exits.get(name) ?? 0;
        if (pending === 0) return name || UNKNOWN_STATE;
        exits.set(name, pending - 1);
      }
    }
  } catch {
    // Fall through: the record matters more than its failedState.
  }
  return UNKNOWN_STATE;
}

function text(value: string): MessageAttributeValue {
  const bounded = value.length > MAX_ATTRIBUTE_CHARS ? `${value.slice(0, MAX_ATTRIBUTE_CHARS - 1)}…` : value;
  return { DataType: 'String', StringValue: bounded };
}
