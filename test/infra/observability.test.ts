/**
 * Infrastructure: alarms, dashboard and alarm notifications (vendor secrets: `vendor-secrets.test.ts`). The app is synthesized once, with alarm
 * notifications by email and in queue mode (the full set of resources: task queues and their DLQs), without bundling:
 * these tests read resource properties only. The invoke-mode alarm set is checked in `dispatch-mode.test.ts`.
 * Thresholds, metric names and limits are read from the modules the handlers and the stack share.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../cdk/build-app.ts';
import { limitPerMinute } from '../../cdk/constructs/dashboard-widgets.ts';
import { ALARM_KINDS, Observability } from '../../cdk/constructs/observability.ts';
import { ALARMS, bindingScope, VENDORS, type VendorConfig, vendorLanes } from '../../functions/domain/config.ts';
import { METRICS_NAMESPACE, SERVICE_NAME, VENDOR_CALL_METRICS } from '../../functions/domain/metric-names.ts';
import { VENDOR_CREDENTIAL_KEYS } from '../../functions/domain/vendor-credentials.ts';
import { VendorCallMeter } from '../../functions/flow-steps/call-metrics.ts';
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
const _withSecrets = vendors.filter((v) => VENDOR_CREDENTIAL_KEYS[v].length > 0);
const EMAILS = ['oncall@example.com', 'media-ops@example.com'];

let synth: SynthResult;
let resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
let topicId: string;

beforeAll(() => {
  synth = synthFlowProvisioner({
    context: { alarmEmails: EMAILS.join(','), dispatchMode: 'queue' },
    skipBundling: true,
  });
  resources = synth.template.toJSON().Resources;
  topicId = logicalIdOf(synth.stack, synth.stack.observability.alarmTopic as never);
});
afterAll(() => synth?.cleanup());

const alarm = (name: string) => synthesizedAlarm(synth.template, name);

const ref = (construct: unknown) => ({ Ref: logicalIdOf(synth.stack, construct as never) });

/** Every lane of every vendor (queue mode builds a λ, task queue and DLQ for each; observability-lanes.test.ts). */
const lanes = configs.flatMap(({ budget }) => vendorLanes(budget));

describe('alarms', () => {
  it('fires when any message is visible on the DLQ (not when one is sent)', () => {
    const dlq = alarm(stageAlarmName('dlq-messages', 'provision-dlq'));
    expect(dlq).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [logicalIdOf(synth.stack, synth.stack.intake.deadLetterQueue), 'QueueName'] },
        },
      ],
      Statistic: 'Maximum',
      Period: 60,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('fires when the oldest ingress message has waited longer than the configured age, for minutes', () => {
    expect(alarm(stageAlarmName('ingress-oldest-message-age'))).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [logicalIdOf(synth.stack, synth.stack.intake.ingressQueue), 'QueueName'] },
        },
      ],
      Statistic: 'Maximum',
      Period: 60,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: ALARMS.ingressOldestMessageAgeSeconds,
      EvaluationPeriods: ALARMS.ingressAgeMinutes,
      DatapointsToAlarm: ALARMS.ingressAgeMinutes,
      TreatMissingData: 'notBreaching',
    });
  });

  it.each([
    ['executions-failed', 'ExecutionsFailed'],
    ['executions-timed-out', 'ExecutionsTimedOut'],
    ['executions-throttled', 'ExecutionThrottled'],
  ] as const)('%s: fires on any %s of each vendor machine', (kind, metricName) => {
    for (const vendor of vendors) {
      expect(alarm(stageAlarmName(kind, vendor))).toMatchObject({
        Namespace: 'AWS/States',
        MetricName: metricName,
        Dimensions: [{ Name: 'StateMachineArn', Value: ref(synth.stack.workflow.stateMachineFor(vendor)) }],
        Statistic: 'Sum',
        Period: ALARMS.executionsPeriodMinutes * 60,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('fires on any vendor throttle answer, read from the very dimensions the vendor λ writes', async () => {
    // What the vendor λ writes for one throttled call (its second dimension set is the per-vendor one).
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const meter = new VendorCallMeter('volcengine-live', {
        metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }),
        enabled: true,
      });
      const throttled = Object.assign(new Error('FlowLimitExceeded'), { name: 'VendorThrottled' });
      await meter
        .pace((call) => call())(() => Promise.reject(throttled), { operation: 'CreatePullToPushTask' })
        .catch(() => undefined);
    } finally {
      spy.mockRestore();
    }
    const emf = JSON.parse(lines.join('').trim()) as Record<string, unknown> & {
      _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] };
    };
    const [directive] = emf._aws.CloudWatchMetrics;
    const perVendor = directive!.Dimensions.find((set) => !set.includes('operation'))!;
    const written = perVendor
      .map((name) => ({ Name: name, Value: emf[name] }))
      .sort((a, b) => a.Name.localeCompare(b.Name));

    for (const vendor of vendors) {
      const props = alarm(stageAlarmName('vendor-throttles', vendor));
      expect(props).toMatchObject({
        Namespace: directive!.Namespace,
        MetricName: VENDOR_CALL_METRICS.throttles,
        Statistic: 'Sum',
        Period: ALARMS.vendorThrottlesPeriodMinutes * 60,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
      const dims = [...(props.Dimensions as { Name: string; Value: string }[])].sort((a, b) =>
        a.Name.localeCompare(b.Name),
      );
      expect(dims.map((d) => d.Name)).toEqual(written.map((d) => d.Name));
      expect(dims).toEqual(written.map((d) => (d.Name === 'vendor' ? { ...d, Value: vendor } : d)));
    }
    expect(emf.VendorThrottles).toBe(1);
  });

  it('are exactly these, every one treating missing data as not breaching and notifying the topic', () => {
    const all = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    // One dlq-messages alarm per dead-letter queue (provision-dlq, provision-delivery-dlq and, in queue mode, each
    // lane's task DLQ), one ingress-age alarm, one λ throttle and one backlog-age alarm per lane, and the other
    // per-vendor kinds.
    expect(synth.stack.dispatchMode).toBe('queue');
    const perVendor = ALARM_KINDS.filter(
      (k) =>
        ![
          'dlq-messages',
          'ingress-oldest-message-age',
          'vendor-function-throttles',
          'task-queue-oldest-item-age',
        ].includes(k),
    );
    expect(all).toHaveLength(3 + 3 * lanes.length + perVendor.length * vendors.length);
    for (const { Properties: props } of all) {
      expect(props.TreatMissingData).toBe('notBreaching');
      expect(props.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(props.OKActions).toEqual([{ Ref: topicId }]);
      expect(String(props.AlarmDescription).length).toBeGreaterThan(40);
    }
  });
});

describe('alarm notifications', () => {
  it('go to an SNS topic encrypted with a rotating customer managed key, subscribed by each email', () => {
    const topic = resources[topicId]!.Properties;
    const keyId = (topic.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(resources[keyId]).toMatchObject({ Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } });
    for (const email of EMAILS) {
      synth.template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: email,
        TopicArn: { Ref: topicId },
      });
    }
  });

  it('accept TLS only, and only from this stack’s alarms (topic policy and key policy)', () => {
    const fromOurAlarms = {
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', Match.arrayWith([`:alarm:flow-provisioner-${TEST_STAGE}-*`])] } },
    };
    synth.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Principal: '*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: fromOurAlarms,
          }),
        ]),
      },
    });
    synth.template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: fromOurAlarms,
          }),
        ]),
      },
    });
  });

  it('pass cdk-nag (AwsSolutions and Serverless), the email subscriptions’ missing DLQ acknowledged with a reason', () => {
    expect(synth.nagViolations.filter((v) => v.severity === 'error')).toEqual([]);
    expect(synth.synthError).toBeUndefined();
    const acks = synth.stack.observability.alarmTopic!.node.metadata.filter(
      (m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY,
    );
    expect(JSON.stringify(acks.map((m) => m.data))).toMatch(/Serverless-SNSRedrivePolicy.{60,}/);
  });

  it('can use an existing topic instead, or none at all', () => {
    const existing = 'arn:aws:sns:eu-west-1:123456789012:on-call';
    const withTopic = Template.fromStack(observedStack({ alarmTopicArn: existing }));
    withTopic.resourceCountIs('AWS::SNS::Topic', 0);
    withTopic.resourceCountIs('AWS::KMS::Key', 0);
    for (const a of Object.values(withTopic.findResources('AWS::CloudWatch::Alarm'))) {
      expect(a.Properties.AlarmActions).toEqual([existing]);
    }
    const silent = Template.fromStack(observedStack({}));
    silent.resourceCountIs('AWS::SNS::Topic', 0);
    for (const a of Object.values(silent.findResources('AWS::CloudWatch::Alarm'))) {
      expect(a.Properties.AlarmActions).toBeUndefined();
    }
    expect(() => observedStack({ alarmTopicArn: existing, alarmEmails: ['a@example.com'] })).toThrow(/not both/);
  });

  it('are configured from context, which is validated', () => {
    expect(() => buildApp({ context: { alarmEmails: 'not-an-address' } })).toThrow(/alarmEmails/);
    expect(() => buildApp({ context: { alarmTopicArn: 'arn:aws:sqs:eu-west-1:123456789012:x' } })).toThrow(
      /alarmTopicArn/,
    );
  });
});

describe('dashboard', () => {
  let widgets: DashboardWidget[];
  beforeAll(() => {
    const dashboard = dashboardWidgets(synth.template);
    expect(dashboard.name).toBe(`flow-provisioner-${TEST_STAGE}`);
    widgets = dashboard.widgets;
  });
  const titled = (title: string) => {
    const widget = widgets.find((w) => w.properties.title === title);
    expect(widget, title).toBeDefined();
    return widget!;
  };

  it('draws each vendor’s calls per minute against its documented limit from the config', () => {
    for (const config of configs) {
      const widget = titled(`${config.vendor}: vendor calls per minute vs limit`);
      const metrics = widget.properties.metrics!;
      for (const name of [VENDOR_CALL_METRICS.calls, VENDOR_CALL_METRICS.throttles, VENDOR_CALL_METRICS.errors]) {
        expect(metrics).toContainEqual([
          METRICS_NAMESPACE,
          name,
          'service',
          SERVICE_NAME,
          'vendor',
          config.vendor,
          expect.objectContaining({ stat: 'Sum', period: 60 }),
        ]);
      }
      const [limit] = widget.properties.annotations!.horizontal!;
      expect(limit!.value).toBe(limitPerMinute(config.budget).documented);
      const scope = bindingScope(config.budget);
      expect(limit!.value).toBe((scope.documentedLimit * 60) / scope.windowSeconds);
      expect(limit!.label).toContain(`documented limit ${scope.documentedLimit}/`);
    }
    expect(titled('huawei-live: vendor calls per minute vs limit').properties.annotations!.horizontal![0]!.value).toBe(
      80,
    );
  });

  it('shows the backlog, the DLQ depth and executions by status for on-call', () => {
    const names = (w: DashboardWidget) => JSON.stringify(w.properties.metrics);
    expect(names(titled('Ingress backlog'))).toContain('ApproximateAgeOfOldestMessage');
    expect(names(titled('Dead-letter queue depth'))).toContain('ApproximateNumberOfMessagesVisible');
    const executions = names(titled('Executions by status (all vendors)'));
    for (const metric of [
      'ExecutionsStarted',
      'ExecutionsSucceeded',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
      'ExecutionsAborted',
      'ExecutionThrottled',
    ]) {
      expect(executions).toContain(metric);
    }
    const perVendor = names(titled('Provisioned and failed, per vendor'));
    for (const vendor of vendors) expect(perVendor).toContain(`${vendor} provisioned`);
  });

  it('lists every alarm', () => {
    const status = widgets.find((w) => w.type === 'alarm')!;
    expect(status.properties.alarms).toHaveLength(
      Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm').length,
    );
  });
});

describe('cdk-nag in the app', () => {
  it('runs the Serverless pack in every synth, besides AwsSolutions', () => {
    const { app, stack } = buildApp({ context: { 'aws:cdk:bundling-stacks': [] } });
    // A queue with no redrive policy and no acknowledgement: the Serverless pack must fail the synth on it.
    new sqs.Queue(stack, 'UnreviewedQueue', { enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED });
    expect(() => app.synth()).toThrow(/Serverless-SQSRedrivePolicy/);
  });
});

/** A stack with only the Observability construct over minimal collaborators (no synth of the whole app). */
function observedStack(options: { alarmEmails?: string[]; alarmTopicArn?: string }): Stack {
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
  const firstLane = vendorLanes(VENDORS['aws-mediaconnect'].budget)[0]!.name;
  new Observability(stack, 'Observability', {
    ingressQueue: queue,
    deadLetterQueues: { dlq: new sqs.Queue(stack, 'Dlq') },
    dispatcher: fn('Dispatcher'),
    vendorFunctions: { 'aws-mediaconnect': { [firstLane]: fn('Vendor') } },
    stateMachines: { 'aws-mediaconnect': machine },
    ...options,
  });
  return stack;
}
