import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { dispatchRecord } from '../../../functions/dispatcher/core.ts';
import { buildDispatcherHandler } from '../../../functions/dispatcher/handler-factory.ts';
import { anSqsEvent, aRequest } from '../../helpers/factories.ts';

const sfn = mockClient(SFNClient);
const sqs = mockClient(SQSClient);
const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:provision-flow-aws-mediaconnect';
const DLQ = 'https://sqs.us-east-1.amazonaws.com/123456789012/provision-dlq';
const deps = () => ({
  sfn: new SFNClient({}),
  sqs: new SQSClient({}),
  stateMachineArns: { 'aws-mediaconnect': MACHINE },
  deadLetterQueueUrl: DLQ,
});
const alreadyExists = () => new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} });
const arnOf = (name: string) => `${MACHINE.replace(':stateMachine:', ':execution:')}:${name}`;

beforeEach(() => {
  sfn.reset();
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
});

describe('dispatcher', () => {
  it('starts one execution named after the request id, with the original body as input', async () => {
    const raw = JSON.stringify(aRequest());
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: arnOf('evt-2026-11-22-basketball-final'), startDate: new Date() });
    const outcome = await dispatchRecord({ messageId: 'm1', body: raw }, deps());
    expect(outcome).toEqual({ kind: 'started', executionArn: arnOf('evt-2026-11-22-basketball-final'), attempt: 1 });
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input).toEqual({
      stateMachineArn: MACHINE,
      name: 'evt-2026-11-22-basketball-final',
      input: raw,
    });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it.each(['RUNNING', 'SUCCEEDED'])(
    'acknowledges a duplicate whose execution is %s and starts nothing',
    async (status) => {
      sfn.on(StartExecutionCommand).rejects(alreadyExists());
      sfn
        .on(DescribeExecutionCommand)
        .resolves({ status: status as 'RUNNING', redriveStatus: 'NOT_REDRIVABLE' } as never);
      const outcome = await dispatchRecord({ messageId: 'm1', body: JSON.stringify(aRequest()) }, deps());
      expect(outcome).toMatchObject({ kind: 'duplicate', status });
      expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
      expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
    },
  );

  it.each(['TIMED_OUT', 'ABORTED'])(
    'redrives a %s execution so it resumes at the step that was running',
    async (status) => {
      sfn.on(StartExecutionCommand).rejects(alreadyExists());
      sfn.on(DescribeExecutionCommand).resolves({ status: status as 'ABORTED', redriveStatus: 'REDRIVABLE' } as never);
      sfn.on(RedriveExecutionCommand).resolves({ redriveDate: new Date() });
      const outcome = await dispatchRecord({ messageId: 'm1', body: JSON.stringify(aRequest()) }, deps());
      expect(outcome).toEqual({ kind: 'redriven', executionArn: arnOf('evt-2026-11-22-basketball-final') });
      expect(sfn.commandCalls(RedriveExecutionCommand)[0]!.args[0].input).toEqual({
        executionArn: arnOf('evt-2026-11-22-basketball-final'),
      });
    },
  );

  it('starts the next attempt after a FAILED execution (its Fail state would only fail again on redrive)', async () => {
    sfn
      .on(StartExecutionCommand, { name: 'evt-2026-11-22-basketball-final' })
      .rejects(alreadyExists())
      .on(StartExecutionCommand, { name: 'evt-2026-11-22-basketball-final--a2' })
      .resolves({ executionArn: arnOf('evt-2026-11-22-basketball-final--a2'), startDate: new Date() });
    sfn.on(DescribeExecutionCommand).resolves({ status: 'FAILED', redriveStatus: 'REDRIVABLE' } as never);
    const outcome = await dispatchRecord({ messageId: 'm1', body: JSON.stringify(aRequest()) }, deps());
    expect(outcome).toEqual({
      kind: 'started',
      executionArn: arnOf('evt-2026-11-22-basketball-final--a2'),
      attempt: 2,
    });
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
  });

  it('sends an invalid message to the DLQ at once, body untouched, every problem listed', async () => {
    const raw = JSON.stringify({ schemaVersion: 1, requestId: 'r-1', vendor: 'aws-mediaconnect', region: 'us-east-1' });
    const outcome = await dispatchRecord({ messageId: 'm9', body: raw }, deps());
    expect(outcome.kind).toBe('rejected');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    const sent = sqs.commandCalls(SendMessageCommand)[0]!.args[0].input;
    expect(sent.QueueUrl).toBe(DLQ);
    expect(sent.MessageBody).toBe(raw);
    expect(sent.MessageAttributes).toMatchObject({
      reason: { DataType: 'String', StringValue: 'InvalidRequest' },
      requestId: { DataType: 'String', StringValue: 'r-1' },
      vendor: { DataType: 'String', StringValue: 'aws-mediaconnect' },
      sourceMessageId: { DataType: 'String', StringValue: 'm9' },
    });
    expect(JSON.parse(sent.MessageAttributes!.cause!.StringValue!)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^flow: /)]),
    );
  });

  it('reports only the records that failed transiently, and never the rejected ones (partial batch response)', async () => {
    const good = JSON.stringify(aRequest());
    const other = JSON.stringify(aRequest('aws-mediaconnect', { requestId: 'other' }));
    sfn
      .on(StartExecutionCommand, { name: 'evt-2026-11-22-basketball-final' })
      .resolves({ executionArn: arnOf('x'), startDate: new Date() })
      .on(StartExecutionCommand, { name: 'other' })
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const handler = buildDispatcherHandler(deps());
    const response = await handler(anSqsEvent(good, 'not json', other), {} as never);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-2' }] });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
  });
});
