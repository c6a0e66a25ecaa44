/** Lambda entry: the dispatcher. Configuration is read once at cold start and fails fast with the missing names. */
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { VENDOR_IDS } from '../shared/contract.ts';
import { buildDispatcherHandler } from './handler-factory.ts';

const env = z
  .object({
    STATE_MACHINE_ARNS: z
      .string()
      .transform((raw) => JSON.parse(raw) as unknown)
      .pipe(z.partialRecord(z.enum(VENDOR_IDS), z.string().startsWith('arn:'))),
    DEAD_LETTER_QUEUE_URL: z.string().url(),
  })
  .parse(process.env);

export const handler = buildDispatcherHandler({
  sfn: new SFNClient({}),
  sqs: new SQSClient({}),
  stateMachineArns: env.STATE_MACHINE_ARNS,
  deadLetterQueueUrl: env.DEAD_LETTER_QUEUE_URL,
});
