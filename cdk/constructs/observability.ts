/**
 * Observability (docs/architecture.md, "Quality bars"): the alarms on-call is paged by and the dashboard they look at first. Every threshold comes
 * from `ALARMS` in `functions/domain/config.ts`, every custom metric name from `functions/domain/metric-names.ts`, and
 * every vendor limit drawn on the dashboard from `VENDORS`; `docs/observability.md` says what each alarm means.
 *
 * Notifications are optional: with `alarmEmails` the construct creates an SNS topic encrypted with a customer managed
 * key (CloudWatch cannot publish to a topic under the AWS managed `aws/sns` key, whose policy it cannot be added to)
 * that accepts TLS only; with `alarmTopicArn` the alarms notify an existing topic; with neither they only change state
 * (dashboard, console).
 */
import { ArnFormat, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  ALARMS,
  bindingScope,
  type RateBudget,
  type RateScope,
  VENDORS,
  type VendorConfig,
} from '../../functions/domain/config.ts';
import type { VendorId } from '../../functions/domain/contract.ts';
import {
  DIMENSION,
  DISPATCH_METRICS,
  METRICS_NAMESPACE,
  SERVICE_NAME,
  VENDOR_CALL_METRICS,
} from '../../functions/domain/metric-names.ts';
import { taskDeadLetterQueueName, taskQueueName } from '../naming.ts';

/** Prefix of every alarm name (and of the `aws:SourceArn` CloudWatch may publish and use the topic key from). */
export const ALARM_PREFIX = 'flow-provisioner';
export const DASHBOARD_NAME = 'flow-provisioner';

/** The alarms, by kind; `alarmName(kind, subject)` is the name on-call sees. */
export const ALARM_KINDS = [
  'dlq-messages',
  'ingress-oldest-message-age',
  'executions-failed',
  'executions-timed-out',
  'executions-throttled',
  'vendor-function-throttles',
  'vendor-throttles',
] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

/**
 * `<prefix>-<kind>[-<subject>]`, e.g. `flow-provisioner-dev-executions-failed-huawei-live` with the stack's prefix
 * (`flow-provisioner-<stage>`).
 */
export function alarmName(kind: AlarmKind, subject?: string, prefix: string = ALARM_PREFIX): string {
  return [prefix, kind, subject].filter((part) => part !== undefined).join('-');
}

export interface ObservabilityProps {
  /** The ingress queue: its backlog and the age of its oldest message. */
  readonly ingressQueue: IQueue;
  /**
   * Dead-letter queues by a short name (used in the alarm name): any visible message in one is a request that needs an
   * operator.
   */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** The dispatcher λ. */
  readonly dispatcher: IFunction;
  /** The vendor λ per vendor. */
  readonly vendorFunctions: Readonly<Partial<Record<VendorId, IFunction>>>;
  /** The provisioning workflow per vendor. */
  readonly stateMachines: Readonly<Partial<Record<VendorId, IStateMachine>>>;
  /**
   * Queue mode: each vendor's task queue and its DLQ. Each DLQ gets the dead-letter alarm and a line on the DLQ depth
   * widget; the queues' backlog is drawn per vendor.
   * @default none (invoke mode)
   */
  readonly taskQueues?: Readonly<
    Partial<Record<VendorId, { readonly queue: IQueue; readonly deadLetterQueue: IQueue }>>
  >;
  /**
   * Email addresses to notify (each confirms its subscription once). Creates an encrypted, TLS-only topic.
   * @default no topic
   */
  readonly alarmEmails?: readonly string[];
  /**
   * An existing SNS topic to notify instead (its key policy must let `cloudwatch.amazonaws.com` use it).
   * @default no topic
   */
  readonly alarmTopicArn?: string;
  /**
   * Removal policy of the topic's key.
   * @default RemovalPolicy.RETAIN (the key's default)
   */
  readonly keyRemovalPolicy?: RemovalPolicy;
  /**
   * Prefix of the alarm names and the dashboard's name; the stack passes `flow-provisioner-<stage>`.
   * @default ALARM_PREFIX
   */
  readonly namePrefix?: string;
  /** @default the name prefix (DASHBOARD_NAME without one) */
  readonly dashboardName?: string;
}

export class Observability extends Construct {
  /** Every alarm, by name. */
  public readonly alarms: Readonly<Record<string, cloudwatch.Alarm>>;
  /** Where the alarms notify, if anywhere. */
  public readonly alarmTopic: sns.ITopic | undefined;
  /** The created topic's key (only when the construct created the topic). */
  public readonly alarmTopicKey: kms.Key | undefined;
  public readonly dashboard: cloudwatch.Dashboard;

  private readonly alarmList: cloudwatch.Alarm[] = [];
  /** Prefix of the alarm names (and of the alarm ARNs the topic accepts). */
  private readonly namePrefix: string;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.namePrefix = props.namePrefix ?? ALARM_PREFIX;
    const vendors = (Object.values(VENDORS) as readonly VendorConfig[]).filter(
      (c) => props.vendorFunctions[c.vendor] !== undefined,
    );
    const missing = vendors.filter((c) => props.stateMachines[c.vendor] === undefined).map((c) => c.vendor);
    if (missing.length > 0) throw new Error(`Observability: no state machine for ${missing.join(', ')}`);
    if (props.alarmEmails?.length && props.alarmTopicArn) {
      throw new Error('Observability: give alarmEmails or alarmTopicArn, not both');
    }

    const notify = this.notificationTarget(props);
    this.alarmTopic = notify.topic;
    this.alarmTopicKey = notify.key;

    // --- alarms ------------------------------------------------------------------------------------------------
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      this.alarm('dlq-messages', name, {
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
        threshold: 0,
        evaluationPeriods: 1,
        description:
          `Messages are waiting in ${name}: rejected requests (reason=InvalidRequest) or failure records ` +
          '(reason=WorkflowFailed, with error, cause, failedState). Inspect with `flowctl dlq list`, fix, then ' +
          '`flowctl dlq redrive`. See docs/runbook.md.',
      });
    }
    for (const { vendor } of vendors) {
      const tasks = props.taskQueues?.[vendor];
      if (!tasks) continue;
      const name = taskDeadLetterQueueName(vendor);
      this.alarm('dlq-messages', name, {
        metric: tasks.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        threshold: 0,
        evaluationPeriods: 1,
        description:
          `Work items are waiting in ${name}: the ${vendor} λ could not answer the workflow for them (not JSON, no ` +
          "task token, or Step Functions unreachable on every receive). Each item's workflow step times out and " +
          'leaves its failure record on provision-dlq, which is what to redrive; inspect these items for the cause, ' +
          'then purge them (their task tokens are dead). See docs/runbook.md.',
      });
    }
    this.alarm('ingress-oldest-message-age', undefined, {
      metric: props.ingressQueue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: ALARMS.ingressOldestMessageAgeSeconds,
      evaluationPeriods: ALARMS.ingressAgeMinutes,
      description:
        `The oldest provision request has waited over ${ALARMS.ingressOldestMessageAgeSeconds} s for ` +
        `${ALARMS.ingressAgeMinutes} minutes: the dispatcher is failing, throttled or not consuming. Check its ` +
        'errors and logs. See docs/runbook.md.',
    });
    const period = Duration.minutes(ALARMS.executionsPeriodMinutes);
    for (const { vendor } of vendors) {
      const machine = props.stateMachines[vendor]!;
      this.alarm('executions-failed', vendor, {
        metric: machine.metricFailed({ period, statistic: 'Sum' }),
        threshold: 0,
        evaluationPeriods: 1,
        description:
          `A provision-flow-${vendor} execution failed: its failure record is on the DLQ with the error and the ` +
          'failed state. See docs/runbook.md.',
      });
      this.alarm('executions-timed-out', vendor, {
        metric: machine.metricTimedOut({ period, statistic: 'Sum' }),
        threshold: 0,
        evaluationPeriods: 1,
        description: `A provision-flow-${vendor} execution timed out; redrive resumes it at the step that was running.`,
      });
      this.alarm('executions-throttled', vendor, {
        metric: machine.metricThrottled({ period, statistic: 'Sum' }),
        threshold: 0,
        evaluationPeriods: 1,
        description: `Step Functions throttled provision-flow-${vendor} (state transitions or StartExecution quota).`,
      });
      const { threshold, datapointsToAlarm, evaluationPeriods } = ALARMS.vendorFunctionThrottles;
      this.alarm('vendor-function-throttles', vendor, {
        metric: props.vendorFunctions[vendor]!.metricThrottles({ period: Duration.minutes(1), statistic: 'Sum' }),
        threshold,
        evaluationPeriods,
        datapointsToAlarm,
        description:
          `The ${vendor} λ was throttled more than ${threshold} times a minute in ${datapointsToAlarm} of the last ` +
          `${evaluationPeriods} minutes: its reserved concurrency (the vendor budget) has been saturated for long; ` +
          'requests wait longer and longer. See docs/runbook.md.',
      });
      this.alarm('vendor-throttles', vendor, {
        metric: vendorMetric(
          VENDOR_CALL_METRICS.throttles,
          vendor,
          Duration.minutes(ALARMS.vendorThrottlesPeriodMinutes),
        ),
        threshold: 0,
        evaluationPeriods: 1,
        description:
          `${vendor} answered its throttle error despite pacing: something else spends the same account's budget, ` +
          'or the configured limit is above what the vendor enforces. See docs/runbook.md.',
      });
    }
    this.alarms = Object.fromEntries(this.alarmList.map((a) => [a.node.id, a]));

    // --- dashboard ---------------------------------------------------------------------------------------------
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? props.namePrefix ?? DASHBOARD_NAME,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        width: 24,
        height: 2,
        markdown:
          '# flow-provisioner\nIngress → dispatcher → one workflow per vendor → one paced λ per vendor. What each ' +
          'alarm means: `docs/observability.md`; what to do: `docs/runbook.md`.',
      }),
    );
    this.dashboard.addWidgets(...this.intakeWidgets(props));
    this.dashboard.addWidgets(...this.executionWidgets(props, vendors));
    this.dashboard.addWidgets(...vendors.map((config) => vendorCallsWidget(config)));
    this.dashboard.addWidgets(...this.vendorFunctionWidgets(props, vendors));
    const taskQueueWidgets = this.taskQueueWidgets(props, vendors);
    if (taskQueueWidgets.length > 0) this.dashboard.addWidgets(...taskQueueWidgets);
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: 24, height: 6, alarms: this.alarmList }),
    );
  }

  private alarm(
    kind: AlarmKind,
    subject: string | undefined,
    options: {
      metric: cloudwatch.IMetric;
      threshold: number;
      evaluationPeriods: number;
      datapointsToAlarm?: number;
      description: string;
    },
  ): cloudwatch.Alarm {
    // The construct id stays the stage-free name, so `alarms` is keyed the same in every stage.
    const alarm = new cloudwatch.Alarm(this, alarmName(kind, subject), {
      alarmName: alarmName(kind, subject, this.namePrefix),
      alarmDescription: options.description,
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: options.evaluationPeriods,
      datapointsToAlarm: options.datapointsToAlarm ?? options.evaluationPeriods,
      // No data is a quiet pipeline (an empty DLQ publishes nothing after a while; an idle vendor makes no calls).
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (this.alarmTopic) {
      const action = new SnsAction(this.alarmTopic);
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
    this.alarmList.push(alarm);
    return alarm;
  }

  private notificationTarget(props: ObservabilityProps): { topic?: sns.ITopic; key?: kms.Key } {
    if (props.alarmTopicArn) return { topic: sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn) };
    const emails = props.alarmEmails ?? [];
    if (emails.length === 0) return {};

    const stack = Stack.of(this);
    const cloudwatchPrincipal = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    // Only this account's alarms of this stack (by name prefix) may publish, and use the key to do so.
    const fromOurAlarms = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: {
        'aws:SourceArn': stack.formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: `${this.namePrefix}-*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    };
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the flow-provisioner alarm topic',
      enableKeyRotation: true,
      ...(props.keyRemovalPolicy ? { removalPolicy: props.keyRemovalPolicy } : {}),
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToTheTopic',
        principals: [cloudwatchPrincipal],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        // In a key policy "*" is this key.
        resources: ['*'],
        conditions: fromOurAlarms,
      }),
    );
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'flow-provisioner alarms',
      masterKey: key,
      enforceSSL: true,
    });
    // enforceSSL replaces the topic's default policy, so CloudWatch needs its own statement.
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [cloudwatchPrincipal],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: fromOurAlarms,
      }),
    );
    for (const email of emails) topic.addSubscription(new EmailSubscription(email));
    Validations.of(topic).acknowledge({
      id: 'Serverless-SNSRedrivePolicy',
      reason:
        'The subscriptions are email addresses of on-call staff; SNS retries email delivery itself, and a dead-letter ' +
        'queue of undelivered alarm notifications would be read by no one: the alarm states stay on the dashboard and ' +
        'in the CloudWatch console.',
    });
    return { topic, key };
  }

  private intakeWidgets(props: ObservabilityProps): cloudwatch.IWidget[] {
    const minute = Duration.minutes(1);
    const dispatch = (name: string, label: string) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: name,
        dimensionsMap: { [DIMENSION.service]: SERVICE_NAME },
        statistic: 'Sum',
        period: minute,
        label,
      });
    return [
      new cloudwatch.GraphWidget({
        title: 'Ingress backlog',
        width: 8,
        left: [
          props.ingressQueue.metricApproximateNumberOfMessagesVisible({ period: minute, label: 'waiting' }),
          props.ingressQueue.metricApproximateNumberOfMessagesNotVisible({ period: minute, label: 'in flight' }),
        ],
        right: [
          props.ingressQueue.metricApproximateAgeOfOldestMessage({ period: minute, label: 'oldest message (s)' }),
        ],
        rightAnnotations: [
          { value: ALARMS.ingressOldestMessageAgeSeconds, label: 'age alarm', color: cloudwatch.Color.RED },
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Dead-letter queue depth',
        width: 8,
        left: [
          ...Object.entries(props.deadLetterQueues),
          ...(Object.entries(props.taskQueues ?? {}) as [VendorId, { deadLetterQueue: IQueue }][]).map(
            ([vendor, tasks]) => [taskDeadLetterQueueName(vendor), tasks.deadLetterQueue] as const,
          ),
        ].map(([name, queue]) =>
          queue.metricApproximateNumberOfMessagesVisible({ period: minute, statistic: 'Maximum', label: name }),
        ),
        leftAnnotations: [{ value: 0, label: 'alarm above 0', color: cloudwatch.Color.RED }],
      }),
      new cloudwatch.GraphWidget({
        title: 'Dispatcher: requests by outcome',
        width: 8,
        stacked: true,
        left: [
          dispatch(DISPATCH_METRICS.started, 'started'),
          dispatch(DISPATCH_METRICS.duplicate, 'duplicate'),
          dispatch(DISPATCH_METRICS.redriven, 'redriven'),
          dispatch(DISPATCH_METRICS.rejected, 'rejected'),
        ],
        right: [props.dispatcher.metricErrors({ period: minute, label: 'dispatcher errors' })],
      }),
    ];
  }

  private executionWidgets(props: ObservabilityProps, vendors: readonly VendorConfig[]): cloudwatch.IWidget[] {
    const period = Duration.minutes(5);
    const statuses = [
      ['started', (m: IStateMachine) => m.metricStarted({ period, statistic: 'Sum' })],
      ['succeeded', (m: IStateMachine) => m.metricSucceeded({ period, statistic: 'Sum' })],
      ['failed', (m: IStateMachine) => m.metricFailed({ period, statistic: 'Sum' })],
      ['timed out', (m: IStateMachine) => m.metricTimedOut({ period, statistic: 'Sum' })],
      ['aborted', (m: IStateMachine) => m.metricAborted({ period, statistic: 'Sum' })],
      ['throttled', (m: IStateMachine) => m.metricThrottled({ period, statistic: 'Sum' })],
    ] as const;
    const machines = vendors.map((c) => props.stateMachines[c.vendor]!);
    // Metric ids must be unique within a graph: each expression numbers its own metrics after a prefix of its own.
    let expressions = 0;
    const sumOf = (label: string, metrics: cloudwatch.IMetric[]) => {
      const prefix = `e${expressions++}m`;
      return new cloudwatch.MathExpression({
        expression: `SUM([${metrics.map((_, i) => `${prefix}${i}`).join(',')}])`,
        usingMetrics: Object.fromEntries(metrics.map((metric, i) => [`${prefix}${i}`, metric])),
        label,
        period,
      });
    };
    return [
      new cloudwatch.GraphWidget({
        title: 'Executions by status (all vendors)',
        width: 12,
        left: statuses.map(([label, metricOf]) => sumOf(label, machines.map(metricOf))),
      }),
      new cloudwatch.GraphWidget({
        title: 'Provisioned and failed, per vendor',
        width: 12,
        left: vendors.map(({ vendor }) =>
          props.stateMachines[vendor]!.metricSucceeded({ period, statistic: 'Sum', label: `${vendor} provisioned` }),
        ),
        right: vendors.map(({ vendor }) => {
          const machine = props.stateMachines[vendor]!;
          return sumOf(`${vendor} failed`, [
            machine.metricFailed({ period, statistic: 'Sum' }),
            machine.metricTimedOut({ period, statistic: 'Sum' }),
            machine.metricAborted({ period, statistic: 'Sum' }),
          ]);
        }),
      }),
    ];
  }

  private vendorFunctionWidgets(props: ObservabilityProps, vendors: readonly VendorConfig[]): cloudwatch.IWidget[] {
    const minute = Duration.minutes(1);
    return [
      new cloudwatch.GraphWidget({
        title: 'Vendor call latency p99 (ms)',
        width: 12,
        left: vendors.map(({ vendor }) =>
          vendorMetric(VENDOR_CALL_METRICS.latency, vendor, minute, 'p99', `${vendor} p99`),
        ),
      }),
      new cloudwatch.GraphWidget({
        title: 'Vendor λ throttles (reserved concurrency reached)',
        width: 12,
        left: vendors.map(({ vendor }) =>
          props.vendorFunctions[vendor]!.metricThrottles({ period: minute, statistic: 'Sum', label: vendor }),
        ),
        leftAnnotations: [
          {
            value: ALARMS.vendorFunctionThrottles.threshold,
            label: 'sustained-throttle alarm',
            color: cloudwatch.Color.RED,
          },
        ],
      }),
    ];
  }

  /** Queue mode: how many work items wait for each vendor λ, and for how long (a burst drains at the vendor's limit). */
  private taskQueueWidgets(props: ObservabilityProps, vendors: readonly VendorConfig[]): cloudwatch.IWidget[] {
    const minute = Duration.minutes(1);
    const queued = vendors.filter(({ vendor }) => props.taskQueues?.[vendor] !== undefined);
    if (queued.length === 0) return [];
    const queueOf = (vendor: VendorId) => props.taskQueues![vendor]!.queue;
    return [
      new cloudwatch.GraphWidget({
        title: 'Vendor task queues: work items waiting and in flight',
        width: 12,
        left: queued.map(({ vendor }) =>
          queueOf(vendor).metricApproximateNumberOfMessagesVisible({
            period: minute,
            statistic: 'Maximum',
            label: `${taskQueueName(vendor)} waiting`,
          }),
        ),
        right: queued.map(({ vendor }) =>
          queueOf(vendor).metricApproximateNumberOfMessagesNotVisible({
            period: minute,
            statistic: 'Maximum',
            label: `${taskQueueName(vendor)} in flight`,
          }),
        ),
      }),
      new cloudwatch.GraphWidget({
        title: 'Vendor task queues: oldest work item (s)',
        width: 12,
        left: queued.map(({ vendor }) =>
          queueOf(vendor).metricApproximateAgeOfOldestMessage({
            period: minute,
            statistic: 'Maximum',
            label: taskQueueName(vendor),
          }),
        ),
        leftYAxis: { min: 0 },
      }),
    ];
  }
}

/** A vendor call metric of one vendor (dimension set `[service, vendor]`). */
function vendorMetric(
  name: string,
  vendor: VendorId,
  period: Duration,
  statistic = 'Sum',
  label?: string,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { [DIMENSION.service]: SERVICE_NAME, [DIMENSION.vendor]: vendor },
    statistic,
    period,
    ...(label ? { label } : {}),
  });
}

/**
 * Calls per minute against the documented limit of the vendor's binding scope (the one covering every call when
 * there is one; `functions/domain/config.ts`, `bindingScope`), and the share of it we spend, when lower. The widget
 * counts every call of the vendor, so a scope counted per operation or Region is drawn as the limit of one of them.
 */
export function limitPerMinute(budget: RateBudget): { documented: number; spend: number; scope: RateScope } {
  const scope = bindingScope(budget);
  return {
    documented: (scope.documentedLimit * 60) / scope.windowSeconds,
    spend: (scope.spendLimit * 60) / scope.windowSeconds,
    scope,
  };
}

/** One vendor's calls, throttles and errors per minute, with its documented limit drawn as a line. */
function vendorCallsWidget(config: VendorConfig): cloudwatch.GraphWidget {
  const { budget, vendor } = config;
  const minute = Duration.minutes(1);
  const limit = limitPerMinute(budget);
  const { scope } = limit;
  const per = scope.windowSeconds === 1 ? 's' : `${scope.windowSeconds} s`;
  const each = scope.eachOperation ? ' for each operation' : '';
  const annotations: cloudwatch.HorizontalAnnotation[] = [
    {
      value: limit.documented,
      label: `documented limit ${scope.documentedLimit}/${per} per ${scope.per}${each} = ${limit.documented}/min`,
      color: cloudwatch.Color.RED,
    },
  ];
  if (limit.spend < limit.documented) {
    annotations.push({
      value: limit.spend,
      label: `spend limit ${scope.spendLimit}/${per} = ${limit.spend}/min`,
      color: cloudwatch.Color.ORANGE,
    });
  }
  return new cloudwatch.GraphWidget({
    title: `${vendor}: vendor calls per minute vs limit`,
    width: 8,
    left: [
      vendorMetric(VENDOR_CALL_METRICS.calls, vendor, minute, 'Sum', 'calls'),
      vendorMetric(VENDOR_CALL_METRICS.throttles, vendor, minute, 'Sum', 'throttled by the vendor'),
      vendorMetric(VENDOR_CALL_METRICS.errors, vendor, minute, 'Sum', 'errors'),
    ],
    leftAnnotations: annotations,
    leftYAxis: { min: 0 },
  });
}
