/**
 * The deployed vendor λ entries (`functions/flow-steps/entries/<vendor>.ts`) as Lambda loads them: each one answers a
 * work item from its task queue (queue mode, the deployed default) through Step Functions — a malformed task with
 * SendTaskFailure named `InvalidRequest` — instead of failing the record for want of a client.
 */
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { Context, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VENDOR_IDS } from '../../../functions/domain/contract.ts';
import { IDEMPOTENCY_TABLE_ENV } from '../../../functions/flow-steps/idempotency.ts';
import { endpointEnvFor } from '../../../functions/vendors/common/environment.ts';
import { localVendor } from '../../../local/emulators/registry.ts';

const sfn = mockClient(SFNClient);
const savedEnv = { ...process.env };

beforeEach(() => {
  sfn.reset();
  vi.resetModules();
});
afterEach(() => {
  process.env = { ...savedEnv };
});

const context = {
  functionName: 'flow-provisioner-vendor',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

const workItem = (body: unknown): SQSEvent => ({
  Records: [
    {
      messageId: 'm-1',
      receiptHandle: 'r-1',
      body: JSON.stringify(body),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'x',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:vendor-tasks',
      awsRegion: 'us-east-1',
    },
  ],
});

describe.each(VENDOR_IDS)('functions/flow-steps/entries/%s.ts', (vendor) => {
  it('answers a malformed work item with SendTaskFailure InvalidRequest, on its task token', async () => {
    process.env = {
      ...savedEnv,
      ...localVendor(vendor)!.credentialsEnv,
      [endpointEnvFor(vendor)]: 'http://127.0.0.1:9',
      [IDEMPOTENCY_TABLE_ENV]: 'flow-provisioner-idempotency',
      AWS_REGION: 'us-east-1',
    };
    const { handler } = (await import(`../../../functions/flow-steps/entries/${vendor}.ts`)) as {
      handler: (event: SQSEvent, context: Context) => Promise<{ batchItemFailures: unknown[] }>;
    };

    const response = await handler(workItem({ taskToken: 'token-1', operation: 'launchRocket' }), context);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
    const failures = sfn.commandCalls(SendTaskFailureCommand).map((call) => call.args[0].input);
    expect(failures).toEqual([expect.objectContaining({ taskToken: 'token-1', error: 'InvalidRequest' })]);
  });
});
