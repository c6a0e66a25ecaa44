/**
 * `flowctl dlq list|show|redrive --local` end to end: records of every kind on the local DLQ, read without being
 * consumed, shown in full, and moved back selectively, judged by the CLI's JSON and exit codes and by the emulator.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DlqRecord, DlqRecordDetail, RedriveResult } from '../../cli/operations/dlq.ts';
import { requestsFor } from '../../local/batch/demo-batch.ts';
import type { RunningAwsMediaConnectEmulator } from '../../local/emulators/aws-mediaconnect.ts';
import { type ServedStack, startServedStack } from '../helpers/flowctl-e2e.ts';

interface ListResult {
  target: string;
  count: number;
  messages: DlqRecord[];
}

describe('flowctl dlq --local', () => {
  let served: ServedStack;
  let emulator: RunningAwsMediaConnectEmulator;
  const failing = requestsFor('aws-mediaconnect', 3, 'dlq');
  const raw = JSON.stringify(requestsFor('aws-mediaconnect', 1, 'dlq-raw')[0]);

  beforeAll(async () => {
    served = await startServedStack({ retryOverrideMs: 20, waitOverrideMs: 20 });
    const { stack } = served;
    emulator = stack.emulators['aws-mediaconnect'] as RunningAwsMediaConnectEmulator;
    emulator.setFaults({ errorRate: 1 });
    await stack.send([
      ...failing.map((r) => JSON.stringify(r)),
      JSON.stringify({ ...failing[0], requestId: 'dlq-invalid', start: 'yes' }),
    ]);
    // What SQS itself moves after maxReceiveCount: the body, no attributes.
    await stack.sqs.send(new SendMessageCommand({ QueueUrl: stack.deadLetterQueueUrl, MessageBody: raw }));
    await stack.waitForDrain({ timeoutMs: 60_000 });
  });
  afterAll(async () => served?.stop());

  it('lists every record with its reason, error, failed state, execution and age — and consumes none', async () => {
    const first = await served.flowctl('dlq', 'list', '--local', '--json');
    expect(first.code).toBe(0);
    const list = first.json<ListResult>();
    expect(list.count).toBe(5);
    const byRequest = new Map(list.messages.map((m) => [m.requestId, m]));
    for (const request of failing) {
      expect(byRequest.get(String(request.requestId))).toMatchObject({
        reason: 'WorkflowFailed',
        error: 'VendorUnavailable',
        vendor: 'aws-mediaconnect',
        failedState: 'CreateFlow',
        executionArn: expect.stringMatching(
          new RegExp(`:execution:provision-flow-aws-mediaconnect:${request.requestId}$`),
        ),
        ageSeconds: expect.any(Number),
        sentAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
    }
    expect(byRequest.get('dlq-invalid')).toMatchObject({ reason: 'InvalidRequest', failedState: 'Dispatcher' });
    expect(byRequest.get('dlq-raw-aws-mediaconnect-001')).toMatchObject({
      reason: 'MaxReceiveCountExceeded',
      error: null,
    });

    const again = await served.flowctl('dlq', 'list', '--local', '--json', '--limit', '3');
    expect(again.json<ListResult>().count).toBe(3);
    const text = await served.flowctl('dlq', 'list', '--local');
    expect(text.stdout).toMatch(
      /AGE\s+REASON\s+ERROR\s+VENDOR\s+REQUEST\s+FAILED STATE\s+EXECUTION\s+MESSAGE ID\s+CAUSE/,
    );
    expect(text.stdout).toMatch(/5 message\(s\)/);
  });

  it('shows one record in full by request id, and exits 4 for an unknown id', async () => {
    const shown = await served.flowctl('dlq', 'show', '--local', '--json', 'dlq-invalid');
    expect(shown.code).toBe(0);
    const record = shown.json<DlqRecordDetail>();
    expect(record.attributes).toMatchObject({ reason: 'InvalidRequest', requestId: 'dlq-invalid' });
    expect(record.request).toMatchObject({ requestId: 'dlq-invalid', start: 'yes' });
    expect(record.causeMessage).toMatch(/^start: /);
    const missing = await served.flowctl('dlq', 'show', '--local', 'no-such-id');
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/no DLQ message with message id or request id no-such-id[\s\S]*flowctl dlq list/);
  });

  it('redrives only what the filter names, once the vendor is back, and the requests get provisioned', async () => {
    const dry = await served.flowctl(
      'dlq',
      'redrive',
      '--local',
      '--json',
      '--dry-run',
      '--filter',
      'error=VendorUnavailable',
    );
    expect(dry.json<RedriveResult>()).toMatchObject({
      mode: 'receive-send-delete',
      dryRun: true,
      matched: 3,
      skipped: 2,
      moved: [],
    });

    emulator.setFaults({});
    const run = await served.flowctl(
      'dlq',
      'redrive',
      '--local',
      '--json',
      '--filter',
      'vendor=aws-mediaconnect,error=VendorUnavailable',
      '--rate',
      '20',
    );
    expect(run.code).toBe(0);
    const result = run.json<RedriveResult & { target: string }>();
    expect(result).toMatchObject({ mode: 'receive-send-delete', rate: 20, matched: 3, skipped: 2, failed: [] });
    expect(result.mode === 'receive-send-delete' && result.moved).toHaveLength(3);

    await served.stack.waitForDrain({ timeoutMs: 60_000 });
    const flows = emulator.flows();
    expect(flows.map((f) => f.tags['flow-provisioner:request-id']).sort()).toEqual(
      failing.map((r) => r.requestId).sort(),
    );
    const left = (await served.flowctl('dlq', 'list', '--local', '--json')).json<ListResult>();
    expect(left.messages.map((m) => m.reason).sort()).toEqual(['InvalidRequest', 'MaxReceiveCountExceeded']);
  });

  it('exits 2 when told neither --all nor --filter', async () => {
    const run = await served.flowctl('dlq', 'redrive', '--local');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--all, or --filter/);
  });
});
