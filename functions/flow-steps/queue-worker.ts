/**
 * The vendor task in queue mode (docs/architecture.md, "Pacing", the task-token queue): the workflow puts `{ taskToken,
 * operation, request, flowId?, executionName }` on the vendor's work queue and waits; this λ, fed by an SQS event
 * source whose maximum concurrency equals its reserved concurrency, runs the same core and answers the workflow with
 * `SendTaskSuccess` or `SendTaskFailure`. A burst then waits in line instead of retrying against the concurrency gate,
 * so a freed slot is taken at once and the vendor budget is never left idle.
 *
 * Failures keep their taxonomy name as the task's `Error` and the Lambda-shaped JSON as its `Cause`, so the ASL's
 * Retry/Catch and the failure records read the same as in invoke mode. Only a failure to *report* (Step Functions
 * unreachable) fails the record, so SQS redelivers it and the idempotent step runs again.
 */
import {
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { VendorId } from '../domain/contract.ts';
import { logger, tracer } from '../domain/observability.ts';
import type { VendorClient } from '../vendors/types.ts';
import { runVendorTask, type VendorTaskResult } from './core.ts';

/** Step Functions limits: `error` 256 characters, `cause` 32 768. */
const MAX_ERROR = 256;
const MAX_CAUSE = 32_768;

/** The Step Functions client a vendor λ answers task tokens with (traced, the SDK's standard retries). */
export function stepFunctionsClient(): SFNClient {
  return tracer.captureAWSv3Client(new SFNClient({}));
}

export function isSqsEvent(event: unknown): event is SQSEvent {
  return (
    typeof event === 'object' &&
    event !== null &&
    Array.isArray((event as SQSEvent).Records) &&
    (event as SQSEvent).Records.every((r) => r?.eventSource === 'aws:sqs')
  );
}

export async function runQueuedTasks(
  vendor: VendorId,
  client: VendorClient,
  sfn: SFNClient,
  event: SQSEvent,
  /** Runs one task; the handler passes its idempotent runner (a redelivered work item then gets the stored result). */
  runTask: (task: unknown) => Promise<VendorTaskResult> = (task) => runVendorTask(vendor, client, task),
): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    let message: { taskToken?: unknown; [key: string]: unknown };
    try {
      message = JSON.parse(record.body) as typeof message;
    } catch {
      // Not ours to answer: no token to report to. Dropping it would hide a bug, so let SQS move it to the DLQ.
      logger.error('work item is not JSON', { messageId: record.messageId });
      batchItemFailures.push({ itemIdentifier: record.messageId });
      continue;
    }
    const { taskToken, ...task } = message;
    if (typeof taskToken !== 'string' || taskToken === '') {
      logger.error('work item has no task token', { messageId: record.messageId });
      batchItemFailures.push({ itemIdentifier: record.messageId });
      continue;
    }
    logger.appendKeys({
      vendor,
      step: task.operation,
      executionName: task.executionName,
      requestId: (task.request as { requestId?: string } | undefined)?.requestId,
    });
    let report: SendTaskSuccessCommand | SendTaskFailureCommand;
    try {
      // A work item delivered before may have reached the vendor already (the λ died, or its report was lost).
      const receiveCount = Number(record.attributes?.ApproximateReceiveCount);
      const output = await runTask(
        Number.isInteger(receiveCount) && receiveCount > 0 ? { ...task, receiveCount } : task,
      );
      report = new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) });
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      const cause = JSON.stringify({ errorType: e.name, errorMessage: e.message, trace: [] });
      report = new SendTaskFailureCommand({
        taskToken,
        error: e.name.slice(0, MAX_ERROR),
        cause: cause.length > MAX_CAUSE ? cause.slice(0, MAX_CAUSE) : cause,
      });
    }
    try {
      if (report instanceof SendTaskSuccessCommand) await sfn.send(report);
      else await sfn.send(report);
    } catch (error) {
      if (error instanceof TaskTimedOut || error instanceof TaskDoesNotExist || error instanceof InvalidToken) {
        // The execution stopped waiting (timed out, aborted, or already answered by an earlier delivery).
        logger.warn('task token no longer awaited', { messageId: record.messageId, reason: (error as Error).name });
        continue;
      }
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
