import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { flowProvisioningFailedDetail } from '../../../functions/domain/flow-event.ts';
import { captureStoppedExecution, UNKNOWN_STATE } from '../../../functions/failure-capture/core.ts';
import { aRequest } from '../../helpers/factories.ts';

const sfn = mockClient(SFNClient);
const sqs = mockClient(SQSClient);
const DLQ = 'https://sqs.us-east-1.amazonaws.com/123456789012/provision-dlq';
const ARN = 'arn:aws:states:us-east-1:123456789012:execution:provision-flow-aws-mediaconnect:evt-1';
const eventBridge = mockClient(EventBridgeClient);
const BUS = 'flow-provisioner-dev';
const deps = () => ({
  sfn: new SFNClient({}),
  sqs: new SQSClient({}),
  deadLetterQueueUrl: DLQ,
  events: { client: new EventBridgeClient({}), busName: BUS },
});
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
  eventBridge.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});

const putEntries = () => eventBridge.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []);

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
    expect(outcome).toEqual({
      kind: 'captured',
      reason: 'TimedOut',
      failedState: 'PollFlowState',
      messageId: 'dlq-1',
      event: 'put',
    });
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

describe('failed-execution capture: the FlowProvisioningFailed outcome event', () => {
  const ATTEMPT_3 = 'arn:aws:states:us-east-1:123456789012:execution:provision-flow-aws-mediaconnect:evt-1--a3';

  it.each([
    ['TIMED_OUT', 'TimedOut', 'States.Timeout'],
    ['ABORTED', 'Aborted', 'ExecutionAborted'],
  ] as const)('puts one event for %s, after the record, valid against flow-event v1', async (status, reason, error) => {
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [entered(4, 'PollFlowState')] });
    const outcome = await captureStoppedExecution(
      { executionArn: ATTEMPT_3, name: 'evt-1--a3', status, input: request },
      deps(),
    );
    expect(outcome).toMatchObject({ kind: 'captured', reason, event: 'put' });
    const entries = putEntries();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      EventBusName: BUS,
      Source: 'flow-provisioner',
      DetailType: 'FlowProvisioningFailed',
    });
    const detail = flowProvisioningFailedDetail.parse(JSON.parse(entries[0]!.Detail!));
    expect(detail).toMatchObject({
      // The workflow's id rule: States.Format('{}#FlowProvisioningFailed', $$.Execution.Id).
      eventId: `${ATTEMPT_3}#FlowProvisioningFailed`,
      requestId: 'evt-1',
      vendor: 'aws-mediaconnect',
      region: JSON.parse(request).region,
      executionName: 'evt-1--a3',
      executionArn: ATTEMPT_3,
      attempt: 3,
      error,
      failedState: 'PollFlowState',
      rolledBack: false,
      failureRecord: { queue: 'dlq', reason },
    });
    expect(detail).not.toHaveProperty('flowId');
    // The record is on the DLQ before the event announces it.
    const send = sqs.commandCalls(SendMessageCommand)[0]!;
    const put = eventBridge.commandCalls(PutEventsCommand)[0]!;
    expect(send.calledBefore(put)).toBe(true);
  });

  it('names attempt 1 when the execution name carries no attempt suffix, from the ARN when the name is absent', async () => {
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
    await captureStoppedExecution({ executionArn: ARN, status: 'ABORTED', input: request }, deps());
    const detail = flowProvisioningFailedDetail.parse(JSON.parse(putEntries()[0]!.Detail!));
    expect(detail).toMatchObject({ executionName: 'evt-1', attempt: 1, failedState: UNKNOWN_STATE });
  });

  it('fails when PutEvents refuses the entry, so the capture is retried', async () => {
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }] });
    await expect(
      captureStoppedExecution({ executionArn: ARN, status: 'TIMED_OUT', input: request }, deps()),
    ).rejects.toThrow(/refused the FlowProvisioningFailed event: ThrottlingException/);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
  });

  it('writes the record and skips the event, saying why, when the input is not a request the event can name', async () => {
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
    const outcome = await captureStoppedExecution({ executionArn: ARN, status: 'ABORTED', input: '{}' }, deps());
    expect(outcome).toMatchObject({ kind: 'captured', event: { skipped: expect.stringMatching(/requestId/) } });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
    expect(putEntries()).toHaveLength(0);
  });

  it('sends no event for the statuses it ignores', async () => {
    await captureStoppedExecution({ executionArn: ARN, status: 'FAILED', input: request }, deps());
    expect(putEntries()).toHaveLength(0);
  });
});
