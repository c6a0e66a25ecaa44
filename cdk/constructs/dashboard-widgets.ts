/**
 * The dashboard's widgets (docs/observability.md says what each shows): intake, executions, vendor calls against each
 * documented limit, vendor λs and task queues, one line per lane (`./observed-lanes.ts`). Plain functions of the
 * construct's props and lanes, so the `Observability` construct only lays them out.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import {
  ALARMS,
  bindingScope,
  type RateBudget,
  type RateScope,
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
import type { ObservabilityProps } from './observability.ts';
import type { ObservedLane } from './observed-lanes.ts';

export function intakeWidgets(props: ObservabilityProps, lanes: readonly ObservedLane[]): cloudwatch.IWidget[] {
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
      right: [props.ingressQueue.metricApproximateAgeOfOldestMessage({ period: minute, label: 'oldest message (s)' })],
      rightAnnotations: [
        { value: ALARMS.ingressOldestMessageAgeSeconds, label: 'age alarm', color: cloudwatch.Color.RED },
      ],
    }),
    new cloudwatch.GraphWidget({
      title: 'Dead-letter queue depth',
      width: 8,
      left: [
        ...Object.entries(props.deadLetterQueues),
        ...lanes.flatMap(({ tasks }) => (tasks ? [[tasks.deadLetterQueueName, tasks.deadLetterQueue] as const] : [])),
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

export function executionWidgets(props: ObservabilityProps, vendors: readonly VendorConfig[]): cloudwatch.IWidget[] {
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

/**
 * Vendor call latency per vendor, and per lane λ its throttles (every slot of its reserved concurrency busy) and its
 * concurrent executions (how many of those slots are busy).
 */
export function vendorFunctionWidgets(
  vendors: readonly VendorConfig[],
  lanes: readonly ObservedLane[],
): cloudwatch.IWidget[] {
  const minute = Duration.minutes(1);
  return [
    new cloudwatch.GraphWidget({
      title: 'Vendor call latency p99 (ms)',
      width: 8,
      left: vendors.map(({ vendor }) =>
        vendorMetric(VENDOR_CALL_METRICS.latency, vendor, minute, 'p99', `${vendor} p99`),
      ),
    }),
    new cloudwatch.GraphWidget({
      title: 'Vendor λ throttles (reserved concurrency reached)',
      width: 8,
      left: lanes.map(({ fn, label }) => fn.metricThrottles({ period: minute, statistic: 'Sum', label })),
      leftAnnotations: [
        {
          value: ALARMS.vendorFunctionThrottles.threshold,
          label: 'sustained-throttle alarm',
          color: cloudwatch.Color.RED,
        },
      ],
    }),
    new cloudwatch.GraphWidget({
      title: 'Vendor λ concurrent executions (of reserved concurrency)',
      width: 8,
      left: lanes.map(({ fn, label, lane }) =>
        fn.metric('ConcurrentExecutions', {
          period: minute,
          statistic: 'Maximum',
          label: `${label} (of ${lane.reservedConcurrency})`,
        }),
      ),
      leftYAxis: { min: 0 },
    }),
  ];
}

/**
 * Queue mode: how many work items wait for each lane's λ, and for how long (a burst drains at the lane's share of the
 * vendor's limits). Each line is labelled with the queue's name.
 */
export function taskQueueWidgets(lanes: readonly ObservedLane[]): cloudwatch.IWidget[] {
  const minute = Duration.minutes(1);
  const queued = lanes.flatMap(({ tasks }) => (tasks ? [tasks] : []));
  if (queued.length === 0) return [];
  return [
    new cloudwatch.GraphWidget({
      title: 'Vendor task queues: work items waiting and in flight',
      width: 12,
      left: queued.map(({ queue, queueName }) =>
        queue.metricApproximateNumberOfMessagesVisible({
          period: minute,
          statistic: 'Maximum',
          label: `${queueName} waiting`,
        }),
      ),
      right: queued.map(({ queue, queueName }) =>
        queue.metricApproximateNumberOfMessagesNotVisible({
          period: minute,
          statistic: 'Maximum',
          label: `${queueName} in flight`,
        }),
      ),
    }),
    new cloudwatch.GraphWidget({
      title: 'Vendor task queues: oldest work item (s)',
      width: 12,
      left: queued.map(({ queue, queueName }) =>
        queue.metricApproximateAgeOfOldestMessage({ period: minute, statistic: 'Maximum', label: queueName }),
      ),
      leftYAxis: { min: 0 },
    }),
  ];
}

/** A vendor call metric of one vendor (dimension set `[service, vendor]`). */
export function vendorMetric(
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
export function vendorCallsWidget(config: VendorConfig): cloudwatch.GraphWidget {
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
