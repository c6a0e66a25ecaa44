/**
 * Task tokens in the local Step Functions layer (`.waitForTaskToken`, queue mode): a state waits for its token, and
 * SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat through the real `@aws-sdk/client-sfn` behave as documented —
 * the output lands at ResultPath, a failure's error name drives Retry/Catch, and a token that is unknown, already
 * answered or belongs to a stopped execution is refused with the documented exception.
 */
import {
  DescribeExecutionCommand,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WAIT_FOR_TASK_TOKEN } from '../../../../functions/domain/queued-workflow.ts';
import { LocalStepFunctions } from '../../../../local/aws/step-functions.ts';
import type { AslDefinition } from '../../../../local/aws/step-functions-model.ts';

const definition: AslDefinition = {
  StartAt: 'Work',
  States: {
    Work: {
      Type: 'Task',
      Resource: WAIT_FOR_TASK_TOKEN,
      Parameters: { QueueUrl: 'local://work', MessageBody: { 'job.$': '$.job', 'taskToken.$': '$$.Task.Token' } },
      ResultPath: '$.result',
      Retry: [{ ErrorEquals: ['VendorThrottled'], IntervalSeconds: 1, MaxAttempts: 2 }],
      Catch: [{ ErrorEquals: ['VendorRejected'], ResultPath: '$.error', Next: 'Rejected' }],
      End: true,
    },
    Rejected: { Type: 'Fail', Error: 'Rejected' },
  },
};

/** The work queue: what the state sent, in order, with a way to wait for the next item. */
const sent: { job: string; taskToken: string }[] = [];
const waiters: (() => void)[] = [];
const service = new LocalStepFunctions({ retryOverrideMs: 1 });
const machineArn = service.registerStateMachine({
  name: 'tokens',
  definition,
  resolveResource: (resource) => {
    if (resource !== WAIT_FOR_TASK_TOKEN) throw new Error(`unexpected resource ${resource}`);
    return async (input) => {
      const { MessageBody } = input as { MessageBody: { job: string; taskToken: string } };
      const answer = service.awaitTaskToken(MessageBody.taskToken);
      sent.push(MessageBody);
      for (const wake of waiters.splice(0)) wake();
      return answer;
    };
  },
});

async function nextItem(job: string): Promise<{ job: string; taskToken: string }> {
  for (;;) {
    const index = sent.findIndex((m) => m.job === job);
    if (index >= 0) return sent.splice(index, 1)[0]!;
    await new Promise<void>((resolve) => waiters.push(resolve));
  }
}

let server: { url: string; close(): Promise<void> };
let sfn: SFNClient;
beforeAll(async () => {
  server = await service.listen();
  sfn = new SFNClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  await service.waitForIdle();
  await server.close();
});

const start = async (job: string) =>
  (
    await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn, name: job, input: JSON.stringify({ job }) }),
    )
  ).executionArn!;
const describeIt = (executionArn: string) => sfn.send(new DescribeExecutionCommand({ executionArn }));

describe('task tokens', () => {
  it('resumes the state with SendTaskSuccess output at its ResultPath', async () => {
    const arn = await start('ok');
    const item = await nextItem('ok');
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: item.taskToken }));
    await sfn.send(new SendTaskSuccessCommand({ taskToken: item.taskToken, output: '{"flowId":"f-1"}' }));
    await service.waitForIdle();
    const done = await describeIt(arn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ job: 'ok', result: { flowId: 'f-1' } });
  });

  it('retries on a failure named like a Retry rule with a new token, and catches a Catch name', async () => {
    const arn = await start('flaky');
    const first = await nextItem('flaky');
    await sfn.send(new SendTaskFailureCommand({ taskToken: first.taskToken, error: 'VendorThrottled', cause: '{}' }));
    const second = await nextItem('flaky');
    expect(second.taskToken).not.toBe(first.taskToken);
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: first.taskToken, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
    await sfn.send(new SendTaskFailureCommand({ taskToken: second.taskToken, error: 'VendorRejected', cause: 'no' }));
    await service.waitForIdle();
    expect(await describeIt(arn)).toMatchObject({ status: 'FAILED', error: 'Rejected' });
  });

  it('fails the execution with the task error when nothing catches it', async () => {
    const arn = await start('down');
    const item = await nextItem('down');
    await sfn.send(
      new SendTaskFailureCommand({ taskToken: item.taskToken, error: 'VendorAuthFailed', cause: 'bad key' }),
    );
    await service.waitForIdle();
    expect(await describeIt(arn)).toMatchObject({ status: 'FAILED', error: 'VendorAuthFailed', cause: 'bad key' });
  });

  it('refuses unknown tokens, and answers for a stopped execution with TaskTimedOut', async () => {
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: 'not-a-token', output: '{}' })),
    ).rejects.toBeInstanceOf(InvalidToken);
    const arn = await start('stopped');
    const item = await nextItem('stopped');
    await sfn.send(new StopExecutionCommand({ executionArn: arn }));
    await service.waitForIdle();
    expect((await describeIt(arn)).status).toBe('ABORTED');
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: item.taskToken, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
  });
});
