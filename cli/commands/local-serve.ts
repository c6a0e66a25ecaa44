/**
 * `flowctl local --serve`: starts the embedded stack and keeps it up until Ctrl-C, with its endpoints in the state
 * file (`.flowctl/local.json`, or `$FLOWCTL_LOCAL_STATE`) so that every other command reaches it with `--local`.
 * The file is removed when the stack stops.
 */
import type { VendorId } from '../../functions/domain/contract.ts';
import { startLocalStack } from '../../local/stack.ts';
import {
  findRunningLocalStack,
  localStateOf,
  localStatePath,
  removeLocalState,
  writeLocalState,
} from '../local-state.ts';
import { EXIT, FlowctlError } from '../output.ts';

export interface ServeOptions {
  readonly vendors: readonly VendorId[];
  readonly json?: boolean;
  /** Resolves to stop the server (default: SIGINT or SIGTERM). */
  readonly until?: Promise<void>;
}

export async function serveLocal(options: ServeOptions): Promise<number> {
  const path = localStatePath();
  const say = (line: string) => (options.json ? process.stderr : process.stdout).write(`${line}\n`);
  const running = await findRunningLocalStack(path);
  if (running.kind === 'running') {
    throw new FlowctlError(
      `a local stack is already serving (pid ${running.state.pid}, ${path})`,
      EXIT.TARGET,
      'use it with --local, or stop it (Ctrl-C in its terminal) first',
    );
  }
  say(
    `flowctl local --serve: starting SQS, Step Functions, Lambda, Scheduler and ${options.vendors.length} vendor emulator(s) on 127.0.0.1`,
  );
  const stack = await startLocalStack({ vendors: options.vendors, log: say });
  const state = localStateOf(stack);
  writeLocalState(path, state);
  if (options.json) process.stdout.write(`${JSON.stringify(state)}\n`);
  say(
    [
      `ready; endpoints in ${path}`,
      `  SQS             ${state.sqsEndpoint}  ingress ${state.ingressQueueUrl}`,
      `                  DLQ ${state.deadLetterQueueUrl}`,
      `  Step Functions  ${state.sfnEndpoint}`,
      `  Scheduler       ${state.schedulerEndpoint}  group ${state.schedule.groupName}`,
      ...Object.entries(state.emulators).map(([vendor, url]) => `  ${vendor.padEnd(15)} ${url}`),
      'in another terminal: flowctl submit --local FILE · flowctl dlq list --local · flowctl executions list --local',
      'Ctrl-C stops the stack',
    ].join('\n'),
  );
  const stopped =
    options.until ??
    new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
  await stopped;
  say('stopping…');
  const forced = () => process.exit(EXIT.INTERRUPTED);
  process.once('SIGINT', forced);
  try {
    await stack.stop();
  } finally {
    removeLocalState(path);
    process.off('SIGINT', forced);
  }
  say('stopped');
  return EXIT.OK;
}
