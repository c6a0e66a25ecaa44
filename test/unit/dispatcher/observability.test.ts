/**
 * What the dispatcher tells on-call: a log line per record carrying its request id, vendor, step and execution name
 * (and only its own, though records are handled concurrently), and the outcome counts as one EMF line per batch.
 */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { anSqsEvent, aRequest } from '../../helpers/factories.ts';

const sfn = mockClient(SFNClient);
const sqs = mockClient(SQSClient);
const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:provision-flow-aws-mediaconnect';
const DLQ = 'https://sqs.us-east-1.amazonaws.com/123456789012/provision-dlq';
const context = {
  functionName: 'flow-provisioner-dispatcher',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:flow-provisioner-dispatcher',
  functionVersion: '$LATEST',
  memoryLimitInMB: '256',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

let output: string[];
beforeEach(() => {
  vi.resetModules();
  sfn.reset();
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
  sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({
    executionArn: `${MACHINE.replace(':stateMachine:', ':execution:')}:${input.name}`,
    startDate: new Date(),
  }));
  output = [];
  // Powertools writes INFO lines and EMF to stdout, WARN and ERROR to stderr: keep both, in order.
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.push(String(chunk));
      return true;
    });
  }
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** The JSON lines written to stdout and stderr. */
const jsonLines = () =>
  output
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** Builds the dispatcher with fresh singletons (the environment is read when the observability module loads). */
async function dispatcher() {
  const { buildDispatcherHandler } = await import('../../../functions/dispatcher/handler-factory.ts');
  const { logger } = await import('../../../functions/domain/observability.ts');
  logger.setLogLevel('INFO');
  return buildDispatcherHandler({
    sfn: new SFNClient({}),
    sqs: new SQSClient({}),
    stateMachineArns: { 'aws-mediaconnect': MACHINE },
    deadLetterQueueUrl: DLQ,
  });
}

const batch = () =>
  anSqsEvent(
    JSON.stringify(aRequest('aws-mediaconnect', { requestId: 'obs-good-1' })),
    JSON.stringify(aRequest('aws-mediaconnect', { requestId: 'obs-good-2' })),
    '{"requestId": "obs-truncated"',
    JSON.stringify(aRequest('aws-mediaconnect', { requestId: 'obs-bad-region', region: 'NOT A REGION' })),
    JSON.stringify({ schemaVersion: 1, requestId: 'obs-acme', vendor: 'acme-cloud' }),
  );

describe('dispatcher logs', () => {
  it('puts request id, vendor, step and execution name on the line of each record, and only its own', async () => {
    const handler = await dispatcher();
    await handler(batch(), context);

    const dispatched = jsonLines().filter((line) => line.message === 'dispatched');
    const byMessage = Object.fromEntries(dispatched.map((line) => [line.messageId, line]));
    expect(Object.keys(byMessage).sort()).toEqual(['msg-0', 'msg-1', 'msg-2', 'msg-3', 'msg-4']);
    for (const [messageId, requestId] of [
      ['msg-0', 'obs-good-1'],
      ['msg-1', 'obs-good-2'],
    ] as const) {
      expect(byMessage[messageId]).toMatchObject({
        level: 'INFO',
        requestId,
        vendor: 'aws-mediaconnect',
        step: 'dispatch',
        executionName: requestId,
        outcome: 'started',
        function_request_id: context.awsRequestId,
      });
    }
    // A rejected record has no execution; it keeps what it could say about itself, and nothing of its neighbours.
    expect(byMessage['msg-2']).toMatchObject({ step: 'dispatch', outcome: 'rejected' });
    expect(byMessage['msg-2']).not.toHaveProperty('requestId');
    expect(byMessage['msg-3']).toMatchObject({ requestId: 'obs-bad-region', vendor: 'aws-mediaconnect' });
    expect(byMessage['msg-4']).toMatchObject({ requestId: 'obs-acme', outcome: 'rejected' });
    expect(byMessage['msg-4']).not.toHaveProperty('vendor');
    for (const id of ['msg-2', 'msg-3', 'msg-4']) expect(byMessage[id]).not.toHaveProperty('executionName');
  });

  it('logs a transient failure with the record it belongs to before SQS delivers it again', async () => {
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const handler = await dispatcher();
    const response = await handler(
      anSqsEvent(JSON.stringify(aRequest('aws-mediaconnect', { requestId: 'obs-flaky' }))),
      context,
    );

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'msg-0' }]);
    const [failed] = jsonLines().filter((line) => line.level === 'WARN');
    expect(failed).toMatchObject({
      message: 'dispatch failed; the message will be received again',
      requestId: 'obs-flaky',
      step: 'dispatch',
      error: { name: 'ThrottlingException', message: 'Rate exceeded' },
    });
  });
});

describe('dispatcher metrics', () => {
  it('counts the outcomes of a batch in one EMF line inside Lambda', async () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'flow-provisioner-dispatcher');
    const handler = await dispatcher();
    await handler(batch(), context);

    const emf = jsonLines().filter((line) => '_aws' in line);
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'FlowProvisioner', Dimensions: [['service']] }] },
      service: 'flow-provisioner',
      RequestsStarted: [1, 1],
      RequestsRejected: [1, 1, 1],
    });
  });

  it('writes no EMF line outside Lambda', async () => {
    const handler = await dispatcher();
    await handler(batch(), context);
    expect(jsonLines().filter((line) => '_aws' in line)).toEqual([]);
  });
});
