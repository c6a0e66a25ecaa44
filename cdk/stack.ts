/**
 * `FlowProvisionerStack`: wires intake → workflows → vendor functions. The stack only wires; each concern lives in its
 * construct under `cdk/constructs/`.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { DISPATCH_MODE, type DispatchMode } from '../functions/domain/config.ts';
import { FailureCapture } from './constructs/failure-capture.ts';
import { IdempotencyStore } from './constructs/idempotency.ts';
import { Intake } from './constructs/intake.ts';
import { ALARM_PREFIX, Observability } from './constructs/observability.ts';
import { OnCallAccess } from './constructs/on-call.ts';
import { OutcomeEvents } from './constructs/outcome-events.ts';
import { ProvisioningWorkflow } from './constructs/provisioning-workflow.ts';
import { Scheduling } from './constructs/scheduling.ts';
import { VendorFunctions } from './constructs/vendor-functions.ts';
import type { VendorTaskQueue } from './constructs/vendor-task-queue.ts';
import { STAGE_CONTEXT_KEY, stagedName } from './physical-names.ts';

export const STAGES = ['dev', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

export interface FlowProvisionerStackProps extends StackProps {
  /**
   * `prod` retains what holds data when the stack or a resource is deleted (both queues and every log group) and keeps
   * logs for a year; `dev` destroys them and keeps logs for two weeks.
   * @default 'dev'
   */
  readonly stage?: Stage;
  /**
   * Regions in which the AWS MediaConnect λ may manage flows.
   * @default the stack's region
   */
  readonly mediaConnectRegions?: readonly string[];
  /**
   * Email addresses the alarms notify, through an encrypted SNS topic the stack creates.
   * @default no notifications (alarms change state on the dashboard only)
   */
  readonly alarmEmails?: readonly string[];
  /**
   * An existing SNS topic the alarms notify instead.
   * @default no notifications
   */
  readonly alarmTopicArn?: string;
  /**
   * How the workflow steps reach the vendor λs: `queue` (a task queue per vendor, consumed at the vendor's reserved
   * concurrency) or `invoke` (Step Functions invokes the λ).
   * @default DISPATCH_MODE of functions/domain/config.ts
   */
  readonly dispatchMode?: DispatchMode;
}

export class FlowProvisionerStack extends Stack {
  public readonly intake: Intake;
  public readonly vendorFunctions: VendorFunctions;
  public readonly workflow: ProvisioningWorkflow;
  public readonly idempotency: IdempotencyStore;
  public readonly observability: Observability;
  public readonly scheduling: Scheduling;
  public readonly failureCapture: FailureCapture;
  public readonly onCall: OnCallAccess;
  public readonly dispatchMode: DispatchMode;
  public readonly outcomeEvents: OutcomeEvents;
  public readonly stage: Stage;

  constructor(scope: Construct, id: string, props: FlowProvisionerStackProps = {}) {
    super(scope, id, props);
    const stage = props.stage ?? 'dev';
    // Before any child: every construct names its resources after the stage (cdk/physical-names.ts).
    this.node.setContext(STAGE_CONTEXT_KEY, stage);
    this.stage = stage;
    const removalPolicy = stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logRetention = stage === 'prod' ? RetentionDays.ONE_YEAR : RetentionDays.TWO_WEEKS;
    this.dispatchMode = props.dispatchMode ?? DISPATCH_MODE;

    this.intake = new Intake(this, 'Intake', {
      queueRemovalPolicy: removalPolicy,
      logRemovalPolicy: removalPolicy,
      logRetention,
    });
    this.vendorFunctions = new VendorFunctions(this, 'VendorFunctions', {
      mediaConnectRegions: props.mediaConnectRegions,
      logRemovalPolicy: removalPolicy,
      logRetention,
      secretRemovalPolicy: removalPolicy,
      dispatchMode: this.dispatchMode,
      queueRemovalPolicy: removalPolicy,
    });
    // Effect steps of the vendor tasks are idempotent per (requestId, execution, step): each vendor λ, and only they.
    this.idempotency = new IdempotencyStore(this, 'Idempotency', { removalPolicy });
    // Every lane's λ runs the same entry, which reads the table at cold start (docs/adr/0007-lanes.md).
    for (const lanes of Object.values(this.vendorFunctions.laneFunctions)) {
      for (const fn of Object.values(lanes ?? {})) this.idempotency.grantTo(fn);
    }
    // Outcome events: the workflows and the dispatcher put on the stage's bus, archived for replay. The bus keeps its
    // fixed name (consumers write it into their rules), so it goes with the stack: a retained one would block a new
    // stack of the same stage.
    this.outcomeEvents = new OutcomeEvents(this, 'OutcomeEvents', {
      stage,
      archiveRetention: Duration.days(stage === 'prod' ? 365 : 30),
    });
    this.intake.dispatcher.addEnvironment('EVENT_BUS_NAME', this.outcomeEvents.bus.eventBusName);
    this.outcomeEvents.grantPut(this.intake.dispatcher);
    this.workflow = new ProvisioningWorkflow(this, 'Workflow', {
      vendorFunctions: this.vendorFunctions.functions,
      deadLetterQueue: this.intake.deadLetterQueue,
      eventBus: this.outcomeEvents.bus,
      dispatchMode: this.dispatchMode,
      ...(this.dispatchMode === 'queue' ? { taskQueues: this.vendorFunctions.laneTaskQueues } : {}),
      logRemovalPolicy: removalPolicy,
      logRetention,
    });
    this.intake.dispatchTo(this.workflow.stateMachines);
    // flowctl schedule: group, role and delivery DLQ; TIMED_OUT/ABORTED executions → their record on the DLQ
    // and their FlowProvisioningFailed on the bus.
    this.scheduling = new Scheduling(this, 'Scheduling', { ingressQueue: this.intake.ingressQueue, removalPolicy });
    this.failureCapture = new FailureCapture(this, 'FailureCapture', {
      stateMachines: this.workflow.stateMachines,
      deadLetterQueue: this.intake.deadLetterQueue,
      eventBus: this.outcomeEvents.bus,
      deliveryDeadLetterQueue: this.scheduling.deliveryDeadLetterQueue,
      logRemovalPolicy: removalPolicy,
      logRetention,
    });
    this.observability = new Observability(this, 'Observability', {
      ingressQueue: this.intake.ingressQueue,
      deadLetterQueues: {
        'provision-dlq': this.intake.deadLetterQueue,
        'provision-delivery-dlq': this.scheduling.deliveryDeadLetterQueue,
      },
      dispatcher: this.intake.dispatcher,
      // Every lane's λ, task queue and task DLQ (docs/adr/0007-lanes.md): each is alarmed and drawn on its own.
      vendorFunctions: this.vendorFunctions.laneFunctions,
      stateMachines: this.workflow.stateMachines,
      taskQueues: this.vendorFunctions.laneTaskQueues,
      alarmEmails: props.alarmEmails,
      alarmTopicArn: props.alarmTopicArn,
      keyRemovalPolicy: removalPolicy,
      namePrefix: stagedName(this, ALARM_PREFIX),
    });

    this.onCall = new OnCallAccess(this, 'OnCall', {
      ingressQueue: this.intake.ingressQueue,
      deadLetterQueues: [this.intake.deadLetterQueue, this.scheduling.deliveryDeadLetterQueue],
      stateMachines: Object.values(this.workflow.stateMachines),
      scheduleGroup: this.scheduling.scheduleGroup,
      scheduleRole: this.scheduling.scheduleRole,
      otherQueues: Object.values(this.vendorFunctions.laneTaskQueues)
        .flatMap((lanes) => Object.values(lanes ?? {}))
        .flatMap((t) => [t.queue, t.deadLetterQueue]),
      vendorSecrets: Object.values(this.vendorFunctions.secrets),
    });

    const stateMachineArns = Object.fromEntries(
      Object.entries(this.workflow.stateMachines).map(([vendor, machine]) => [vendor, machine.stateMachineArn]),
    );
    new CfnOutput(this, 'IngressQueueUrl', {
      value: this.intake.ingressQueue.queueUrl,
      description: 'Send provision requests (contract v1) here',
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      value: this.intake.deadLetterQueue.queueUrl,
      description: 'Rejected requests and failure records',
    });
    new CfnOutput(this, 'StateMachineArns', {
      value: this.toJsonString(stateMachineArns),
      description: 'JSON object: vendor → provision-flow state machine ARN',
    });
    new CfnOutput(this, 'DispatcherFunctionName', { value: this.intake.dispatcher.functionName });
    new CfnOutput(this, 'VendorSecretArns', {
      value: this.toJsonString(
        Object.fromEntries(Object.entries(this.vendorFunctions.secrets).map(([vendor, s]) => [vendor, s.secretArn])),
      ),
      description: 'JSON object: vendor → credentials secret ARN (put the vendor credentials there; README "Secrets")',
    });
    new CfnOutput(this, 'DispatchMode', {
      value: this.dispatchMode,
      description: 'How the workflow steps reach the vendor λs: queue (task queues) or invoke',
    });
    const taskQueues = Object.entries(this.vendorFunctions.taskQueues);
    if (taskQueues.length > 0) {
      new CfnOutput(this, 'VendorTaskQueueUrls', {
        value: this.toJsonString(Object.fromEntries(taskQueues.map(([vendor, t]) => [vendor, t.queue.queueUrl]))),
        description:
          "JSON object: vendor → its first lane's task queue URL (queue mode: work items waiting for the vendor λ; " +
          'every lane in VendorLaneTaskQueueUrls)',
      });
      new CfnOutput(this, 'VendorTaskDeadLetterQueueUrls', {
        value: this.toJsonString(
          Object.fromEntries(taskQueues.map(([vendor, t]) => [vendor, t.deadLetterQueue.queueUrl])),
        ),
        description:
          "JSON object: vendor → its first lane's task DLQ URL: work items the vendor λ could not answer for " +
          '(inspect; their steps time out and leave failure records on provision-dlq, which is what to redrive; ' +
          'every lane in VendorLaneTaskQueueUrls)',
      });
      // Every lane's queue and DLQ (docs/adr/0007-lanes.md), so on-call finds a lane after the first without listing.
      const lanes = (pick: (t: VendorTaskQueue) => string) =>
        this.toJsonString(
          Object.fromEntries(
            Object.entries(this.vendorFunctions.laneTaskQueues).map(([vendor, byLane]) => [
              vendor,
              Object.fromEntries(Object.entries(byLane ?? {}).map(([lane, t]) => [lane, pick(t)])),
            ]),
          ),
        );
      new CfnOutput(this, 'VendorLaneTaskQueueUrls', {
        value: lanes((t) => t.queue.queueUrl),
        description: 'JSON object: vendor → lane → task queue URL (queue mode; docs/adr/0007-lanes.md)',
      });
      new CfnOutput(this, 'VendorLaneTaskDeadLetterQueueUrls', {
        value: lanes((t) => t.deadLetterQueue.queueUrl),
        description: 'JSON object: vendor → lane → task DLQ URL (queue mode; see VendorTaskDeadLetterQueueUrls)',
      });
    }
    new CfnOutput(this, 'EventBusName', {
      value: this.outcomeEvents.bus.eventBusName,
      description: 'Outcome events (FlowProvisioned, FlowProvisioningFailed, RequestRejected): put your rules here',
    });
    new CfnOutput(this, 'EventBusArn', { value: this.outcomeEvents.bus.eventBusArn });
    new CfnOutput(this, 'EventArchiveName', {
      value: this.outcomeEvents.archive.archiveName,
      description: 'Archive of the outcome events, for replay',
    });
    new CfnOutput(this, 'DashboardName', { value: this.observability.dashboard.dashboardName });
    new CfnOutput(this, 'ScheduleGroupName', {
      value: this.scheduling.groupName,
      description: 'EventBridge Scheduler group of flowctl schedules',
    });
    new CfnOutput(this, 'ScheduleRoleArn', {
      value: this.scheduling.scheduleRole.roleArn,
      description: 'Execution role of the schedules: sqs:SendMessage to the ingress queue only',
    });
    new CfnOutput(this, 'ScheduleDlqArn', {
      value: this.scheduling.deliveryDeadLetterQueue.queueArn,
      description: 'Dead-letter queue of schedule deliveries (and of failure-capture events)',
    });
    new CfnOutput(this, 'OnCallPolicyArn', {
      value: this.onCall.policy.managedPolicyArn,
      description:
        'Managed policy with what flowctl needs on this stage (dlq, executions, schedule, submit): attach it',
    });
    new CfnOutput(this, 'DeliveryDeadLetterQueueUrl', {
      value: this.scheduling.deliveryDeadLetterQueue.queueUrl,
      description:
        'provision-delivery-dlq: schedule deliveries and failure-capture events that failed (docs/runbook.md)',
    });
  }
}
