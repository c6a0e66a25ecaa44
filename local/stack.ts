/**
 * The embedded stack (docs/architecture.md, "The local stack"): the same handlers and ASL files as on AWS, wired to local stand-ins on 127.0.0.1:
 * SQS (fauxqs, queues and redrive policy as in the CDK stack), Step Functions (our API layer over the interpreter),
 * Lambda (in-process instances behind reserved-concurrency gates) and one emulator per vendor.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { eventBusName, stateMachineName } from '../cdk/naming.ts';
import { buildDispatcherHandler } from '../functions/dispatcher/handler-factory.ts';
import {
  DISPATCH_MODE,
  type DispatchMode,
  laneSuffix,
  PIPELINE,
  vendorConfig,
  vendorLanes,
} from '../functions/domain/config.ts';
import type { VendorId } from '../functions/domain/contract.ts';
import { taskQueueSubstitutions, WAIT_FOR_TASK_TOKEN } from '../functions/domain/queued-workflow.ts';
import { LocalEventBus, PUT_EVENTS_RESOURCE } from './aws/event-bus.ts';
import { type LocalFailureCapture, startFailureCapture } from './aws/failure-capture.ts';
import { type LocalIdempotencyStore, startLocalIdempotencyStore } from './aws/idempotency-store.ts';
import { type LocalHandler, LocalLambdaRuntime } from './aws/lambda-runtime.ts';
import { type RunningLocalScheduler, startLocalScheduling } from './aws/scheduler.ts';
import { asIntegrationError, startLocalSqs } from './aws/sqs.ts';
import { type EventSource, startEventSource } from './aws/sqs-event-source.ts';
import { LocalStepFunctions } from './aws/step-functions.ts';
import { ACCOUNT, type AslDefinition, REGION, type TaskResourceHandler } from './aws/step-functions-model.ts';
import { loadWorkflow } from './aws/workflow.ts';
import type { LambdaCrashSettings } from './batch/fault-switches.ts';
import type { FaultSettings, RunningEmulator } from './emulators/common.ts';
import { type EmulatorStartOptions, LOCAL_VENDORS, type LocalVendor } from './emulators/registry.ts';
import { inProcessRequestHandler, withoutDiscardedSdkLogging } from './in-process-transport.ts';
import { registerVendorLanes, vendorFunctionName } from './vendor-lanes.ts';

export { vendorFunctionName };

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
/**
 * The stand-ins' SDK clients. `cacheMiddleware` builds each command's middleware chain once per client instead of on
 * every send (a quarter of an SQS call's CPU here, docs/benchmarks.md): nothing adds middleware to these clients per
 * command, so every call goes through the same chain either way.
 */
const LOCAL_CLIENT = { region: REGION, credentials: LOCAL_CREDENTIALS, cacheMiddleware: true } as const;

export interface LocalStackOptions {
  /** Vendors to run (default: every vendor the local registry knows). */
  readonly vendors?: readonly VendorId[];
  /** Environment for endpoint overrides and credentials (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** Faults injected into every started emulator. */
  readonly faults?: FaultSettings;
  /** Emulators enforce the documented limits (default true). */
  readonly enforceRateLimit?: boolean;
  /** `false` builds the naive configuration: reserved concurrency without pacing (the benchmark's baseline). */
  readonly pacing?: boolean;
  /** How workflow steps reach the vendor λ (default: `DISPATCH_MODE` of the config, as deployed). */
  readonly dispatch?: DispatchMode;
  /** Test knobs: every Wait / Retry pause in ms instead of the ASL's seconds. */
  readonly waitOverrideMs?: number;
  readonly retryOverrideMs?: number;
  /** Visibility timeout of the local ingress queue (AWS uses PIPELINE's; locally shorter keeps retries quick). */
  readonly visibilityTimeoutSeconds?: number;
  /** Called with progress lines. */
  readonly log?: (line: string) => void;
  /** Test knob of the local scheduler: every wait until a schedule fires is multiplied by this (default 1). */
  readonly schedulerTimeScale?: number;
  /** Vendor λs that die after a vendor call succeeded (`local/batch/fault-switches.ts`; `flowctl local --crash`). */
  readonly lambdaCrash?: LambdaCrashSettings;
  /**
   * RELIABILITY SUITE AND BENCHMARK ONLY, with `enforceRateLimit: false`: multiplies every vendor λ's pacing interval
   * (0.02 → 50× the documented rate), so thousands of requests run in minutes. Never below the documented limits
   * against a real vendor: the pacing arithmetic of `functions/domain/config.ts` no longer holds. @default 1
   */
  readonly pacingScale?: number;
  /** Deadline of one vendor call, overriding the config's (fault runs: a lost answer holds a slot this long). */
  readonly callTimeoutMs?: number;
  /** Timeout of the vendor λs, overriding the config's (crash runs: a dead sandbox holds its slot this long). */
  readonly vendorTimeoutSeconds?: number;
  /**
   * BENCHMARK ONLY: extra emulator settings (`local/emulators/registry.ts`): time compression of the vendor's world,
   * ICE's assumed limit enforced, the AWS flow quota.
   */
  readonly emulatorOptions?: Pick<EmulatorStartOptions, 'timeScale' | 'enforceAssumedLimit' | 'flowQuota'>;
  /**
   * BENCHMARK ONLY: multiplies every Retry's `IntervalSeconds` and `MaxDelaySeconds` (time compression); unlike
   * `retryOverrideMs`, backoff and full jitter are kept. @default 1
   */
  readonly retryScale?: number;
  /** BENCHMARK ONLY: told when a vendor λ's paced call begins (after its pacing wait), to measure arrival jitter. */
  readonly onVendorCall?: (vendor: VendorId, startedAt: number) => void;
}

export interface LocalStack {
  readonly sqs: SQSClient;
  readonly sfn: SFNClient;
  readonly sqsEndpoint: string;
  readonly sfnEndpoint: string;
  readonly ingressQueueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly stepFunctions: LocalStepFunctions;
  readonly lambdas: LocalLambdaRuntime;
  readonly emulators: Partial<Record<VendorId, RunningEmulator>>;
  readonly stateMachineArns: Partial<Record<VendorId, string>>;
  readonly vendors: readonly VendorId[];
  /** EventBridge Scheduler stand-in (`flowctl schedule`): fires at() and rate() schedules into the ingress queue. */
  readonly scheduler: RunningLocalScheduler;
  /** Stand-in for the EventBridge rule that puts TIMED_OUT/ABORTED executions on the DLQ. */
  readonly failureCapture: LocalFailureCapture;
  /** The stage's event bus: every outcome event put by the workflow and the dispatcher (`local/aws/event-bus.ts`). */
  readonly eventBus: LocalEventBus;
  readonly dispatch: DispatchMode;
  /** The vendors' task queues by lane (queue mode only). */
  readonly taskQueueUrls: Partial<Record<VendorId, Readonly<Record<string, string>>>>;
  /** The vendor tasks' idempotency table (dynalite). */
  readonly idempotencyStore: LocalIdempotencyStore;
  /** Vendor λ invocations that died after a vendor call (`lambdaCrash` at `after-vendor-call`). */
  readonly crashes: { crashes: number };
  /** Sends raw message bodies to the ingress queue, 10 per batch call. */
  send(bodies: readonly string[]): Promise<void>;
  /** Resolves when the ingress queue is empty, no batch is being dispatched and no execution is running. */
  waitForDrain(options?: { timeoutMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

export const DISPATCHER_FUNCTION = 'flow-provisioner-dispatcher';

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const vendors = (options.vendors ?? LOCAL_VENDORS.map((v) => v.vendor)).map((vendor) => {
    const entry = LOCAL_VENDORS.find((v) => v.vendor === vendor);
    if (!entry) throw new Error(`vendor ${vendor} has no local emulator and client registered`);
    return entry;
  });
  const closers: (() => Promise<void>)[] = [];
  const taskSources: EventSource[] = [];
  const stopAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };

  try {
    // --- SQS ---------------------------------------------------------------------------------------------------
    const localSqs = await startLocalSqs({ region: REGION });
    closers.push(() => localSqs.close());
    const sqsEndpoint = localSqs.endpoint;
    const sqs = withoutDiscardedSdkLogging(
      new SQSClient({
        ...LOCAL_CLIENT,
        endpoint: sqsEndpoint,
        requestHandler: inProcessRequestHandler(localSqs.server),
      }),
    );
    const dlq = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'provision-dlq',
        Attributes: { MessageRetentionPeriod: String(PIPELINE.dlqRetentionDays * 86400) },
      }),
    );
    const deadLetterQueueUrl = dlq.QueueUrl!;
    const ingress = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'provision-requests',
        Attributes: {
          VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 10),
          MessageRetentionPeriod: String(PIPELINE.ingressRetentionDays * 86400),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:provision-dlq`,
            maxReceiveCount: PIPELINE.maxReceiveCount,
          }),
        },
      }),
    );
    const ingressQueueUrl = ingress.QueueUrl!;

    // --- EventBridge: the stage's bus, for the workflow's putEvents and the dispatcher's SDK client -------------
    const eventBus = new LocalEventBus(eventBusName('local'));
    const eventsServer = await eventBus.listen();
    closers.push(() => eventsServer.close());
    const events = withoutDiscardedSdkLogging(
      new EventBridgeClient({
        ...LOCAL_CLIENT,
        endpoint: eventsServer.url,
        maxAttempts: 1,
        requestHandler: inProcessRequestHandler(eventsServer.server),
      }),
    );

    // --- DynamoDB (idempotency of the vendor tasks' effect steps) ---------------------------------------------
    const idempotencyStore = await startLocalIdempotencyStore();
    closers.push(() => idempotencyStore.close());
    const crashes = { crashes: 0 };

    // --- vendor emulators and λs --------------------------------------------------------------------------------
    const dispatch = options.dispatch ?? DISPATCH_MODE;
    const lambdas = new LocalLambdaRuntime();
    // The vendor λs answer task tokens through the Step Functions API; its client exists once the service listens.
    let sfnClient: SFNClient | undefined;
    /** Queue mode: each vendor's task queue URL by lane. */
    const taskQueueUrls: Partial<Record<VendorId, Record<string, string>>> = {};
    const emulators: Partial<Record<VendorId, RunningEmulator>> = {};
    for (const entry of vendors) {
      const endpoint = await vendorEndpoint(entry, env, options, emulators, closers, log);
      const clientEnv: NodeJS.ProcessEnv = endpointOverridden(entry, env)
        ? { ...env }
        : { ...env, ...entry.credentialsEnv, [entry.endpointEnv]: endpoint };
      taskQueueUrls[entry.vendor] = await registerVendorLanes({
        vendor: entry.vendor,
        lambdas,
        sqs: dispatch === 'queue' ? sqs : undefined,
        createClient: (pace) =>
          entry.createClient(
            clientEnv,
            pace,
            options.callTimeoutMs !== undefined ? { callTimeoutMs: options.callTimeoutMs } : {},
          ),
        options,
        idempotencyStore,
        crashes,
        sfn: () => sfnClient!,
      });
    }

    // --- Step Functions ------------------------------------------------------------------------------------------
    const stepFunctions = new LocalStepFunctions({
      ...(options.waitOverrideMs !== undefined ? { waitOverrideMs: options.waitOverrideMs } : {}),
      ...(options.retryOverrideMs !== undefined ? { retryOverrideMs: options.retryOverrideMs } : {}),
    });
    const stateMachineArns: Partial<Record<VendorId, string>> = {};
    for (const entry of vendors) {
      const functionArn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${vendorFunctionName(entry.vendor)}`;
      stateMachineArns[entry.vendor] = stepFunctions.registerStateMachine({
        name: stateMachineName(entry.vendor),
        definition: scaleRetries(
          loadWorkflow(
            dispatch === 'queue'
              ? {
                  ...taskQueueSubstitutions(
                    vendorLanes(vendorConfig(entry.vendor).budget),
                    (lane) => taskQueueUrls[entry.vendor]![lane]!,
                  ),
                  DeadLetterQueueUrl: deadLetterQueueUrl,
                  EventBusName: eventBus.name,
                }
              : { VendorFunctionArn: functionArn, DeadLetterQueueUrl: deadLetterQueueUrl, EventBusName: eventBus.name },
            dispatch,
          ),
          options.retryScale,
        ),
        resolveResource: (resource) => resolveResource(resource, lambdas, sqs, stepFunctions, eventBus),
      });
    }
    const sfnServer = await stepFunctions.listen();
    closers.push(() => sfnServer.close());
    const sfn = withoutDiscardedSdkLogging(
      new SFNClient({
        ...LOCAL_CLIENT,
        endpoint: sfnServer.url,
        maxAttempts: 1,
        requestHandler: inProcessRequestHandler(sfnServer.server),
      }),
    );
    sfnClient = sfn;

    // --- queue mode: each vendor λ consumes its task queue, one work item per invocation, at most C at once -------
    for (const entry of vendors) {
      const { budget } = vendorConfig(entry.vendor);
      for (const lane of vendorLanes(budget)) {
        const queueUrl = taskQueueUrls[entry.vendor]?.[lane.name];
        if (!queueUrl) continue;
        const name = vendorFunctionName(entry.vendor, laneSuffix(budget, lane.name));
        const source = startEventSource({
          sqs,
          queueUrl,
          batchSize: 1,
          maxConcurrency: lane.reservedConcurrency,
          invoke: (event) => lambdas.invoke(name, event),
        });
        taskSources.push(source);
        closers.push(() => source.stop());
      }
    }

    // --- EventBridge Scheduler and failed-execution capture -------------------------------------------------------
    const scheduler = await startLocalScheduling({
      sqs,
      ingressQueueUrl,
      log,
      ...(options.schedulerTimeScale !== undefined ? { timeScale: options.schedulerTimeScale } : {}),
    });
    closers.push(() => scheduler.close());
    const failureCapture = startFailureCapture({
      stepFunctions,
      sfn,
      sqs,
      deadLetterQueueUrl,
      events: { client: events, busName: eventBus.name },
      log,
    });
    closers.push(() => failureCapture.stop());

    // --- dispatcher behind an SQS event source -------------------------------------------------------------------
    lambdas.register({
      name: DISPATCHER_FUNCTION,
      timeoutSeconds: PIPELINE.dispatcherTimeoutSeconds,
      createInstance: () =>
        buildDispatcherHandler({
          sfn,
          sqs,
          stateMachineArns,
          deadLetterQueueUrl,
          events: { client: events, busName: eventBus.name },
        }) as unknown as LocalHandler,
    });
    const eventSource = startEventSource({
      sqs,
      queueUrl: ingressQueueUrl,
      batchSize: PIPELINE.dispatcherBatchSize,
      maxConcurrency: PIPELINE.dispatcherMaxConcurrency,
      invoke: (event) => lambdas.invoke(DISPATCHER_FUNCTION, event),
    });
    closers.push(() => eventSource.stop());

    const stack: LocalStack = {
      sqs,
      sfn,
      sqsEndpoint,
      sfnEndpoint: sfnServer.url,
      ingressQueueUrl,
      deadLetterQueueUrl,
      stepFunctions,
      lambdas,
      emulators,
      stateMachineArns,
      vendors: vendors.map((v) => v.vendor),
      scheduler,
      failureCapture,
      eventBus,
      dispatch,
      taskQueueUrls,
      idempotencyStore,
      crashes,
      send: async (bodies) => {
        // One SendMessage per body: a batch would fail whole on one oversize body, and each body must arrive as is.
        const queue = [...bodies];
        const workers = Array.from({ length: 8 }, async () => {
          for (let body = queue.shift(); body !== undefined; body = queue.shift()) {
            await sqs.send(new SendMessageCommand({ QueueUrl: ingressQueueUrl, MessageBody: body }));
          }
        });
        await Promise.all(workers);
      },
      waitForDrain: async ({ timeoutMs = 600_000 } = {}) => {
        const deadline = Date.now() + timeoutMs;
        let quietRounds = 0;
        while (quietRounds < 2) {
          if (Date.now() > deadline) throw new Error(`local stack did not drain within ${timeoutMs} ms`);
          await stepFunctions.waitForIdle();
          await failureCapture.idle();
          const attributes = await sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl: ingressQueueUrl,
              AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
            }),
          );
          const pending =
            Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0) +
            Number(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
          const busy = pending > 0 || eventSource.busy() || taskSources.some((t) => t.busy()) || lambdas.inFlight() > 0;
          quietRounds = busy ? 0 : quietRounds + 1;
          await new Promise((resolve) => setTimeout(resolve, busy ? 100 : 50));
        }
      },
      stop: async () => {
        await eventSource.stop();
        for (const workers of taskSources) await workers.stop();
        await stepFunctions.waitForIdle();
        await stopAll();
      },
    };
    return stack;
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function endpointOverridden(entry: LocalVendor, env: NodeJS.ProcessEnv): boolean {
  return typeof env[entry.endpointEnv] === 'string' && env[entry.endpointEnv] !== '';
}

async function vendorEndpoint(
  entry: LocalVendor,
  env: NodeJS.ProcessEnv,
  options: LocalStackOptions,
  emulators: Partial<Record<VendorId, RunningEmulator>>,
  closers: (() => Promise<void>)[],
  log: (line: string) => void,
): Promise<string> {
  if (endpointOverridden(entry, env)) {
    log(`${entry.vendor}: using ${entry.endpointEnv}=${env[entry.endpointEnv]} (no emulator started)`);
    return env[entry.endpointEnv]!;
  }
  const emulator = await entry.startEmulator({
    ...(options.faults ? { faults: options.faults } : {}),
    enforceRateLimit: options.enforceRateLimit ?? true,
    ...options.emulatorOptions,
  });
  emulators[entry.vendor] = emulator;
  closers.push(() => emulator.close());
  return emulator.url;
}

/** Every Retry's pauses multiplied by `scale` (backoff rate, attempts and jitter unchanged); `undefined` keeps them. */
export function scaleRetries(definition: AslDefinition, scale: number | undefined): AslDefinition {
  if (scale === undefined || scale === 1) return definition;
  const states: AslDefinition['States'] = {};
  for (const [name, state] of Object.entries(definition.States)) {
    const retry = state.Retry as { IntervalSeconds?: number; MaxDelaySeconds?: number }[] | undefined;
    states[name] = Array.isArray(retry)
      ? {
          ...state,
          Retry: retry.map((r) => ({
            ...r,
            IntervalSeconds: (r.IntervalSeconds ?? 1) * scale,
            ...(r.MaxDelaySeconds !== undefined ? { MaxDelaySeconds: r.MaxDelaySeconds * scale } : {}),
          })),
        }
      : state;
  }
  return { ...definition, States: states };
}

/** The local meaning of each Task `Resource` the ASL uses. */
export function resolveResource(
  resource: string,
  lambdas: LocalLambdaRuntime,
  sqs: SQSClient,
  stepFunctions: LocalStepFunctions,
  eventBus?: LocalEventBus,
): TaskResourceHandler {
  if (resource === PUT_EVENTS_RESOURCE) {
    if (!eventBus) throw new Error('the workflow puts events: give resolveResource the local event bus');
    return eventBus.taskHandler();
  }
  const lambda = /^arn:aws:lambda:[^:]+:\d+:function:([^:]+)$/.exec(resource);
  if (lambda) return (input) => lambdas.invoke(lambda[1]!, input);
  if (resource === WAIT_FOR_TASK_TOKEN) {
    return async (input) => {
      const { QueueUrl, MessageBody } = input as { QueueUrl: string; MessageBody: { taskToken: string } };
      // Await first, then send: a fast worker must not answer a token nobody waits for yet.
      const answer = stepFunctions.awaitTaskToken(MessageBody.taskToken);
      await sqs
        .send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(MessageBody) }))
        .catch((error: unknown) => {
          answer.catch(() => undefined);
          throw asIntegrationError(error);
        });
      return answer;
    };
  }
  if (resource === 'arn:aws:states:::sqs:sendMessage') {
    return async (input) => {
      const params = input as ConstructorParameters<typeof SendMessageCommand>[0];
      const result = await sqs.send(new SendMessageCommand(params)).catch((error: unknown) => {
        throw asIntegrationError(error);
      });
      return { MessageId: result.MessageId, MD5OfMessageBody: result.MD5OfMessageBody };
    };
  }
  throw new Error(`the local stack has no stand-in for Task resource ${resource}`);
}
