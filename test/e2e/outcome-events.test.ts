/**
 * Outcome events end to end, through the real command line: `flowctl local --requests F --json --events E` on a mixed
 * batch (all five vendors, a failure, invalid messages), every message delivered three times. One event per outcome
 * (repeats of a rejected message share one event id), each valid against schemas/flow-event.v1.json, a connection for
 * every provisioned flow, no secret anywhere; then `flowctl status` for a provisioned, a failed, a rejected and an
 * unknown request, consuming nothing.
 */
import { readFileSync } from 'node:fs';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VendorId } from '../../functions/domain/contract.ts';
import { type FlowEvent, type PutEventsEntry, parseEntry } from '../../functions/domain/flow-event.ts';
import { requestsFor } from '../../local/batch/demo-batch.ts';
import type { RequestResult } from '../../local/batch/run-batch.ts';
import { asReceived, schemaErrors } from '../helpers/flow-events.ts';
import { type FlowctlRun, runFlowctl, type ServedStack, startServedStack } from '../helpers/flowctl-e2e.ts';

const VENDORS: VendorId[] = ['aws-mediaconnect', 'alibaba-ice', 'alibaba-cams', 'huawei-live', 'volcengine-live'];
const SECRETS = ['IceInputSecret-e2e-77', 'HuaweiOutputSecret-e2e-77', 'volcSecretE2e77'];

function withSecrets(vendor: VendorId, request: Record<string, unknown>): Record<string, unknown> {
  const flow = request.flow as Record<string, unknown>;
  if (vendor === 'alibaba-ice') {
    return { ...request, flow: { ...flow, input: { ...(flow.input as object), srtPassphrase: SECRETS[0] } } };
  }
  if (vendor === 'huawei-live') {
    const [output] = request.entitlements as Record<string, unknown>[];
    const encryption = { keyType: 'srt-password', passphrase: SECRETS[1], algorithm: 'aes256' };
    return { ...request, entitlements: [{ ...output, encryption }] };
  }
  if (vendor === 'volcengine-live') {
    const task = flow.task as Record<string, unknown>;
    const dstAddr = `${String(task.dstAddr)}?volcTime=1767225600&volcSecret=${SECRETS[2]}`;
    return { ...request, flow: { ...flow, task: { ...task, dstAddr } } };
  }
  return request;
}

const good = VENDORS.flatMap((vendor) => requestsFor(vendor, 2, 'evt').map((r) => withSecrets(vendor, r)));
const [awsExample] = requestsFor('aws-mediaconnect', 1, 'evt-failing');
// The vendor refuses it (an availability zone outside the region): the workflow fails in CreateFlow.
const failing: Record<string, unknown> = {
  ...awsExample,
  flow: { ...(awsExample!.flow as object), name: 'refused-az', availabilityZone: 'eu-west-1a' },
};
const invalid = [
  '{"schemaVersion":1,"requestId":"evt-broken"',
  JSON.stringify({ schemaVersion: 1, requestId: 'evt-unknown-vendor', vendor: 'acme-cloud', region: 'x' }),
  JSON.stringify({ schemaVersion: 1, requestId: 'evt-missing-fields', vendor: 'huawei-live' }),
];

describe('flowctl local --json --events: one event per outcome', () => {
  let run: FlowctlRun;
  let results: RequestResult[];
  let entries: PutEventsEntry[];
  let events: FlowEvent[];
  let served: ServedStack;

  beforeAll(async () => {
    served = await startServedStack({ vendors: ['aws-mediaconnect'] });
    const requests = served.file(
      'requests.ndjson',
      [...good.map((r) => JSON.stringify(r)), JSON.stringify(failing), ...invalid].join('\n'),
    );
    const eventsFile = `${served.dir}/events.ndjson`;
    run = await runFlowctl(['local', '--requests', requests, '--json', '--events', eventsFile, '--duplicates', '3']);
    results = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as RequestResult);
    entries = readFileSync(eventsFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as PutEventsEntry);
    events = entries.map((entry) => parseEntry(entry));
  }, 240_000);
  afterAll(async () => served?.stop());

  it('runs every request to an outcome', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(
      results
        .filter((r) => r.status === 'PROVISIONED')
        .map((r) => r.requestId)
        .sort(),
    ).toEqual(good.map((r) => r.requestId).sort());
    expect(results.find((r) => r.requestId === failing.requestId)?.status).toBe('FAILED');
    // One line per rejected request id, and one per rejected message without one (each delivery of the broken one).
    const rejected = results.filter((r) => r.status === 'REJECTED');
    expect(new Set(rejected.map((r) => r.requestId ?? '(none)'))).toEqual(
      new Set(['(none)', 'evt-unknown-vendor', 'evt-missing-fields']),
    );
  });

  it('writes PutEvents entries, each valid against the exported JSON Schema', () => {
    for (const entry of entries) {
      expect(Object.keys(entry).sort()).toEqual(['Detail', 'DetailType', 'EventBusName', 'Source', 'Time']);
      expect(typeof entry.Detail).toBe('string');
      expect(schemaErrors(asReceived(entry))).toEqual([]);
    }
  });

  it('puts exactly one FlowProvisioned per provisioned request, with where to connect, despite three deliveries', () => {
    for (const result of results.filter((r) => r.status === 'PROVISIONED')) {
      const mine = events.filter(
        (e) => e['detail-type'] === 'FlowProvisioned' && e.detail.requestId === result.requestId,
      );
      expect(mine, result.requestId!).toHaveLength(1);
      const detail = mine[0]!.detail as Extract<FlowEvent, { 'detail-type': 'FlowProvisioned' }>['detail'];
      expect(detail).toMatchObject({
        vendor: result.vendor,
        flowId: result.flowId,
        executionName: result.executionName,
      });
      // The --json line carries the same connection as the event.
      expect(result.connection).toEqual(detail.connection);
      if (result.vendor === 'alibaba-cams') expect(detail.connection.vendorDetail?.flowId).toBe(result.flowId);
      else expect(detail.connection.ingest, result.requestId!).toBeDefined();
      if (['aws-mediaconnect', 'alibaba-ice', 'huawei-live', 'volcengine-live'].includes(result.vendor!)) {
        expect(detail.connection.outputs.length, result.requestId!).toBeGreaterThan(0);
      }
    }
  });

  it('puts exactly one FlowProvisioningFailed per failed execution (a late copy of a failed request is a new attempt)', () => {
    const failed = events.filter((e) => e['detail-type'] === 'FlowProvisioningFailed');
    expect(new Set(failed.map((e) => e.detail.requestId))).toEqual(new Set([failing.requestId]));
    const executions = failed.map((e) => (e.detail as { executionName: string }).executionName);
    expect(new Set(executions).size).toBe(failed.length);
    const attempts = failed.map((e) => (e.detail as { attempt: number }).attempt).sort();
    expect(attempts).toEqual(Array.from({ length: failed.length }, (_, i) => i + 1));
    const result = results.find((r) => r.requestId === failing.requestId)!;
    expect(executions).toContain(result.executionName);
    for (const event of failed) {
      expect(event.detail).toMatchObject({ failedState: 'CreateFlow', error: 'VendorRejected', rolledBack: false });
    }
  });

  it('announces each invalid message as RequestRejected under one event id, however often it was delivered', () => {
    const rejected = events.filter((e) => e['detail-type'] === 'RequestRejected');
    expect(new Set(rejected.map((e) => e.detail.eventId)).size).toBe(invalid.length);
    expect(rejected).toHaveLength(invalid.length * 3);
    expect(new Set(rejected.map((e) => e.detail.requestId ?? '(none)'))).toEqual(
      new Set(['(none)', 'evt-unknown-vendor', 'evt-missing-fields']),
    );
    // No other event type repeats: executions put theirs once.
    const executionEvents = events.filter((e) => e['detail-type'] !== 'RequestRejected');
    expect(new Set(executionEvents.map((e) => e.detail.eventId)).size).toBe(executionEvents.length);
  });

  it('never carries a secret', () => {
    const text = readFileSync(`${served.dir}/events.ndjson`, 'utf8') + run.stdout;
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });
});

describe('flowctl status REQUEST_ID', () => {
  let served: ServedStack;
  const [provisioned] = requestsFor('aws-mediaconnect', 1, 'status-ok');
  const failed = { ...failing, requestId: 'status-failed' };
  const rejected = JSON.stringify({ schemaVersion: 1, requestId: 'status-rejected', vendor: 'aws-mediaconnect' });

  beforeAll(async () => {
    served = await startServedStack({ vendors: ['aws-mediaconnect'], waitOverrideMs: 100 });
    await served.stack.send([JSON.stringify(provisioned), JSON.stringify(failed), rejected]);
    await served.stack.waitForDrain({ timeoutMs: 120_000 });
  }, 180_000);
  afterAll(async () => served?.stop());

  const dlqCounts = async () => {
    const { Attributes } = await served.stack.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: served.stack.deadLetterQueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return [Number(Attributes?.ApproximateNumberOfMessages), Number(Attributes?.ApproximateNumberOfMessagesNotVisible)];
  };

  it('answers a provisioned request with its attempt, flow, connection and event (exit 0)', async () => {
    const out = await served.flowctl('status', provisioned!.requestId as string, '--local', '--json');
    expect(out.code, out.stderr).toBe(0);
    expect(out.json()).toMatchObject({
      state: 'PROVISIONED',
      vendor: 'aws-mediaconnect',
      attempts: [{ attempt: 1, status: 'SUCCEEDED', state: null }],
      flow: { flowId: expect.stringMatching(/^arn:aws:mediaconnect:/), connection: { ingest: { port: 5000 } } },
      lastEvent: { detailType: 'FlowProvisioned', put: true },
      dlqRecord: null,
      dlqMessagesSeen: 0,
    });
  });

  it('answers a failed request with the state it failed in and its failure record, read from the history (exit 1)', async () => {
    const before = await dlqCounts();
    const out = await served.flowctl('status', 'status-failed', '--local', '--json');
    expect(out.code, out.stderr).toBe(1);
    expect(out.json()).toMatchObject({
      state: 'FAILED',
      attempts: [{ status: 'FAILED', state: 'CreateFlow', error: 'VendorRejected' }],
      lastEvent: { detailType: 'FlowProvisioningFailed', put: true },
      dlqRecord: { reason: 'WorkflowFailed', error: 'VendorRejected', readFrom: 'execution-history' },
      dlqMessagesSeen: 0,
    });
    expect(await dlqCounts()).toEqual(before);
  });

  it('answers a rejected request from its DLQ record, leaving every message visible (exit 1)', async () => {
    const before = await dlqCounts();
    const out = await served.flowctl('status', 'status-rejected', '--local', '--json');
    expect(out.code, out.stderr).toBe(1);
    expect(out.json()).toMatchObject({
      state: 'REJECTED',
      attempts: [],
      lastEvent: { detailType: 'RequestRejected' },
      dlqRecord: { reason: 'InvalidRequest', readFrom: 'dlq' },
    });
    expect(out.json<{ dlqMessagesSeen: number }>().dlqMessagesSeen).toBeGreaterThan(0);
    expect(await dlqCounts()).toEqual(before);
    expect(before[1]).toBe(0);
  });

  it('answers an unknown request (exit 4), and with --no-dlq reads no queue', async () => {
    const out = await served.flowctl('status', 'status-never-sent', '--local', '--json');
    expect(out.code).toBe(4);
    expect(out.json()).toMatchObject({ state: 'UNKNOWN', attempts: [], dlqRecord: null });
    const quiet = await served.flowctl('status', 'status-rejected', '--local', '--json', '--no-dlq');
    expect(quiet.code).toBe(4);
    expect(quiet.json()).toMatchObject({ state: 'UNKNOWN', dlqMessagesSeen: 0 });
  });

  it('prints where to connect for people', async () => {
    const out = await served.flowctl('status', provisioned!.requestId as string, '--local');
    expect(out.stdout).toMatch(/PROVISIONED/);
    expect(out.stdout).toMatch(/where to connect: ingest push srt-listener \d+\.\d+\.\d+\.\d+:5000/);
  });
});
