/**
 * Provisioning workflow (docs/architecture.md, "The request's path" and "Errors"): one Standard state machine per vendor, all from the same reviewed ASL file.
 * The file's `${Placeholders}` are filled by `definitionSubstitutions`, so the file stays renderable in Workflow Studio
 * and testable in the local interpreter without a synth.
 *
 * The dispatch mode (`DISPATCH_MODE` in `functions/domain/config.ts`) picks the file and what the machine may do:
 * - `invoke`: `workflows/provision-flow.asl.json`; each vendor step invokes the vendor λ (`lambda:InvokeFunction`).
 * - `queue`: `workflows/provision-flow-queued.asl.json` (derived from the former by `npm run workflows`); each vendor
 *   step sends a work item with its task token to the vendor's task queue and waits (`sqs:SendMessage` on that queue),
 *   and the vendor λ answers the machine's tokens (`states:SendTask*` on that machine).
 */
import { readFileSync } from 'node:fs';
import { ArnFormat, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DISPATCH_MODE, type DispatchMode, vendorConfig, vendorLanes } from '../../functions/domain/config.ts';
import type { VendorId } from '../../functions/domain/contract.ts';
import { taskQueuePlaceholderName, taskQueueSubstitutions } from '../../functions/domain/queued-workflow.ts';
import { WORKFLOW_STEPS } from '../../functions/vendors/types.ts';
import { constructIdOf, stateMachineName } from '../naming.ts';
import { retainableName, stagedName } from '../physical-names.ts';
import { repoPath } from './house-function.ts';

/** The workflow definition of each dispatch mode, shared by every vendor. */
export const WORKFLOW_FILES: Readonly<Record<DispatchMode, string>> = {
  invoke: repoPath('workflows/provision-flow.asl.json'),
  queue: repoPath('workflows/provision-flow-queued.asl.json'),
};
/** The invoke-mode definition (the one the queue-mode file is derived from). */
export const WORKFLOW_FILE = WORKFLOW_FILES.invoke;

/**
 * The placeholders this construct fills, per mode; the file of the mode must use exactly these, or the synth fails
 * (an unfilled placeholder deploys a broken machine; a missing one means the file is not the mode's).
 */
export const WORKFLOW_PLACEHOLDERS: Readonly<Record<DispatchMode, readonly string[]>> = {
  invoke: ['VendorFunctionArn', 'DeadLetterQueueUrl', 'EventBusName'],
  queue: [...WORKFLOW_STEPS.map(taskQueuePlaceholderName), 'DeadLetterQueueUrl', 'EventBusName'],
};

/**
 * What the vendor λ may answer for its own machine in queue mode: success or failure. No heartbeat: the queued steps
 * set no `HeartbeatSeconds`, and the worker sends none (test/infra/iam.test.ts reads the code's commands).
 */
export const TASK_RESPONSE_ACTIONS = ['states:SendTaskSuccess', 'states:SendTaskFailure'] as const;

/** One lane's task queue and the λ that consumes it (docs/adr/0007-lanes.md). */
export interface LaneTaskQueue {
  readonly queue: IQueue;
  readonly consumer?: IFunction;
}

export interface ProvisioningWorkflowProps {
  /** The vendor λ per vendor; one state machine is built for each. */
  readonly vendorFunctions: Readonly<Partial<Record<VendorId, IFunction>>>;
  /** Where the `RecordFailure` state sends failure records. */
  readonly deadLetterQueue: IQueue;
  /** Where `PublishProvisioned` and `PublishFailed` put the outcome events (`events:putEvents`). */
  readonly eventBus: IEventBus;
  /**
   * How the vendor steps reach the vendor λ.
   * @default DISPATCH_MODE of functions/domain/config.ts
   */
  readonly dispatchMode?: DispatchMode;
  /**
   * Queue mode: every vendor's task queues by lane (`VendorFunctions.laneTaskQueues`), each with the λ that consumes
   * it (the vendor's function when not given). Not allowed in invoke mode.
   * @default none
   */
  readonly taskQueues?: Readonly<Partial<Record<VendorId, Readonly<Record<string, LaneTaskQueue>>>>>;
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
  /** How the vendor steps reach the vendor λ. */
  public readonly dispatchMode: DispatchMode;

  constructor(scope: Construct, id: string, props: ProvisioningWorkflowProps) {
    super(scope, id);
    const mode = props.dispatchMode ?? DISPATCH_MODE;
    this.dispatchMode = mode;
    const vendors = Object.entries(props.vendorFunctions) as [VendorId, IFunction][];
    if (vendors.length === 0) throw new Error('ProvisioningWorkflow needs at least one vendor function');
    checkTaskQueues(mode, vendors, props.taskQueues);
    checkPlaceholders(mode);
    const stack = Stack.of(this);

    const stateMachines: Partial<Record<VendorId, StateMachine>> = {};
    for (const [vendor, vendorFunction] of vendors) {
      const name = stagedName(this, stateMachineName(vendor));
      const laneQueues = props.taskQueues?.[vendor] ?? {};
      const logGroup = new LogGroup(this, `${constructIdOf(vendor)}Logs`, {
        // The /aws/vendedlogs/ prefix keeps CloudWatch Logs' resource policy small when many machines log.
        logGroupName: retainableName(this, `/aws/vendedlogs/states/${stateMachineName(vendor)}`),
        retention: props.logRetention ?? RetentionDays.ONE_MONTH,
        removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
      });
      const stateMachine = new StateMachine(this, constructIdOf(vendor), {
        stateMachineName: name,
        stateMachineType: StateMachineType.STANDARD,
        definitionBody: DefinitionBody.fromFile(WORKFLOW_FILES[mode]),
        definitionSubstitutions:
          mode === 'queue'
            ? {
                ...taskQueueSubstitutions(vendorLanes(vendorConfig(vendor).budget), (lane) => {
                  const laneQueue = laneQueues[lane];
                  if (!laneQueue) throw new Error(`ProvisioningWorkflow: no task queue for ${vendor}'s lane ${lane}`);
                  return laneQueue.queue.queueUrl;
                }),
                DeadLetterQueueUrl: props.deadLetterQueue.queueUrl,
                EventBusName: props.eventBus.eventBusName,
              }
            : {
                VendorFunctionArn: vendorFunction.functionArn,
                DeadLetterQueueUrl: props.deadLetterQueue.queueUrl,
                EventBusName: props.eventBus.eventBusName,
              },
        // ALL because cdk-nag AwsSolutions-SF1 asks for every event type (ERROR alone hides the retries and catches
        // that on-call needs to follow a request); execution data stays out of the logs because requests carry
        // customer account ids and source addresses, and the execution history already holds them for 90 days.
        logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
        // AwsSolutions-SF2, and one trace from the dispatcher through every vendor call.
        tracingEnabled: true,
      });
      // The ASL is a file, so CDK cannot infer what it calls: grant exactly what its states use.
      if (mode === 'queue') {
        // The vendor steps (sqs:sendMessage.waitForTaskToken) send to this vendor's task queues only, one per lane
        // (SQS-managed SSE: no KMS permission needed). The machine never invokes a λ: the λs' event sources do.
        stateMachine.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['sqs:SendMessage'],
            resources: Object.values(laneQueues).map((l) => l.queue.queueArn),
          }),
        );
        // Each lane's λ answers the tokens of its own vendor's machine, and of no other. The Service Authorization Reference lists no
        // resource type for SendTask*, but Step Functions authorizes them against the machine that issued the token
        // (an AccessDenied names `…:stateMachine:<name>` as the resource), and CDK's grantTaskResponse grants the
        // same resource.
        //
        // The ARN is built from the machine's literal name rather than taken from `stateMachine.stateMachineArn`.
        // A Ref would put an edge λ → machine into the CloudFormation graph (the function depends on its role's
        // default policy, which would reference the machine), so the λ and its event source could only be created
        // after the machine, and any reference from the machine back to the λ — the invoke-mode substitution of its
        // ARN, an alarm, a later Lambda step — would close a circular dependency. The name is fixed anyway
        // (`stateMachineName`, which flowctl and the dispatcher's execution ARNs rely on), so the built ARN grants the
        // very same resource with no edge, and reads as the machine's name in the template.
        const consumers = new Set(Object.values(laneQueues).map((l) => l.consumer ?? vendorFunction));
        for (const consumer of consumers) {
          consumer.addToRolePolicy(
            new iam.PolicyStatement({
              actions: [...TASK_RESPONSE_ACTIONS],
              resources: [
                stack.formatArn({
                  service: 'states',
                  resource: 'stateMachine',
                  resourceName: name,
                  arnFormat: ArnFormat.COLON_RESOURCE_NAME,
                }),
              ],
            }),
          );
        }
      } else {
        // The Task states use the unqualified function ARN as Resource, so no version or alias ARN is granted.
        stateMachine.addToRolePolicy(
          new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [vendorFunction.functionArn] }),
        );
      }
      // RecordFailure: arn:aws:states:::sqs:sendMessage to the DLQ (SQS-managed SSE: no KMS permission needed).
      stateMachine.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.deadLetterQueue.queueArn] }),
      );
      // PublishProvisioned / PublishFailed: arn:aws:states:::events:putEvents on the stage's bus, and no other.
      stateMachine.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [props.eventBus.eventBusArn] }),
      );
      Validations.of(stateMachine.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Added by CDK for execution logging and tracing, whose actions support no resource-level permissions: the ' +
          'CloudWatch Logs vended-delivery actions (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, ' +
          'DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) and ' +
          'xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets. The Lambda, SQS and ' +
          'EventBridge statements name their resources.',
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

/** Queue mode needs a task queue for every vendor; invoke mode has no use for one. */
function checkTaskQueues(
  mode: DispatchMode,
  vendors: readonly [VendorId, IFunction][],
  taskQueues: ProvisioningWorkflowProps['taskQueues'],
): void {
  if (mode === 'invoke') {
    if (taskQueues && Object.keys(taskQueues).length > 0) {
      throw new Error('ProvisioningWorkflow: task queues were given in invoke mode, where no step sends to them');
    }
    return;
  }
  const missing = vendors.filter(([vendor]) => taskQueues?.[vendor] === undefined).map(([vendor]) => vendor);
  if (missing.length > 0)
    throw new Error(`ProvisioningWorkflow: queue mode needs a task queue for ${missing.join(', ')}`);
}

/** The ASL file of the mode must use exactly the placeholders this construct substitutes for that mode. */
function checkPlaceholders(mode: DispatchMode): void {
  const file = WORKFLOW_FILES[mode];
  const expected = WORKFLOW_PLACEHOLDERS[mode];
  const found = new Set([...readFileSync(file, 'utf8').matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!));
  const unknown = [...found].filter((name) => !expected.includes(name));
  if (unknown.length > 0) {
    throw new Error(`${file} uses placeholders this construct does not fill in ${mode} mode: ${unknown.join(', ')}`);
  }
  const unused = expected.filter((name) => !found.has(name));
  if (unused.length > 0) {
    throw new Error(
      `${file} does not use the ${mode}-mode placeholders ${unused.join(', ')}: is it the ${mode} workflow?`,
    );
  }
}
