/**
 * `flowctl status REQUEST_ID`: where one request is now. SDK calls and pure analysis, no command-line wiring, so the
 * tests and other commands call it as it is.
 *
 * What it reads, and why it consumes nothing:
 * - Executions: the names are deterministic (`<requestId>`, `<requestId>--a2`, …), so DescribeExecution finds every
 *   attempt on every vendor's machine without listing, and GetExecutionHistory tells the state it is in or failed in,
 *   the flow it made and whether its outcome event was put. Both are reads.
 * - Failure records of executions: the workflow's `RecordFailure` state wrote them, and its input in the history
 *   holds every attribute it sent (`reason=WorkflowFailed`, error, cause, failed state), so the DLQ is not touched.
 * - A request with no execution (rejected by the dispatcher, or unknown): its record exists only on the DLQ, and SQS
 *   has no read that leaves a message alone. Every ReceiveMessage puts the message in flight and counts a receive,
 *   even with VisibilityTimeout 0 (which also keeps answering the same few messages, so a long queue is never read
 *   through). The least intrusive read is the one `flowctl dlq list` uses: receive with a short visibility, make every
 *   message visible again at once (ChangeMessageVisibility 0), and stop at the first batch that holds the request.
 *   The DLQ has no redrive policy of its own, so the added receive counts change no delivery; the report says how
 *   many messages were looked at (`dlqMessagesSeen`), and `--no-dlq` skips the DLQ altogether.
 */
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { executionName, MAX_ATTEMPTS } from '../../functions/domain/execution-name.ts';
import { type DetailType, eventIdOf, type FlowConnection, messageKeyOf } from '../../functions/domain/flow-event.ts';
import { EXIT, FlowctlError } from '../output.ts';
import type { Target } from '../target.ts';
import { type DlqRecordDetail, peekDeadLetterQueue } from './dlq.ts';
import { analyzeExecution, type ExecutionView, parseJson } from './executions.ts';

export type RequestState = 'PROVISIONED' | 'IN_PROGRESS' | 'FAILED' | 'REJECTED' | 'UNKNOWN';

/** The exit status of each answer (also in `flowctl status --help`). */
export const STATUS_EXIT: Readonly<Record<RequestState, number>> = {
  PROVISIONED: EXIT.OK,
  FAILED: EXIT.INCOMPLETE,
  REJECTED: EXIT.INCOMPLETE,
  UNKNOWN: EXIT.NOT_FOUND,
  IN_PROGRESS: 5,
};

export interface AttemptView {
  readonly attempt: number;
  readonly executionName: string;
  readonly executionArn: string;
  readonly vendor: string;
  readonly status: string;
  readonly startDate: string | null;
  readonly stopDate: string | null;
  /** RUNNING: the state it is in; otherwise the state it failed in (null when it succeeded). */
  readonly state: string | null;
  readonly error: string | null;
  readonly cause: string | null;
  readonly flowId: string | null;
}

export interface OutcomeEventView {
  readonly detailType: DetailType;
  readonly eventId: string;
  /** Whether the put succeeded (`false`: the workflow gave up after its retries; see the execution history). */
  readonly put: boolean;
}

export interface DlqRecordView {
  readonly reason: string;
  readonly error: string | null;
  readonly cause: string | null;
  readonly failedState: string | null;
  /** Where this view came from: the execution history (no SQS call) or the DLQ itself. */
  readonly readFrom: 'execution-history' | 'dlq';
  readonly messageId: string | null;
}

export interface RequestStatusReport {
  readonly requestId: string;
  readonly state: RequestState;
  readonly vendor: string | null;
  readonly attempts: readonly AttemptView[];
  readonly lastEvent: OutcomeEventView | null;
  readonly dlqRecord: DlqRecordView | null;
  /** The vendor's resource: its id, and where to connect once provisioned. */
  readonly flow: { readonly flowId: string; readonly connection: FlowConnection | null } | null;
  /** How many DLQ messages were received (and released at once) to answer; 0 when the DLQ was not read. */
  readonly dlqMessagesSeen: number;
}

const REQUEST_ID = /^[A-Za-z0-9_-]{1,80}$/;
const PUBLISH_STATES: Readonly<Record<string, DetailType>> = {
  PublishProvisioned: 'FlowProvisioned',
  PublishFailed: 'FlowProvisioningFailed',
};

export async function requestStatus(
  target: Target,
  requestId: string,
  options: { readDlq?: boolean; maxAttempts?: number } = {},
): Promise<RequestStatusReport> {
  if (!REQUEST_ID.test(requestId)) {
    throw new FlowctlError(`"${requestId}" is not a request id`, EXIT.USAGE, 'request ids are 1–80 of A-Z a-z 0-9 _ -');
  }
  const found: { attempt: number; described: DescribeExecutionCommandOutput; events: HistoryEvent[] }[] = [];
  for (const machineArn of Object.values(target.stateMachineArns)) {
    for (let attempt = 1; attempt <= (options.maxAttempts ?? MAX_ATTEMPTS); attempt++) {
      const name = executionName(requestId, attempt);
      const described = await describeIfExists(
        target,
        `${machineArn.replace(':stateMachine:', ':execution:')}:${name}`,
      );
      if (!described) break;
      found.push({ attempt, described, events: await history(target, described.executionArn!) });
    }
  }
  if (found.length > 0) return fromExecutions(requestId, found);

  if (options.readDlq === false || !target.deadLetterQueueUrl) return unknown(requestId, 0);
  let seen = 0;
  const records = await peekDeadLetterQueue(target.sqs, target.deadLetterQueueUrl, {
    stop: (record) => {
      seen++;
      return record.requestId === requestId;
    },
  });
  const record = records.find((r) => r.requestId === requestId);
  return record ? fromRejection(requestId, record, seen) : unknown(requestId, seen);
}

/** The report of a request with executions (pure: the described executions and their histories, oldest first). */
export function fromExecutions(
  requestId: string,
  found: readonly { attempt: number; described: DescribeExecutionCommandOutput; events: readonly HistoryEvent[] }[],
): RequestStatusReport {
  const ordered = [...found].sort(
    (a, b) => (a.described.startDate?.getTime() ?? 0) - (b.described.startDate?.getTime() ?? 0),
  );
  const views = ordered.map(({ attempt, described, events }) => ({
    attempt,
    view: analyzeExecution(described, events),
    events,
    output: parseJson(described.output) as { flowId?: string; connection?: FlowConnection } | null,
  }));
  const latest = views.at(-1)!;
  const state: RequestState =
    latest.view.status === 'SUCCEEDED'
      ? 'PROVISIONED'
      : latest.view.status === 'RUNNING' || latest.view.status === 'PENDING_REDRIVE'
        ? 'IN_PROGRESS'
        : 'FAILED';
  const flowId = latest.output?.flowId ?? [...views].reverse().find((v) => v.view.flowId)?.view.flowId ?? null;
  return {
    requestId,
    state,
    vendor: latest.view.vendor,
    attempts: views.map(({ attempt, view, events }) => attemptView(attempt, view, events)),
    lastEvent: lastEvent(views.flatMap((v) => v.events.map((event) => ({ event, arn: v.view.executionArn })))),
    dlqRecord: recordOf(latest.view, latest.events),
    flow: flowId ? { flowId, connection: state === 'PROVISIONED' ? (latest.output?.connection ?? null) : null } : null,
    dlqMessagesSeen: 0,
  };
}

function attemptView(attempt: number, view: ExecutionView, events: readonly HistoryEvent[]): AttemptView {
  const running = view.status === 'RUNNING' || view.status === 'PENDING_REDRIVE';
  return {
    attempt,
    executionName: view.name,
    executionArn: view.executionArn,
    vendor: view.vendor,
    status: view.status,
    startDate: view.startDate,
    stopDate: view.stopDate,
    state: running ? currentState(events) : view.failedState,
    error: view.error,
    cause: view.causeMessage,
    flowId: view.flowId,
  };
}

/** The state a running execution is in: the last one entered. */
function currentState(events: readonly HistoryEvent[]): string | null {
  const entered = [...events].reverse().find((e) => e.type?.endsWith('StateEntered'));
  return entered?.stateEnteredEventDetails?.name ?? null;
}

/** The last outcome event a Publish state put (or tried to), across every attempt. */
function lastEvent(events: readonly { event: HistoryEvent; arn: string }[]): OutcomeEventView | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const { event, arn } = events[i]!;
    const name = event.stateExitedEventDetails?.name;
    if (!event.type?.endsWith('StateExited') || !name || !(name in PUBLISH_STATES)) continue;
    const output = parseJson(event.stateExitedEventDetails?.output) as { publishError?: unknown } | null;
    const detailType = PUBLISH_STATES[name]!;
    return { detailType, eventId: eventIdOf(arn, detailType), put: output?.publishError === undefined };
  }
  return null;
}

/** The failure record as `RecordFailure` sent it: its input in the history holds every attribute. */
function recordOf(view: ExecutionView, events: readonly HistoryEvent[]): DlqRecordView | null {
  if (view.status !== 'FAILED') return null;
  const entered = [...events]
    .reverse()
    .find((e) => e.type?.endsWith('StateEntered') && e.stateEnteredEventDetails?.name === 'RecordFailure');
  if (!entered) return null;
  const input = parseJson(entered.stateEnteredEventDetails?.input) as {
    failure?: { state?: string; error?: string; cause?: string };
  } | null;
  const exited = events.find(
    (e) => e.type?.endsWith('StateExited') && e.stateExitedEventDetails?.name === 'RecordFailure',
  );
  const recorded = parseJson(exited?.stateExitedEventDetails?.output) as { recordError?: unknown } | null;
  if (recorded?.recordError !== undefined) return null;
  return {
    reason: 'WorkflowFailed',
    error: input?.failure?.error ?? null,
    cause: input?.failure?.cause ?? null,
    failedState: input?.failure?.state ?? null,
    readFrom: 'execution-history',
    messageId: null,
  };
}

function fromRejection(requestId: string, record: DlqRecordDetail, seen: number): RequestStatusReport {
  const reason = record.reason;
  return {
    requestId,
    state: 'REJECTED',
    vendor: record.vendor,
    attempts: [],
    lastEvent:
      reason === 'InvalidRequest' || reason === 'AttemptsExhausted'
        ? { detailType: 'RequestRejected', eventId: eventIdOf(messageKeyOf(record.body), 'RequestRejected'), put: true }
        : null,
    dlqRecord: {
      reason,
      error: record.error,
      cause: record.causeMessage,
      failedState: record.failedState,
      readFrom: 'dlq',
      messageId: record.messageId,
    },
    flow: null,
    dlqMessagesSeen: seen,
  };
}

function unknown(requestId: string, seen: number): RequestStatusReport {
  return {
    requestId,
    state: 'UNKNOWN',
    vendor: null,
    attempts: [],
    lastEvent: null,
    dlqRecord: null,
    flow: null,
    dlqMessagesSeen: seen,
  };
}

async function describeIfExists(target: Target, executionArn: string) {
  try {
    return await target.sfn.send(new DescribeExecutionCommand({ executionArn }));
  } catch (error) {
    if ((error as Error).name === 'ExecutionDoesNotExist') return undefined;
    throw error;
  }
}

async function history(target: Target, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await target.sfn.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, includeExecutionData: true, nextToken }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}
