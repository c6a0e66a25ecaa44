/**
 * On-call access in one attach: a customer managed policy with exactly what `flowctl` needs for `dlq`, `executions`,
 * `schedule`, `submit`, `doctor` and finding its target, on this stage's resources only. Attach it to the on-call role or group;
 * its ARN is the stack output `OnCallPolicyArn`. `test/infra/iam.test.ts` checks it against the SDK commands the
 * `cli/` code sends, so a command added there without its grant here fails a test.
 */
import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { CfnStateMachine, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface OnCallAccessProps {
  /** Where `flowctl submit` and every redrive send. */
  readonly ingressQueue: sqs.IQueue;
  /** Dead-letter queues on-call reads, moves back and deletes from (provision-dlq, the delivery DLQ). */
  readonly deadLetterQueues: readonly sqs.IQueue[];
  /** The provision-flow state machines, whose executions on-call lists, reads and redrives. */
  readonly stateMachines: readonly StateMachine[];
  /** The group `flowctl schedule` manages schedules in. */
  readonly scheduleGroup: scheduler.CfnScheduleGroup;
  /** The execution role `flowctl schedule create` gives each schedule. */
  readonly scheduleRole: iam.IRole;
  /** Queues `flowctl doctor` only checks are there (the vendor task queues and their DLQs). */
  readonly otherQueues: readonly sqs.IQueue[];
  /** The vendor credential secrets: on-call fills them, and `flowctl doctor` checks they are filled. */
  readonly vendorSecrets: readonly secretsmanager.ISecret[];
}

export class OnCallAccess extends Construct {
  public readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: OnCallAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const dlqArns = props.deadLetterQueues.map((q) => q.queueArn);
    // Literal names (the stack names its machines), so the grants read as the machines in the template.
    const machineNames = props.stateMachines.map((m) => (m.node.defaultChild as CfnStateMachine).stateMachineName!);
    const executionsOf = (name: string) =>
      stack.formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: `${name}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const schedulesOfGroup = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${props.scheduleGroup.ref}/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });

    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `flowctl on-call access to ${stack.stackName}: DLQs, executions, schedules, submit`,
      statements: [
        // The target: flowctl --stack reads this stack's outputs.
        new iam.PolicyStatement({
          sid: 'ReadTheStack',
          actions: ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate'],
          resources: [stack.stackId],
        }),
        // submit and redrive send here (SendMessageBatch is authorized as sqs:SendMessage); the move task's
        // destination needs the same.
        new iam.PolicyStatement({
          sid: 'SendToIngress',
          actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
          resources: [props.ingressQueue.queueArn],
        }),
        // dlq list/show (receive, release with ChangeMessageVisibility), redrive (a message move task, or receive,
        // send and delete message by message). StartMessageMoveTask also needs receive, delete and attributes on
        // the source: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html
        new iam.PolicyStatement({
          sid: 'WorkTheDeadLetterQueues',
          actions: [
            'sqs:ReceiveMessage',
            'sqs:DeleteMessage',
            'sqs:ChangeMessageVisibility',
            'sqs:GetQueueAttributes',
            'sqs:StartMessageMoveTask',
            'sqs:ListMessageMoveTasks',
          ],
          resources: dlqArns,
        }),
        // doctor: every queue is there.
        ...(props.otherQueues.length > 0
          ? [
              new iam.PolicyStatement({
                sid: 'SeeTheTaskQueues',
                actions: ['sqs:GetQueueAttributes'],
                resources: props.otherQueues.map((q) => q.queueArn),
              }),
            ]
          : []),
        new iam.PolicyStatement({
          sid: 'ListExecutions',
          actions: ['states:ListExecutions', 'states:DescribeStateMachine'],
          resources: props.stateMachines.map((m) => m.stateMachineArn),
        }),
        new iam.PolicyStatement({
          sid: 'ReadAndRedriveExecutions',
          actions: ['states:DescribeExecution', 'states:GetExecutionHistory', 'states:RedriveExecution'],
          resources: machineNames.map(executionsOf),
        }),
        new iam.PolicyStatement({
          sid: 'ManageSchedulesOfTheGroup',
          actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule'],
          resources: [schedulesOfGroup],
        }),
        // ListSchedules has no resource type: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridgescheduler.html
        new iam.PolicyStatement({ sid: 'ListSchedules', actions: ['scheduler:ListSchedules'], resources: ['*'] }),
        // doctor: the vendor secrets are filled (values are read, never printed; on-call is who fills them).
        new iam.PolicyStatement({
          sid: 'CheckAndFillVendorSecrets',
          actions: ['secretsmanager:GetSecretValue'],
          resources: props.vendorSecrets.map((s) => s.secretArn),
        }),
        // doctor: the account's Lambda concurrency and the MediaConnect flows in use; neither action takes a
        // resource (Service Authorization Reference).
        new iam.PolicyStatement({
          sid: 'AccountLimits',
          actions: ['lambda:GetAccountSettings', 'mediaconnect:ListFlows'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'PassTheScheduleRoleToScheduler',
          actions: ['iam:PassRole'],
          resources: [props.scheduleRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        }),
      ],
    });
    const groupId = stack.resolve(stack.getLogicalId(props.scheduleGroup)) as string;
    const nag = 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>';
    Validations.of(this.policy).acknowledge(
      ...machineNames.map((name) => ({
        id: `${nag}:states:<AWS::Region>:<AWS::AccountId>:execution:${name}:*]`,
        reason: `Executions are named at run time (after the request id): the grant is the executions of ${name}.`,
      })),
      {
        id: `${nag}:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/<${groupId}>/*]`,
        reason: "Schedules are named by on-call at run time: the grant is the schedules of this stage's group.",
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'scheduler:ListSchedules, lambda:GetAccountSettings and mediaconnect:ListFlows support no resource-level ' +
          'permission (Service Authorization Reference).',
      },
    );
  }
}
