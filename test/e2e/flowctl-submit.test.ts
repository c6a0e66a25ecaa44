/**
 * `flowctl submit` and `flowctl local --serve` end to end: the real command line against a local stack, judged by its
 * JSON, its exit codes and what the vendor emulator ends up holding.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubmitResult } from '../../cli/commands/submit.ts';
import { requestsFor } from '../../local/batch/demo-batch.ts';
import type { RunningAwsMediaConnectEmulator } from '../../local/emulators/aws-mediaconnect.ts';
import { eventually, runFlowctl, type ServedStack, startServedStack } from '../helpers/flowctl-e2e.ts';

describe('flowctl submit --local', () => {
  let served: ServedStack;
  const good = requestsFor('aws-mediaconnect', 3, 'submit');
  beforeAll(async () => {
    served = await startServedStack({ waitOverrideMs: 100 });
  });
  afterAll(async () => served?.stop());

  it('validates first, sends the valid requests, lists every rejection with its path, and exits 1', async () => {
    const file = served.file(
      'mixed.ndjson',
      [
        JSON.stringify(good[0]),
        JSON.stringify({ ...good[1], region: 'Not A Region', start: 'yes' }),
        '{"schemaVersion": 1, "requestId": "broken"',
        JSON.stringify(good[1]),
      ].join('\n'),
    );
    const run = await served.flowctl('submit', '--local', '--json', file);
    expect(run.code).toBe(1);
    const result = run.json<SubmitResult>();
    expect(result.target).toMatch(/^local stack \(flowctl local --serve, pid \d+\)$/);
    expect(result.accepted).toEqual([
      { index: 1, requestId: good[0]!.requestId, vendor: 'aws-mediaconnect', messageId: expect.any(String) },
      { index: 4, requestId: good[1]!.requestId, vendor: 'aws-mediaconnect', messageId: expect.any(String) },
    ]);
    expect(result.rejected).toEqual([
      {
        index: 2,
        requestId: good[1]!.requestId,
        vendor: 'aws-mediaconnect',
        stage: 'validation',
        issues: [expect.stringMatching(/^region: /), expect.stringMatching(/^start: /)],
      },
      {
        index: 3,
        requestId: null,
        vendor: null,
        stage: 'validation',
        issues: [expect.stringMatching(/^body is not JSON/)],
      },
    ]);

    await served.stack.waitForDrain({ timeoutMs: 60_000 });
    const flows = (served.stack.emulators['aws-mediaconnect'] as RunningAwsMediaConnectEmulator).flows();
    expect(flows.map((f) => f.tags['flow-provisioner:request-id']).sort()).toEqual(
      [good[0]!.requestId, good[1]!.requestId].sort(),
    );
  });

  it('prints what was accepted and exits 0 when everything was; --dry-run sends nothing', async () => {
    const file = served.file('one.json', JSON.stringify(good[2]));
    const dry = await served.flowctl('submit', '--local', '--dry-run', file);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/dry run against local stack .*: 1 valid, 0 rejected; nothing sent/);
    await served.stack.waitForDrain({ timeoutMs: 60_000 });
    expect(served.stack.stepFunctions.allExecutions().map((e) => e.name)).not.toContain(good[2]!.requestId);

    const run = await served.flowctl('submit', '--local', file);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(`1 accepted, 0 rejected\\n  accepted  #1 ${good[2]!.requestId} \\(aws-mediaconnect\\) message \\S+`),
    );
  });

  it('exits 2 with what to do next for usage errors, and documents the exit codes in --help', async () => {
    const missing = await served.flowctl('submit', '--local', join(served.dir, 'nope.json'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope\.json[\s\S]*next: pass a readable JSON/);
    const noTarget = await runFlowctl(['submit', '--json', served.file('x.json', '{}')], { FLOWCTL_STACK: '' });
    expect(noTarget.code).toBe(2);
    expect(noTarget.json<{ error: { hint: string } }>().error.hint).toMatch(/--local .*--stack NAME/);
    const unknown = await served.flowctl('submit', '--frobnicate');
    expect(unknown.code).toBe(2);
    const help = await runFlowctl(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes:\n\s+0 .*\n\s+1 .*\n\s+2 .*\n\s+3 .*\n\s+4 /);
  });
});

describe('flowctl local --serve', () => {
  it('publishes its endpoints for --local, serves other commands, and removes the state file on Ctrl-C', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'flowctl-serve-')), 'local.json');
    const env = { ...process.env, FLOWCTL_LOCAL_STATE: stateFile };
    const server = spawn(process.execPath, ['bin/flowctl.js', 'local', '--serve', '--vendors', 'aws-mediaconnect'], {
      cwd: new URL('../..', import.meta.url),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    server.stdout.on('data', (chunk) => {
      output += String(chunk);
    });
    const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
    try {
      await eventually(
        () => existsSync(stateFile) && output.includes('Ctrl-C stops the stack'),
        30_000,
        'the state file',
      );
      const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { pid: number; vendors: string[] };
      expect(state).toMatchObject({ pid: server.pid, vendors: ['aws-mediaconnect'] });

      const file = join(stateFile, '..', 'r.json');
      const [request] = requestsFor('aws-mediaconnect', 1, 'serve');
      writeFileSync(file, JSON.stringify(request));
      const submitted = await runFlowctl(['submit', '--local', '--json', file], { FLOWCTL_LOCAL_STATE: stateFile });
      expect(submitted.code).toBe(0);
      expect(submitted.json<SubmitResult>().target).toBe(`local stack (flowctl local --serve, pid ${server.pid})`);
      await eventually(
        async () => {
          const list = await runFlowctl(['executions', 'list', '--local', '--json'], {
            FLOWCTL_LOCAL_STATE: stateFile,
          });
          return list.json<{ executions: { status: string }[] }>().executions.some((e) => e.status === 'SUCCEEDED');
        },
        40_000,
        'the served stack to provision the request',
      );
    } finally {
      server.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(existsSync(stateFile)).toBe(false);
    expect(output).toMatch(/stopped\n$/);
  });
});
