/**
 * Failed-execution capture (docs/architecture.md, "Exactly-once effects"): an execution that times out or is aborted
 * stops *inside* a step, so no Catch runs and no failure record reaches the DLQ. This core writes that record instead:
 * the execution's input (the original request) as body, the reason and the state it stopped in as message attributes —
 * the same shape as the workflow's own failure records, so `flowctl dlq` lists it and a DLQ redrive moves it back as it
 * is. The dispatcher then finds the TIMED_OUT/ABORTED execution and redrives it (ADR 0003), resuming at that state.
 *
 * On AWS an EventBridge rule on "Step Functions Execution Status Change" invokes it (`./handler.ts`); the local stack
 * calls it from the local Step Functions service's status listener.
 */
import { DescribeExecutionCommand, GetExecutionHistoryCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { type MessageAttributeValue, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
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
}

export type CaptureOutcome =
  | {
      readonly kind: 'captured';
      readonly reason: CaptureReason;
      readonly failedState: string;
      readonly messageId: string;
    }
  | { readonly kind: 'ignored'; readonly status: string };

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

  let input = typeof detail.input === 'string' && detail.inputDetails?.included !== false ? detail.input : undefined;
  let error = detail.error ?? undefined;
  let cause = detail.cause ?? undefined;
  if (input === undefined) {
    // EventBridge leaves out inputs over its event size limit; the execution still has it.
    const described = await deps.sfn.send(new DescribeExecutionCommand({ executionArn: detail.executionArn }));
    input = described.input ?? '{}';
    error ??= described.error;
    cause ??= described.cause;
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
  return { kind: 'captured', reason, failedState, messageId: sent.MessageId ?? '' };
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
