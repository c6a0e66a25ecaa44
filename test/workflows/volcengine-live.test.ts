/**
 * The provision-flow ASL with the real Volcengine Live client behind the real vendor-task chain, against the
 * emulator: what each path leaves at the vendor (groups, tasks, journal) and in the DLQ.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { executionName } from '../../functions/domain/execution-name.ts';
import { VolcengineLiveClient } from '../../functions/vendors/volcengine-live/client.ts';
import {
  type RunningVolcengineLiveEmulator,
  startVolcengineLiveEmulator,
  type VolcengineLiveEmulatorOptions,
} from '../../local/emulators/volcengine-live.ts';
import { aVolcengineRequest } from '../helpers/live-vendors.ts';
import { workflowHarness } from '../helpers/workflow.ts';

const credentials = { accessKeyId: 'AKLTworkflowtest01', secretAccessKey: 'workflow/VolcengineSecret0001' };

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: Partial<VolcengineLiveEmulatorOptions> = {}) {
  const emulator: RunningVolcengineLiveEmulator = await startVolcengineLiveEmulator({ credentials, ...options });
  cleanups.push(() => emulator.close());
  const client = new VolcengineLiveClient({ credentials, endpoint: new URL(emulator.url), callTimeoutMs: 2000 });
  return { emulator, harness: workflowHarness('volcengine-live', client) };
}

const calls = (emulator: RunningVolcengineLiveEmulator) =>
  emulator.journal.entries.map((e) => `${e.operation} ${e.status}${e.errorCode ? ` ${e.errorCode}` : ''}`);

describe('provision-flow × volcengine-live', () => {
  it('creates the group and its task; the task starting now is active: provisioned without a start call', async () => {
    const { emulator, harness } = await setup();
    const execution = await harness.run(aVolcengineRequest({ requestId: 'wf-vl-happy' }));

    expect(execution.status).toBe('SUCCEEDED');
    const output = JSON.parse(execution.output!);
    expect(output).toEqual({
      requestId: 'wf-vl-happy',
      vendor: 'volcengine-live',
      flowId: expect.stringMatching(/^RelayBeijing:[0-9a-f]{24}$/),
      flowName: 'RelayBeijing',
      adopted: false,
      // Where to connect: test/contract/connection-details.test.ts checks each field.
      connection: expect.objectContaining({ outputs: expect.any(Array) }),
    });
    expect(emulator.tasks()).toEqual([expect.objectContaining({ groupName: 'RelayBeijing', status: '生效中' })]);
    // CreatePullToPushTask answers only the task id; the list that confirms the task runs answers its addresses.
    expect(calls(emulator)).toEqual([
      'CreatePullToPushGroup 200',
      'CreatePullToPushTask 200',
      // The read that finds it running answers its addresses too: no read for the event.
      'ListPullToPushTaskV2 200',
    ]);
    expect(harness.dlq).toEqual([]);
  });

  it('records a future start as SCHEDULED and is done: no polling until StartTime', async () => {
    const { emulator, harness } = await setup();
    const start = Math.floor(Date.now() / 1000) + 6 * 3600;
    const execution = await harness.run(aVolcengineRequest({ requestId: 'wf-vl-later' }, { startTime: start }));
    expect(execution.status).toBe('SUCCEEDED');
    expect(emulator.tasks()).toEqual([expect.objectContaining({ status: '未开始', startTime: start })]);
    // Group and task: the create's answer (SCHEDULED) ends the start with no read; the task's addresses are read once
    // for the outcome event (CreatePullToPushTask answers only its id).
    expect(calls(emulator)).toHaveLength(3);
  });

  it('adopts the group and task a previous attempt made (HTTP 429 RequestLimitExceeded.Exist)', async () => {
    const { emulator, harness } = await setup();
    const request = aVolcengineRequest({ requestId: 'wf-vl-again' });
    const first = await harness.run(request, 'wf-vl-again');
    const second = await harness.run(request, executionName(request.requestId, 2));

    expect(second.status).toBe('SUCCEEDED');
    expect(JSON.parse(second.output!)).toMatchObject({ flowId: JSON.parse(first.output!).flowId, adopted: true });
    expect(emulator.groups()).toHaveLength(1);
    expect(emulator.tasks()).toHaveLength(1);
    // The adopting list answers the task's addresses too: the second attempt spends no read on the connection.
    expect(calls(emulator).slice(3)).toEqual([
      'CreatePullToPushGroup 429 RequestLimitExceeded.Exist',
      'ListPullToPushGroup 200',
      'ListPullToPushTaskV2 200',
      'ListPullToPushTaskV2 200',
    ]);
    expect(emulator.journal.count((e) => e.throttled)).toBe(0);
  });

  it('retries FlowLimitExceeded and an HTTP 200 CommonErr, then succeeds', async () => {
    let draws = 0;
    // First call throttled, second answered 200 CommonErr, the rest served.
    const script = [0.6, 0.1, 0.1];
    const { emulator, harness } = await setup({
      faults: { errorRate: 0.5, throttleRate: 0.2, random: () => script[draws++] ?? 0.95 },
      commonErrShare: 0.5,
    });
    const execution = await harness.run(aVolcengineRequest({ requestId: 'wf-vl-flaky' }));
    expect(execution.status).toBe('SUCCEEDED');
    expect(calls(emulator).slice(0, 3)).toEqual([
      'CreatePullToPushGroup 429 FlowLimitExceeded',
      'CreatePullToPushGroup 200 CommonErr',
      'CreatePullToPushGroup 200',
    ]);
    expect(emulator.groups()).toHaveLength(1);
  });

  it('sends a group name taken by someone else to the DLQ as VendorConflict, without retrying', async () => {
    const { emulator, harness } = await setup();
    emulator.addGroup({ name: 'RelayBeijing' });
    const request = aVolcengineRequest({ requestId: 'wf-vl-taken' });
    const execution = await harness.run(request);

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('VendorConflict');
    expect(JSON.parse(harness.dlq[0]!.body)).toEqual(request);
    expect(harness.dlq[0]!.attributes).toMatchObject({
      reason: 'WorkflowFailed',
      error: 'VendorConflict',
      failedState: 'CreateFlow',
      vendor: 'volcengine-live',
    });
    expect(calls(emulator)).toEqual([
      'CreatePullToPushGroup 429 RequestLimitExceeded.Exist',
      'ListPullToPushGroup 200',
    ]);
  });

  it('fails a task stopped by someone (停用) as FlowNotRunning, and a request with entitlements as invalid', async () => {
    const { emulator, harness } = await setup();
    const client = new VolcengineLiveClient({ credentials, endpoint: new URL(emulator.url) });
    const stopped = aVolcengineRequest({ requestId: 'wf-vl-stopped', flow: { name: 'StoppedOne' } });
    const { flowId } = await client.createFlow(stopped);
    await client.stopFlow(stopped, flowId);
    const execution = await harness.run(stopped);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('FlowNotRunning');
    expect(harness.dlq[0]!.attributes.cause).toContain('停用');

    const shared = { ...aVolcengineRequest({ requestId: 'wf-vl-shared' }), entitlements: [{ name: 'partner' }] };
    const invalid = await harness.run(shared);
    expect(invalid.status).toBe('FAILED');
    expect(invalid.error).toBe('InvalidRequest');
    expect(harness.dlq[1]!.attributes.cause).toContain('volcengine-live tasks cannot be shared');
  });
});
