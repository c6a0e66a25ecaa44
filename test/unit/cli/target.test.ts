import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EXIT, FlowctlError, recordingOutput } from '../../../cli/output.ts';
import { requireSchedule, resolveTarget, type TargetOptions } from '../../../cli/target.ts';
import type { LocalStack } from '../../../local/stack.ts';
import {
  aTempFile,
  DLQ_URL,
  INGRESS_URL,
  MACHINE_ARN,
  SCHEDULE_DLQ_ARN,
  SCHEDULE_ROLE_ARN,
} from '../../helpers/flowctl.ts';

const cloudFormation = mockClient(CloudFormationClient);
const deps = { cloudFormation: (config: object) => new CloudFormationClient(config), env: {} };
const OUTPUTS = [
  { OutputKey: 'IngressQueueUrl', OutputValue: INGRESS_URL },
  { OutputKey: 'DeadLetterQueueUrl', OutputValue: DLQ_URL },
  { OutputKey: 'StateMachineArns', OutputValue: JSON.stringify({ 'aws-mediaconnect': MACHINE_ARN }) },
  { OutputKey: 'ScheduleGroupName', OutputValue: 'flow-provisioner' },
  { OutputKey: 'ScheduleRoleArn', OutputValue: SCHEDULE_ROLE_ARN },
  { OutputKey: 'ScheduleDlqArn', OutputValue: SCHEDULE_DLQ_ARN },
];

async function failure(options: TargetOptions, env: NodeJS.ProcessEnv = {}): Promise<FlowctlError> {
  const error = await resolveTarget(options, recordingOutput(), { ...deps, env }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(FlowctlError);
  return error as FlowctlError;
}

beforeEach(() => cloudFormation.reset());

describe('flowctl target: --stack', () => {
  it('reads queues, state machines and the schedule group from the stack outputs (DescribeStacks)', async () => {
    cloudFormation.on(DescribeStacksCommand, { StackName: 'FlowProvisioner-prod' }).resolves({
      Stacks: [
        {
          StackName: 'FlowProvisioner-prod',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: OUTPUTS,
        },
      ],
    });
    const target = await resolveTarget({ stack: 'FlowProvisioner-prod', region: 'eu-west-1' }, recordingOutput(), deps);
    expect(target).toMatchObject({
      kind: 'aws',
      description: 'stack FlowProvisioner-prod (eu-west-1)',
      ingressQueueUrl: INGRESS_URL,
      deadLetterQueueUrl: DLQ_URL,
      stateMachineArns: { 'aws-mediaconnect': MACHINE_ARN },
      schedule: { groupName: 'flow-provisioner', roleArn: SCHEDULE_ROLE_ARN, deadLetterQueueArn: SCHEDULE_DLQ_ARN },
      supportsMessageMove: true,
    });
    expect(await target.sqs.config.region()).toBe('eu-west-1');
    expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(1);
  });

  it('takes the stack name from FLOWCTL_STACK, and lets explicit options override outputs', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'FromEnv', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: OUTPUTS }],
    });
    const other = 'https://sqs.eu-west-1.amazonaws.com/123456789012/other-dlq';
    const target = await resolveTarget({ dlqUrl: other, stack: undefined }, recordingOutput(), {
      ...deps,
      env: { FLOWCTL_STACK: 'FromEnv' },
    });
    // --dlq-url alone is an explicit target: FLOWCTL_STACK is not consulted.
    expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(0);
    expect(target.deadLetterQueueUrl).toBe(other);
    const fromEnv = await resolveTarget({}, recordingOutput(), { ...deps, env: { FLOWCTL_STACK: 'FromEnv' } });
    expect(fromEnv.ingressQueueUrl).toBe(INGRESS_URL);
    const overridden = await resolveTarget({ stack: 'FromEnv', dlqUrl: other }, recordingOutput(), deps);
    expect(overridden).toMatchObject({ ingressQueueUrl: INGRESS_URL, deadLetterQueueUrl: other });
  });

  it('says when the stack does not exist, naming the region it looked in', async () => {
    cloudFormation
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error('Stack with id Nope does not exist'), { name: 'ValidationError' }));
    const error = await failure({ stack: 'Nope', region: 'eu-west-1' });
    expect(error.exitCode).toBe(EXIT.TARGET);
    expect(error.message).toBe('stack Nope does not exist in eu-west-1');
    expect(error.hint).toMatch(/--region/);
  });

  it('says what to deploy when the stack has no schedule outputs', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        { StackName: 'Old', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: OUTPUTS.slice(0, 3) },
      ],
    });
    const target = await resolveTarget({ stack: 'Old' }, recordingOutput(), deps);
    const error = (() => {
      try {
        requireSchedule(target);
      } catch (e) {
        return e as FlowctlError;
      }
    })();
    expect(error?.exitCode).toBe(EXIT.TARGET);
    expect(error?.hint).toMatch(/ScheduleGroupName/);
  });
});

describe('flowctl target: explicit and local', () => {
  it('infers the vendor and region from --state-machine-arn and --queue-url', async () => {
    const target = await resolveTarget(
      {
        queueUrl: INGRESS_URL,
        stateMachineArn: [MACHINE_ARN, `huawei-live=${MACHINE_ARN.replace('aws-mediaconnect', 'hw')}`],
      },
      recordingOutput(),
      deps,
    );
    expect(target.stateMachineArns).toEqual({
      'aws-mediaconnect': MACHINE_ARN,
      'huawei-live': MACHINE_ARN.replace('aws-mediaconnect', 'hw'),
    });
    expect(await target.sfn.config.region()).toBe('eu-west-1');
    const bad = await failure({ stateMachineArn: ['arn:aws:states:eu-west-1:123456789012:stateMachine:mystery'] });
    expect(bad.exitCode).toBe(EXIT.USAGE);
    expect(bad.hint).toMatch(/VENDOR=ARN/);
  });

  it('refuses no target and mixed targets with the options to use', async () => {
    expect((await failure({})).hint).toMatch(/--local.*--stack NAME/);
    expect((await failure({ local: true, stack: 'X' })).exitCode).toBe(EXIT.USAGE);
  });

  it('--local without a running server starts an embedded stack for the command, after saying so', async () => {
    const stateFile = aTempFile(
      'local.json',
      JSON.stringify({ version: 1, pid: 2 ** 22 + 17, sfnEndpoint: 'http://127.0.0.1:1' }),
    );
    const out = recordingOutput();
    let started = 0;
    let stopped = 0;
    const fake = {
      sqs: {},
      sfn: {},
      ingressQueueUrl: 'http://q/in',
      deadLetterQueueUrl: 'http://q/dlq',
      stateMachineArns: {},
      scheduler: { url: 'http://127.0.0.1:9', groupName: 'g', roleArn: 'r', deadLetterQueueArn: 'd' },
      stop: async () => {
        stopped++;
      },
    } as unknown as LocalStack;
    const target = await resolveTarget({ local: true }, out, {
      env: { FLOWCTL_LOCAL_STATE: stateFile },
      startEmbedded: async () => {
        started++;
        return fake;
      },
    });
    expect(started).toBe(1);
    expect(target.embedded).toBe(fake);
    expect(out.lines.join('\n')).toMatch(/state file was stale .*starting an embedded stack/);
    await target.close();
    expect(stopped).toBe(1);
  });
});
