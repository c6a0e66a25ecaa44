/** Lambda entry: the dispatcher. Configuration is read once at cold start and fails fast with the missing names. */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { VENDOR_IDS } from '../domain/contract.ts';
import { tracer } from '../domain/observability.ts';
import { buildDispatcherHandler } from './handler-factory.ts';

const env = z
  .object({
    STATE_MACHINE_ARNS: z
      .string()
      .transform((raw) => JSON.parse(raw) as unknown)
      .pipe(z.partialRecord(z.enum(VENDOR_IDS), z.string().startsWith('arn:'))),
    DEAD_LETTER_QUEUE_URL: z.string().url(),
    EVENT_BUS_NAME: z.string().min(1),
  })
  .parse(process.env);

// Traced clients: StartExecution and the DLQ sends appear as subsegments, linked to the workflow's trace.
export const handler = buildDispatcherHandler({
  sfn: tracer.captureAWSv3Client(new SFNClient({})),
  sqs: tracer.captureAWSv3Client(new SQSClient({})),
  stateMachineArns: env.STATE_MACHINE_ARNS,
  deadLetterQueueUrl: env.DEAD_LETTER_QUEUE_URL,
  events: { client: tracer.captureAWSv3Client(new EventBridgeClient({})), busName: env.EVENT_BUS_NAME },
});
