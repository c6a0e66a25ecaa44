/**
 * Infrastructure: every vendor lane (docs/adr/0007-lanes.md) is watched like a vendor's first: each lane's λ has its
 * sustained-throttle alarm, each lane's task DLQ its task-DLQ alarm, and the dashboard draws each lane's λ and task
 * queue. The alarms deployed before keep their logical ids. The app is synthesized once in queue mode, without
 * bundling; invoke mode (one λ per vendor, no task queue) is checked in `dispatch-mode.test.ts`.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Observability } from '../../cdk/constructs/observability.ts';
import { taskDeadLetterQueueName, taskQueueName } from '../../cdk/naming.ts';
import {
  ALARMS,
  laneSuffix,
  VENDORS,
  type VendorConfig,
  type VendorLane,
  vendorLanes,
} from '../../functions/domain/config.ts';
import type { VendorId } from '../../functions/domain/contract.ts';
import { QUEUED_TASK_TIMEOUT_SECONDS } from '../../functions/domain/queued-workflow.ts';
import { DEPLOYED_ALARMS } from '../fixtures/deployed-alarms.ts';
import {
  type DashboardWidget,
  dashboardWidgets,
  logicalIdOf,
  type SynthResult,
  stageAlarmName,
  synthesizedAlarm,
  synthFlowProvisioner,
  TEST_STAGE,
} from '../helpers/synth.ts';

const configs = Object.values(VENDORS) as readonly VendorConfig[];
const vendors = configs.map((c) => c.vendor);

let synth: SynthResult;
let resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;

beforeAll(() => {
  synth = synthFlowProvisioner({ context: { dispatchMode: 'queue' }, skipBundling: true });
  resources = synth.template.toJSON().Resources;
});
afterAll(() => synth?.cleanup());

const alarm = (name: string) => synthesizedAlarm(synth.template, name);

const ref = (construct: unknown) => ({ Ref: logicalIdOf(synth.stack, construct as never) });

/** Every lane of every vendor, as the config declares them (queue mode builds a λ, task queue and DLQ for each). */
const lanes: readonly { vendor: VendorId; lane: VendorLane; suffix: string; first: boolean }[] = configs.flatMap(
  ({ vendor, budget }) =>
    vendorLanes(budget).map((lane, i) => ({ vendor, lane, suffix: laneSuffix(budget, lane.name), first: i === 0 })),
);
const laneFn = (vendor: VendorId, lane: VendorLane) => synth.stack.vendorFunctions.laneFunctions[vendor]![lane.name]!;
const laneTasks = (vendor: VendorId, lane: VendorLane) =>
  synth.stack.vendorFunctions.laneTaskQueues[vendor]![lane.name]!;

describe('alarms of every lane', () => {
  it('fires when any work item is visible on any lane’s task DLQ, each described as a task DLQ', () => {
    expect(lanes.length).toBeGreaterThan(vendors.length);
    for (const { vendor, lane, suffix } of lanes) {
      const dlq = laneTasks(vendor, lane).deadLetterQueue;
      const props = alarm(stageAlarmName('dlq-messages', taskDeadLetterQueueName(vendor, suffix)));
      expect(props).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(synth.stack, dlq), 'QueueName'] } }],
        Statistic: 'Maximum',
        Period: 60,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
      const description = String(props.AlarmDescription);
      expect(description).toContain(`Work items are waiting in ${taskDeadLetterQueueName(vendor, suffix)}`);
      const several = vendorLanes(VENDORS[vendor].budget).length > 1;
      expect(description).toContain(`the ${vendor} λ${several ? ` of lane ${lane.name}` : ''} could not answer`);
      expect(description).toContain('provision-dlq, which is what to redrive');
    }
  });

  it('fires on sustained throttling of every lane’s λ (more than N a minute in M of K minutes)', () => {
    const { threshold, datapointsToAlarm, evaluationPeriods } = ALARMS.vendorFunctionThrottles;
    expect(datapointsToAlarm).toBeGreaterThan(1);
    for (const { vendor, lane, suffix, first } of lanes) {
      const fn = laneFn(vendor, lane);
      if (first) expect(fn).toBe(synth.stack.vendorFunctions.functionFor(vendor));
      const props = alarm(stageAlarmName('vendor-function-throttles', `${vendor}${suffix}`));
      expect(props).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Throttles',
        Dimensions: [{ Name: 'FunctionName', Value: ref(fn) }],
        Statistic: 'Sum',
        Period: 60,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: threshold,
        EvaluationPeriods: evaluationPeriods,
        DatapointsToAlarm: datapointsToAlarm,
        TreatMissingData: 'notBreaching',
      });
      // Named by its lane when the vendor has several; in queue mode the poller caps the lane at its slots.
      const description = String(props.AlarmDescription);
      const named = `lane ${lane.name} (steps ${lane.steps.join(', ')})`;
      if (vendorLanes(VENDORS[vendor].budget).length > 1) expect(description).toContain(named);
      else expect(description).toContain(`The ${vendor} λ was throttled`);
      expect(description).toContain(`all ${lane.reservedConcurrency} of its reserved slots busy`);
      expect(description).toContain(`Its poller on ${taskQueueName(vendor, suffix)} runs at most`);
      expect(description).toContain(taskDeadLetterQueueName(vendor, suffix));
    }
    // One alarm per lane λ, and no λ watched twice.
    const watched = Object.values(resources)
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.MetricName === 'Throttles')
      .map((r) => (r.Properties.Dimensions as { Value: unknown }[])[0]!.Value);
    expect(watched).toHaveLength(lanes.length);
    expect(new Set(watched.map((v) => JSON.stringify(v)))).toEqual(
      new Set(lanes.map(({ vendor, lane }) => JSON.stringify(ref(laneFn(vendor, lane))))),
    );
  });

  it('fires when a lane’s oldest work item has waited half its steps’ task timeout, for every lane’s task queue', () => {
    const { taskQueueOldestItemAgeSeconds: threshold, taskQueueAgeMinutes } = ALARMS;
    // Below the task timeout, so the alarm comes while the backlog can still be drained.
    expect(threshold).toBeLessThan(QUEUED_TASK_TIMEOUT_SECONDS);
    for (const { vendor, lane, suffix } of lanes) {
      const queue = laneTasks(vendor, lane).queue;
      const props = alarm(stageAlarmName('task-queue-oldest-item-age', `${vendor}${suffix}`));
      expect(props).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(synth.stack, queue), 'QueueName'] } }],
        Statistic: 'Maximum',
        Period: 60,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: threshold,
        EvaluationPeriods: taskQueueAgeMinutes,
        TreatMissingData: 'notBreaching',
      });
      const description = String(props.AlarmDescription);
      expect(description).toContain(`The oldest work item on ${taskQueueName(vendor, suffix)}`);
      expect(description).toContain(`waits ${QUEUED_TASK_TIMEOUT_SECONDS} s fails its execution with States.Timeout`);
    }
    const watched = Object.values(resources).filter(
      (r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.MetricName === 'ApproximateAgeOfOldestMessage',
    );
    // Every lane's task queue, plus the ingress queue's own age alarm.
    expect(watched).toHaveLength(lanes.length + 1);
  });

  it('keep the logical id and name of every alarm deployed before lanes had their own (no replacement)', () => {
    expect(TEST_STAGE).toBe('dev');
    for (const [logicalId, name] of Object.entries(DEPLOYED_ALARMS.queue)) {
      expect(resources[logicalId], `${logicalId} (${name})`).toMatchObject({
        Type: 'AWS::CloudWatch::Alarm',
        Properties: { AlarmName: name },
      });
    }
    // The first lanes' λ throttle alarms among them, still on each vendor's first λ.
    for (const vendor of vendors) {
      const [id] = Object.entries(DEPLOYED_ALARMS.queue).find(
        ([, name]) => name === stageAlarmName('vendor-function-throttles', vendor),
      )!;
      expect(resources[id]!.Properties.Dimensions).toEqual([
        { Name: 'FunctionName', Value: ref(synth.stack.vendorFunctions.functionFor(vendor)) },
      ]);
    }
  });

  it('pass cdk-nag (AwsSolutions and Serverless)', () => {
    expect(synth.nagViolations.filter((v) => v.severity === 'error')).toEqual([]);
    expect(synth.synthError).toBeUndefined();
  });
});

describe('dashboard lines of every lane', () => {
  let widgets: DashboardWidget[];
  beforeAll(() => {
    widgets = dashboardWidgets(synth.template).widgets;
  });
  const titled = (title: string) => {
    const widget = widgets.find((w) => w.properties.title === title);
    expect(widget, title).toBeDefined();
    return widget!;
  };

  it('shows every lane’s task DLQ on the DLQ depth widget, and every lane’s task queue backlog and oldest item', () => {
    const names = (w: DashboardWidget) => JSON.stringify(w.properties.metrics);
    const depth = titled('Dead-letter queue depth').properties.metrics!;
    const backlog = titled('Vendor task queues: work items waiting and in flight').properties.metrics!;
    const age = titled('Vendor task queues: oldest work item (s)').properties.metrics!;
    expect(names(titled('Dead-letter queue depth'))).toContain('"label":"provision-delivery-dlq"');
    // Each line: [namespace, metric, 'QueueName', <the queue's name attribute>, { label, … }].
    const line = (metric: string, queue: unknown, label: string) =>
      expect.arrayContaining([
        'AWS/SQS',
        metric,
        'QueueName',
        `att:${logicalIdOf(synth.stack, queue as never)}.QueueName`,
        expect.objectContaining({ label }),
      ]);
    for (const { vendor, lane, suffix } of lanes) {
      const { queue, deadLetterQueue } = laneTasks(vendor, lane);
      const name = taskQueueName(vendor, suffix);
      expect(depth).toContainEqual(
        line('ApproximateNumberOfMessagesVisible', deadLetterQueue, taskDeadLetterQueueName(vendor, suffix)),
      );
      expect(backlog).toContainEqual(line('ApproximateNumberOfMessagesVisible', queue, `${name} waiting`));
      expect(backlog).toContainEqual(line('ApproximateNumberOfMessagesNotVisible', queue, `${name} in flight`));
      expect(age).toContainEqual(line('ApproximateAgeOfOldestMessage', queue, name));
    }
    expect(depth).toHaveLength(2 + lanes.length);
    expect(backlog).toHaveLength(2 * lanes.length);
    expect(age).toHaveLength(lanes.length);
  });

  it('draws every lane’s λ throttles and concurrent executions, one line each, labelled with vendor and lane', () => {
    const throttles = titled('Vendor λ throttles (reserved concurrency reached)').properties.metrics!;
    const concurrency = titled('Vendor λ concurrent executions (of reserved concurrency)').properties.metrics!;
    for (const { vendor, lane } of lanes) {
      const fn = `ref:${logicalIdOf(synth.stack, laneFn(vendor, lane))}`;
      const label = vendorLanes(VENDORS[vendor].budget).length > 1 ? `${vendor} ${lane.name}` : vendor;
      expect(throttles).toContainEqual([
        'AWS/Lambda',
        'Throttles',
        'FunctionName',
        fn,
        expect.objectContaining({ label, stat: 'Sum' }),
      ]);
      expect(concurrency).toContainEqual([
        'AWS/Lambda',
        'ConcurrentExecutions',
        'FunctionName',
        fn,
        expect.objectContaining({ label: `${label} (of ${lane.reservedConcurrency})`, stat: 'Maximum' }),
      ]);
    }
    expect(throttles).toHaveLength(lanes.length);
    expect(concurrency).toHaveLength(lanes.length);
  });
});

describe('the lanes given to the construct', () => {
  const [create, asset] = vendorLanes(VENDORS['alibaba-cams'].budget).map((l) => l.name) as [string, string];

  it('are each watched under the subject and label of its lane, in config order', () => {
    const construct = observed('alibaba-cams', [asset, create], [create, asset]);
    expect(construct.lanes.map((l) => [l.subject, l.label, l.tasks?.queueName])).toEqual([
      ['alibaba-cams', `alibaba-cams ${create}`, taskQueueName('alibaba-cams')],
      [`alibaba-cams-${asset}`, `alibaba-cams ${asset}`, taskQueueName('alibaba-cams', `-${asset}`)],
    ]);
    // Invoke mode: the first lane's λ alone is the vendor's, under the vendor's own label.
    expect(observed('alibaba-cams', [create]).lanes.map((l) => [l.subject, l.label, l.tasks])).toEqual([
      ['alibaba-cams', 'alibaba-cams', undefined],
    ]);
  });

  it('must be lanes the vendor declares, with its first lane’s λ, and a task queue for each λ when queued', () => {
    expect(() => observed('alibaba-cams', [create, 'nightly'])).toThrow(/alibaba-cams declares no lane nightly/);
    expect(() => observed('alibaba-cams', [asset])).toThrow(`no λ for the first lane (${create}) of alibaba-cams`);
    expect(() => observed('alibaba-cams', [create, asset], [create])).toThrow(
      `alibaba-cams lanes ${asset} have a λ or a task queue, not both`,
    );
  });
});

/** The Observability construct over one vendor with λs (and, if given, task queues) of the named lanes. */
function observed(
  vendor: VendorId,
  fnLanes: readonly string[],
  queueLanes?: readonly string[],
  options: { alarmEmails?: string[]; alarmTopicArn?: string } = {},
): Observability {
  const stack = new Stack(new App(), 'Observed');
  const fn = (id: string) =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {}'),
    });
  const queue = new sqs.Queue(stack, 'Ingress');
  const machine = new sfn.StateMachine(stack, 'Machine', {
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')),
  });
  return new Observability(stack, 'Observability', {
    ingressQueue: queue,
    deadLetterQueues: { dlq: new sqs.Queue(stack, 'Dlq') },
    dispatcher: fn('Dispatcher'),
    vendorFunctions: { [vendor]: Object.fromEntries(fnLanes.map((lane) => [lane, fn(`Vendor-${lane}`)])) },
    ...(queueLanes
      ? {
          taskQueues: {
            [vendor]: Object.fromEntries(
              queueLanes.map((lane) => [
                lane,
                {
                  queue: new sqs.Queue(stack, `Tasks-${lane}`),
                  deadLetterQueue: new sqs.Queue(stack, `TaskDlq-${lane}`),
                },
              ]),
            ),
          },
        }
      : {}),
    stateMachines: { [vendor]: machine },
    ...options,
  });
}
