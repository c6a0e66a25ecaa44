/**
 * `flowctl local` with every fault switch on: vendor faults of every failing kind, each message delivered three times,
 * and vendor λs that die before their answer leaves. Every request still ends PROVISIONED exactly once at the
 * emulator (the command exits 0 and reports each request once).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { requestsFor } from '../../local/batch/demo-batch.ts';

const run = promisify(execFile);
const cwd = new URL('../..', import.meta.url);

describe('flowctl local --faults --duplicates --crash', () => {
  it('provisions every request once through injected faults, duplicates and crashes, and says what it injected', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowctl-faults-'));
    const file = join(dir, 'requests.ndjson');
    const requests = requestsFor('aws-mediaconnect', 3, 'cli-faults');
    writeFileSync(file, requests.map((r) => JSON.stringify(r)).join('\n'));
    const { stdout, stderr } = await run(
      process.execPath,
      [
        'bin/flowctl.js',
        'local',
        '--vendors',
        'aws-mediaconnect',
        '--json',
        '--requests',
        file,
        '--faults',
        '0.2,error,timeout,throttle',
        '--duplicates',
        '3',
        '--crash',
        '0.2',
      ],
      { cwd, timeout: 240_000 },
    );
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(requests.length);
    for (const request of requests) {
      expect(lines).toContainEqual(
        expect.objectContaining({ requestId: request.requestId, status: 'PROVISIONED', error: null }),
      );
    }
    expect(new Set(lines.map((l) => l.flowId)).size).toBe(requests.length);
    expect(stderr).toMatch(/each 3 times/);
    expect(stderr).toMatch(/delivered 9 message\(s\)/);
  }, 300_000);

  it('explains a bad fault specification and exits non-zero without starting anything', async () => {
    const failed = await run(process.execPath, ['bin/flowctl.js', 'local', '--faults', '0.2,slow'], { cwd }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((failed as { code: number }).code).toBe(2);
    expect((failed as { stderr: string }).stderr).toMatch(/--faults: unknown kind slow; kinds are error, timeout/);
  });
});
