/**
 * Lambda entry: failed-execution capture, invoked by the EventBridge rule on TIMED_OUT/ABORTED executions of the
 * provision-flow state machines. Configuration is read once at cold start and fails fast with the missing names. An
 * error (the DLQ send failed, or PutEvents refused the outcome event) fails the invocation, so Lambda's async retries and then the function's own
 * dead-letter queue keep the event.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { z } from 'zod';
import { logger } from '../domain/observability.ts';
import { captureStoppedExecution, type ExecutionStatusChange } from './core.ts';

const env = z.object({ DEAD_LETTER_QUEUE_URL: z.string().url(), EVENT_BUS_NAME: z.string().min(1) }).parse(process.env);
const deps = {
  sfn: new SFNClient({}),
  sqs: new SQSClient({}),
  deadLetterQueueUrl: env.DEAD_LETTER_QUEUE_URL,
  events: { client: new EventBridgeClient({}), busName: env.EVENT_BUS_NAME },
};

type StatusChangeEvent = EventBridgeEvent<'Step Functions Execution Status Change', ExecutionStatusChange>;

export const handler = middy<StatusChangeEvent, void, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const outcome = await captureStoppedExecution(event.detail, deps);
    logger.info('execution status change', { executionArn: event.detail.executionArn, ...outcome });
  });
