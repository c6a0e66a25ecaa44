/**
 * Scheduling (docs/architecture.md, "The request's path" and "flowctl"): what `flowctl schedule` needs to create EventBridge Scheduler schedules that send a
 * request to the ingress queue — a schedule group, the role Scheduler assumes for them, and a dead-letter queue for
 * deliveries that fail.
 *
 * The role may do one thing: `sqs:SendMessage`, on the ingress queue (the schedules' target) and on the delivery
 * dead-letter queue (Scheduler writes dead-letter events with the schedule's execution role, as its documentation
 * says), plus the key's data-key actions if the ingress queue is encrypted with a customer managed key. Its trust is
 * limited to this schedule group in this account (confused-deputy conditions, as the Scheduler guide gives them).
 *
 * The delivery dead-letter queue also takes what the failure capture could not deliver (`failure-capture.ts`): both
 * are events that never reached the pipeline's own queues, and one queue with one alarm is what on-call watches.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PIPELINE } from '../../functions/domain/config.ts';
import { retainableName } from '../physical-names.ts';

/** Base names (`cdk/physical-names.ts` adds the stage); `flowctl` reads the real ones from the stack outputs. */
export const SCHEDULE_GROUP_NAME = 'flow-provisioner';
export const DELIVERY_DEAD_LETTER_QUEUE_NAME = 'provision-delivery-dlq';

export interface SchedulingProps {
  /** The queue schedules send requests to. */
  readonly ingressQueue: sqs.IQueue;
  /**
   * Removal policy of the schedule group (its schedules go with it) and of the delivery dead-letter queue.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

export class Scheduling extends Construct {
  /** The group `flowctl schedule` creates schedules in. */
  public readonly scheduleGroup: scheduler.CfnScheduleGroup;
  /** The group's name (a reference to the group, so outputs wait for it). */
  public readonly groupName: string;
  /** The execution role of every schedule in the group. */
  public readonly scheduleRole: iam.Role;
  /** `provision-delivery-dlq`: failed schedule deliveries (and failure-capture events that could not be recorded). */
  public readonly deliveryDeadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: SchedulingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.scheduleGroup = new scheduler.CfnScheduleGroup(this, 'Group', {
      name: retainableName(this, SCHEDULE_GROUP_NAME),
    });
    this.scheduleGroup.applyRemovalPolicy(removalPolicy);
    this.groupName = this.scheduleGroup.ref;

    this.deliveryDeadLetterQueue = new sqs.Queue(this, 'DeliveryDeadLetterQueue', {
      queueName: retainableName(this, DELIVERY_DEAD_LETTER_QUEUE_NAME),
      // SQS-managed SSE: Scheduler and EventBridge can write to it without a key policy.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(PIPELINE.dlqRetentionDays),
      removalPolicy,
    });
    Validations.of(this.deliveryDeadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'provision-delivery-dlq is itself a dead-letter queue (of the schedules and of the failure capture): nothing ' +
        'consumes it automatically, an alarm fires on any visible message, and docs/runbook.md says how to act on one.',
    });

    // Scheduler presents the schedule *group* ARN as aws:SourceArn when it assumes an execution role, not the
    // schedule's: https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html
    const scheduleGroupArn = this.scheduleGroup.attrArn;
    this.scheduleRole = new iam.Role(this, 'ScheduleRole', {
      description: "Execution role of the schedules in this stage's group: send to the ingress queue only",
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account, 'aws:SourceArn': scheduleGroupArn },
        },
      }),
    });
    // Explicit, not grantSendMessages(): that would add sqs:GetQueueAttributes and sqs:GetQueueUrl, which Scheduler
    // does not call.
    this.scheduleRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sqs:SendMessage'],
        resources: [props.ingressQueue.queueArn, this.deliveryDeadLetterQueue.queueArn],
      }),
    );
    const key = props.ingressQueue.encryptionMasterKey;
    if (key) {
      // A queue under a customer managed key needs its data key to accept a message.
      key.grant(this.scheduleRole, 'kms:GenerateDataKey', 'kms:Decrypt');
    }
  }
}
