/**
 * Local end-to-end throughput with the vendor limits off: how many flows per second the embedded stack provisions
 * when nothing but its own machinery is in the way (no rate limit, no pacing, no vendor latency, Wait states and
 * retry pauses at zero), against the bare interpreter running the same ASL with its vendor tasks answered in-process
 * by the same task core over an in-memory client. The ratio is what SQS, the dispatcher, the Lambda runtime, the
 * idempotency store, the signed HTTP calls and the emulator cost on top of the interpreter.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import type { VendorId } from '../functions/domain/contract.ts';
import { runVendorTask } from '../functions/flow-steps/core.ts';
import type { FlowState, VendorClient } from '../functions/vendors/types.ts';
import { LocalEventBus, PUT_EVENTS_RESOURCE } from '../local/aws/event-bus.ts';
// A value import, so the module's Promise.withResolvers polyfill (the interpreter needs it on Node 20) is loaded.
import { ACCOUNT, type AslDefinition, REGION } from '../local/aws/step-functions-model.ts';
import { withoutInterpreterTimeouts } from '../local/aws/task-timeouts.ts';
import { loadWorkflow } from '../local/aws/workflow.ts';
import { requestsFor } from '../local/batch/demo-batch.ts';
import { buildReport, readDeadLetterQueue } from '../local/batch/run-batch.ts';
import { startLocalStack } from '../local/stack.ts';
import { countTransitions } from './metrics.ts';

export interface ThroughputReport {
  readonly vendor: VendorId;
  readonly requests: number;
  readonly stack: PhaseResult;
  readonly bare: PhaseResult;
  /** Stack flows/s ÷ bare flows/s. */
  readonly ratio: number;
  readonly stackTransitionsPerFlow: number;
  readonly dispatch: 'queue' | 'invoke';
}

export interface PhaseResult {
  readonly provisioned: number;
  readonly ms: number;
  readonly flowsPerSecond: number;
  /**
   * Process CPU time (user + system, every thread) per provisioned flow: steadier than wall time on a shared machine,
   * and the figure that shows where the stack spends its effort.
   */
  readonly cpuMsPerFlow: number;
}

/** Process CPU milliseconds since `since` (user + system). */
function cpuMsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

export async function measureThroughput(
  vendor: VendorId,
  requests: number,
  dispatch: 'queue' | 'invoke' = 'queue',
): Promise<ThroughputReport> {
  const bodies = requestsFor(vendor, requests, 'bench-throughput').map((r) => JSON.stringify(r));

  // --- the full local stack -------------------------------------------------------------------------------------
  const stack = await startLocalStack({
    vendors: [vendor],
    dispatch,
    pacing: false,
    enforceRateLimit: false,
    waitOverrideMs: 0,
    retryScale: 0.01,
    emulatorOptions: { timeScale: 0, flowQuota: 1_000_000 },
  });
  let stackResult: ThroughputReport['stack'];
  let stackTransitionsPerFlow: number;
  try {
    const cpu = process.cpuUsage();
    const started = Date.now();
    await stack.send(bodies);
    await stack.waitForDrain({ timeoutMs: 20 * 60_000 });
    const cpuMs = cpuMsSince(cpu);
    const executions = stack.stepFunctions.allExecutions();
    const ended = Math.max(started, ...executions.map((e) => e.stopDate ?? 0));
    const report = buildReport(stack, bodies, await readDeadLetterQueue(stack), ended - started);
    const provisioned = report.results.filter((r) => r.status === 'PROVISIONED').length;
    const ms = ended - started;
    stackResult = {
      provisioned,
      ms,
      flowsPerSecond: (provisioned / ms) * 1000,
      cpuMsPerFlow: cpuMs / Math.max(1, provisioned),
    };
    const t = countTransitions(executions.map((e) => e.history));
    stackTransitionsPerFlow = (t.stateEntries + t.retries) / Math.max(1, provisioned);
  } finally {
    await stack.stop();
  }

  // --- the bare interpreter -------------------------------------------------------------------------------------
  const arn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:bench-${vendor}`;
  const definition: AslDefinition = loadWorkflow({
    VendorFunctionArn: arn,
    DeadLetterQueueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/provision-dlq',
    EventBusName: 'flow-provisioner-bench',
  });
  const client = inMemoryClient(vendor);
  const bus = new LocalEventBus('flow-provisioner-bench');
  // As the local service runs it (`local/aws/step-functions.ts`): the execution's 30-day timeout is out of a Node
  // timer's reach (it would fire at once), and the context carries what the vendor tasks read (`$$.State.RetryCount`,
  // `$$.Execution.RedriveCount`), which the interpreter does not keep.
  const machine = new StateMachine(withoutInterpreterTimeouts(definition) as never, {
    validationOptions: { checkArn: false },
  });
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Task' && state.Resource === arn)
      handlers[name] = (input) => runVendorTask(vendor, client, input);
    if (state.Type === 'Task' && state.Resource === PUT_EVENTS_RESOURCE) handlers[name] = bus.taskHandler();
  }
  const waits = Object.fromEntries(
    Object.entries(definition.States)
      .filter(([, s]) => s.Type === 'Wait')
      .map(([name]) => [name, 0]),
  );
  const cpu = process.cpuUsage();
  const started = Date.now();
  const outcomes = await Promise.allSettled(
    bodies.map((body, i) => {
      const input = JSON.parse(body) as unknown;
      return machine.run(input as never, {
        overrides: { taskResourceLocalHandlers: handlers as never, waitTimeOverrides: waits },
        context: {
          Execution: {
            Id: `bare-${i}`,
            Name: `bare-${i}`,
            StartTime: new Date(started).toISOString(),
            RedriveCount: 0,
          },
          State: { RetryCount: 0 },
        } as never,
      }).result;
    }),
  );
  const ms = Date.now() - started;
  const provisioned = outcomes.filter(
    (o) => o.status === 'fulfilled' && (o.value as { flowId?: unknown })?.flowId !== undefined,
  ).length;
  const refused = outcomes.find((o) => o.status === 'rejected');
  if (provisioned < requests) {
    // A bare run that provisions less measures a broken harness, not the interpreter: say why instead of a ratio.
    const reason = refused ? String((refused as PromiseRejectedResult).reason) : 'an execution ended without a flowId';
    throw new Error(`the bare interpreter provisioned ${provisioned} of ${requests}: ${reason}`);
  }
  const bare = {
    provisioned,
    ms,
    flowsPerSecond: (provisioned / ms) * 1000,
    cpuMsPerFlow: cpuMsSince(cpu) / Math.max(1, provisioned),
  };
  return {
    vendor,
    requests,
    stack: stackResult,
    bare,
    ratio: stackResult.flowsPerSecond / bare.flowsPerSecond,
    stackTransitionsPerFlow,
    dispatch,
  };
}

/** A vendor that answers at once: created idle, starting after a start, active at the next read. */
function inMemoryClient(vendor: VendorId): VendorClient {
  const flows = new Map<string, FlowState>();
  let next = 0;
  const status = (flowId: string) => {
    const state = flows.get(flowId) ?? 'STANDBY';
    return { flowId, state, vendorStatus: state };
  };
  return {
    vendor,
    createFlow: async (request) => {
      const flowId = `flow-${++next}`;
      flows.set(flowId, 'STANDBY');
      return { ...status(flowId), name: request.flow.name, adopted: false };
    },
    startFlow: async (_request, flowId) => {
      flows.set(flowId, 'STARTING');
      return status(flowId);
    },
    describeFlow: async (_request, flowId) => {
      if (flows.get(flowId) === 'STARTING') flows.set(flowId, 'ACTIVE');
      return status(flowId);
    },
    grantEntitlements: async (request) =>
      ((request.entitlements ?? []) as { name: string }[]).map((e, i) => ({ name: e.name, id: `${e.name}-${i}` })),
    stopFlow: async (_request, flowId) => {
      flows.set(flowId, 'STANDBY');
      return status(flowId);
    },
    deleteFlow: async (_request, flowId) => {
      flows.delete(flowId);
    },
    teardownFlow: async (_request, flowId) => {
      const outcome = flows.delete(flowId) ? 'DELETED' : 'ALREADY_GONE';
      return { flowId, outcome, vendorStatus: outcome };
    },
    describeConnection: async (_request, flowId) => ({ outputs: [], vendorDetail: { flowId } }),
  };
}
