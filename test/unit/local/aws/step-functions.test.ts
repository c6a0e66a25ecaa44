/**
 * The local Step Functions API layer against the documented behaviour, through the real `@aws-sdk/client-sfn`.
 */
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionNotRedrivable,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalLambdaRuntime, TaskError } from '../../../../local/aws/lambda-runtime.ts';
import { LocalStepFunctions } from '../../../../local/aws/step-functions.ts';
import type { AslDefinition } from '../../../../local/aws/step-functions-model.ts';

/** Two tasks; the second fails while `failing` is set, and a long Wait lets a test catch an execution RUNNING. */
const definition: AslDefinition = {
  StartAt: 'First',
  States: {
    First: {
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:000000000000:function:first',
      ResultPath: '$.first',
      Next: 'MaybeWait',
    },
    MaybeWait: {
      Type: 'Choice',
      Choices: [{ Variable: '$.wait', IsPresent: true, Next: 'LongWait' }],
      Default: 'Second',
    },
    LongWait: { Type: 'Wait', Seconds: 30, Next: 'Second' },
    Second: {
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:000000000000:function:second',
      ResultPath: '$.second',
      End: true,
    },
  },
};

let failing = true;
const calls = { first: 0, second: 0 };
const service = new LocalStepFunctions();
const lambdas = new LocalLambdaRuntime();
lambdas.register({
  name: 'first',
  timeoutSeconds: 5,
  createInstance: () => async () => {
    calls.first++;
    return 'one';
  },
});
lambdas.register({
  name: 'second',
  timeoutSeconds: 5,
  createInstance: () => async () => {
    calls.second++;
    if (failing) throw Object.assign(new Error('vendor down'), { name: 'VendorUnavailable' });
    return 'two';
  },
});
const machineArn = service.registerStateMachine({
  name: 'demo',
  definition,
  resolveResource: (resource) => (input) => lambdas.invoke(resource.split(':').pop()!, input),
});
let server: { url: string; close(): Promise<void> };
let sfn: SFNClient;

beforeAll(async () => {
  server = await service.listen();
  sfn = new SFNClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
});
afterAll(async () => {
  await service.waitForIdle();
  await server.close();
});

const describeIt = (executionArn: string) => sfn.send(new DescribeExecutionCommand({ executionArn }));

describe('local Step Functions API', () => {
  it('fails an uncaught task with the error name and the Lambda-shaped cause, then redrives from that task only', async () => {
    failing = true;
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn, name: 'r-1', input: '{"x":1}' }),
    );
    await service.waitForIdle();
    const failed = await describeIt(executionArn!);
    expect(failed).toMatchObject({
      status: 'FAILED',
      error: 'VendorUnavailable',
      redriveStatus: 'REDRIVABLE',
      redriveCount: 0,
    });
    expect(JSON.parse(failed.cause!)).toMatchObject({ errorType: 'VendorUnavailable', errorMessage: 'vendor down' });

    const before = { ...calls };
    failing = false;
    await sfn.send(new RedriveExecutionCommand({ executionArn }));
    await service.waitForIdle();
    const redriven = await describeIt(executionArn!);
    expect(redriven).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1, redriveStatus: 'NOT_REDRIVABLE' });
    expect(JSON.parse(redriven.output!)).toEqual({ x: 1, first: 'one', second: 'two' });
    expect(calls.first).toBe(before.first);
    expect(calls.second).toBe(before.second + 1);
  });

  it('refuses a reused name with ExecutionAlreadyExists once the execution is closed', async () => {
    failing = false;
    await sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, name: 'r-2', input: '{}' }));
    await service.waitForIdle();
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, name: 'r-2', input: '{}' })),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });

  it('answers the same execution for the same name and input while it runs, and refuses other input', async () => {
    const first = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn, name: 'r-3', input: '{"wait":true}' }),
    );
    const again = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn, name: 'r-3', input: '{"wait":true}' }),
    );
    expect(again.executionArn).toBe(first.executionArn);
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, name: 'r-3', input: '{"wait":false}' })),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    await expect(sfn.send(new RedriveExecutionCommand({ executionArn: first.executionArn }))).rejects.toBeInstanceOf(
      ExecutionNotRedrivable,
    );
    await sfn.send(new StopExecutionCommand({ executionArn: first.executionArn }));
    await service.waitForIdle();
    expect((await describeIt(first.executionArn!)).status).toBe('ABORTED');
  });

  it('lists executions by status and serves the history of one', async () => {
    const failed = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: machineArn, statusFilter: 'SUCCEEDED' }),
    );
    expect(failed.executions!.map((e) => e.name).sort()).toEqual(['r-1', 'r-2']);
    const history = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: failed.executions![0]!.executionArn }),
    );
    expect(history.events!.map((e) => e.type)).toEqual(
      expect.arrayContaining(['ExecutionStarted', 'TaskStateEntered', 'ExecutionSucceeded']),
    );
  });
});

describe('local Lambda runtime', () => {
  it('refuses invocations past the reserved concurrency with Lambda.TooManyRequestsException', async () => {
    const runtime = new LocalLambdaRuntime();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    runtime.register({
      name: 'slow',
      reservedConcurrency: 2,
      timeoutSeconds: 5,
      createInstance: () => () => gate.then(() => 'ok'),
    });
    const inFlight = [runtime.invoke('slow', {}), runtime.invoke('slow', {})];
    const refused = await runtime.invoke('slow', {}).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TaskError);
    expect((refused as Error).name).toBe('Lambda.TooManyRequestsException');
    release();
    expect(await Promise.all(inFlight)).toEqual(['ok', 'ok']);
    expect(runtime.stats('slow')).toMatchObject({ invocations: 2, throttles: 1, maxInFlight: 2 });
  });

  it('reuses warm instances instead of building new ones', async () => {
    const runtime = new LocalLambdaRuntime();
    let instances = 0;
    runtime.register({
      name: 'warm',
      reservedConcurrency: 3,
      timeoutSeconds: 5,
      createInstance: () => {
        instances++;
        return async () => 'ok';
      },
    });
    for (let i = 0; i < 5; i++) await runtime.invoke('warm', {});
    expect(instances).toBe(1);
  });
});
