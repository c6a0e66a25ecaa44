/**
 * A local Lambda runtime: handlers run in-process behind a per-function concurrency gate that fails with
 * `Lambda.TooManyRequestsException` past the function's reserved concurrency, exactly as the Lambda service does for a
 * throttled synchronous invoke. Errors leave in the shape Step Functions gives them on AWS: the name is the
 * `errorType`, the message (Cause) is the JSON `{ errorType, errorMessage, trace }`.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

export type LocalHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface LocalFunctionSpec {
  readonly name: string;
  /**
   * Builds one function instance (what a cold start does on AWS). Instances are pooled and reused like warm
   * sandboxes, at most `reservedConcurrency` of them, so per-instance state such as a pacer behaves as on AWS.
   */
  readonly createInstance: () => LocalHandler;
  /** Reserved concurrency; `undefined` means unreserved (bounded only by the account, i.e. not here). */
  readonly reservedConcurrency?: number;
  readonly timeoutSeconds: number;
  /**
   * Fault injection, local only (`local/batch/fault-switches.ts`): the probability that an invocation whose handler
   * succeeded dies before its answer leaves. The sandbox is discarded and the caller gets `Sandbox.Timedout`, as on AWS
   * when a function is cut off after its work was done.
   */
  readonly crashAfterSuccess?: { readonly rate: number; readonly random?: () => number };
}

export interface FunctionStats {
  invocations: number;
  /** Invokes refused at the gate (`Lambda.TooManyRequestsException`). */
  throttles: number;
  errors: number;
  maxInFlight: number;
  /** Invocations cut off by `crashAfterSuccess` after their handler succeeded. */
  crashes: number;
}

/** An error as Step Functions reports a failed Lambda task: name = errorType, message = Cause JSON. */
export class TaskError extends Error {
  constructor(name: string, cause: { errorType: string; errorMessage: string; trace?: string[] }) {
    super(JSON.stringify({ errorType: cause.errorType, errorMessage: cause.errorMessage, trace: cause.trace ?? [] }));
    this.name = name;
  }
}

class LocalFunction {
  inFlight = 0;
  private readonly idle: LocalHandler[] = [];
  readonly stats: FunctionStats = { invocations: 0, throttles: 0, errors: 0, maxInFlight: 0, crashes: 0 };

  constructor(readonly spec: LocalFunctionSpec) {}

  async invoke(event: unknown): Promise<unknown> {
    const { reservedConcurrency } = this.spec;
    if (reservedConcurrency !== undefined && this.inFlight >= reservedConcurrency) {
      this.stats.throttles++;
      throw new TaskError('Lambda.TooManyRequestsException', {
        errorType: 'TooManyRequestsException',
        errorMessage: `Rate Exceeded. Function ${this.spec.name} is at its reserved concurrency (${reservedConcurrency}).`,
      });
    }
    this.inFlight++;
    this.stats.invocations++;
    const instance = this.idle.pop() ?? this.spec.createInstance();
    this.stats.maxInFlight = Math.max(this.stats.maxInFlight, this.inFlight);
    const deadline = Date.now() + this.spec.timeoutSeconds * 1000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new TaskError('Sandbox.Timedout', {
                errorType: 'Sandbox.Timedout',
                errorMessage: `Task timed out after ${this.spec.timeoutSeconds.toFixed(2)} seconds`,
              }),
            ),
          this.spec.timeoutSeconds * 1000,
        );
      });
      const result = await Promise.race([instance(event, fakeContext(this.spec, deadline)), timeout]);
      const crash = this.spec.crashAfterSuccess;
      if (crash && (crash.random ?? Math.random)() < crash.rate) {
        this.stats.crashes++;
        throw new TaskError('Sandbox.Timedout', {
          errorType: 'Sandbox.Timedout',
          errorMessage: 'The sandbox died after the handler returned (injected crash); its answer was lost',
        });
      }
      this.idle.push(instance);
      return result;
    } catch (error) {
      this.stats.errors++;
      // An instance that timed out is discarded (AWS recycles the sandbox); one that threw is reused.
      if (!(error instanceof TaskError && error.name === 'Sandbox.Timedout')) this.idle.push(instance);
      if (error instanceof TaskError) throw error;
      const e = error instanceof Error ? error : new Error(String(error));
      throw new TaskError(e.name, {
        errorType: e.name,
        errorMessage: e.message,
        trace: (e.stack ?? '').split('\n').slice(0, 10),
      });
    } finally {
      clearTimeout(timer);
      this.inFlight--;
    }
  }
}

export class LocalLambdaRuntime {
  private readonly functions = new Map<string, LocalFunction>();

  register(spec: LocalFunctionSpec): void {
    if (this.functions.has(spec.name)) throw new Error(`function ${spec.name} is already registered`);
    this.functions.set(spec.name, new LocalFunction(spec));
  }

  invoke(name: string, event: unknown): Promise<unknown> {
    const fn = this.functions.get(name);
    if (!fn) {
      return Promise.reject(
        new TaskError('Lambda.ResourceNotFoundException', {
          errorType: 'ResourceNotFoundException',
          errorMessage: `Function not found: ${name}`,
        }),
      );
    }
    return fn.invoke(event);
  }

  stats(name: string): Readonly<FunctionStats> | undefined {
    return this.functions.get(name)?.stats;
  }

  /** Number of invocations in flight across all functions (the stack waits for zero before it stops). */
  inFlight(): number {
    let total = 0;
    for (const fn of this.functions.values()) total += fn.inFlight;
    return total;
  }
}

function fakeContext(spec: LocalFunctionSpec, deadline: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: spec.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${spec.name}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${spec.name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
