/**
 * The local stand-in for the EventBridge rule on execution status changes (docs/architecture.md, "Exactly-once
 * effects"): the local Step Functions service calls its status listeners when an execution ends, and this one runs the
 * same failure-capture core the Lambda runs on AWS, for TIMED_OUT and ABORTED executions, against the stack's own SQS
 * and Step Functions endpoints and its local event bus.
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { CAPTURE_REASONS, captureStoppedExecution } from '../../functions/failure-capture/core.ts';
import type { LocalStepFunctions } from './step-functions.ts';

export interface LocalFailureCapture {
  /** Resolves when every capture started so far has written its record (or failed). */
  idle(): Promise<void>;
  /** How many records were written, and the errors of the captures that failed (kept for tests and logs). */
  readonly captured: number;
  readonly errors: readonly string[];
  stop(): Promise<void>;
}

export function startFailureCapture(params: {
  stepFunctions: LocalStepFunctions;
  sfn: SFNClient;
  sqs: SQSClient;
  deadLetterQueueUrl: string;
  /** The local stage bus: the capture's `FlowProvisioningFailed` shows in `flowctl local --events`. */
  events: { client: EventBridgeClient; busName: string };
  log?: (line: string) => void;
}): LocalFailureCapture {
  const pending = new Set<Promise<void>>();
  const errors: string[] = [];
  let captured = 0;
  const unsubscribe = params.stepFunctions.onStatusChange((execution) => {
    if (!(execution.status in CAPTURE_REASONS)) return;
    // Snapshot now: a redrive may change the record before the capture reads it.
    const detail = {
      executionArn: execution.executionArn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      input: execution.input,
      error: execution.error ?? null,
      cause: execution.cause ?? null,
    };
    const work = captureStoppedExecution(detail, params)
      .then((outcome) => {
        if (outcome.kind === 'captured') captured++;
      })
      .catch((error: unknown) => {
        const line = `failure capture of ${execution.executionArn} failed: ${(error as Error).message}`;
        errors.push(line);
        params.log?.(line);
      })
      .finally(() => pending.delete(work));
    pending.add(work);
  });
  const idle = async () => {
    while (pending.size > 0) await Promise.all([...pending]);
  };
  return {
    idle,
    get captured() {
      return captured;
    },
    errors,
    stop: async () => {
      unsubscribe();
      await idle();
    },
  };
}
