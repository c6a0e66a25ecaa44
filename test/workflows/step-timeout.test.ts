/**
 * A step that times out, as AWS reports it: the queued ASL in the local Step Functions layer, its SQS integrations
 * against the strict local SQS, and no worker on the task queue. The Catch output of `States.Timeout` carries an
 * empty Cause; the failure record must still reach the DLQ (SQS refuses an empty attribute value), and the dead
 * token answers a late worker with `TaskTimedOut`.
 */
import { readFileSync } from 'node:fs';
import {
  CreateQueueCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskQueueSubstitutions } from '../../functions/domain/queued-workflow.ts';
import { OPERATIONS } from '../../functions/vendors/types.ts';
import { LocalEventBus } from '../../local/aws/event-bus.ts';
import { LocalLambdaRuntime } from '../../local/aws/lambda-runtime.ts';
import { type LocalSqs, startLocalSqs } from '../../local/aws/sqs.ts';
import { LocalStepFunctions } from '../../local/aws/step-functions.ts';
import { type AslDefinition, REGION, type SfnApiError } from '../../local/aws/step-functions-model.ts';
import { loadWorkflow, WORKFLOW_FILES } from '../../local/aws/workflow.ts';
import { resolveResource } from '../../local/stack.ts';
import { aRequest } from '../helpers/factories.ts';

let localSqs: LocalSqs;
let sqs: SQSClient;

beforeAll(async () => {
  localSqs = await startLocalSqs({ region: REGION });
  sqs = new SQSClient({
    endpoint: localSqs.endpoint,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  sqs?.destroy();
  await localSqs?.close();
});

/** The cause RecordFailure writes in place of an empty one, as the ASL states it. */
const EMPTY_CAUSE_MARKER = (
  JSON.parse(readFileSync(WORKFLOW_FILES.queue, 'utf8')) as { States: Record<string, { Result?: string }> }
).States.MarkEmptyCause?.Result;

async function runUnanswered(tag: string, edit: (definition: AslDefinition) => AslDefinition = (d) => d) {
  const queueUrl = async (name: string) =>
    (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-${tag}` }))).QueueUrl!;
  const dlqUrl = await queueUrl('provision-dlq');
  const taskQueueUrl = await queueUrl('vendor-tasks');
  const stepFunctions = new LocalStepFunctions({ taskTimeoutOverrideMs: 50, retryOverrideMs: 1, waitOverrideMs: 1 });
  const lambdas = new LocalLambdaRuntime();
  const eventBus = new LocalEventBus(`flow-provisioner-${tag}`);
  const stateMachineArn = stepFunctions.registerStateMachine({
    name: `provision-flow-${tag}`,
    definition: edit(
      loadWorkflow(
        {
          ...taskQueueSubstitutions([{ name: 'main', steps: OPERATIONS }], () => taskQueueUrl),
          DeadLetterQueueUrl: dlqUrl,
          EventBusName: eventBus.name,
        },
        'queue',
      ),
    ),
    resolveResource: (resource) => resolveResource(resource, lambdas, sqs, stepFunctions, eventBus),
  });
  const request = aRequest('aws-mediaconnect');
  const { executionArn } = stepFunctions.startExecution({
    stateMachineArn,
    name: String(request.requestId),
    input: JSON.stringify(request),
  });
  await stepFunctions.waitForIdle();
  const receive = async (url: string) =>
    (
      await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
      )
    ).Messages ?? [];
  return {
    stepFunctions,
    request,
    execution: stepFunctions.describeExecution(executionArn),
    dlq: await receive(dlqUrl),
    workItems: await receive(taskQueueUrl),
  };
}

const attributesOf = (message: Message) =>
  Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]));

describe('a step that times out', () => {
  it('is caught as States.Timeout with an empty cause, and its failure record reaches the DLQ', async () => {
    const { execution, dlq, request } = await runUnanswered('timeout');

    const caught = execution.history.find((e) => e.stateName === 'CreateFlowFailed' && e.input !== undefined);
    expect((caught?.input as { error?: unknown } | undefined)?.error).toEqual({ Error: 'States.Timeout', Cause: '' });
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('States.Timeout');
    expect(dlq).toHaveLength(1);
    expect(JSON.parse(dlq[0]!.Body!)).toEqual(request);
    expect(attributesOf(dlq[0]!)).toMatchObject({
      reason: 'WorkflowFailed',
      error: 'States.Timeout',
      cause: EMPTY_CAUSE_MARKER,
      failedState: 'CreateFlow',
      requestId: request.requestId,
    });
    expect(EMPTY_CAUSE_MARKER).toEqual(expect.stringMatching(/\S/));
  });

  it('loses the record when RecordFailure sends the empty cause as it is: SQS refuses it', async () => {
    // The workflow without its empty-cause check: every failure path goes straight to RecordFailure.
    const { execution, dlq } = await runUnanswered('raw-cause', (definition) => {
      const { CheckFailureCause: _check, MarkEmptyCause: _mark, ...states } = definition.States;
      const direct = Object.entries(states).map(([name, state]) => [
        name,
        state.Next === 'CheckFailureCause' ? { ...state, Next: 'RecordFailure' } : state,
      ]);
      return { ...definition, States: Object.fromEntries(direct) };
    });
    expect(dlq).toEqual([]);
    const recordFailed = execution.history.filter((e) => e.stateName === 'RecordFailure' && e.error !== undefined);
    expect(recordFailed.at(-1)).toMatchObject({ error: 'SQS.AmazonSQSException' });
    expect(recordFailed.at(-1)?.cause).toContain('Error Code: InvalidParameterValue');
  });

  it('answers the worker that finds the work item afterwards with TaskTimedOut', async () => {
    const { stepFunctions, workItems } = await runUnanswered('late-worker');
    expect(workItems).toHaveLength(1);
    const { taskToken } = JSON.parse(workItems[0]!.Body!) as { taskToken: string };
    expect(() => stepFunctions.sendTaskSuccess(taskToken, '{}')).toThrow(
      expect.objectContaining({ name: 'TaskTimedOut' }) as SfnApiError,
    );
  });
});

describe('a heartbeat that stops', () => {
  it('fails the step with States.HeartbeatTimeout and an empty cause; heartbeats keep it alive meanwhile', async () => {
    const stepFunctions = new LocalStepFunctions();
    let token = '';
    const stateMachineArn = stepFunctions.registerStateMachine({
      name: 'heartbeat',
      definition: {
        StartAt: 'Wait',
        States: {
          Wait: {
            Type: 'Task',
            Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
            Parameters: { 'token.$': '$$.Task.Token' },
            HeartbeatSeconds: 1,
            Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Caught' }],
            End: true,
          },
          Caught: { Type: 'Pass', End: true },
        },
      },
      resolveResource: () => async (input) => {
        token = (input as { token: string }).token;
        const answer = stepFunctions.awaitTaskToken(token);
        // Three heartbeats 0.6 s apart outlive one HeartbeatSeconds; then silence.
        for (let i = 0; i < 3; i++) {
          await new Promise((r) => setTimeout(r, 600));
          stepFunctions.sendTaskHeartbeat(token);
        }
        return answer;
      },
    });
    const { executionArn } = stepFunctions.startExecution({ stateMachineArn, input: '{}' });
    await stepFunctions.waitForIdle();
    const execution = stepFunctions.describeExecution(executionArn);
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output!)).toEqual({ error: { Error: 'States.HeartbeatTimeout', Cause: '' } });
    expect(() => stepFunctions.sendTaskHeartbeat(token)).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
  });
});

describe('definitions the layer cannot run as AWS does', () => {
  it('refuses States.TaskFailed on a Task with a timeout', () => {
    expect(() =>
      new LocalStepFunctions().registerStateMachine({
        name: 'task-failed',
        definition: {
          StartAt: 'T',
          States: {
            T: {
              Type: 'Task',
              Resource: 'arn:aws:states:::sqs:sendMessage',
              TimeoutSeconds: 5,
              Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'P' }],
              End: true,
            },
            P: { Type: 'Pass', End: true },
          },
        },
        resolveResource: () => async () => ({}),
      }),
    ).toThrow(/States.TaskFailed/);
  });
});

it('keeps the SendMessage path honest: the strict SQS answers through the SDK', async () => {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: 'plain' }))).QueueUrl!;
  await expect(
    sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: '{}',
        MessageAttributes: { cause: { DataType: 'String', StringValue: '' } },
      }),
    ),
  ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
});
