import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { captureStoppedExecution, UNKNOWN_STATE } from '../../../functions/failure-capture/core.ts';
import { aRequest } from '../../helpers/factories.ts';

const sfn = mockClient(SFNClient);
const sqs = mockClient(SQSClient);
const DLQ = 'https://sqs.us-east-1.amazonaws.com/123456789012/provision-dlq';
const ARN = 'arn:aws:states:us-east-1:123456789012:execution:provision-flow-aws-mediaconnect:evt-1';
const deps = () => ({ sfn: new SFNClient({}), sqs: new SQSClient({}), deadLetterQueueUrl: DLQ });
const request = JSON.stringify(aRequest('aws-mediaconnect', { requestId: 'evt-1' }));
const entered = (id: number, name: string): HistoryEvent => ({
  id,
  timestamp: new Date(),
  type: 'TaskStateEntered',
  stateEnteredEventDetails: { name, input: '{}' },
});
const exited = (id: number, name: string): HistoryEvent => ({
  id,
  timestamp: new Date(),
  type: 'TaskStateExited',
  stateExitedEventDetails: { name, output: '{}' },
});

beforeEach(() => {
  sfn.reset();
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
});

const attributesOf = () => {
  const input = sqs.commandCalls(SendMessageCommand)[0]!.args[0].input;
  return {
    body: input.MessageBody,
    queue: input.QueueUrl,
    attributes: Object.fromEntries(Object.entries(input.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue])),
  };
};

describe('failed-execution capture', () => {
  it('puts a TIMED_OUT execution on the DLQ: original request as body, reason and the state it stopped in', async () => {
    sfn.on(GetExecutionHistoryCommand).resolves({
      // Newest first (reverseOrder): PollFlowState was entered and never exited.
      events: [
        entered(9, 'PollFlowState'),
        exited(8, 'WaitForRunning'),
        entered(7, 'WaitForRunning'),
        exited(6, 'CreateFlow'),
        entered(5, 'CreateFlow'),
      ],
    });
    const outcome = await captureStoppedExecution(
      {
        executionArn: ARN,
        status: 'TIMED_OUT',
        input: request,
        inputDetails: { included: true },
        error: 'States.Timeout',
      },
      deps(),
    );
    expect(outcome).toEqual({ kind: 'captured', reason: 'TimedOut', failedState: 'PollFlowState', messageId: 'dlq-1' });
    const sent = attributesOf();
    expect(sent.queue).toBe(DLQ);
    expect(sent.body).toBe(request);
    expect(sent.attributes).toEqual({
      reason: 'TimedOut',
      error: 'States.Timeout',
      cause: 'the execution timed out in state PollFlowState',
      failedState: 'PollFlowState',
      executionArn: ARN,
      requestId: 'evt-1',
      vendor: 'aws-mediaconnect',
    });
    expect(sfn.commandCalls(GetExecutionHistoryCommand)[0]!.args[0].input).toMatchObject({ reverseOrder: true });
  });

  it('reads the input from DescribeExecution when the event left it out, and marks an abort', async () => {
    sfn.on(DescribeExecutionCommand).resolves({ input: request, cause: 'stopped by on-call' } as never);
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [entered(3, 'StartFlow')] });
    const outcome = await captureStoppedExecution(
      { executionArn: ARN, status: 'ABORTED', input: null, inputDetails: { included: false } },
      deps(),
    );
    expect(outcome).toMatchObject({ kind: 'captured', reason: 'Aborted', failedState: 'StartFlow' });
    const sent = attributesOf();
    expect(sent.body).toBe(request);
    expect(sent.attributes).toMatchObject({
      reason: 'Aborted',
      error: 'ExecutionAborted',
      cause: 'stopped by on-call',
    });
  });

  it('still writes the record when the history cannot be read', async () => {
    sfn.on(GetExecutionHistoryCommand).rejects(new Error('throttled'));
    const outcome = await captureStoppedExecution({ executionArn: ARN, status: 'ABORTED', input: request }, deps());
    expect(outcome).toMatchObject({ kind: 'captured', failedState: UNKNOWN_STATE });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
  });

  it.each(['SUCCEEDED', 'FAILED', 'RUNNING'])(
    'ignores %s (a FAILED execution wrote its own record)',
    async (status) => {
      expect(await captureStoppedExecution({ executionArn: ARN, status, input: request }, deps())).toEqual({
        kind: 'ignored',
        status,
      });
      expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    },
  );

  it('fails when the DLQ send fails, so the event is retried and not lost', async () => {
    sqs.on(SendMessageCommand).rejects(new Error('SQS unavailable'));
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
    await expect(
      captureStoppedExecution({ executionArn: ARN, status: 'TIMED_OUT', input: request }, deps()),
    ).rejects.toThrow(/SQS unavailable/);
  });
});
