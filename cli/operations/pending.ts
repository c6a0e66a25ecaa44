/**
 * What a provision execution still has to do at a time of its own: the start at `startAt`, the teardown at
 * `deprovisionAt`. Both are Wait states inside the execution (docs/adr/0006-flow-lifecycle-scheduling.md), so the
 * execution is the record: its input holds the times, its history whether the workflow got past each wait. Reads only.
 */
import {
  DescribeExecutionCommand,
  ExecutionStatus,
  type HistoryEvent,
  ListExecutionsCommand,
} from '@aws-sdk/client-sfn';
import type { Target } from '../target.ts';

export interface PendingAction {
  readonly action: 'start' | 'deprovision';
  /** When the execution does it (the request's `startAt` / `deprovisionAt`). */
  readonly at: string;
  /** `waiting`: the execution is in that Wait now; `later`: an earlier step comes first (the start before a teardown). */
  readonly state: 'waiting' | 'later';
}

export interface PendingExecution {
  readonly requestId: string;
  readonly vendor: string;
  readonly executionName: string;
  readonly executionArn: string;
  readonly pending: readonly PendingAction[];
}

/** The state after which each timed action is no longer pending. */
const DONE_AFTER: Readonly<Record<PendingAction['action'], string>> = {
  start: 'StartAtReached',
  deprovision: 'TeardownAtDeprovisionAt',
};
const WAIT_STATE: Readonly<Record<PendingAction['action'], string>> = {
  start: 'WaitForStartAt',
  deprovision: 'WaitForDeprovisionAt',
};

/**
 * The pending actions of one running execution. With a history, an action is pending until its state was entered;
 * without one (a listing reads only inputs), until its time has passed.
 */
export function pendingActions(
  input: unknown,
  options: { readonly history?: readonly HistoryEvent[]; readonly now?: number } = {},
): PendingAction[] {
  if (typeof input !== 'object' || input === null) return [];
  const request = input as { startAt?: unknown; deprovisionAt?: unknown; action?: unknown };
  if (request.action === 'deprovision') return [];
  const entered = new Set(
    (options.history ?? [])
      .filter((e) => e.type?.endsWith('StateEntered'))
      .map((e) => e.stateEnteredEventDetails?.name),
  );
  const current = [...(options.history ?? [])].reverse().find((e) => e.type?.endsWith('StateEntered'))
    ?.stateEnteredEventDetails?.name;
  const now = options.now ?? Date.now();
  const out: PendingAction[] = [];
  for (const action of ['start', 'deprovision'] as const) {
    const at = action === 'start' ? request.startAt : request.deprovisionAt;
    if (typeof at !== 'string') continue;
    const done = options.history ? entered.has(DONE_AFTER[action]) : Date.parse(at) <= now;
    if (done) continue;
    out.push({ action, at, state: current === WAIT_STATE[action] ? 'waiting' : 'later' });
  }
  return out;
}

/** Every running execution of the stack's state machines with a start or teardown still to come, soonest first. */
export async function listPending(target: Target, now: number = Date.now()): Promise<PendingExecution[]> {
  const found: PendingExecution[] = [];
  for (const [vendor, stateMachineArn] of Object.entries(target.stateMachineArns)) {
    let nextToken: string | undefined;
    do {
      const page = await target.sfn.send(
        new ListExecutionsCommand({
          stateMachineArn,
          statusFilter: ExecutionStatus.RUNNING,
          maxResults: 100,
          nextToken,
        }),
      );
      for (const execution of page.executions ?? []) {
        const described = await target.sfn.send(new DescribeExecutionCommand({ executionArn: execution.executionArn }));
        let input: unknown;
        try {
          input = JSON.parse(described.input ?? '{}');
        } catch {
          continue;
        }
        const pending = pendingActions(input, { now });
        if (pending.length === 0) continue;
        found.push({
          requestId: String((input as { requestId?: unknown }).requestId ?? ''),
          vendor,
          executionName: execution.name ?? '',
          executionArn: execution.executionArn ?? '',
          pending,
        });
      }
      nextToken = page.nextToken;
    } while (nextToken);
  }
  const soonest = (e: PendingExecution) => Math.min(...e.pending.map((p) => Date.parse(p.at)));
  return found.sort((a, b) => soonest(a) - soonest(b));
}
