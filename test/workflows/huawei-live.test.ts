/**
 * The provision-flow ASL with the real Huawei Live client behind the real vendor-task chain, against the emulator:
 * what each path leaves at the vendor (its state and journal) and in the DLQ.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { executionName } from '../../functions/domain/execution-name.ts';
import { HuaweiLiveClient, huaweiFlowName } from '../../functions/vendors/huawei-live/client.ts';
import {
  type HuaweiLiveEmulatorOptions,
  type RunningHuaweiLiveEmulator,
  startHuaweiLiveEmulator,
} from '../../local/emulators/huawei-live.ts';
import { aHuaweiRequest } from '../helpers/live-vendors.ts';
import { workflowHarness } from '../helpers/workflow.ts';

const credentials = { accessKey: 'HWWORKFLOWTESTAK01', secretKey: 'workflow/HuaweiSecret000000001' };
const projectId = '7c6b5a4f3e2d41c0b9a8f7e6d5c4b3a2';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  options: Partial<HuaweiLiveEmulatorOptions> = {},
  secretKey = credentials.secretKey,
  waitOverrideMs = 1,
) {
  const emulator: RunningHuaweiLiveEmulator = await startHuaweiLiveEmulator({
    credentials: { ...credentials, projectId },
    ...options,
  });
  cleanups.push(() => emulator.close());
  const client = new HuaweiLiveClient({
    credentials: { ...credentials, secretKey },
    projectId,
    endpoint: new URL(emulator.url),
    callTimeoutMs: 2000,
  });
  return { emulator, harness: workflowHarness('huawei-live', client, { waitOverrideMs }) };
}

const calls = (emulator: RunningHuaweiLiveEmulator) =>
  emulator.journal.entries.map((e) => `${e.operation} ${e.status}${e.errorCode ? ` ${e.errorCode}` : ''}`);

describe('provision-flow × huawei-live', () => {
  it('creates, starts and adds the outputs: the flow runs at Huawei with them', async () => {
    const { emulator, harness } = await setup();
    const request = aHuaweiRequest({ requestId: 'wf-hw-happy' });
    const execution = await harness.run(request);

    expect(execution.status).toBe('SUCCEEDED');
    const output = JSON.parse(execution.output!);
    expect(output).toEqual({
      requestId: 'wf-hw-happy',
      vendor: 'huawei-live',
      flowId: expect.any(String),
      flowName: 'concert-hongkong-wf-hw-happy',
      adopted: false,
      // Where to connect: test/contract/connection-details.test.ts checks each field.
      connection: expect.objectContaining({ outputs: expect.any(Array) }),
    });
    expect(emulator.flows()).toEqual([
      expect.objectContaining({
        flowId: output.flowId,
        status: 'ACTIVE',
        outputs: [expect.objectContaining({ name: 'partner-pull' })],
      }),
    ]);
    // No read before the start: the create answered the state.
    expect(calls(emulator)).toEqual(['CreateFlows 201', 'ModifyFlowStart 200', 'CreateFlowOutput 200']);
    expect(harness.dlq).toEqual([]);
  });

  it('keeps polling while a started flow still reads STANDBY, and shares it once it is ACTIVE', async () => {
    // The flow runs 150 ms after its start; the workflow reads it every 20 ms (20 reads allowed).
    const { emulator, harness } = await setup({ startDelayMs: 150 }, credentials.secretKey, 20);
    const execution = await harness.run(aHuaweiRequest({ requestId: 'wf-hw-standby' }));

    expect(execution.status).toBe('SUCCEEDED');
    expect(emulator.flows()).toEqual([expect.objectContaining({ status: 'ACTIVE', outputs: [expect.anything()] })]);
    const journal = calls(emulator);
    expect(journal.slice(0, 2)).toEqual(['CreateFlows 201', 'ModifyFlowStart 200']);
    expect(journal.at(-1)).toBe('CreateFlowOutput 200');
    // Reads after the start found the flow STANDBY, and the workflow read again instead of failing.
    expect(journal.slice(2, -1).length).toBeGreaterThanOrEqual(2);
    expect(new Set(journal.slice(2, -1))).toEqual(new Set(['ShowFlowDetail 200']));
    expect(harness.dlq).toEqual([]);
  });

  it('adopts the flow and outputs a previous attempt made (a new execution of the same request)', async () => {
    const { emulator, harness } = await setup();
    const request = aHuaweiRequest({ requestId: 'wf-hw-again' });
    const first = await harness.run(request, 'wf-hw-again');
    const second = await harness.run(request, executionName(request.requestId, 2));

    expect(first.status).toBe('SUCCEEDED');
    expect(second.status).toBe('SUCCEEDED');
    expect(JSON.parse(second.output!)).toMatchObject({ flowId: JSON.parse(first.output!).flowId, adopted: true });
    expect(emulator.flows()).toHaveLength(1);
    expect(emulator.flows()[0]!.outputs).toHaveLength(1);
    // The second attempt (`--a2`) may repeat the first, so it looks first: it finds its flow by ListFlows (no create),
    // finds it running (no second start), and adopts the outputs after Huawei's "exists".
    expect(calls(emulator).slice(3)).toEqual([
      'ListFlows 200',
      'ShowFlowDetail 200',
      'ShowFlowDetail 200',
      'CreateFlowOutput 400 LIVE.103011018',
      'ShowFlowDetail 200',
    ]);
  });

  it('retries a throttle (APIG.0308) and then succeeds', async () => {
    let draws = 0;
    const { emulator, harness } = await setup({
      faults: { throttleRate: 0.5, random: () => (++draws === 1 ? 0.1 : 0.9) },
    });
    const execution = await harness.run(aHuaweiRequest({ requestId: 'wf-hw-throttled' }));
    expect(execution.status).toBe('SUCCEEDED');
    // The retry may repeat a create whose answer was lost, so it looks first.
    expect(calls(emulator).slice(0, 3)).toEqual(['CreateFlows 429 APIG.0308', 'ListFlows 200', 'CreateFlows 201']);
    expect(emulator.flows()).toHaveLength(1);
  });

  it('sends a flow name taken by someone else to the DLQ as VendorConflict, without retrying', async () => {
    const { emulator, harness } = await setup();
    const request = aHuaweiRequest({ requestId: 'wf-hw-taken' });
    emulator.addFlow({
      name: huaweiFlowName(request),
      region: 'ap-southeast-1',
      sources: [{ name: 'x', protocol: 'srt-listener' }],
    });
    const execution = await harness.run(request);

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('VendorConflict');
    expect(harness.dlq).toHaveLength(1);
    expect(JSON.parse(harness.dlq[0]!.body)).toEqual(request);
    expect(harness.dlq[0]!.attributes).toMatchObject({
      reason: 'WorkflowFailed',
      error: 'VendorConflict',
      failedState: 'CreateFlow',
      requestId: 'wf-hw-taken',
      vendor: 'huawei-live',
    });
    // A first try creates at once; Huawei's "exists" is looked up, the namesake has no marker: nothing is retried.
    expect(calls(emulator)).toEqual(['CreateFlows 400 LIVE.103011018', 'ListFlows 200', 'ShowFlowDetail 200']);
  });

  it('sends bad credentials to the DLQ as VendorAuthFailed after one call', async () => {
    const { emulator, harness } = await setup({}, 'not-the-secret');
    const execution = await harness.run(aHuaweiRequest({ requestId: 'wf-hw-auth' }));
    expect(execution.status).toBe('FAILED');
    expect(harness.dlq[0]!.attributes).toMatchObject({ error: 'VendorAuthFailed', failedState: 'CreateFlow' });
    expect(calls(emulator)).toEqual(['CreateFlows 401 APIG.0301']);
  });
});
