/**
 * Provisioning workflow (DESIGN §1, §3): one Standard state machine per vendor, all from the same reviewed ASL file.
 * The file's `${Placeholders}` are filled by `definitionSubstitutions`, so the file stays renderable in Workflow Studio
 * and testable in the local interpreter without a synth.
 */
import { readFileSync } from 'node:fs';
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { VendorId } from '../../functions/shared/contract.ts';
import { constructIdOf, stateMachineName } from '../naming.ts';
import { repoPath } from './house-function.ts';

/** The one workflow definition, shared by every vendor. */
export const WORKFLOW_FILE = repoPath('workflows/provision-flow.asl.json');

/** The placeholders this construct fills; a placeholder in the file that is not listed here fails the synth. */
export const WORKFLOW_PLACEHOLDERS = ['VendorFunctionArn', 'DeadLetterQueueUrl'] as const;

export interface ProvisioningWorkflowProps {
  /** The vendor λ per vendor; one state machine is built for each. */
  readonly vendorFunctions: Readonly<Partial<Record<VendorId, IFunction>>>;
  /** Where the `RecordFailure` state sends failure records. */
  readonly deadLetterQueue: IQueue;
  /**
   * Retention of the execution log groups.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Removal policy of the execution log groups.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

export class ProvisioningWorkflow extends Construct {
  /** One `provision-flow-<vendor>` state machine per vendor function. */
  public readonly stateMachines: Readonly<Partial<Record<VendorId, StateMachine>>>;

  constructor(scope: Construct, id: string, props: ProvisioningWorkflowProps) {
    super(scope, id);
    const vendors = Object.entries(props.vendorFunctions) as [VendorId, IFunction][];
    if (vendors.length === 0) throw new Error('ProvisioningWorkflow needs at least one vendor function');
    checkPlaceholders();

    const stateMachines: Partial<Record<VendorId, StateMachine>> = {};
    for (const [vendor, vendorFunction] of vendors) {
      const name = stateMachineName(vendor);
      const logGroup = new LogGroup(this, `${constructIdOf(vendor)}Logs`, {
        // The /aws/vendedlogs/ prefix keeps CloudWatch Logs' resource policy small when many machines log.
        logGroupName: `/aws/vendedlogs/states/${name}`,
        retention: props.logRetention ?? RetentionDays.ONE_MONTH,
        removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
      });
      const stateMachine = new StateMachine(this, constructIdOf(vendor), {
        stateMachineName: name,
        stateMachineType: StateMachineType.STANDARD,
        definitionBody: DefinitionBody.fromFile(WORKFLOW_FILE),
        definitionSubstitutions: {
          VendorFunctionArn: vendorFunction.functionArn,
          DeadLetterQueueUrl: props.deadLetterQueue.queueUrl,
        },
        // ALL because cdk-nag AwsSolutions-SF1 asks for every event type (ERROR alone hides the retries and catches
        // that on-call needs to follow a request); execution data stays out of the logs because requests carry
        // customer account ids and source addresses, and the execution history already holds them for 90 days.
        logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
        // AwsSolutions-SF2, and one trace from the dispatcher through every vendor call.
        tracingEnabled: true,
      });
      // The ASL is a file, so CDK cannot infer what it calls: grant exactly what its states use. The Task states use
      // the unqualified function ARN as Resource, so no version or alias ARN is granted.
      stateMachine.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [vendorFunction.functionArn] }),
      );
      // RecordFailure: arn:aws:states:::sqs:sendMessage to the DLQ (SQS-managed SSE: no KMS permission needed).
      stateMachine.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.deadLetterQueue.queueArn] }),
      );
      Validations.of(stateMachine.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Added by CDK for execution logging and tracing, whose actions support no resource-level permissions: the ' +
          'CloudWatch Logs vended-delivery actions (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, ' +
          'DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) and ' +
          'xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets. The Lambda and SQS ' +
          'statements name their single resource.',
      });
      stateMachines[vendor] = stateMachine;
    }
    this.stateMachines = stateMachines;
  }

  /** The state machine of one vendor; throws if the vendor has none. */
  public stateMachineFor(vendor: VendorId): StateMachine {
    const stateMachine = this.stateMachines[vendor];
    if (!stateMachine) throw new Error(`no state machine for ${vendor}`);
    return stateMachine;
  }
}

/** Every `${Placeholder}` in the ASL file must be one this construct substitutes, or the deployed machine is broken. */
function checkPlaceholders(): void {
  const found = new Set([...readFileSync(WORKFLOW_FILE, 'utf8').matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
  const unknown = [...found].filter((name) => !(WORKFLOW_PLACEHOLDERS as readonly string[]).includes(name!));
  if (unknown.length > 0) {
    throw new Error(`${WORKFLOW_FILE} uses placeholders this construct does not fill: ${unknown.join(', ')}`);
  }
}
