/**
 * Where a `flowctl` command acts: the embedded stack (`--local`: a running `flowctl local --serve`, or one started for
 * this command), or AWS — a deployed stack's CloudFormation outputs (`--stack NAME`, or `$FLOWCTL_STACK`) and/or
 * explicit `--queue-url`, `--dlq-url`, `--state-machine-arn`, with the standard AWS credential chain. Either way the
 * commands get the same SDK clients and names, so they run the same code against both.
 */
import {
  CloudFormationClient,
  DescribeStacksCommand,
  type Output as StackOutput,
} from '@aws-sdk/client-cloudformation';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SFNClient } from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Command } from 'commander';
import { REGION as LOCAL_REGION } from '../local/aws/step-functions-model.ts';
import type { LocalStack } from '../local/stack.ts';
import { startLocalStack } from '../local/stack.ts';
import { findRunningLocalStack, type LocalState, localResources, localStatePath } from './local-state.ts';
import { EXIT, FlowctlError, type Output } from './output.ts';

/** The CloudFormation outputs `flowctl` reads (cdk/stack.ts writes them). */
export const STACK_OUTPUTS = {
  ingressQueueUrl: 'IngressQueueUrl',
  deadLetterQueueUrl: 'DeadLetterQueueUrl',
  stateMachineArns: 'StateMachineArns',
  scheduleGroupName: 'ScheduleGroupName',
  scheduleRoleArn: 'ScheduleRoleArn',
  scheduleDlqArn: 'ScheduleDlqArn',
} as const;

export interface TargetOptions {
  local?: boolean;
  stack?: string;
  queueUrl?: string;
  dlqUrl?: string;
  stateMachineArn?: string[];
  region?: string;
  profile?: string;
  json?: boolean;
}

export interface ScheduleSettings {
  readonly groupName: string;
  readonly roleArn: string;
  readonly deadLetterQueueArn?: string;
}

export interface Target {
  readonly kind: 'local' | 'aws';
  /** For messages: `stack FlowProvisioner-prod (eu-west-1)`, `local stack (flowctl local --serve, pid 4242)`. */
  readonly description: string;
  readonly sqs: SQSClient;
  readonly sfn: SFNClient;
  readonly scheduler: SchedulerClient;
  readonly ingressQueueUrl?: string;
  readonly deadLetterQueueUrl?: string;
  /** Vendor → provision-flow state machine ARN. */
  readonly stateMachineArns: Readonly<Record<string, string>>;
  readonly schedule?: ScheduleSettings;
  /** SQS StartMessageMoveTask / ListMessageMoveTasks exist (AWS); the local SQS emulator has neither. */
  readonly supportsMessageMove: boolean;
  /** The embedded stack this command started for itself (none when it talks to `--serve` or to AWS). */
  readonly embedded?: LocalStack;
  close(): Promise<void>;
}

/** Adds the target options to a command. */
export function addTargetOptions(command: Command): Command {
  return command
    .option(
      '--local',
      'act on the embedded stack: a running `flowctl local --serve`, else one started for this command',
    )
    .option(
      '--stack <name>',
      'act on this deployed stack, through its CloudFormation outputs (default: $FLOWCTL_STACK)',
    )
    .option('--queue-url <url>', 'the ingress queue URL (overrides the stack output IngressQueueUrl)')
    .option('--dlq-url <url>', 'the dead-letter queue URL (overrides the stack output DeadLetterQueueUrl)')
    .option(
      '--state-machine-arn <arn>',
      'a provision-flow state machine, as ARN or vendor=ARN; repeatable (overrides the stack output StateMachineArns)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--region <region>', 'AWS region (default: the standard chain, e.g. AWS_REGION or the profile)')
    .option('--profile <name>', 'AWS shared-config profile (default: AWS_PROFILE or the standard chain)')
    .option('--json', 'print one JSON document on stdout (progress and notes go to stderr)');
}

export interface ResolveDeps {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Builds the CloudFormation client (tests inject a mocked one). */
  readonly cloudFormation?: (config: { region?: string; profile?: string }) => CloudFormationClient;
  /** Starts an embedded stack when `--local` finds none running (default: the full local stack). */
  readonly startEmbedded?: () => Promise<LocalStack>;
}

/** Resolves the target of a command from its options; throws a FlowctlError that says which option to give. */
export async function resolveTarget(options: TargetOptions, out: Output, deps: ResolveDeps = {}): Promise<Target> {
  const env = deps.env ?? process.env;
  const explicit = Boolean(options.queueUrl || options.dlqUrl || options.stateMachineArn?.length);
  const stackName = options.stack ?? (options.local || explicit ? undefined : env.FLOWCTL_STACK);
  if (options.local && (options.stack || explicit)) {
    throw new FlowctlError(
      '--local cannot be combined with --stack, --queue-url, --dlq-url or --state-machine-arn',
      EXIT.USAGE,
      'choose one target: --local for the embedded stack, or --stack NAME (and overrides) for AWS',
    );
  }
  if (options.local) return localTarget(out, deps);
  if (!stackName && !explicit) {
    throw new FlowctlError(
      'no target: say where to act',
      EXIT.USAGE,
      'pass --local (the embedded stack), --stack NAME (a deployed stack; or set FLOWCTL_STACK), or --queue-url / --dlq-url / --state-machine-arn',
    );
  }
  return awsTarget(options, stackName, deps);
}

/** A target over an in-process local stack (tests, and `--local` without a running server). */
export function targetOfLocalStack(stack: LocalStack, options: { embedded: boolean }): Target {
  return {
    kind: 'local',
    description: options.embedded ? 'embedded local stack (started for this command)' : 'local stack (in process)',
    sqs: stack.sqs,
    sfn: stack.sfn,
    scheduler: localSchedulerClient(stack.scheduler.url),
    ...localResources(stack),
    supportsMessageMove: false,
    ...(options.embedded ? { embedded: stack } : {}),
    close: async () => {
      if (options.embedded) await stack.stop();
    },
  };
}

/** A target over the state file of a running `flowctl local --serve`. */
export function targetOfLocalState(state: LocalState): Target {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const sqs = new SQSClient({ endpoint: state.sqsEndpoint, region: state.region, credentials });
  const sfn = new SFNClient({ endpoint: state.sfnEndpoint, region: state.region, credentials, maxAttempts: 1 });
  const scheduler = localSchedulerClient(state.schedulerEndpoint);
  return {
    kind: 'local',
    description: `local stack (flowctl local --serve, pid ${state.pid})`,
    sqs,
    sfn,
    scheduler,
    ingressQueueUrl: state.ingressQueueUrl,
    deadLetterQueueUrl: state.deadLetterQueueUrl,
    stateMachineArns: state.stateMachineArns,
    schedule: state.schedule,
    supportsMessageMove: false,
    close: async () => {
      sqs.destroy();
      sfn.destroy();
      scheduler.destroy();
    },
  };
}

function localSchedulerClient(endpoint: string): SchedulerClient {
  return new SchedulerClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

async function localTarget(out: Output, deps: ResolveDeps): Promise<Target> {
  const path = localStatePath(deps.env ?? process.env, deps.cwd ?? process.cwd());
  const found = await findRunningLocalStack(path);
  if (found.kind === 'running') return targetOfLocalState(found.state);
  const why = found.kind === 'stale' ? `the state file was stale (${found.reason})` : `no ${path}`;
  out.warn(
    `flowctl: no \`flowctl local --serve\` is running (${why}); starting an embedded stack for this command — it stops when the command ends`,
  );
  const stack = await (deps.startEmbedded ?? (() => startLocalStack({ log: (line) => out.progress(line) })))();
  return targetOfLocalStack(stack, { embedded: true });
}

async function awsTarget(options: TargetOptions, stackName: string | undefined, deps: ResolveDeps): Promise<Target> {
  const explicitArns = parseStateMachineArns(options.stateMachineArn ?? []);
  const region =
    options.region ??
    regionOfQueueUrl(options.queueUrl) ??
    regionOfQueueUrl(options.dlqUrl) ??
    Object.values(explicitArns).map((arn) => arn.split(':')[3])[0];
  const clientConfig = { ...(region ? { region } : {}), ...(options.profile ? { profile: options.profile } : {}) };

  let outputs: Record<string, string> = {};
  if (stackName) {
    const cloudFormation = (deps.cloudFormation ?? ((config) => new CloudFormationClient(config)))(clientConfig);
    outputs = await readStackOutputs(cloudFormation, stackName, region);
  }
  const stackArns = outputs[STACK_OUTPUTS.stateMachineArns]
    ? parseStateMachineArnsOutput(outputs[STACK_OUTPUTS.stateMachineArns]!, stackName!)
    : {};
  const groupName = outputs[STACK_OUTPUTS.scheduleGroupName];
  const roleArn = outputs[STACK_OUTPUTS.scheduleRoleArn];
  const scheduleDlqArn = outputs[STACK_OUTPUTS.scheduleDlqArn];
  const ingressQueueUrl = options.queueUrl ?? outputs[STACK_OUTPUTS.ingressQueueUrl];
  const deadLetterQueueUrl = options.dlqUrl ?? outputs[STACK_OUTPUTS.deadLetterQueueUrl];
  const sqs = new SQSClient(clientConfig);
  const sfn = new SFNClient(clientConfig);
  const scheduler = new SchedulerClient(clientConfig);
  const where = region ? ` (${region})` : '';
  return {
    kind: 'aws',
    description: stackName ? `stack ${stackName}${where}` : `AWS${where}`,
    sqs,
    sfn,
    scheduler,
    ...(ingressQueueUrl ? { ingressQueueUrl } : {}),
    ...(deadLetterQueueUrl ? { deadLetterQueueUrl } : {}),
    stateMachineArns: { ...stackArns, ...explicitArns },
    ...(groupName && roleArn
      ? { schedule: { groupName, roleArn, ...(scheduleDlqArn ? { deadLetterQueueArn: scheduleDlqArn } : {}) } }
      : {}),
    supportsMessageMove: true,
    close: async () => {
      sqs.destroy();
      sfn.destroy();
      scheduler.destroy();
    },
  };
}

/** Reads a stack's outputs; a missing stack is a target error that names the region it looked in. */
export async function readStackOutputs(
  cloudFormation: CloudFormationClient,
  stackName: string,
  region: string | undefined,
): Promise<Record<string, string>> {
  let outputs: StackOutput[] | undefined;
  try {
    const described = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = described.Stacks?.[0];
    if (!stack) throw new Error(`Stack with id ${stackName} does not exist`);
    if (/_FAILED$|^DELETE_|ROLLBACK_COMPLETE$/.test(stack.StackStatus ?? '') && !stack.Outputs?.length) {
      throw new FlowctlError(
        `stack ${stackName} is ${stack.StackStatus} and has no outputs`,
        EXIT.TARGET,
        'deploy it (npx cdk deploy) or point at another stack with --stack',
      );
    }
    outputs = stack.Outputs;
  } catch (error) {
    if (error instanceof FlowctlError) throw error;
    const message = (error as Error).message ?? '';
    if (/does not exist/i.test(message)) {
      const where = region ?? (await cloudFormation.config.region().catch(() => undefined)) ?? 'the default region';
      throw new FlowctlError(
        `stack ${stackName} does not exist in ${where}`,
        EXIT.TARGET,
        'check the name and the region (--region, AWS_REGION, --profile); `aws cloudformation list-stacks` shows what exists',
      );
    }
    throw error;
  }
  return Object.fromEntries((outputs ?? []).flatMap((o) => (o.OutputKey ? [[o.OutputKey, o.OutputValue ?? '']] : [])));
}

function parseStateMachineArnsOutput(value: string, stackName: string): Record<string, string> {
  try {
    const parsed = JSON.parse(value) as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
  } catch {
    throw new FlowctlError(
      `stack ${stackName}: output ${STACK_OUTPUTS.stateMachineArns} is not a JSON object of vendor → ARN`,
      EXIT.TARGET,
      'redeploy the stack from this repository, or pass --state-machine-arn vendor=ARN',
    );
  }
}

/** `--state-machine-arn` values: `vendor=ARN`, or an ARN whose machine is named `provision-flow-<vendor>`. */
export function parseStateMachineArns(values: readonly string[]): Record<string, string> {
  const arns: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    const [vendor, arn] = eq > 0 ? [value.slice(0, eq), value.slice(eq + 1)] : [undefined, value];
    if (!/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]+$/.test(arn)) {
      throw new FlowctlError(
        `--state-machine-arn ${value}: not a state machine ARN`,
        EXIT.USAGE,
        'pass arn:aws:states:REGION:ACCOUNT:stateMachine:provision-flow-VENDOR, or VENDOR=ARN',
      );
    }
    const name = arn.split(':').pop()!;
    const inferred = name.startsWith('provision-flow-') ? name.slice('provision-flow-'.length) : undefined;
    const key = vendor ?? inferred;
    if (!key) {
      throw new FlowctlError(
        `--state-machine-arn ${value}: cannot tell the vendor from the machine name ${name}`,
        EXIT.USAGE,
        'pass it as VENDOR=ARN',
      );
    }
    arns[key] = arn;
  }
  return arns;
}

function regionOfQueueUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  return /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com/.exec(url)?.[1];
}

/** The ingress queue URL, or an error that says how to provide it. */
export function requireIngressQueue(target: Target): string {
  if (target.ingressQueueUrl) return target.ingressQueueUrl;
  throw new FlowctlError(
    `${target.description} names no ingress queue`,
    EXIT.TARGET,
    `pass --queue-url, or --stack NAME of a stack with the output ${STACK_OUTPUTS.ingressQueueUrl}`,
  );
}

export function requireDeadLetterQueue(target: Target): string {
  if (target.deadLetterQueueUrl) return target.deadLetterQueueUrl;
  throw new FlowctlError(
    `${target.description} names no dead-letter queue`,
    EXIT.TARGET,
    `pass --dlq-url, or --stack NAME of a stack with the output ${STACK_OUTPUTS.deadLetterQueueUrl}`,
  );
}

export function requireStateMachines(target: Target): Record<string, string> {
  if (Object.keys(target.stateMachineArns).length > 0) return { ...target.stateMachineArns };
  throw new FlowctlError(
    `${target.description} names no state machine`,
    EXIT.TARGET,
    `pass --state-machine-arn VENDOR=ARN (repeatable), or --stack NAME of a stack with the output ${STACK_OUTPUTS.stateMachineArns}`,
  );
}

export function requireSchedule(target: Target): ScheduleSettings {
  if (target.schedule) return target.schedule;
  throw new FlowctlError(
    `${target.description} has no schedule group and role`,
    EXIT.TARGET,
    `deploy the stack from this repository (outputs ${STACK_OUTPUTS.scheduleGroupName}, ${STACK_OUTPUTS.scheduleRoleArn}) and pass --stack NAME`,
  );
}

/** A queue's ARN, asked of SQS (works for every URL form, local ones included). */
export async function queueArnOf(sqs: SQSClient, queueUrl: string): Promise<string> {
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = attributes.Attributes?.QueueArn;
  if (!arn) throw new FlowctlError(`SQS did not return the ARN of ${queueUrl}`, EXIT.TARGET);
  return arn;
}

/** Runs `body` with the resolved target and closes it afterwards (an embedded stack stops). */
export async function withTarget<T>(
  options: TargetOptions,
  out: Output,
  body: (target: Target) => Promise<T>,
  deps?: ResolveDeps,
): Promise<T> {
  const target = await resolveTarget(options, out, deps);
  try {
    return await body(target);
  } finally {
    await target.close();
  }
}
