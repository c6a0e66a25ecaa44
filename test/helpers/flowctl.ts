/** Factories for flowctl tests: an AWS target over (mocked) SDK clients, and a scratch request file. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Target } from '../../cli/target.ts';

export const ACCOUNT = '123456789012';
export const INGRESS_URL = `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/provision-requests`;
export const DLQ_URL = `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/provision-dlq`;
export const INGRESS_ARN = `arn:aws:sqs:eu-west-1:${ACCOUNT}:provision-requests`;
export const DLQ_ARN = `arn:aws:sqs:eu-west-1:${ACCOUNT}:provision-dlq`;
export const SCHEDULE_DLQ_ARN = `arn:aws:sqs:eu-west-1:${ACCOUNT}:provision-delivery-dlq`;
export const SCHEDULE_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/flow-provisioner-scheduler`;
export const MACHINE_ARN = `arn:aws:states:eu-west-1:${ACCOUNT}:stateMachine:provision-flow-aws-mediaconnect`;

/** An AWS target as `--stack` resolves it; the clients are plain, so `mockClient(...)` intercepts them. */
export function anAwsTarget(overrides: Partial<Target> = {}): Target {
  return {
    kind: 'aws',
    description: 'stack FlowProvisioner-prod (eu-west-1)',
    sqs: new SQSClient({ region: 'eu-west-1' }),
    sfn: new SFNClient({ region: 'eu-west-1' }),
    scheduler: new SchedulerClient({ region: 'eu-west-1' }),
    ingressQueueUrl: INGRESS_URL,
    deadLetterQueueUrl: DLQ_URL,
    stateMachineArns: { 'aws-mediaconnect': MACHINE_ARN },
    schedule: { groupName: 'flow-provisioner', roleArn: SCHEDULE_ROLE_ARN, deadLetterQueueArn: SCHEDULE_DLQ_ARN },
    supportsMessageMove: true,
    close: async () => undefined,
    ...overrides,
  };
}

/** Writes `content` to a fresh temporary file and returns its path. */
export function aTempFile(name: string, content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'flowctl-test-')), name);
  writeFileSync(file, content);
  return file;
}
