/**
 * Observability (docs/architecture.md, "Quality bars"): the alarms on-call is paged by and the dashboard they look
 * at first (its widgets in `dashboard-widgets.ts`). Every threshold comes from `ALARMS` in
 * `functions/domain/config.ts`, every custom metric name from `functions/domain/metric-names.ts`, and every vendor
 * limit drawn on the dashboard from `VENDORS`; `docs/observability.md` says what each alarm means.
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
import { ALARMS, VENDORS, type VendorConfig } from '../../functions/domain/config.ts';
import type { VendorId } from '../../functions/domain/contract.ts';
import { VENDOR_CALL_METRICS } from '../../functions/domain/metric-names.ts';
import { QUEUED_TASK_TIMEOUT_SECONDS } from '../../functions/domain/queued-workflow.ts';
import {
  executionWidgets,
  intakeWidgets,
  taskQueueWidgets,
  vendorCallsWidget,
  vendorFunctionWidgets,
  vendorMetric,
} from './dashboard-widgets.ts';
import { type LaneFunctions, type LaneTaskQueues, type ObservedLane, observedLanes } from './observed-lanes.ts';

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
  'task-queue-oldest-item-age',
] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

/**
 * `<prefix>-<kind>[-<subject>]`, e.g. `flow-provisioner-dev-executions-failed-huawei-live` with the stack's prefix
 * (`flow-provisioner-<stage>`).
 */
export function alarmName(kind: AlarmKind, subject?: string, prefix: string = ALARM_PREFIX): string {
  return [prefix, kind, subject].filter((part) => part !== undefined).join('-');
}

/** What differs between the alarms (each fires above its threshold and treats missing data as not breaching). */
interface AlarmOptions {
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly evaluationPeriods: number;
  /** @default evaluationPeriods */
  readonly datapointsToAlarm?: number;
  readonly description: string;
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
  /**
   * Every lane's λ by vendor and lane name (`VendorFunctions.laneFunctions`; docs/adr/0007-lanes.md): in queue mode
   * each lane of `budget.lanes`, in invoke mode the first lane's only. Each λ gets the sustained-throttle alarm and a
   * line on the λ widgets. A vendor is watched when it has its first lane's λ here.
   */
  readonly vendorFunctions: LaneFunctions;
  /** The provisioning workflow per vendor. */
  readonly stateMachines: Readonly<Partial<Record<VendorId, IStateMachine>>>;
  /**
   * Queue mode: every lane's task queue and its DLQ by vendor and lane name (`VendorFunctions.laneTaskQueues`), of the
   * same lanes as `vendorFunctions`. Each DLQ gets the task-DLQ alarm and a line on the DLQ depth widget; each queue a
   * line on the backlog and oldest-item widgets.
   * @default none (invoke mode)
   */
  readonly taskQueues?: LaneTaskQueues;
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
  /** The lanes watched, in config order: each vendor's first, then its others (queue mode). */
  public readonly lanes: readonly ObservedLane[];

  private readonly alarmList: cloudwatch.Alarm[] = [];
  /** Prefix of the alarm names (and of the alarm ARNs the topic accepts). */
  private readonly namePrefix: string;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.namePrefix = props.namePrefix ?? ALARM_PREFIX;
    const vendors = (Object.values(VENDORS) as readonly VendorConfig[]).filter(
      (c) => props.vendorFunctions[c.vendor] !== undefined,
    );
    const lanes = observedLanes(vendors, props.vendorFunctions, props.taskQueues);
    this.lanes = lanes;
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
    // Every lane's task DLQ; the first lane's alarm keeps the vendor's name (and so its logical id).
    for (const { vendor, lane, only, tasks } of lanes) {
      if (!tasks) continue;
      const name = tasks.deadLetterQueueName;
      const which = only ? `the ${vendor} λ` : `the ${vendor} λ of lane ${lane.name}`;
      this.alarm('dlq-messages', name, {
        metric: tasks.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        threshold: 0,
        evaluationPeriods: 1,
        description:
          `Work items are waiting in ${name}: ${which} could not answer the workflow for them (not JSON, no task ` +
          "token, or Step Functions unreachable on every receive). Each item's workflow step times out and leaves " +
          'its failure record on provision-dlq, which is what to redrive; inspect these items for the cause, then ' +
          'purge them (their task tokens are dead). See docs/runbook.md.',
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
    for (const lane of lanes) {
      this.alarm('vendor-function-throttles', lane.subject, this.functionThrottles(lane));
    }
    // Queue mode: a lane whose backlog outlives half its steps' task timeout (a lane saturated by its own work does
    // not throttle: its poller never asks for more than its slots).
    for (const { vendor, lane, only, tasks, subject } of lanes) {
      if (!tasks) continue;
      const { taskQueueOldestItemAgeSeconds: threshold, taskQueueAgeMinutes: minutes } = ALARMS;
      this.alarm('task-queue-oldest-item-age', subject, {
        metric: tasks.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' }),
        threshold,
        evaluationPeriods: minutes,
        description:
          `The oldest work item on ${tasks.queueName} (${only ? vendor : `${vendor} lane ${lane.name}`}) has waited ` +
          `over ${threshold} s for ${minutes} minutes: the lane's backlog drains slower than it grows, and an item ` +
          `that waits ${QUEUED_TASK_TIMEOUT_SECONDS} s fails its execution with States.Timeout. See docs/runbook.md, ` +
          '"A lane\'s backlog nears the task timeout".',
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
          '# flow-provisioner\nIngress → dispatcher → one workflow per vendor → one paced λ per vendor lane. What each ' +
          'alarm means: `docs/observability.md`; what to do: `docs/runbook.md`.',
      }),
    );
    this.dashboard.addWidgets(...intakeWidgets(props, lanes));
    this.dashboard.addWidgets(...executionWidgets(props, vendors));
    this.dashboard.addWidgets(...vendors.map((config) => vendorCallsWidget(config)));
    this.dashboard.addWidgets(...vendorFunctionWidgets(vendors, lanes));
    const queueWidgets = taskQueueWidgets(lanes);
    if (queueWidgets.length > 0) this.dashboard.addWidgets(...queueWidgets);
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: 24, height: 6, alarms: this.alarmList }),
    );
  }

  /**
   * The sustained-throttle alarm of one lane's λ. Lambda throttles an invocation that finds every slot of the λ's
   * reserved concurrency busy. Invoked by the workflow, a λ whose slots stay busy is throttled: the vendor budget is
   * saturated. Fed by its task queue, whose poller runs at most as many invocations as the lane has slots
   * (`taskMaxConcurrency`), a busy lane waits in its queue instead, so sustained throttles there mean the λ has fewer
   * slots than its poller runs or something else invokes it.
   */
  private functionThrottles({ vendor, lane, only, fn, tasks }: ObservedLane): AlarmOptions {
    const { threshold, datapointsToAlarm, evaluationPeriods } = ALARMS.vendorFunctionThrottles;
    const sustained = `more than ${threshold} times a minute in ${datapointsToAlarm} of the last ${evaluationPeriods} minutes`;
    const metric = fn.metricThrottles({ period: Duration.minutes(1), statistic: 'Sum' });
    const options = { metric, threshold, evaluationPeriods, datapointsToAlarm };
    if (!tasks) {
      return {
        ...options,
        description:
          `The ${vendor} λ was throttled ${sustained}: its reserved concurrency (the vendor budget) has been ` +
          'saturated for long; requests wait longer and longer. See docs/runbook.md.',
      };
    }
    const which = only ? `The ${vendor} λ` : `The ${vendor} λ of lane ${lane.name} (steps ${lane.steps.join(', ')})`;
    return {
      ...options,
      description:
        `${which} was throttled ${sustained}: invocations found all ${lane.reservedConcurrency} of its reserved ` +
        `slots busy. Its poller on ${tasks.queueName} runs at most ${lane.reservedConcurrency} at once, so a lane ` +
        'busy with its own work waits in that queue instead (task queue widgets); sustained throttles mean the λ ' +
        'reserves fewer slots than its poller runs, or something else invokes it. Throttled work items return to ' +
        `the queue and count toward ${tasks.deadLetterQueueName}. See docs/runbook.md, "Vendor λ throttles".`,
    };
  }

  private alarm(kind: AlarmKind, subject: string | undefined, options: AlarmOptions): cloudwatch.Alarm {
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
}
