/**
 * The state file of a running `flowctl local --serve` (default `.flowctl/local.json`, or `$FLOWCTL_LOCAL_STATE`):
 * the endpoints and names of its embedded stack, so that `flowctl … --local` in another terminal talks to it over
 * the same AWS APIs as to a deployed stack. Written when the stack is up, removed when it stops.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { REGION } from '../local/aws/step-functions-model.ts';
import type { LocalStack } from '../local/stack.ts';

export interface LocalState {
  readonly version: 1;
  readonly pid: number;
  readonly startedAt: string;
  readonly region: string;
  readonly sqsEndpoint: string;
  readonly sfnEndpoint: string;
  readonly schedulerEndpoint: string;
  readonly ingressQueueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly stateMachineArns: Readonly<Record<string, string>>;
  readonly schedule: { readonly groupName: string; readonly roleArn: string; readonly deadLetterQueueArn: string };
  readonly vendors: readonly string[];
  /** Vendor → emulator URL (vendors whose endpoint was overridden have none). */
  readonly emulators: Readonly<Record<string, string>>;
}

/** Where the state file is: `$FLOWCTL_LOCAL_STATE`, else `.flowctl/local.json` under the working directory. */
export function localStatePath(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const configured = env.FLOWCTL_LOCAL_STATE;
  return configured ? resolve(cwd, configured) : join(cwd, '.flowctl', 'local.json');
}

export function localStateOf(stack: LocalStack, pid = process.pid): LocalState {
  return {
    version: 1,
    pid,
    startedAt: new Date().toISOString(),
    region: REGION,
    sqsEndpoint: stack.sqsEndpoint,
    sfnEndpoint: stack.sfnEndpoint,
    schedulerEndpoint: stack.scheduler.url,
    ...localResources(stack),
    vendors: [...stack.vendors],
    emulators: Object.fromEntries(
      Object.entries(stack.emulators).flatMap(([vendor, emulator]) => (emulator ? [[vendor, emulator.url]] : [])),
    ),
  };
}

/** What flowctl acts on in a local stack: its queues, state machines and schedule group. */
export function localResources(stack: LocalStack) {
  return {
    ingressQueueUrl: stack.ingressQueueUrl,
    deadLetterQueueUrl: stack.deadLetterQueueUrl,
    stateMachineArns: { ...stack.stateMachineArns } as Record<string, string>,
    schedule: {
      groupName: stack.scheduler.groupName,
      roleArn: stack.scheduler.roleArn,
      deadLetterQueueArn: stack.scheduler.deadLetterQueueArn,
    },
  };
}

/** Writes the state file atomically (a reader never sees half of it). */
export function writeLocalState(path: string, state: LocalState): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

/** Removes the state file if it is still the one `pid` wrote. */
export function removeLocalState(path: string, pid = process.pid): void {
  const current = readStateFile(path);
  if (current && current.pid === pid) rmSync(path, { force: true });
}

export type LocalStateLookup =
  | { readonly kind: 'running'; readonly state: LocalState }
  | { readonly kind: 'none' }
  | { readonly kind: 'stale'; readonly reason: string };

/**
 * Finds a running `flowctl local --serve`: the state file exists, its process is alive and its Step Functions
 * endpoint answers. A file left by a process that died is reported as stale (and removed).
 */
export async function findRunningLocalStack(path: string): Promise<LocalStateLookup> {
  const state = readStateFile(path);
  if (!state) return { kind: 'none' };
  if (!processAlive(state.pid)) {
    rmSync(path, { force: true });
    return { kind: 'stale', reason: `process ${state.pid} that wrote ${path} is gone` };
  }
  try {
    await fetch(state.sfnEndpoint, { method: 'POST', signal: AbortSignal.timeout(2000) });
  } catch {
    return { kind: 'stale', reason: `process ${state.pid} is alive but ${state.sfnEndpoint} does not answer` };
  }
  return { kind: 'running', state };
}

function readStateFile(path: string): LocalState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const state = JSON.parse(text) as LocalState;
    return state.version === 1 && typeof state.pid === 'number' ? state : undefined;
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
