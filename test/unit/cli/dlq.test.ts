import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  derivedRedriveRate,
  MIN_VENDOR_CALLS_PER_REQUEST,
  moveTaskRate,
  NO_ATTRIBUTES_REASON,
  parseFilter,
  peekDeadLetterQueue,
  redriveDeadLetters,
} from '../../../cli/operations/dlq.ts';
import { EXIT, FlowctlError, recordingOutput } from '../../../cli/output.ts';
import { pacingIntervalMs, VENDORS, type VendorConfig } from '../../../functions/domain/config.ts';
import { anAwsTarget, DLQ_ARN, DLQ_URL, INGRESS_ARN, INGRESS_URL } from '../../helpers/flowctl.ts';

const sqs = mockClient(SQSClient);

const aMessage = (id: string, attributes: Record<string, string> = {}, sentAgoMs = 60_000): Message => ({
  MessageId: id,
  ReceiptHandle: `rh-${id}`,
  Body: JSON.stringify({ schemaVersion: 1, requestId: `req-${id}`, vendor: 'aws-mediaconnect' }),
  Attributes: { SentTimestamp: String(Date.now() - sentAgoMs), ApproximateReceiveCount: '1' },
  MessageAttributes: Object.fromEntries(
    Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
  ),
});

beforeEach(() => {
  sqs.reset();
  sqs.on(GetQueueAttributesCommand, { QueueUrl: DLQ_URL }).resolves({ Attributes: { QueueArn: DLQ_ARN } });
  sqs.on(GetQueueAttributesCommand, { QueueUrl: INGRESS_URL }).resolves({ Attributes: { QueueArn: INGRESS_ARN } });
  sqs.on(ListMessageMoveTasksCommand).resolves({ Results: [] });
  sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
});

describe('redrive rate', () => {
  it('defaults to what the slowest vendor absorbs: C / T calls per second over the calls one request costs', () => {
    const expected = (Object.values(VENDORS) as VendorConfig[]).map(
      (c) => (c.budget.reservedConcurrency * 1000) / pacingIntervalMs(c.budget) / MIN_VENDOR_CALLS_PER_REQUEST,
    );
    const derived = derivedRedriveRate();
    expect(derived.requestsPerSecond).toBe(Math.min(...expected));
    expect(derived.rate).toBeLessThanOrEqual(derived.requestsPerSecond + 0.005);
    expect(derivedRedriveRate('aws-mediaconnect').vendor).toBe('aws-mediaconnect');
    expect([moveTaskRate(0.32), moveTaskRate(7.9), moveTaskRate(900)]).toEqual([1, 7, 500]);
  });
});

describe('dlq redrive --all on AWS: one SQS message move task', () => {
  it('starts StartMessageMoveTask from the DLQ to the ingress queue at --rate', async () => {
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
    const out = recordingOutput();
    const result = await redriveDeadLetters(anAwsTarget(), { all: true, rate: 7 }, out);
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0]!.args[0].input).toEqual({
      SourceArn: DLQ_ARN,
      DestinationArn: INGRESS_ARN,
      MaxNumberOfMessagesPerSecond: 7,
    });
    expect(result).toMatchObject({ mode: 'message-move-task', taskHandle: 'task-1', status: 'RUNNING', rate: 7 });
    expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(0);
  });

  it('uses the derived rate by default, rounded to the whole messages per second the API takes', async () => {
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
    await redriveDeadLetters(anAwsTarget(), { all: true }, recordingOutput());
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0]!.args[0].input.MaxNumberOfMessagesPerSecond).toBe(
      moveTaskRate(derivedRedriveRate().rate),
    );
  });

  it('--wait follows ListMessageMoveTasks to completion, with progress', async () => {
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
    const task = { TaskHandle: 'task-1', SourceArn: DLQ_ARN, ApproximateNumberOfMessagesToMove: 30 };
    sqs
      .on(ListMessageMoveTasksCommand)
      .resolvesOnce({ Results: [] }) // before starting: nothing running
      .resolvesOnce({ Results: [{ ...task, Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 4 }] })
      .resolvesOnce({ Results: [{ ...task, Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 17 }] })
      .resolves({ Results: [{ ...task, Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 30 }] });
    const out = recordingOutput();
    const result = await redriveDeadLetters(anAwsTarget(), { all: true, rate: 5, wait: true, pollMs: 1 }, out);
    expect(result).toMatchObject({ status: 'COMPLETED', moved: 30, toMove: 30, failureReason: null });
    expect(out.lines).toEqual(
      expect.arrayContaining([
        'move task RUNNING: 4 of 30 moved',
        'move task RUNNING: 17 of 30 moved',
        'move task COMPLETED: 30 of 30 moved',
      ]),
    );
    expect(sqs.commandCalls(ListMessageMoveTasksCommand).length).toBe(4);
  });

  it('reports a failed task with its reason', async () => {
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
    sqs
      .on(ListMessageMoveTasksCommand)
      .resolvesOnce({ Results: [] })
      .resolves({
        Results: [{ TaskHandle: 'task-1', Status: 'FAILED', FailureReason: 'AccessDenied on destination' }],
      });
    const result = await redriveDeadLetters(
      anAwsTarget(),
      { all: true, rate: 1, wait: true, pollMs: 1 },
      recordingOutput(),
    );
    expect(result).toMatchObject({ status: 'FAILED', failureReason: 'AccessDenied on destination' });
  });

  it('does not start a second task while one runs, and says how to follow it', async () => {
    const running = {
      TaskHandle: 'task-0',
      Status: 'RUNNING',
      ApproximateNumberOfMessagesMoved: 2,
      ApproximateNumberOfMessagesToMove: 9,
    };
    sqs.on(ListMessageMoveTasksCommand).resolves({ Results: [running] });
    const error = await redriveDeadLetters(anAwsTarget(), { all: true, rate: 1 }, recordingOutput()).catch((e) => e);
    expect(error).toBeInstanceOf(FlowctlError);
    expect((error as FlowctlError).exitCode).toBe(EXIT.INCOMPLETE);
    expect((error as FlowctlError).hint).toMatch(/--wait/);
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(0);
  });

  it('--wait follows a task that is already running instead of starting another', async () => {
    const running = {
      TaskHandle: 'task-0',
      Status: 'RUNNING',
      ApproximateNumberOfMessagesMoved: 2,
      ApproximateNumberOfMessagesToMove: 9,
    };
    sqs
      .on(ListMessageMoveTasksCommand)
      .resolvesOnce({ Results: [running] })
      .resolves({ Results: [{ ...running, Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 9 }] });
    const followed = await redriveDeadLetters(
      anAwsTarget(),
      { all: true, rate: 1, wait: true, pollMs: 1 },
      recordingOutput(),
    );
    expect(followed).toMatchObject({ taskHandle: 'task-0', status: 'COMPLETED', moved: 9 });
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(0);
  });
});

describe('dlq reading and filtered redrive', () => {
  it('lists without consuming: every received message is made visible again at once', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          aMessage('m1', {
            reason: 'WorkflowFailed',
            error: 'VendorUnavailable',
            failedState: 'CreateFlow',
            requestId: 'evt-1',
            vendor: 'aws-mediaconnect',
            cause: '{"errorMessage":"HTTP 503"}',
          }),
          aMessage('m2', {}, 120_000),
        ],
      })
      .resolves({ Messages: [] });
    const records = await peekDeadLetterQueue(anAwsTarget().sqs, DLQ_URL);
    expect(records.map((r) => [r.messageId, r.reason, r.requestId])).toEqual([
      ['m2', NO_ATTRIBUTES_REASON, 'req-m2'],
      ['m1', 'WorkflowFailed', 'evt-1'],
    ]);
    expect(records[1]).toMatchObject({
      error: 'VendorUnavailable',
      failedState: 'CreateFlow',
      causeMessage: 'HTTP 503',
    });
    expect(records[0]!.ageSeconds).toBeGreaterThanOrEqual(119);
    const released = sqs.commandCalls(ChangeMessageVisibilityBatchCommand)[0]!.args[0].input;
    expect(released.Entries?.map((e) => [e.ReceiptHandle, e.VisibilityTimeout])).toEqual([
      ['rh-m1', 0],
      ['rh-m2', 0],
    ]);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });

  it('a filtered redrive sends each matching body as it is (no attributes), deletes it, and releases the rest', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          aMessage('m1', { reason: 'WorkflowFailed', error: 'VendorUnavailable', vendor: 'aws-mediaconnect' }),
          aMessage('m2', { reason: 'InvalidRequest', error: 'InvalidRequest', vendor: 'aws-mediaconnect' }),
        ],
      })
      .resolves({ Messages: [] });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'new-1' });
    sqs.on(DeleteMessageCommand).resolves({});
    const result = await redriveDeadLetters(
      anAwsTarget(),
      { filter: parseFilter('vendor=aws-mediaconnect,error=VendorUnavailable'), rate: 100 },
      recordingOutput(),
    );
    expect(result).toMatchObject({ mode: 'receive-send-delete', moved: ['m1'], matched: 1, skipped: 1, failed: [] });
    const sent = sqs.commandCalls(SendMessageCommand)[0]!.args[0].input;
    expect(sent).toEqual({ QueueUrl: INGRESS_URL, MessageBody: aMessage('m1').Body });
    expect(sqs.commandCalls(DeleteMessageCommand)[0]!.args[0].input).toEqual({
      QueueUrl: DLQ_URL,
      ReceiptHandle: 'rh-m1',
    });
    expect(
      sqs.commandCalls(ChangeMessageVisibilityBatchCommand)[0]!.args[0].input.Entries?.map((e) => e.ReceiptHandle),
    ).toEqual(['rh-m2']);
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(0);
  });

  it('leaves records that reach the DLQ while it runs for the next redrive, so a redrive always ends', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [aMessage('old', { reason: 'WorkflowFailed' }), aMessage('new', { reason: 'WorkflowFailed' }, -5000)],
      })
      .resolves({ Messages: [] });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'x' });
    sqs.on(DeleteMessageCommand).resolves({});
    const result = await redriveDeadLetters(
      anAwsTarget({ supportsMessageMove: false }),
      { all: true, rate: 100 },
      recordingOutput(),
    );
    expect(result).toMatchObject({ mode: 'receive-send-delete', moved: ['old'], arrivedDuring: 1, skipped: 0 });
    expect(
      sqs.commandCalls(ChangeMessageVisibilityBatchCommand)[0]!.args[0].input.Entries?.map((e) => e.ReceiptHandle),
    ).toEqual(['rh-new']);
  });

  it('refuses a redrive that says neither --all nor --filter, and a malformed filter', async () => {
    await expect(redriveDeadLetters(anAwsTarget(), {}, recordingOutput())).rejects.toThrow(/--all, or --filter/);
    expect(() => parseFilter('colour=blue')).toThrow(/KEY one of vendor, error, reason, requestId, failedState/);
  });
});
