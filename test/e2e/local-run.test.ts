/**
 * The `npm start` path end to end: messages into the local ingress queue, through the dispatcher, the workflow and the
 * paced vendor λ, to the vendor emulator. Judged by the emulator's own state and journal and by the DLQ — not by what
 * the pipeline believes of itself.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestsFor } from '../../local/batch/demo-batch.ts';
import { type BatchReport, runBatch } from '../../local/batch/run-batch.ts';
import type { RunningAwsMediaConnectEmulator } from '../../local/emulators/aws-mediaconnect.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';

const run = promisify(execFile);

describe('local run: good, duplicate and invalid requests (aws-mediaconnect)', () => {
  let stack: LocalStack;
  let report: BatchReport;
  const good = requestsFor('aws-mediaconnect', 8, 'e2e');
  const invalid = [
    '{"schemaVersion":1,"requestId":"e2e-broken"',
    JSON.stringify({ ...good[0], requestId: 'e2e-unknown-vendor', vendor: 'acme-cloud' }),
    JSON.stringify({ schemaVersion: 1, requestId: 'e2e-missing', vendor: 'aws-mediaconnect' }),
    JSON.stringify({ ...good[0], requestId: 'e2e-wrong-type', start: 'yes' }),
  ];

  beforeAll(async () => {
    stack = await startLocalStack({ vendors: ['aws-mediaconnect'], waitOverrideMs: 200 });
    const bodies = [
      ...good.map((r) => JSON.stringify(r)),
      // At-least-once delivery: two requests arrive twice, one of them three times.
      JSON.stringify(good[0]),
      JSON.stringify(good[0]),
      JSON.stringify(good[1]),
      ...invalid,
    ];
    report = await runBatch(stack, bodies, { timeoutMs: 120_000 });
  });
  afterAll(async () => stack?.stop());

  it('provisions every good request exactly once at the vendor, running and shared', () => {
    const provisioned = report.results.filter((r) => r.status === 'PROVISIONED');
    expect(provisioned.map((r) => r.requestId).sort()).toEqual(good.map((r) => r.requestId).sort());

    const flows = (stack.emulators['aws-mediaconnect'] as RunningAwsMediaConnectEmulator).flows();
    expect(flows).toHaveLength(good.length);
    expect(new Set(flows.map((f) => f.tags['flow-provisioner:request-id'])).size).toBe(good.length);
    for (const flow of flows) {
      expect(flow.status).toBe('ACTIVE');
      expect(flow.entitlements).toHaveLength(1);
    }
    expect(new Set(provisioned.map((r) => r.flowId))).toEqual(new Set(flows.map((f) => f.flowArn)));
  });

  it('rejects every invalid message into the DLQ with its reasons, and loses none', () => {
    const rejected = report.results.filter((r) => r.status === 'REJECTED');
    expect(rejected).toHaveLength(invalid.length);
    expect(rejected.map((r) => r.error).join('\n')).toMatch(/body is not JSON/);
    expect(rejected.find((r) => r.requestId === 'e2e-unknown-vendor')?.error).toMatch(/unknown vendor "acme-cloud"/);
    expect(rejected.find((r) => r.requestId === 'e2e-missing')?.error).toMatch(/region: .*flow: /);
    expect(rejected.find((r) => r.requestId === 'e2e-wrong-type')?.error).toMatch(/start: /);
    expect(report.unresolved).toEqual([]);
  });

  it('stays within each documented scope in any second at the vendor, with no throttle answered', () => {
    const journal = stack.emulators['aws-mediaconnect']!.journal;
    // CreateFlow, StartFlow, at least one DescribeFlow poll, GrantFlowEntitlements: no lookup before a first create.
    expect(journal.count()).toBeGreaterThanOrEqual(good.length * 4);
    expect(journal.count((e) => e.operation === 'ListFlows')).toBe(0);
    expect(journal.maxInWindow(1000, (e) => e.operation === 'DescribeFlow')).toBeLessThanOrEqual(30);
    expect(journal.maxInWindow(1000, (e) => e.operation !== 'DescribeFlow')).toBeLessThanOrEqual(5);
    expect(journal.count((e) => e.throttled)).toBe(0);
  });
});

describe('flowctl local (the npm start command)', () => {
  it('runs a request file and prints one JSON object per request, exiting 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowctl-'));
    const file = join(dir, 'requests.ndjson');
    const requests = requestsFor('aws-mediaconnect', 3, 'cli');
    writeFileSync(
      file,
      [...requests.map((r) => JSON.stringify(r)), JSON.stringify(requests[0]), '{not json'].join('\n'),
    );
    const { stdout } = await run(
      process.execPath,
      ['bin/flowctl.js', 'local', '--vendors', 'aws-mediaconnect', '--json', '--requests', file],
      { cwd: new URL('../..', import.meta.url), timeout: 120_000 },
    );
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(4);
    for (const request of requests) {
      expect(lines).toContainEqual(
        expect.objectContaining({
          requestId: request.requestId,
          vendor: 'aws-mediaconnect',
          status: 'PROVISIONED',
          flowId: expect.stringMatching(/^arn:aws:mediaconnect:us-east-1:/),
          executionName: request.requestId,
          error: null,
        }),
      );
    }
    expect(lines).toContainEqual(expect.objectContaining({ requestId: null, status: 'REJECTED' }));
  });

  it('explains a bad option and exits non-zero', async () => {
    const failed = await run(process.execPath, ['bin/flowctl.js', 'local', '--vendors', 'acme-cloud'], {
      cwd: new URL('../..', import.meta.url),
    }).catch((e: { code: number; stderr: string }) => e);
    expect((failed as { code: number }).code).toBe(2);
    expect((failed as { stderr: string }).stderr).toMatch(/--vendors: acme-cloud is not a vendor/);
  });
});
