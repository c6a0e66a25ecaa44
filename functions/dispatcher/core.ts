/**
 * The dispatcher: one SQS record in, one workflow execution out (or a DLQ record). Plain async functions over injected
 * SDK clients, so the Lambda entry, the local stack and the tests run the same code.
 */
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  RedriveExecutionCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { type MessageAttributeValue, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { parseRequestBody, type VendorId } from '../domain/contract.ts';
import { executionName, MAX_ATTEMPTS } from '../domain/execution-name.ts';
import { requestIdentity } from '../domain/request-identity.ts';
import { canonicalRequestBody } from '../domain/scheduled-request-id.ts';
import { type DispatcherEvents, putRejection, rejectionEntry } from './events.ts';

export interface DispatcherDeps {
  readonly sfn: SFNClient;
  readonly sqs: SQSClient;
  /** Vendor → state machine ARN, from the stack. */
  readonly stateMachineArns: Readonly<Partial<Record<VendorId, string>>>;
  readonly deadLetterQueueUrl: string;
  /** How many attempts (execution names) one request may use before it goes to the DLQ. */
  readonly maxAttempts?: number;
  /**
   * Where rejections are announced (`RequestRejected`). The Lambda entry and the local stack always pass it; unit
   * tests of other behaviour may leave it out.
   */
  readonly events?: DispatcherEvents;
}

export interface DispatchRecord {
  readonly messageId: string;
  readonly body: string;
}

export type DispatchOutcome =
  | { readonly kind: 'started'; readonly executionArn: string; readonly attempt: number }
  | { readonly kind: 'duplicate'; readonly executionArn: string; readonly status: string }
  | { readonly kind: 'redriven'; readonly executionArn: string }
  | { readonly kind: 'rejected'; readonly issues: readonly string[] };

const DEFAULT_MAX_ATTEMPTS = MAX_ATTEMPTS;
/** SQS attribute values count against the 256 KiB message limit; issue lists are bounded well below it. */
const MAX_ATTRIBUTE_CHARS = 16 * 1024;

/**
 * Validates one record and starts (or finds) its execution. Throws only for transient faults (SFN or SQS
 * unavailable): the record then fails the batch item, SQS redelivers it, and after `maxReceiveCount` moves it to the
 * DLQ as it is. Invalid input never throws: it goes to the DLQ at once with every problem listed.
 */
export async function dispatchRecord(record: DispatchRecord, deps: DispatcherDeps): Promise<DispatchOutcome> {
  // A scheduled request carries Scheduler's `2026-03-22T18:59:43Z` in its id; the pipeline keeps `20260322T185943Z`.
  const body = canonicalRequestBody(record.body);
  const parsed = parseRequestBody(body);
  if (!parsed.ok) {
    await sendToDeadLetterQueue(deps, record, 'InvalidRequest', parsed.issues);
    return { kind: 'rejected', issues: parsed.issues };
  }
  const { requestId, vendor } = parsed.request;
  const stateMachineArn = deps.stateMachineArns[vendor];
  if (!stateMachineArn) {
    const issues = [`vendor: "${vendor}" has no workflow in this deployment`];
    await sendToDeadLetterQueue(deps, record, 'InvalidRequest', issues, { requestId, vendor });
    return { kind: 'rejected', issues };
  }

  const maxAttempts = deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const name = executionName(requestId, attempt);
    try {
      const started = await deps.sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: body }));
      return { kind: 'started', executionArn: started.executionArn!, attempt };
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExists) && (error as Error).name !== 'ExecutionAlreadyExists') throw error;
    }
    const executionArn = executionArnFor(stateMachineArn, name);
    const existing = await deps.sfn.send(new DescribeExecutionCommand({ executionArn }));
    const status = existing.status ?? 'UNKNOWN';
    if (status === 'RUNNING' || status === 'SUCCEEDED' || status === 'PENDING_REDRIVE') {
      // A duplicate delivery (or a redrive of a request that is already on its way): acknowledge, start nothing.
      return { kind: 'duplicate', executionArn, status };
    }
    if ((status === 'TIMED_OUT' || status === 'ABORTED') && existing.redriveStatus === 'REDRIVABLE') {
      // Stopped mid-step: a redrive resumes at the step that was running, which is get-or-create or desired-state.
      await deps.sfn.send(new RedriveExecutionCommand({ executionArn }));
      return { kind: 'redriven', executionArn };
    }
    // FAILED ends in our Fail state after the failure record was written; redriving would re-run that Fail state.
    // The next attempt re-runs the steps instead, and each step adopts what the failed attempt already made.
  }
  const issues = [
    `all ${maxAttempts} attempts of request ${requestId} have failed; fix the cause, then submit it with a new requestId`,
  ];
  await sendToDeadLetterQueue(deps, record, 'AttemptsExhausted', issues, { requestId, vendor });
  return { kind: 'rejected', issues };
}

/** Execution ARNs are the state machine ARN with `stateMachine` → `execution` and the name appended. */
export function executionArnFor(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

async function sendToDeadLetterQueue(
  deps: DispatcherDeps,
  record: DispatchRecord,
  reason: 'InvalidRequest' | 'AttemptsExhausted',
  issues: readonly string[],
  known: { readonly requestId: string | null; readonly vendor: string | null } = requestIdentity(record.body),
): Promise<void> {
  // The event first: when the DLQ send then fails, the redelivery puts the same event id again (dropped by
  // consumers), where the other order would write a second DLQ record.
  if (deps.events) {
    await putRejection(
      deps.events,
      rejectionEntry({
        body: record.body,
        messageId: record.messageId,
        reason,
        issues,
        busName: deps.events.busName,
      }),
    );
  }
  const attributes: Record<string, MessageAttributeValue> = {
    reason: { DataType: 'String', StringValue: reason },
    error: { DataType: 'String', StringValue: reason },
    cause: { DataType: 'String', StringValue: bounded(JSON.stringify(issues)) },
    failedState: { DataType: 'String', StringValue: 'Dispatcher' },
    sourceMessageId: { DataType: 'String', StringValue: record.messageId },
  };
  if (known.requestId) attributes.requestId = { DataType: 'String', StringValue: bounded(known.requestId) };
  if (known.vendor) attributes.vendor = { DataType: 'String', StringValue: bounded(known.vendor) };
  await deps.sqs.send(
    new SendMessageCommand({
      QueueUrl: deps.deadLetterQueueUrl,
      // The original body, untouched, so the record can be fixed and moved back as it is.
      MessageBody: record.body.length > 0 ? record.body : '(empty body)',
      MessageAttributes: attributes,
    }),
  );
}

function bounded(value: string): string {
  return value.length > MAX_ATTRIBUTE_CHARS ? `${value.slice(0, MAX_ATTRIBUTE_CHARS - 1)}…` : value;
}
