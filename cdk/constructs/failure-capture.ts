/**
 * Failed-execution capture (docs/architecture.md, "Exactly-once effects"): executions that time out or are aborted stop inside a step, so the workflow's
 * Catch never writes their failure record. An EventBridge rule on "Step Functions Execution Status Change" with status
 * TIMED_OUT or ABORTED, for the provision-flow state machines only, invokes a small λ that puts the original request
 * on the DLQ with the reason (`TimedOut` / `Aborted`), the state it stopped in and the execution ARN as message
 * attributes (`functions/failure-capture/core.ts`), then puts the `FlowProvisioningFailed` outcome event on the
 * stage's bus (`events:PutEvents` on that bus only).
 *
 * Why a λ and not the rule's SQS target with an input transformer of `$.detail.input`: an SQS target can set only
 * the message body (and a FIFO group id), not message attributes. The record would then look exactly like one SQS
 * moved after maxReceiveCount (no attributes), `flowctl dlq list` could not tell a timeout from a poison message,
 * and the execution ARN and stopped state would be lost. The λ keeps the one DLQ record shape every tool reads.
 *
 * Delivery failures are kept, not dropped: the rule target retries and then dead-letters to the delivery DLQ, and so
 * does the λ's asynchronous invocation.
 */

import type { RemovalPolicy } from 'aws-cdk-lib';
import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { CfnStateMachine, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { VendorId } from '../../functions/domain/contract.ts';
import { CAPTURE_TIMEOUT_SECONDS } from '../../functions/failure-capture/core.ts';
import { HouseFunction } from './house-function.ts';

/** The statuses whose executions no Catch has recorded. */
export const CAPTURED_STATUSES = ['TIMED_OUT', 'ABORTED'] as const;

export interface FailureCaptureProps {
  /** The provision-flow state machines to watch (they need explicit names: the grants are built from them). */
  readonly stateMachines: Readonly<Partial<Record<VendorId, StateMachine>>>;
  /** Where the failure records go: `provision-dlq`. */
  readonly deadLetterQueue: IQueue;
  /** The stage's outcome bus: the λ puts `FlowProvisioningFailed` there, and on no other bus. */
  readonly eventBus: IEventBus;
  /** Where events go that could not be recorded: the delivery dead-letter queue. */
  readonly deliveryDeadLetterQueue: IQueue;
  /**
   * Retention of the λ's log group.
   * @default RetentionDays.ONE_MONTH (the house default)
   */
  readonly logRetention?: RetentionDays;
  /**
   * Removal policy of the λ's log group.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

export class FailureCapture extends Construct {
  public readonly rule: events.Rule;
  public readonly function: HouseFunction;

  constructor(scope: Construct, id: string, props: FailureCaptureProps) {
    super(scope, id);
    const machines = Object.values(props.stateMachines).filter((m): m is StateMachine => m !== undefined);
    if (machines.length === 0) throw new Error('FailureCapture needs at least one state machine');
    const stack = Stack.of(this);

    this.function = new HouseFunction(this, 'Function', {
      entry: 'functions/failure-capture/handler.ts',
      description: 'Puts the request of a TIMED_OUT or ABORTED provision-flow execution on the DLQ, with the reason',
      timeoutSeconds: CAPTURE_TIMEOUT_SECONDS,
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
      environment: {
        DEAD_LETTER_QUEUE_URL: props.deadLetterQueue.queueUrl,
        EVENT_BUS_NAME: props.eventBus.eventBusName,
      },
      // Its invocations are asynchronous (EventBridge): after Lambda's own retries the event goes here.
      deadLetterQueue: props.deliveryDeadLetterQueue,
    });
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.deadLetterQueue.queueArn] }),
    );
    props.eventBus.grantPutEventsTo(this.function);
    for (const machine of machines) {
      const name = (machine.node.defaultChild as CfnStateMachine).stateMachineName!;
      const executions = stack.formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: `${name}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
      // DescribeExecution for an input EventBridge left out; GetExecutionHistory for the state it stopped in.
      this.function.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['states:DescribeExecution', 'states:GetExecutionHistory'],
          resources: [executions],
        }),
      );
      Validations.of(this.function.role!).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${name}:*]`,
        reason:
          'The captured execution is named at run time (after its request id); DescribeExecution and ' +
          `GetExecutionHistory are limited to the executions of ${name}.`,
      });
    }

    this.rule = new events.Rule(this, 'Rule', {
      description: 'TIMED_OUT and ABORTED provision-flow executions → their failure record on the DLQ',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { status: [...CAPTURED_STATUSES], stateMachineArn: machines.map((m) => m.stateMachineArn) },
      },
    });
    this.rule.addTarget(
      new targets.LambdaFunction(this.function, {
        deadLetterQueue: props.deliveryDeadLetterQueue,
        retryAttempts: 8,
        maxEventAge: Duration.hours(24),
      }),
    );
  }
}
