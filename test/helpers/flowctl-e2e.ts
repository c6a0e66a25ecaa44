/**
 * For flowctl end-to-end tests: an in-process local stack published through a state file exactly as
 * `flowctl local --serve` publishes it, and a runner for the real `bin/flowctl.js` against it (`--local`), so the
 * tests exercise the command line, its JSON and its exit codes while still reading the emulators' ground truth.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localStateOf, writeLocalState } from '../../cli/local-state.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/stack.ts';

const REPO = new URL('../..', import.meta.url);

export interface FlowctlRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON (commands run with `--json`). */
  json<T = Record<string, unknown>>(): T;
}

export interface ServedStack {
  readonly stack: LocalStack;
  readonly dir: string;
  readonly stateFile: string;
  /** Runs `flowctl ARGS` with this stack's state file; never throws on a non-zero exit. */
  flowctl(...args: string[]): Promise<FlowctlRun>;
  /** Writes a scratch file in the test directory and returns its path. */
  file(name: string, content: string): string;
  stop(): Promise<void>;
}

export function runFlowctl(args: readonly string[], env: NodeJS.ProcessEnv = {}, input?: string): Promise<FlowctlRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['bin/flowctl.js', ...args],
      { cwd: REPO, env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({
          code,
          stdout,
          stderr,
          json: <T>() => {
            try {
              return JSON.parse(stdout) as T;
            } catch {
              throw new Error(`flowctl ${args.join(' ')} printed no JSON (exit ${code}):\n${stdout}\n${stderr}`);
            }
          },
        });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

export async function startServedStack(options: LocalStackOptions = {}): Promise<ServedStack> {
  const dir = mkdtempSync(join(tmpdir(), 'flowctl-e2e-'));
  const stateFile = join(dir, 'local.json');
  const stack = await startLocalStack({ vendors: ['aws-mediaconnect'], ...options });
  writeLocalState(stateFile, localStateOf(stack));
  return {
    stack,
    dir,
    stateFile,
    flowctl: (...args) => runFlowctl(args, { FLOWCTL_LOCAL_STATE: stateFile }),
    file: (name, content) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    stop: async () => {
      await stack.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns true (or throws after `timeoutMs`). */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
