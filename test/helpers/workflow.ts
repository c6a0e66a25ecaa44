/**
 * Runs `workflows/provision-flow.asl.json` in the local interpreter (through the local Step Functions layer) with a
 * vendor λ built by the real handler factory around a given client, and captures what the workflow sends to the DLQ.
 */
import { vendorConfig } from '../../functions/domain/config.ts';
import type { VendorId } from '../../functions/domain/contract.ts';
import { Pacer } from '../../functions/domain/pacing.ts';
import { buildVendorTaskHandler } from '../../functions/flow-steps/handler-factory.ts';
import type { VendorClient } from '../../functions/vendors/types.ts';
import { LocalEventBus, PUT_EVENTS_RESOURCE } from '../../local/aws/event-bus.ts';
import { type LocalHandler, LocalLambdaRuntime } from '../../local/aws/lambda-runtime.ts';
import { LocalStepFunctions } from '../../local/aws/step-functions.ts';
import type { ExecutionRecord } from '../../local/aws/step-functions-model.ts';
import { loadWorkflow } from '../../local/aws/workflow.ts';

export interface CapturedMessage {
  readonly body: string;
  readonly attributes: Record<string, string>;
}

export interface WorkflowHarness {
  readonly stepFunctions: LocalStepFunctions;
  readonly lambdas: LocalLambdaRuntime;
  readonly stateMachineArn: string;
  readonly dlq: CapturedMessage[];
  /** What the workflow put on its bus. */
  readonly eventBus: LocalEventBus;
  /** Starts an execution named after the request and waits for it to end. */
  run(request: Record<string, unknown>, name?: string): Promise<ExecutionRecord>;
}

export const DLQ_URL = 'http://127.0.0.1:1/000000000000/provision-dlq';

export function workflowHarness(
  vendor: VendorId,
  client: VendorClient,
  options: { reservedConcurrency?: number; functionTimeoutSeconds?: number; waitOverrideMs?: number } = {},
): WorkflowHarness {
  const lambdas = new LocalLambdaRuntime();
  const functionName = `flow-provisioner-${vendor}`;
  lambdas.register({
    name: functionName,
    reservedConcurrency: options.reservedConcurrency ?? vendorConfig(vendor).budget.reservedConcurrency,
    timeoutSeconds: options.functionTimeoutSeconds ?? vendorConfig(vendor).functionTimeoutSeconds,
    // Unpaced: workflow tests are about the state machine, the pacing rule has its own tests.
    createInstance: () => buildVendorTaskHandler({ vendor, client, pacer: new Pacer(0) }) as LocalHandler,
  });
  const dlq: CapturedMessage[] = [];
  const eventBus = new LocalEventBus('flow-provisioner-test');
  const stepFunctions = new LocalStepFunctions({ waitOverrideMs: options.waitOverrideMs ?? 1, retryOverrideMs: 1 });
  const stateMachineArn = stepFunctions.registerStateMachine({
    name: `provision-flow-${vendor}`,
    definition: loadWorkflow({
      VendorFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
      DeadLetterQueueUrl: DLQ_URL,
      EventBusName: eventBus.name,
    }),
    resolveResource: (resource) => {
      if (resource === PUT_EVENTS_RESOURCE) return eventBus.taskHandler();
      if (resource === 'arn:aws:states:::sqs:sendMessage') {
        return async (input) => {
          const params = input as {
            QueueUrl: string;
            MessageBody: string;
            MessageAttributes: Record<string, { StringValue: string }>;
          };
          if (params.QueueUrl !== DLQ_URL) throw new Error(`unexpected queue ${params.QueueUrl}`);
          const attributes = Object.fromEntries(
            Object.entries(params.MessageAttributes).map(([k, v]) => [k, v.StringValue]),
          );
          dlq.push({ body: params.MessageBody, attributes });
          return { MessageId: `m-${dlq.length}` };
        };
      }
      const name = resource.split(':').pop()!;
      return (input) => lambdas.invoke(name, input);
    },
  });
  return {
    stepFunctions,
    lambdas,
    stateMachineArn,
    dlq,
    eventBus,
    run: async (request, name) => {
      const { executionArn } = stepFunctions.startExecution({
        stateMachineArn,
        name: name ?? String(request.requestId),
        input: JSON.stringify(request),
      });
      await stepFunctions.waitForIdle();
      return stepFunctions.describeExecution(executionArn);
    },
  };
}
