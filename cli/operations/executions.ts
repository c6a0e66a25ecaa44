/**
 * `flowctl executions list|show|redrive`: the provision-flow executions behind the requests. `show` reads
 * DescribeExecution and GetExecutionHistory to say which step failed, with what error and cause, for which request,
 * and what to do next. `redrive` calls RedriveExecution where it helps — a TIMED_OUT or ABORTED execution, or one that
 * failed outside the workflow's Catch path — and refuses where it cannot: a FAILED execution of our workflow ended in
 * its `Fail` state after writing its failure record, and a redrive would only re-run that `Fail` state (ADR 0003);
 * its DLQ record is what to redrive.
 */
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  type ExecutionListItem,
  type ExecutionStatus,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { executionName } from '../../functions/domain/execution-name.ts';
import { causeText, EXIT, FlowctlError } from '../output.ts';
import { requireStateMachines, type Target } from '../target.ts';

export const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;
/** The workflow's terminal failure state (workflows/provision-flow.asl.json). */
const FAIL_STATE = 'ProvisioningFailed';
const MAX_ATTEMPTS_PROBED = 10;
const MAX_HISTORY_EVENTS = 2000;

export interface ExecutionSummary {
  readonly name: string;
  readonly vendor: string;
  readonly status: string;
  readonly startDate: string | null;
  readonly stopDate: string | null;
  readonly redriveCount: number;
  readonly executionArn: string;
}

export interface ExecutionView extends ExecutionSummary {
  readonly requestId: string | null;
  readonly request: unknown;
  /** The step whose error ended the run (from the failure record), or the state it stopped in. */
  readonly failedState: string | null;
  /** The state a redrive would resume at: the last state entered that never exited. */
  readonly stoppedIn: string | null;
  readonly error: string | null;
  readonly cause: string | null;
  readonly causeMessage: string | null;
  /** FAILED through the workflow's Catch: whether its failure record reached the DLQ. */
  readonly failureRecorded: boolean | null;
  readonly flowId: string | null;
  readonly redriveStatus: string | null;
  readonly redriveStatusReason: string | null;
  /** What an operator should do about it, as a command where there is one. */
  readonly nextStep: string;
}

// --- analysis (pure) ------------------------------------------------------------------------------------------------

const iso = (date: Date | undefined) => (date ? date.toISOString() : null);

export function vendorOfStateMachine(arn: string | undefined): string {
  const name = arn?.split(':').pop() ?? '';
  return name.startsWith('provision-flow-') ? name.slice('provision-flow-'.length) : name;
}

/** A history or execution JSON field, or `null` when absent or not JSON (histories may hold truncated data). */
export function parseJson(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The last state entered without a matching exit, with the input it was entered with. */
export function unsuccessfulState(events: readonly HistoryEvent[]): { name: string; input: unknown } | null {
  const exits = new Map<string, number>();
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (event.type?.endsWith('StateExited')) {
      const name = event.stateExitedEventDetails?.name ?? '';
      exits.set(name, (exits.get(name) ?? 0) + 1);
    } else if (event.type?.endsWith('StateEntered')) {
      const name = event.stateEnteredEventDetails?.name ?? '';
      const pending = exits.get(name) ?? 0;
      if (pending === 0) return { name, input: parseJson(event.stateEnteredEventDetails?.input) };
      exits.set(name, pending - 1);
    }
  }
  return null;
}

/** Builds the view of one execution from DescribeExecution and its history (oldest event first). */
export function analyzeExecution(
  described: DescribeExecutionCommandOutput,
  events: readonly HistoryEvent[],
): ExecutionView {
  const request = parseJson(described.input);
  const requestId =
    request && typeof (request as { requestId?: unknown }).requestId === 'string'
      ? (request as { requestId: string }).requestId
      : null;
  const stopped = unsuccessfulState(events);
  const stateInput = (stopped?.input ?? null) as {
    failure?: { state?: string; error?: string; cause?: string };
    recordError?: unknown;
    flow?: { flowId?: string };
  } | null;
  const lastFlow = [...events]
    .reverse()
    .map(
      (e) =>
        parseJson(e.stateEnteredEventDetails?.input ?? e.stateExitedEventDetails?.output) as {
          flow?: { flowId?: string };
        } | null,
    )
    .find((v) => typeof v?.flow?.flowId === 'string');
  const lastFailure = [...events]
    .reverse()
    .map((e) => e.taskFailedEventDetails ?? e.lambdaFunctionFailedEventDetails ?? e.executionFailedEventDetails)
    .find((d) => d?.error !== undefined);

  const status = described.status ?? 'UNKNOWN';
  const inCatchPath = status === 'FAILED' && stopped?.name === FAIL_STATE && stateInput?.failure !== undefined;
  const error = (inCatchPath ? stateInput?.failure?.error : undefined) ?? described.error ?? lastFailure?.error ?? null;
  const cause = (inCatchPath ? stateInput?.failure?.cause : undefined) ?? described.cause ?? lastFailure?.cause ?? null;
  const base: Omit<ExecutionView, 'nextStep'> = {
    name: described.name ?? described.executionArn?.split(':').pop() ?? '',
    vendor: vendorOfStateMachine(described.stateMachineArn),
    status,
    startDate: iso(described.startDate),
    stopDate: iso(described.stopDate),
    redriveCount: described.redriveCount ?? 0,
    executionArn: described.executionArn ?? '',
    requestId,
    request,
    failedState: inCatchPath
      ? (stateInput?.failure?.state ?? null)
      : status === 'SUCCEEDED'
        ? null
        : (stopped?.name ?? null),
    stoppedIn: status === 'SUCCEEDED' || status === 'RUNNING' ? null : (stopped?.name ?? null),
    error,
    cause,
    causeMessage: cause ? causeText(cause) : null,
    failureRecorded: inCatchPath ? stateInput?.recordError === undefined : null,
    flowId: stateInput?.flow?.flowId ?? lastFlow?.flow?.flowId ?? null,
    redriveStatus: described.redriveStatus ?? null,
    redriveStatusReason: described.redriveStatusReason ?? null,
  };
  return { ...base, nextStep: nextStep(base) };
}

export function nextStep(view: Omit<ExecutionView, 'nextStep'>): string {
  const id = view.requestId ?? view.name;
  switch (view.status) {
    case 'RUNNING':
    case 'PENDING_REDRIVE':
      return `still running; look again with \`flowctl executions show ${view.name}\``;
    case 'SUCCEEDED':
      return 'nothing: the flow is provisioned';
    case 'FAILED':
      if (view.failureRecorded === true) {
        return (
          `fix the cause (docs/runbook.md, ${view.error}), then redrive its DLQ record: ` +
          `\`flowctl dlq redrive --filter requestId=${id}\` — the dispatcher starts the next attempt, which adopts what this one created (ADR 0003)`
        );
      }
      if (view.failureRecorded === false) {
        return (
          'its failure record did not reach the DLQ: fix the cause, then resubmit the request: ' +
          `\`flowctl executions show ${view.name} --request > request.json && flowctl submit request.json\``
        );
      }
      return view.redriveStatus === 'REDRIVABLE'
        ? `\`flowctl executions redrive ${view.name}\` resumes it at ${view.stoppedIn ?? 'the state that failed'}`
        : `not redrivable (${view.redriveStatusReason ?? 'unknown reason'}): resubmit the request with \`flowctl executions show ${view.name} --request\``;
    case 'TIMED_OUT':
    case 'ABORTED':
      return view.redriveStatus === 'NOT_REDRIVABLE'
        ? `past the redrive window (${view.redriveStatusReason ?? 'not redrivable'}): redrive its DLQ record (\`flowctl dlq redrive --filter requestId=${id}\`); the dispatcher starts a new attempt`
        : `\`flowctl executions redrive ${view.name}\` resumes it at ${view.stoppedIn ?? 'the state that was running'} (or redrive its DLQ record: \`flowctl dlq redrive --filter requestId=${id}\`, which does the same through the dispatcher)`;
    default:
      return 'unknown status';
  }
}

export type RedrivePlan = { readonly action: 'redrive' } | { readonly action: 'refuse'; readonly why: string };

/** Whether RedriveExecution helps this execution; when it does not, why and what to do instead. */
export function planRedrive(view: ExecutionView): RedrivePlan {
  if (view.status === 'RUNNING' || view.status === 'PENDING_REDRIVE') {
    return { action: 'refuse', why: `${view.name} is ${view.status}: there is nothing to redrive yet` };
  }
  if (view.status === 'SUCCEEDED')
    return { action: 'refuse', why: `${view.name} SUCCEEDED: there is nothing to redrive` };
  if (view.status === 'FAILED' && view.failureRecorded !== null) {
    return {
      action: 'refuse',
      why:
        `${view.name} FAILED in ${view.failedState ?? 'a step'} (${view.error}) and ended in its Fail state ${FAIL_STATE}; ` +
        `RedriveExecution would only re-run that Fail state and call no vendor (ADR 0003). What to do: ${view.nextStep}`,
    };
  }
  if (view.redriveStatus === 'NOT_REDRIVABLE') {
    return {
      action: 'refuse',
      why: `${view.name} is not redrivable (${view.redriveStatusReason}). What to do: ${view.nextStep}`,
    };
  }
  return { action: 'redrive' };
}

// --- API
// --------------------------------------------------------------------------------------------------------------

async function history(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, includeExecutionData: true, nextToken }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken && events.length < MAX_HISTORY_EVENTS);
  return events;
}

async function describeIfExists(
  sfn: SFNClient,
  executionArn: string,
): Promise<DescribeExecutionCommandOutput | undefined> {
  try {
    return await sfn.send(new DescribeExecutionCommand({ executionArn }));
  } catch (error) {
    if ((error as Error).name === 'ExecutionDoesNotExist') return undefined;
    throw error;
  }
}

const arnOf = (machineArn: string, name: string) => `${machineArn.replace(':stateMachine:', ':execution:')}:${name}`;

/**
 * Finds an execution by ARN, by name on any of the target's machines, or by request id (then the latest attempt:
 * `<requestId>`, `<requestId>--a2`, …).
 */
export async function findExecution(target: Target, nameOrArn: string): Promise<DescribeExecutionCommandOutput> {
  if (nameOrArn.startsWith('arn:')) {
    const found = await describeIfExists(target.sfn, nameOrArn);
    if (found) return found;
    throw new FlowctlError(`no execution ${nameOrArn}`, EXIT.NOT_FOUND, '`flowctl executions list` shows what exists');
  }
  const machines = Object.values(requireStateMachines(target));
  for (const machine of machines) {
    const found = await describeIfExists(target.sfn, arnOf(machine, nameOrArn));
    if (!found) continue;
    if (/--a\d+$/.test(nameOrArn)) return found;
    // A request id: later attempts supersede this one.
    let latest = found;
    for (let attempt = 2; attempt <= MAX_ATTEMPTS_PROBED; attempt++) {
      const next = await describeIfExists(target.sfn, arnOf(machine, executionName(nameOrArn, attempt)));
      if (!next) break;
      latest = next;
    }
    return latest;
  }
  throw new FlowctlError(
    `no execution named ${nameOrArn} on ${machines.length} state machine(s) of ${target.description}`,
    EXIT.NOT_FOUND,
    '`flowctl executions list` shows the names (attempt names are <requestId>--a2, --a3, …); `flowctl dlq show ID` finds a request that never started',
  );
}

export async function showExecution(target: Target, nameOrArn: string): Promise<ExecutionView> {
  const described = await findExecution(target, nameOrArn);
  return analyzeExecution(described, await history(target.sfn, described.executionArn!));
}

export async function listExecutions(
  target: Target,
  options: { status?: ExecutionStatus; sinceMs?: number; vendor?: string; limit?: number; now?: number },
): Promise<ExecutionSummary[]> {
  const machines = Object.entries(requireStateMachines(target)).filter(
    ([v]) => !options.vendor || v === options.vendor,
  );
  if (options.vendor && machines.length === 0) {
    throw new FlowctlError(
      `--vendor ${options.vendor}: ${target.description} has no state machine for it`,
      EXIT.USAGE,
      `choose one of ${Object.keys(target.stateMachineArns).join(', ')}`,
    );
  }
  const cutoff = options.sinceMs !== undefined ? (options.now ?? Date.now()) - options.sinceMs : undefined;
  const limit = options.limit ?? 100;
  const all: ExecutionSummary[] = [];
  for (const [vendor, machine] of machines) {
    let nextToken: string | undefined;
    let count = 0;
    do {
      const page = await target.sfn.send(
        new ListExecutionsCommand({
          stateMachineArn: machine,
          maxResults: 100,
          ...(options.status ? { statusFilter: options.status } : {}),
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      const items = page.executions ?? [];
      // Newest first: once a page reaches past the cutoff, later pages are older still.
      const recent = items.filter(
        (e: ExecutionListItem) => cutoff === undefined || (e.startDate?.getTime() ?? 0) >= cutoff,
      );
      for (const e of recent) {
        all.push({
          name: e.name ?? '',
          vendor,
          status: e.status ?? 'UNKNOWN',
          startDate: iso(e.startDate),
          stopDate: iso(e.stopDate),
          redriveCount: e.redriveCount ?? 0,
          executionArn: e.executionArn ?? '',
        });
      }
      count += recent.length;
      nextToken = recent.length === items.length && count < limit ? page.nextToken : undefined;
    } while (nextToken);
  }
  all.sort((a, b) => (b.startDate ?? '').localeCompare(a.startDate ?? ''));
  return all.slice(0, limit);
}

export interface RedriveOutcome {
  readonly name: string;
  readonly executionArn: string;
  readonly status: string;
  readonly result: 'redriven' | 'refused' | 'failed';
  /** Why it was refused or failed, and what to do instead. */
  readonly reason: string | null;
}

/** Redrives one execution where that helps; otherwise explains. */
export async function redriveExecution(target: Target, view: ExecutionView, dryRun = false): Promise<RedriveOutcome> {
  const plan = planRedrive(view);
  const base = { name: view.name, executionArn: view.executionArn, status: view.status };
  if (plan.action === 'refuse') return { ...base, result: 'refused', reason: plan.why };
  if (dryRun) return { ...base, result: 'redriven', reason: 'dry run: would redrive' };
  try {
    await target.sfn.send(new RedriveExecutionCommand({ executionArn: view.executionArn }));
    return { ...base, result: 'redriven', reason: null };
  } catch (error) {
    return { ...base, result: 'failed', reason: explainRedriveError(error as Error, view) };
  }
}

/** RedriveExecution's errors, in words, with the next step. */
export function explainRedriveError(error: Error, view: Pick<ExecutionView, 'name' | 'requestId'>): string {
  const id = view.requestId ?? view.name;
  switch (error.name) {
    case 'ExecutionNotRedrivable':
      return (
        `Step Functions says ${view.name} is not redrivable: ${error.message}. ` +
        (/period|14 days|exceeded/i.test(error.message)
          ? `It is past the 14-day redrive window: redrive its DLQ record (\`flowctl dlq redrive --filter requestId=${id}\`), and the dispatcher starts a new attempt.`
          : `Check its status with \`flowctl executions show ${view.name}\`.`)
      );
    case 'ExecutionLimitExceeded':
      return `too many open executions in the account right now (${error.message}): retry in a few minutes`;
    case 'ExecutionDoesNotExist':
      return `${view.name} no longer exists (${error.message})`;
    case 'AccessDeniedException':
      return `permission denied (${error.message}): the caller needs states:RedriveExecution on this execution`;
    default:
      return `${error.name}: ${error.message}`;
  }
}
