/**
 * Intake (docs/architecture.md, "The request's path"): the ingress queue, the dead-letter queue and the dispatcher that validates each request and
 * starts one workflow execution for it. Every number comes from `PIPELINE` in `functions/domain/config.ts`.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { CfnStateMachine, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { PIPELINE } from '../../functions/domain/config.ts';
import type { VendorId } from '../../functions/domain/contract.ts';
import { retainableName } from '../physical-names.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';
import { HouseFunction } from './house-function.ts';

/** Physical queue names: operators and `flowctl` know them. */
export const INGRESS_QUEUE_NAME = 'provision-requests';
export const DEAD_LETTER_QUEUE_NAME = 'provision-dlq';

export interface IntakeProps {
  /**
   * Removal policy of both queues. A queue holds requests (ingress) or failure records (DLQ) that exist nowhere else.
   * @default RemovalPolicy.RETAIN
   */
  readonly queueRemovalPolicy?: RemovalPolicy;
  /**
   * Removal policy of the dispatcher's log group.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Retention of the dispatcher's log group.
   * @default RetentionDays.ONE_MONTH (the house default)
   */
  readonly logRetention?: RetentionDays;
}

export class Intake extends Construct {
  /** `provision-requests`: SSE, TLS-only, redrives to the DLQ after `PIPELINE.maxReceiveCount` receives. */
  public readonly ingressQueue: sqs.Queue;
  /** `provision-dlq`: rejected requests (from the dispatcher) and failure records (from the workflows). */
  public readonly deadLetterQueue: sqs.Queue;
  /** The dispatcher λ, fed by the ingress queue. Route it to the workflows with {@link Intake.dispatchTo}. */
  public readonly dispatcher: HouseFunction;

  private routed = false;

  constructor(scope: Construct, id: string, props: IntakeProps = {}) {
    super(scope, id);
    const queueRemovalPolicy = props.queueRemovalPolicy ?? RemovalPolicy.RETAIN;

    // Validation before building: SQS refuses an event source whose function may outlive the visibility timeout.
    if (PIPELINE.ingressVisibilityTimeoutSeconds < PIPELINE.dispatcherTimeoutSeconds) {
      throw new Error(
        `PIPELINE.ingressVisibilityTimeoutSeconds (${PIPELINE.ingressVisibilityTimeoutSeconds}) must be at least ` +
          `PIPELINE.dispatcherTimeoutSeconds (${PIPELINE.dispatcherTimeoutSeconds})`,
      );
    }

    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetterQueue', {
      queueName: retainableName(this, DEAD_LETTER_QUEUE_NAME),
      sourceQueueName: retainableName(this, INGRESS_QUEUE_NAME),
      removalPolicy: queueRemovalPolicy,
    });

    this.ingressQueue = new sqs.Queue(this, 'IngressQueue', {
      queueName: retainableName(this, INGRESS_QUEUE_NAME),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(PIPELINE.ingressVisibilityTimeoutSeconds),
      retentionPeriod: Duration.days(PIPELINE.ingressRetentionDays),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: PIPELINE.maxReceiveCount },
      removalPolicy: queueRemovalPolicy,
    });

    this.dispatcher = new HouseFunction(this, 'Dispatcher', {
      entry: 'functions/dispatcher/handler.ts',
      description: 'Validates provision requests and starts one workflow execution per request',
      timeoutSeconds: PIPELINE.dispatcherTimeoutSeconds,
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
      environment: { DEAD_LETTER_QUEUE_URL: this.deadLetterQueue.queueUrl },
    });

    // The event source grants the consume actions on the ingress queue only.
    this.dispatcher.addEventSource(
      new SqsEventSource(this.ingressQueue, {
        batchSize: PIPELINE.dispatcherBatchSize,
        reportBatchItemFailures: true,
        // Never pull more than the dispatcher can take: throttled invocations would push good messages to the DLQ.
        maxConcurrency: PIPELINE.dispatcherMaxConcurrency,
      }),
    );

    Validations.of(this.dispatcher).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'Lambda supports on-failure destinations for stream and Kafka event sources only, not for SQS: a record the ' +
        'dispatcher cannot handle returns to the ingress queue, whose redrive policy moves it to provision-dlq after ' +
        'PIPELINE.maxReceiveCount receives.',
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'provision-dlq is the dead-letter queue: nothing consumes it automatically, so it has no receive count to ' +
        'exceed. Operators move its records back to the ingress queue (flowctl dlq redrive), and an alarm fires on any ' +
        'visible message.',
    });

    // Invalid requests go straight to the DLQ with the reasons as attributes (docs/architecture.md, "The request contract"): SendMessage only.
    this.dispatcher.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
    );

    this.node.addValidation({
      validate: () => (this.routed ? [] : ['Intake.dispatchTo() was never called: the dispatcher has no workflows']),
    });
  }

  /**
   * Points the dispatcher at one state machine per vendor: sets `STATE_MACHINE_ARNS` (a JSON object vendor → ARN) and
   * grants `states:StartExecution` on those machines, plus `states:DescribeExecution` and `states:RedriveExecution` on
   * their executions (an `ExecutionAlreadyExists` is described, and redriven when it failed; docs/architecture.md, "Exactly-once effects").
   * The machines must have an explicit name (the execution ARNs are built from it). Call it exactly once.
   */
  public dispatchTo(stateMachines: Readonly<Partial<Record<VendorId, StateMachine>>>): void {
    if (this.routed) throw new Error('Intake.dispatchTo() may only be called once');
    const entries = Object.entries(stateMachines) as [VendorId, StateMachine][];
    if (entries.length === 0) throw new Error('Intake.dispatchTo() needs at least one state machine');
    const nameOf = (machine: StateMachine) => (machine.node.defaultChild as CfnStateMachine).stateMachineName;
    const unnamed = entries.filter(([, machine]) => {
      const name = nameOf(machine);
      return name === undefined || Token.isUnresolved(name);
    });
    if (unnamed.length > 0) {
      throw new Error(`state machines need an explicit stateMachineName: ${unnamed.map(([v]) => v).join(', ')}`);
    }
    this.routed = true;

    const stack = Stack.of(this);
    const arns: Record<string, string> = {};
    for (const [vendor, machine] of entries) {
      const name = nameOf(machine)!;
      arns[vendor] = machine.stateMachineArn;
      machine.grantStartExecution(this.dispatcher);
      // Built from the literal name rather than with grantExecution(), whose ARN is split out of the machine's ARN at
      // deploy time: same permission, but a resource a reviewer (and the acknowledgement below) can read.
      const executions = stack.formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: `${name}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
      this.dispatcher.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['states:DescribeExecution', 'states:RedriveExecution'],
          resources: [executions],
        }),
      );
      Validations.of(this.dispatcher.role!).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${name}:*]`,
        reason:
          'Execution names derive from request ids and are unknown at deploy time; DescribeExecution and ' +
          `RedriveExecution are limited to the executions of ${name}.`,
      });
    }
    this.dispatcher.addEnvironment('STATE_MACHINE_ARNS', stack.toJsonString(arns));
  }
}
