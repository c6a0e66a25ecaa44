/**
 * Task state timeouts as Step Functions reports them, for the local Step Functions layer.
 *
 * On AWS a Task state that runs past `TimeoutSeconds` fails with `States.Timeout`, and a `.waitForTaskToken` task
 * that gets no `SendTaskHeartbeat` within `HeartbeatSeconds` with `States.HeartbeatTimeout`; in both the Catch output
 * is `{"Error": "States.Timeout" | "States.HeartbeatTimeout", "Cause": ""}` — an empty cause, which a failure path
 * must be able to carry (an SQS attribute cannot be empty). Without `TimeoutSeconds` a Task has no timeout of its own.
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html (error names),
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html (TimeoutSeconds, HeartbeatSeconds).
 *
 * The interpreter's own timer answers `States.Timeout` with the cause "States.Timeout" and imposes 60 s on a Task
 * without `TimeoutSeconds`, so the layer hands it a definition whose Task timeouts are out of reach and enforces the
 * declared ones here.
 */

/** Longer than any execution the local stack runs (and within `setTimeout`'s 2^31 − 1 ms). */
const OUT_OF_REACH_SECONDS = 2_000_000;

/** An error Step Functions raises itself (`States.*`): the name is the `Error`, the message the `Cause`. */
export class StatesError extends Error {
  constructor(name: 'States.Timeout' | 'States.HeartbeatTimeout', cause = '') {
    super(cause);
    this.name = name;
  }
}

type AslState = { Type: string; [key: string]: unknown };

/** The definition the interpreter runs: every Task's timeout out of its reach (the layer enforces them). */
export function withoutInterpreterTimeouts<T extends { States: Record<string, AslState> }>(definition: T): T {
  const states = Object.fromEntries(
    Object.entries(definition.States).map(([name, state]) =>
      state.Type === 'Task' ? [name, { ...state, TimeoutSeconds: OUT_OF_REACH_SECONDS }] : [name, state],
    ),
  );
  return { ...definition, States: states };
}

/**
 * The interpreter matches `States.TaskFailed` against every error but its own timeout class, which the layer does not
 * raise; so it refuses a definition where `States.TaskFailed` would catch a timeout differently from AWS.
 */
export function assertTimeoutsDistinguishable(definition: { States: Record<string, AslState> }): void {
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type !== 'Task' || (state.TimeoutSeconds === undefined && state.HeartbeatSeconds === undefined)) continue;
    const handlers = [...((state.Retry as unknown[]) ?? []), ...((state.Catch as unknown[]) ?? [])] as {
      ErrorEquals: string[];
    }[];
    if (handlers.some((h) => h.ErrorEquals.includes('States.TaskFailed'))) {
      throw new Error(
        `state ${name}: the local layer cannot keep States.Timeout out of a States.TaskFailed Retry or Catch as AWS does`,
      );
    }
  }
}

export interface TaskLimits {
  /** `TimeoutSeconds` in ms; none without it. */
  readonly timeoutMs?: number;
  /** `HeartbeatSeconds` in ms; none without it. */
  readonly heartbeatMs?: number;
}

/** The limits a Task state declares, `timeoutOverrideMs` (tests) in place of a declared timeout. */
export function limitsOf(state: AslState, timeoutOverrideMs?: number): TaskLimits {
  const seconds = (value: unknown) => (typeof value === 'number' ? value * 1000 : undefined);
  const timeoutMs =
    state.TimeoutSeconds === undefined ? undefined : (timeoutOverrideMs ?? seconds(state.TimeoutSeconds));
  const heartbeatMs = seconds(state.HeartbeatSeconds);
  return { ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(heartbeatMs !== undefined ? { heartbeatMs } : {}) };
}

/**
 * Runs one attempt of a Task under its limits. `onExpired` runs when a limit ends the attempt (the layer closes the
 * attempt's task tokens there, so a late answer gets `TaskTimedOut`); `heartbeat` is what a `SendTaskHeartbeat` on the
 * attempt's token calls.
 */
export function runWithinLimits(
  run: () => Promise<unknown>,
  limits: TaskLimits,
  hooks: { onExpired: () => void; onHeartbeat: (heartbeat: () => void) => void },
): Promise<unknown> {
  if (limits.timeoutMs === undefined && limits.heartbeatMs === undefined) return run();
  return new Promise((resolve, reject) => {
    const timers: ReturnType<typeof setTimeout>[] = [];
    let heartbeatTimer: ReturnType<typeof setTimeout> | undefined;
    let settled = false;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      if (heartbeatTimer) clearTimeout(heartbeatTimer);
      action();
    };
    const expire = (name: 'States.Timeout' | 'States.HeartbeatTimeout') =>
      settle(() => {
        hooks.onExpired();
        reject(new StatesError(name));
      });
    if (limits.timeoutMs !== undefined) timers.push(setTimeout(() => expire('States.Timeout'), limits.timeoutMs));
    const armHeartbeat = () => {
      if (limits.heartbeatMs === undefined || settled) return;
      if (heartbeatTimer) clearTimeout(heartbeatTimer);
      heartbeatTimer = setTimeout(() => expire('States.HeartbeatTimeout'), limits.heartbeatMs);
    };
    armHeartbeat();
    hooks.onHeartbeat(armHeartbeat);
    run().then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error)),
    );
  });
}
