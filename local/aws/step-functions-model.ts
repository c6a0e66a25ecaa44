/**
 * The local Step Functions service's vocabulary: the account and region it answers for, execution statuses and
 * records, history events, state machine specs and the API's error class
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html).
 */
export const ACCOUNT = '000000000000';
export const REGION = 'us-east-1';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

/** Runs one Task state's resource locally (a Lambda in the local runtime, an SQS send, ...). */
export type TaskResourceHandler = (input: unknown) => Promise<unknown>;

export type AslState = { Type: string; Resource?: string; [key: string]: unknown };
export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  [key: string]: unknown;
}

export interface StateMachineSpec {
  readonly name: string;
  /** The ASL with every `${Placeholder}` already substituted. */
  readonly definition: AslDefinition;
  /** Resolves a Task state's `Resource` to the local handler that runs it. */
  readonly resolveResource: (resource: string) => TaskResourceHandler;
}

export interface HistoryEvent {
  readonly id: number;
  readonly timestamp: number;
  readonly type: string;
  readonly stateName?: string;
  readonly stateType?: string;
  readonly input?: unknown;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
}

export interface ExecutionRecord {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  status: ExecutionStatus;
  readonly startDate: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  redriveCount: number;
  redriveDate?: number;
  readonly history: HistoryEvent[];
  abort?: () => void;
  /** Resolves when the current run (first run or redrive) ends. */
  done: Promise<void>;
}

export interface LocalStepFunctionsOptions {
  /** Overrides every Wait state's duration (ms); tests use it to keep polls fast. */
  readonly waitOverrideMs?: number;
  /** Overrides every Retry pause (ms); tests use it to keep retries fast. */
  readonly retryOverrideMs?: number;
  /** Overrides every declared Task `TimeoutSeconds` (ms); tests use it to watch a step time out. */
  readonly taskTimeoutOverrideMs?: number;
  readonly clock?: () => number;
}

/** Errors answered with the Step Functions API's own error names. */
export class SfnApiError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

/** The `error` and `cause` of an interpreter event, the cause as text. */
export function errorFields(event: { Error?: string; Cause?: unknown }): { error?: string; cause?: string } {
  const cause =
    event.Cause === undefined ? undefined : typeof event.Cause === 'string' ? event.Cause : JSON.stringify(event.Cause);
  return { ...(event.Error ? { error: event.Error } : {}), ...(cause !== undefined ? { cause } : {}) };
}

/**
 * The state a redrive resumes at: the last state entered that never exited (the one that failed, or was running
 * when the execution timed out or was aborted), with the input it was entered with.
 */
export function unsuccessfulState(record: ExecutionRecord): { stateName: string; input: unknown } | undefined {
  const exited = new Set<number>();
  const entered: HistoryEvent[] = [];
  for (const event of record.history) {
    if (event.type.endsWith('StateEntered')) entered.push(event);
    if (event.type.endsWith('StateExited')) {
      const match = [...entered].reverse().find((e) => e.stateName === event.stateName && !exited.has(e.id));
      if (match) exited.add(match.id);
    }
  }
  const last = [...entered].reverse().find((e) => !exited.has(e.id));
  return last ? { stateName: last.stateName!, input: last.input } : undefined;
}
