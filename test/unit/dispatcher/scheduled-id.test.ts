/** The dispatcher's half of scheduled request ids (functions/domain/scheduled-request-id.ts). */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { dispatchRecord } from '../../../functions/dispatcher/core.ts';
import { aRequest } from '../../helpers/factories.ts';

const sfn = mockClient(SFNClient);
const sqs = mockClient(SQSClient);
const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:provision-flow-aws-mediaconnect';
const deps = () => ({
  sfn: new SFNClient({}),
  sqs: new SQSClient({}),
  stateMachineArns: { 'aws-mediaconnect': MACHINE },
  deadLetterQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/provision-dlq',
});

beforeEach(() => {
  sfn.reset();
  sqs.reset();
  sfn.on(StartExecutionCommand).resolves({ executionArn: `${MACHINE}:x`, startDate: new Date() });
  sqs.on(SendMessageCommand).resolves({});
});

describe('dispatcher: requests from a schedule', () => {
  it("starts the execution under the compact id, with the compact id in the workflow's input", async () => {
    const body = JSON.stringify(aRequest('aws-mediaconnect', { requestId: 'nightly-2026-03-22T06:00:00Z' }));
    const outcome = await dispatchRecord({ messageId: 'm1', body }, deps());
    expect(outcome.kind).toBe('started');
    const input = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(input.name).toBe('nightly-20260322T060000Z');
    expect(JSON.parse(input.input!)).toEqual(aRequest('aws-mediaconnect', { requestId: 'nightly-20260322T060000Z' }));
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('passes every other body to the workflow byte for byte', async () => {
    const body = `${JSON.stringify(aRequest('aws-mediaconnect', { requestId: 'evt-7' }), null, 1)}\n`;
    await dispatchRecord({ messageId: 'm1', body }, deps());
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.input).toBe(body);
  });
});
