/**
 * A vendor's task queue (queue mode, docs/architecture.md, "Pacing" and `DISPATCH_MODE` in `functions/domain/config.ts`): the workflow's
 * vendor steps put one work item with a task token on it (`sqs:sendMessage.waitForTaskToken`) and wait; the vendor λ
 * consumes it one item per invocation, at most `C` (its reserved concurrency) at once, and answers the workflow with
 * SendTaskSuccess / SendTaskFailure. A burst waits in line here instead of retrying against the concurrency gate.
 *
 * Work items the λ could not answer for (not JSON, no token, Step Functions unreachable `maxReceiveCount` times) move
 * to the queue's own dead-letter queue, which an alarm watches (`cdk/constructs/observability.ts`).
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PIPELINE, type VendorConfig, type VendorLane, vendorLanes } from '../../functions/domain/config.ts';
import type { VendorId } from '../../functions/domain/contract.ts';
import { QUEUED_TASK_TIMEOUT_SECONDS } from '../../functions/domain/queued-workflow.ts';
import { taskDeadLetterQueueName, taskQueueName } from '../naming.ts';
import { retainableName } from '../physical-names.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';

/**
 * AWS recommends a source queue visibility timeout of at least six times the function timeout, so that Lambda can
 * retry a batch whose invocation was throttled before the messages reappear (Lambda developer guide, "Creating and
 * configuring an Amazon SQS event source mapping").
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/** The valid range of an SQS event source's `ScalingConfig.MaximumConcurrency` (Lambda API, `ScalingConfig`). */
export const SQS_MAX_CONCURRENCY_RANGE = { min: 2, max: 1000 } as const;

/**
 * How long a work item is kept: as long as its task token can be answered, the queued step's `TimeoutSeconds`
 * (`QUEUED_TASK_TIMEOUT_SECONDS`), and no longer. A retried or redriven step sends a new item with a new token, so an
 * item older than that can only be answered with `TaskTimedOut`: running it would spend vendor budget on an effect
 * nobody waits for (and could recreate a flow that a rollback just deleted). SQS drops it unread instead.
 *
 * Retention rather than an age check in the worker: SQS enforces it with no code on the path, and it also covers items
 * nothing ever receives. What is left is an item received just before its token expires: one vendor call, which the
 * get-or-create and desired-state steps make harmless (the next attempt adopts what it did).
 */
export const TASK_RETENTION_SECONDS = QUEUED_TASK_TIMEOUT_SECONDS;

/** The visibility timeout of a vendor's task queue: {@link VISIBILITY_TIMEOUT_FACTOR} × the vendor λ timeout. */
export function taskVisibilityTimeoutSeconds(config: Pick<VendorConfig, 'functionTimeoutSeconds'>): number {
  return VISIBILITY_TIMEOUT_FACTOR * config.functionTimeoutSeconds;
}

/**
 * The event source's maximum concurrency: the vendor λ's reserved concurrency `C`, so the poller never invokes more
 * instances than the budget has slots (and is never throttled). Lambda accepts 2–1000; a vendor with `C < 2` cannot
 * run in queue mode, because a maximum concurrency of 2 over 1 reserved slot makes Lambda throttle the second
 * invocation: a throttled work item stays invisible until its visibility timeout, and every return to the queue counts
 * toward `maxReceiveCount`, so under load good work items would end up in the DLQ.
 */
export function taskMaxConcurrency(vendor: VendorId, reservedConcurrency: number): number {
  const { min, max } = SQS_MAX_CONCURRENCY_RANGE;
  if (reservedConcurrency < min) {
    throw new Error(
      `queue mode: ${vendor} has reservedConcurrency ${reservedConcurrency}, but an SQS event source's maxConcurrency ` +
        `is at least ${min}: the poller would run ${min} invocations against ${reservedConcurrency} reserved slot(s), ` +
        'and throttled work items would count toward maxReceiveCount on their way to the DLQ. Give the vendor a ' +
        `reservedConcurrency ≥ ${min} (with a pacing interval that keeps C × ceil(W/T) ≤ L) or deploy dispatch mode ` +
        "'invoke'.",
    );
  }
  if (reservedConcurrency > max) {
    throw new Error(
      `queue mode: ${vendor} has reservedConcurrency ${reservedConcurrency}, above the SQS maximum ${max}`,
    );
  }
  return reservedConcurrency;
}

export interface VendorTaskQueueProps {
  readonly config: VendorConfig;
  /**
   * The lane whose steps the queue carries (docs/adr/0007-lanes.md): its reserved concurrency is the event source's
   * maximum concurrency, its suffix goes into the queue names.
   * @default the vendor's first lane
   */
  readonly lane?: VendorLane;
  /** `laneSuffix` of the lane. @default '' (the first lane keeps the vendor's names) */
  readonly laneSuffix?: string;
  /** The vendor λ that consumes the queue. */
  readonly consumer: IFunction;
  /**
   * Removal policy of both queues.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

export class VendorTaskQueue extends Construct {
  /** `vendor-tasks-<vendor>`: SSE, TLS-only, redrives to {@link deadLetterQueue} after `PIPELINE.maxReceiveCount`. */
  public readonly queue: sqs.Queue;
  /** `vendor-tasks-<vendor>-dlq`: work items the λ could not answer the workflow for. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The λ that consumes the queue. */
  public readonly consumer: IFunction;

  constructor(scope: Construct, id: string, props: VendorTaskQueueProps) {
    super(scope, id);
    const { config, consumer } = props;
    this.consumer = consumer;
    const lane = props.lane ?? vendorLanes(config.budget)[0]!;
    const suffix = props.laneSuffix ?? '';
    const queueName = taskQueueName(config.vendor, suffix);
    const dlqName = taskDeadLetterQueueName(config.vendor, suffix);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const visibilityTimeoutSeconds = taskVisibilityTimeoutSeconds(config);
    const maxConcurrency = taskMaxConcurrency(config.vendor, lane.reservedConcurrency);
    // A work item that keeps failing must reach the DLQ (and its alarm) before it expires unseen.
    if (PIPELINE.maxReceiveCount * visibilityTimeoutSeconds >= TASK_RETENTION_SECONDS) {
      throw new Error(
        `queue mode: ${config.vendor} work items would expire before reaching the DLQ: maxReceiveCount ` +
          `${PIPELINE.maxReceiveCount} × visibility timeout ${visibilityTimeoutSeconds} s ≥ retention ` +
          `${TASK_RETENTION_SECONDS} s`,
      );
    }

    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetterQueue', {
      queueName: retainableName(this, dlqName),
      sourceQueueName: retainableName(this, queueName),
      removalPolicy,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        `${dlqName} is a dead-letter queue: nothing consumes it, so it has no receive ` +
        'count to exceed. An alarm fires on any visible message; the workflow step behind each item times out and ' +
        'leaves its failure record on provision-dlq, which is what operators redrive (docs/runbook.md).',
    });

    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: retainableName(this, queueName),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds),
      retentionPeriod: Duration.seconds(TASK_RETENTION_SECONDS),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: PIPELINE.maxReceiveCount },
      removalPolicy,
    });

    // The event source grants the consume actions on this queue only. One work item per invocation: the λ makes one
    // paced vendor step per invocation, and a batch would hold slots while its items wait for each other.
    consumer.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 1, maxConcurrency, reportBatchItemFailures: true }),
    );
    Validations.of(consumer).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'Lambda supports on-failure destinations for stream and Kafka event sources only, not for SQS: a work item the ' +
        `vendor λ could not answer the workflow for returns to ${queueName}, whose redrive policy ` +
        `moves it to ${dlqName} after PIPELINE.maxReceiveCount receives.`,
    });
  }
}
