/**
 * A local Step Functions service: the Step Functions API semantics we depend on (docs/architecture.md, "Exactly-once effects" and "The local stack"), over the
 * `aws-local-stepfunctions` interpreter running the very same ASL files. No emulator we measured gets these right,
 * so they are written here against the documented behaviour:
 *
 * - StartExecution: names are unique per state machine; the same name and input while RUNNING answers the same
 *   execution (idempotent), anything else `ExecutionAlreadyExists`.
 * - DescribeExecution / ListExecutions / GetExecutionHistory, with redrive status.
 * - RedriveExecution: FAILED, TIMED_OUT or ABORTED within 14 days; resumes at the state that was unsuccessful with
 *   that state's input (successful steps are not re-run), counting `redriveCount`.
 * - StopExecution (ABORTED).
 *
 * `listen()` serves it over HTTP with the AWS JSON 1.0 protocol, so the dispatcher and `flowctl` use the real
 * `@aws-sdk/client-sfn` against it.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import type { LoopbackListener } from '../loopback.ts';
import { serveStepFunctionsApi } from './step-functions-api.ts';
import {
  ACCOUNT,
  type ExecutionRecord,
  type ExecutionStatus,
  errorFields,
  type HistoryEvent,
  type LocalStepFunctionsOptions,
  REGION,
  SfnApiError,
  type StateMachineSpec,
  unsuccessfulState,
} from './step-functions-model.ts';
import {
  assertTimeoutsDistinguishable,
  limitsOf,
  runWithinLimits,
  withoutInterpreterTimeouts,
} from './task-timeouts.ts';

// The interpreter uses Promise.withResolvers (Node 22); Node 20 lacks it.
if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
  Object.assign(Promise, {
    withResolvers<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

const REDRIVABLE_MS = 14 * 24 * 3600 * 1000;

interface RegisteredMachine {
  readonly arn: string;
  readonly spec: StateMachineSpec;
  /** Compiled machines by start state (the original, and one per redrive start point), built once each. */
  readonly compiled: Map<string, StateMachine>;
}

export class LocalStepFunctions {
  private readonly machines = new Map<string, RegisteredMachine>();
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly listeners = new Set<(execution: ExecutionRecord) => void>();
  /** Task tokens minted for `.waitForTaskToken` states, by token. */
  private readonly tokens = new Map<string, PendingToken>();
  /** The same tokens by execution, so a task attempt or a closing run finds its own without scanning every token. */
  private readonly tokensByExecution = new Map<string, Set<string>>();
  /** Tokens of closed executions, answered with TaskTimedOut like AWS; bounded, the oldest dropped first. */
  private readonly closedTokens = new Set<string>();
  private tokenCounter = 0;
  private readonly now: () => number;

  constructor(private readonly options: LocalStepFunctionsOptions = {}) {
    this.now = options.clock ?? Date.now;
  }

  registerStateMachine(spec: StateMachineSpec): string {
    const arn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${spec.name}`;
    assertTimeoutsDistinguishable(spec.definition);
    const machine: RegisteredMachine = { arn, spec, compiled: new Map() };
    this.compile(machine, spec.definition.StartAt);
    this.machines.set(arn, machine);
    return arn;
  }

  /** Called whenever an execution reaches a terminal status (the local stand-in for the EventBridge status events). */
  onStatusChange(listener: (execution: ExecutionRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  startExecution(params: { stateMachineArn: string; name?: string; input?: string }): {
    executionArn: string;
    startDate: number;
  } {
    const machine = this.machine(params.stateMachineArn);
    const name = params.name ?? crypto.randomUUID();
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new SfnApiError('InvalidName', `Invalid Name: '${name}'`);
    const input = params.input ?? '{}';
    let parsedInput: unknown;
    try {
      parsedInput = JSON.parse(input);
    } catch {
      throw new SfnApiError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not JSON');
    }
    const executionArn = `${machine.arn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) {
        return { executionArn, startDate: existing.startDate };
      }
      throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: machine.arn,
      name,
      input,
      status: 'RUNNING',
      startDate: this.now(),
      redriveCount: 0,
      history: [],
      done: Promise.resolve(),
    };
    this.executions.set(executionArn, record);
    this.pushHistory(record, { type: 'ExecutionStarted', input: parsedInput });
    record.done = this.run(machine, record, machine.spec.definition.StartAt, parsedInput);
    return { executionArn, startDate: record.startDate };
  }

  describeExecution(executionArn: string): ExecutionRecord & { redriveStatus: string; redriveStatusReason?: string } {
    const record = this.execution(executionArn);
    const redrive = this.redrivability(record);
    return Object.assign(Object.create(null), record, {
      redriveStatus: redrive.ok ? 'REDRIVABLE' : 'NOT_REDRIVABLE',
      ...(redrive.ok ? {} : { redriveStatusReason: redrive.reason }),
    });
  }

  listExecutions(params: { stateMachineArn?: string; statusFilter?: ExecutionStatus }): ExecutionRecord[] {
    if (params.stateMachineArn) this.machine(params.stateMachineArn);
    return [...this.executions.values()]
      .filter((e) => !params.stateMachineArn || e.stateMachineArn === params.stateMachineArn)
      .filter((e) => !params.statusFilter || e.status === params.statusFilter)
      .sort((a, b) => b.startDate - a.startDate);
  }

  listStateMachines(): { stateMachineArn: string; name: string }[] {
    return [...this.machines.values()].map((m) => ({ stateMachineArn: m.arn, name: m.spec.name }));
  }

  redriveExecution(executionArn: string): { redriveDate: number } {
    const record = this.execution(executionArn);
    const redrive = this.redrivability(record);
    if (!redrive.ok) throw new SfnApiError('ExecutionNotRedrivable', redrive.reason);
    const resumeAt = unsuccessfulState(record);
    if (!resumeAt) throw new SfnApiError('ExecutionNotRedrivable', 'Execution has no unsuccessful state to redrive.');
    const machine = this.machine(record.stateMachineArn);
    record.status = 'RUNNING';
    record.redriveCount++;
    record.redriveDate = this.now();
    delete record.stopDate;
    delete record.error;
    delete record.cause;
    this.pushHistory(record, { type: 'ExecutionRedriven' });
    record.done = this.run(machine, record, resumeAt.stateName, resumeAt.input);
    return { redriveDate: record.redriveDate };
  }

  stopExecution(executionArn: string, error?: string, cause?: string): { stopDate: number } {
    const record = this.execution(executionArn);
    if (record.status !== 'RUNNING') {
      return { stopDate: record.stopDate ?? this.now() };
    }
    if (error) record.error = error;
    if (cause) record.cause = cause;
    record.abort?.();
    return { stopDate: this.now() };
  }

  /**
   * Waits for the answer to a task token (SendTaskSuccess / SendTaskFailure): the `.waitForTaskToken` integration.
   * Register before sending the work item, so a fast worker cannot answer an unknown token.
   */
  awaitTaskToken(token: string): Promise<unknown> {
    const pending = this.tokens.get(token);
    if (!pending) return Promise.reject(new SfnApiError('InvalidToken', 'Invalid Token'));
    return new Promise((resolve, reject) => {
      pending.state = 'waiting';
      pending.resolve = resolve;
      pending.reject = reject;
    });
  }

  sendTaskSuccess(token: string, output: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(output);
    } catch {
      throw new SfnApiError('InvalidOutput', 'Invalid output: not JSON');
    }
    this.answerToken(token).resolve?.(parsed);
  }

  sendTaskFailure(token: string, error = '', cause = ''): void {
    const failure = new Error(cause);
    failure.name = error;
    this.answerToken(token).reject?.(failure);
  }

  sendTaskHeartbeat(token: string): void {
    this.awaitedToken(token).heartbeat?.();
  }

  private answerToken(token: string): PendingToken {
    const pending = this.awaitedToken(token);
    pending.state = 'answered';
    return pending;
  }

  /**
   * The token's pending answer. A token already answered, or whose state or execution has ended, is no longer
   * awaited: AWS answers `TaskTimedOut` ("Provided task does not exist anymore"); a token it never issued,
   * `InvalidToken`.
   */
  private awaitedToken(token: string): PendingToken {
    const pending = this.tokens.get(token);
    if (!pending) {
      if (this.closedTokens.has(token)) throw new SfnApiError('TaskTimedOut', 'Provided task does not exist anymore');
      throw new SfnApiError('InvalidToken', 'Invalid Token');
    }
    const execution = this.executions.get(pending.executionArn);
    if (execution?.status !== 'RUNNING' || pending.state !== 'waiting') {
      throw new SfnApiError('TaskTimedOut', 'Provided task does not exist anymore');
    }
    return pending;
  }

  /** Resolves when no execution is running (executions started meanwhile are awaited too). */
  async waitForIdle(): Promise<void> {
    for (;;) {
      const running = [...this.executions.values()].filter((e) => e.status === 'RUNNING');
      if (running.length === 0) return;
      await Promise.all(running.map((e) => e.done));
    }
  }

  allExecutions(): ExecutionRecord[] {
    return [...this.executions.values()];
  }

  // --- internals -----------------------------------------------------------------------------------------------

  private machine(arn: string): RegisteredMachine {
    const machine = this.machines.get(arn);
    if (!machine) throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  private execution(arn: string): ExecutionRecord {
    const record = this.executions.get(arn);
    if (!record) throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return record;
  }

  private compile(machine: RegisteredMachine, startAt: string): StateMachine {
    let compiled = machine.compiled.get(startAt);
    if (!compiled) {
      const definition = { ...withoutInterpreterTimeouts(machine.spec.definition), StartAt: startAt };
      // The ASL was validated when the original was compiled; redrive variants only move StartAt.
      compiled = new StateMachine(definition as never, {
        validationOptions: startAt === machine.spec.definition.StartAt ? { checkArn: false } : { noValidate: true },
      });
      machine.compiled.set(startAt, compiled);
    }
    return compiled;
  }

  private redrivability(record: ExecutionRecord): { ok: true } | { ok: false; reason: string } {
    if (record.status === 'RUNNING' || record.status === 'PENDING_REDRIVE') {
      return { ok: false, reason: 'Execution is RUNNING and cannot be redriven.' };
    }
    if (record.status === 'SUCCEEDED') return { ok: false, reason: 'Execution is SUCCEEDED and cannot be redriven.' };
    if (this.now() - (record.stopDate ?? record.startDate) > REDRIVABLE_MS) {
      return { ok: false, reason: 'Execution redrivable period exceeded.' };
    }
    return { ok: true };
  }

  /** Each Task's local handler, run within the state's declared timeout and heartbeat (`task-timeouts.ts`). */
  private taskOverrides(
    machine: RegisteredMachine,
    record: ExecutionRecord,
    attempts: { failedInARow: number },
  ): Record<string, (input: unknown) => Promise<unknown>> {
    const overrides: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, state] of Object.entries(machine.spec.definition.States)) {
      if (state.Type !== 'Task' || typeof state.Resource !== 'string') continue;
      const handler = machine.spec.resolveResource(state.Resource);
      const limits = limitsOf(state, this.options.taskTimeoutOverrideMs);
      overrides[stateName] = (input) => {
        // The attempt's tokens were minted while its Parameters were read, just before this call.
        const attemptTokens = [...(this.tokensByExecution.get(record.executionArn) ?? [])]
          .map((token) => [token, this.tokens.get(token)!] as const)
          .filter(([, pending]) => pending.state === 'minted');
        return runWithinLimits(() => handler(input), limits, {
          onExpired: () => {
            for (const [token] of attemptTokens) this.closeToken(token);
          },
          onHeartbeat: (heartbeat) => {
            for (const [, pending] of attemptTokens) pending.heartbeat = heartbeat;
          },
        }).then(
          (output) => {
            attempts.failedInARow = 0;
            return output;
          },
          (error: unknown) => {
            attempts.failedInARow++;
            throw error;
          },
        );
      };
    }
    return overrides;
  }

  /** A token nobody awaits any more: a late answer gets `TaskTimedOut`, as on AWS. */
  private closeToken(token: string): void {
    this.tokensByExecution.get(this.tokens.get(token)?.executionArn ?? '')?.delete(token);
    this.tokens.delete(token);
    this.closedTokens.add(token);
  }

  private async run(
    machine: RegisteredMachine,
    record: ExecutionRecord,
    startAt: string,
    input: unknown,
  ): Promise<void> {
    const mintToken = (executionArn: string) => {
      const token = Buffer.from(`${executionArn}#${++this.tokenCounter}#${crypto.randomUUID()}`).toString('base64url');
      this.tokens.set(token, { executionArn, state: 'minted' });
      const own = this.tokensByExecution.get(executionArn) ?? new Set<string>();
      this.tokensByExecution.set(executionArn, own.add(token));
      return token;
    };
    const compiled = this.compile(machine, startAt);
    const waitOverrides: Record<string, number> = {};
    const retryOverrides: Record<string, number> = {};
    for (const [stateName, state] of Object.entries(machine.spec.definition.States)) {
      // A wait until a timestamp (startAt, deprovisionAt) is wall-clock time the caller chose: never shortened.
      const untilTimestamp = 'Timestamp' in state || 'TimestampPath' in state;
      if (state.Type === 'Wait' && this.options.waitOverrideMs !== undefined && !untilTimestamp) {
        waitOverrides[stateName] = this.options.waitOverrideMs;
      }
      if (Array.isArray(state.Retry) && this.options.retryOverrideMs !== undefined) {
        retryOverrides[stateName] = this.options.retryOverrideMs;
      }
    }
    const attempts = { failedInARow: 0 };
    const execution = compiled.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: this.taskOverrides(machine, record, attempts) as never,
        waitTimeOverrides: waitOverrides,
        retryIntervalOverrides: retryOverrides,
      },
      context: {
        Execution: {
          Id: record.executionArn,
          Name: record.name,
          Input: JSON.parse(record.input),
          StartTime: new Date(record.startDate).toISOString(),
          RedriveCount: record.redriveCount,
        },
        StateMachine: { Id: machine.arn, Name: machine.spec.name },
        // The interpreter keeps no `$$.State`. A Task state's Retry runs the state again right after its failed attempt
        // (the workflows have no Parallel or Map), so the Task failures in a row are the retries of the current state:
        // exact for a retried state, never below AWS's figure (a Catch that leads straight to another Task that reads
        // it would see the caught failure counted, which costs a lookup, never a duplicate).
        State: {
          get RetryCount() {
            return attempts.failedInARow;
          },
        },
        // The interpreter has no task tokens: a getter mints one each time a state's Parameters read `$$.Task.Token`.
        Task: {
          get Token() {
            return mintToken(record.executionArn);
          },
        },
      },
    });
    record.abort = () => execution.abort();
    const collectHistory = (async () => {
      for await (const event of execution.eventLogs) this.recordEvent(record, event as InterpreterEvent);
    })();
    let failure: (Error & { cause?: unknown }) | undefined;
    try {
      const output = await execution.result;
      record.status = 'SUCCEEDED';
      record.output = JSON.stringify(output ?? null);
    } catch (error) {
      failure = error as Error & { cause?: unknown };
      record.status =
        failure.name === 'ExecutionAbortedError'
          ? 'ABORTED'
          : failure.name === 'ExecutionTimeoutError'
            ? 'TIMED_OUT'
            : 'FAILED';
    }
    // The event log closes right after the terminal event; read it before deciding error and cause.
    await collectHistory.catch(() => undefined);
    delete record.abort;
    record.stopDate = this.now();
    // Tokens of a stopped run are no longer awaited (a late answer gets TaskTimedOut, as on AWS).
    for (const token of [...(this.tokensByExecution.get(record.executionArn) ?? [])]) this.closeToken(token);
    this.tokensByExecution.delete(record.executionArn);
    for (const token of this.closedTokens) {
      if (this.closedTokens.size <= MAX_CLOSED_TOKENS) break;
      this.closedTokens.delete(token);
    }
    if (record.status === 'TIMED_OUT') record.error = 'States.Timeout';
    if (record.status === 'FAILED' && failure) {
      const failed = [...record.history].reverse().find((h) => h.type === 'ExecutionFailed');
      const inner = failure.cause instanceof Error ? failure.cause : undefined;
      record.error = failed?.error ?? inner?.name ?? failure.name;
      record.cause = failed?.cause ?? inner?.message ?? failure.message;
    }
    for (const listener of this.listeners) listener(record);
  }

  private recordEvent(record: ExecutionRecord, event: InterpreterEvent): void {
    const state = event.state ?? { name: '(unknown)', type: 'Unknown' };
    switch (event.type) {
      case 'StateEntered':
        this.pushHistory(record, {
          type: `${state.type}StateEntered`,
          stateName: state.name,
          stateType: state.type,
          input: state.input,
        });
        break;
      case 'StateExited':
        this.pushHistory(record, {
          type: `${state.type}StateExited`,
          stateName: state.name,
          stateType: state.type,
          output: state.output,
        });
        break;
      case 'StateFailed':
        this.pushHistory(record, {
          type: `${state.type}Failed`,
          stateName: state.name,
          stateType: state.type,
          ...errorFields(event),
        });
        break;
      case 'StateRetried':
        this.pushHistory(record, { type: 'TaskRetried', stateName: state.name, stateType: state.type });
        break;
      case 'StateCaught':
        this.pushHistory(record, { type: 'TaskCaught', stateName: state.name, stateType: state.type });
        break;
      case 'ExecutionSucceeded':
        this.pushHistory(record, { type: 'ExecutionSucceeded', output: event.output });
        break;
      case 'ExecutionFailed':
        this.pushHistory(record, { type: 'ExecutionFailed', ...errorFields(event) });
        break;
      case 'ExecutionAborted':
        this.pushHistory(record, { type: 'ExecutionAborted' });
        break;
      case 'ExecutionTimeout':
        this.pushHistory(record, { type: 'ExecutionTimedOut' });
        break;
      default:
        break;
    }
  }

  private pushHistory(record: ExecutionRecord, event: Omit<HistoryEvent, 'id' | 'timestamp'>): void {
    record.history.push({ id: record.history.length + 1, timestamp: this.now(), ...event });
  }

  /** Serves the AWS JSON 1.0 API on 127.0.0.1 and a free port (`./step-functions-api.ts`). */
  listen(): Promise<LoopbackListener> {
    return serveStepFunctionsApi(this);
  }
}

/** How many tokens of closed executions are remembered to answer late callers with TaskTimedOut. */
const MAX_CLOSED_TOKENS = 10_000;

interface PendingToken {
  readonly executionArn: string;
  /** minted by a Parameters read; waiting once the integration awaits it; answered once. */
  state: 'minted' | 'waiting' | 'answered';
  resolve?: (output: unknown) => void;
  reject?: (error: Error) => void;
  /** Restarts the awaiting state's heartbeat timer (`SendTaskHeartbeat`). */
  heartbeat?: () => void;
}

/** The interpreter's event log entries, as loosely as they come. */
interface InterpreterEvent {
  type: string;
  state?: InterpreterState;
  output?: unknown;
  Error?: string;
  Cause?: unknown;
}
interface InterpreterState {
  name: string;
  type: string;
  input?: unknown;
  output?: unknown;
}
