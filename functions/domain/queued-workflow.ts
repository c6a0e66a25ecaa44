/**
 * Derives the queue-mode workflow from the invoke-mode one (docs/architecture.md, "Pacing", docs/adr/0004): every
 * vendor task that invokes the vendor λ becomes `sqs:sendMessage.waitForTaskToken` on its step's task queue, with the
 * same task parameters plus the task token. Everything else — states, choices, waits, failure path, retry of the vendor
 * error classes — is the same object, so the two files cannot drift: `workflows/provision-flow-queued.asl.json` is this
 * function's output (`npm run workflows`), and a test fails when the committed file differs.
 */

import { WORKFLOW_STEPS } from '../vendors/types.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type State = { [key: string]: Json };
export interface WorkflowDefinition {
  StartAt: string;
  States: Record<string, State>;
  [key: string]: Json | Record<string, State>;
}

/** The ASL placeholders, filled by CDK's definitionSubstitutions and by `local/aws/workflow.ts`. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: the ASL placeholder, meant literally
export const VENDOR_FUNCTION_PLACEHOLDER = '${VendorFunctionArn}';

/**
 * The ASL placeholder of one step's task queue, `${<Step>TaskQueueUrl}` (e.g. `CreateFlowTaskQueueUrl`): each step's
 * work items go to the queue of the lane that serves it (docs/adr/0007-lanes.md), one queue for every step of a
 * vendor without lanes.
 */
export function taskQueuePlaceholderName(step: string): string {
  return `${step.charAt(0).toUpperCase()}${step.slice(1)}TaskQueueUrl`;
}

/** Every step's queue placeholder filled with the URL of the lane that serves it. */
export function taskQueueSubstitutions(
  lanes: readonly { readonly name: string; readonly steps: readonly string[] }[],
  queueUrlOf: (lane: string) => string,
): Record<string, string> {
  return Object.fromEntries(
    lanes.flatMap((lane) =>
      lane.steps
        .filter((step) => (WORKFLOW_STEPS as readonly string[]).includes(step))
        .map((step) => [taskQueuePlaceholderName(step), queueUrlOf(lane.name)]),
    ),
  );
}
export const WAIT_FOR_TASK_TOKEN = 'arn:aws:states:::sqs:sendMessage.waitForTaskToken';

/**
 * How long a vendor step may wait in line plus run. A burst of 300 requests at 5 calls/s queues for minutes; the
 * execution timeout still bounds the whole.
 */
export const QUEUED_TASK_TIMEOUT_SECONDS = 1800;

/**
 * Retry rules that only make sense when Step Functions invokes the λ itself: the concurrency gate and service faults
 * (`Lambda.*`) and a λ killed by its timeout (`Sandbox.Timedout`). In queue mode no such error reaches the
 * workflow: a λ that runs out of time or dies before answering leaves its work item on the queue, SQS delivers it
 * again after the visibility timeout, and the idempotent step answers the same token then.
 */
const isLambdaRule = (rule: Json) =>
  typeof rule === 'object' &&
  rule !== null &&
  !Array.isArray(rule) &&
  Array.isArray(rule.ErrorEquals) &&
  rule.ErrorEquals.every((name) => typeof name === 'string' && /^(Lambda|Sandbox)\./.test(name));

/** Sending the work item can fail like any SDK integration call; those faults are retried briefly. */
const SQS_SEND_RETRY: Json = {
  ErrorEquals: ['SQS.SdkClientException', 'SQS.AmazonSQSException'],
  IntervalSeconds: 1,
  BackoffRate: 2,
  MaxAttempts: 5,
  MaxDelaySeconds: 10,
  JitterStrategy: 'FULL',
};

/** The step a vendor task asks for: its literal `operation` parameter, which picks its lane's queue. */
function stepOf(state: string, parameters: Json | undefined): string {
  const operation = (parameters as { [key: string]: Json } | undefined)?.operation;
  if (typeof operation !== 'string') throw new Error(`${state}: a vendor task needs a literal "operation" parameter`);
  return operation;
}

export function deriveQueuedWorkflow(invoke: WorkflowDefinition): WorkflowDefinition {
  const states: Record<string, State> = {};
  for (const [name, state] of Object.entries(invoke.States)) {
    if (state.Type !== 'Task' || state.Resource !== VENDOR_FUNCTION_PLACEHOLDER) {
      states[name] = state;
      continue;
    }
    const { Resource: _resource, Parameters, Retry, TimeoutSeconds: _timeout, Comment, ...rest } = state;
    states[name] = {
      ...(Comment !== undefined ? { Comment } : {}),
      Type: 'Task',
      Resource: WAIT_FOR_TASK_TOKEN,
      Parameters: {
        QueueUrl: `\${${taskQueuePlaceholderName(stepOf(name, Parameters))}}`,
        MessageBody: { ...(Parameters as { [key: string]: Json }), 'taskToken.$': '$$.Task.Token' },
      },
      TimeoutSeconds: QUEUED_TASK_TIMEOUT_SECONDS,
      Retry: [...((Retry as Json[]) ?? []).filter((rule) => !isLambdaRule(rule)), SQS_SEND_RETRY],
      ...rest,
    };
  }
  return {
    ...invoke,
    Comment:
      'flow-provisioner, queue mode: create → start → wait until running → share; each vendor step waits in the ' +
      "vendor's task queue for the paced vendor λ. Derived from provision-flow.asl.json by `npm run workflows`: do not edit.",
    States: states,
  };
}
