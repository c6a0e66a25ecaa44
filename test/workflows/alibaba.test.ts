/**
 * The provision-flow ASL with the real ICE and CAMS clients behind the real vendor-task chain, against the Alibaba
 * gateway emulator: what each path leaves at the vendor (state and journal) and in the DLQ.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AlibabaCamsClient } from '../../functions/vendors/alibaba-cams/client.ts';
import { AlibabaIceClient, iceFlowName } from '../../functions/vendors/alibaba-ice/client.ts';
import {
  type AlibabaEmulatorOptions,
  type RunningAlibabaEmulator,
  startAlibabaEmulator,
} from '../../local/emulators/alibaba.ts';
import { camsRequest, iceRequest } from '../helpers/alibaba.ts';
import { workflowHarness } from '../helpers/workflow.ts';

const credentials = { accessKeyId: 'LTAI5tWORKFLOWTEST1', accessKeySecret: 'workflow/AlibabaSecret0001' };

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  vendor: 'alibaba-ice' | 'alibaba-cams',
  options: Partial<AlibabaEmulatorOptions> = {},
  accessKeySecret = credentials.accessKeySecret,
) {
  // The harness runs the vendor λ unpaced (pacing has its own tests), so the vendor limit is not enforced here.
  const emulator = await startAlibabaEmulator({ credentials, enforceRateLimit: false, ...options });
  cleanups.push(() => emulator.close());
  const clientOptions = {
    credentials: { ...credentials, accessKeySecret },
    endpoint: new URL(emulator.url),
    callTimeoutMs: 300,
  };
  const client = vendor === 'alibaba-ice' ? new AlibabaIceClient(clientOptions) : new AlibabaCamsClient(clientOptions);
  return { emulator, harness: workflowHarness(vendor, client) };
}

/** Random source for Faults that plays `values` in order, then never faults. */
const rolls =
  (...values: number[]) =>
  () =>
    values.shift() ?? 0.999;

const calls = (emulator: RunningAlibabaEmulator) =>
  emulator.journal.entries.map((e) => `${e.operation} ${e.status}${e.errorCode ? ` ${e.errorCode}` : ''}`);

describe('provision-flow × alibaba-ice', () => {
  it('creates with its input, sets the flow online and adds the outputs', async () => {
    const { emulator, harness } = await setup('alibaba-ice');
    const request = iceRequest({ requestId: 'wf-ice-happy' });
    const execution = await harness.run(request);

    expect(execution.status).toBe('SUCCEEDED');
    const output = JSON.parse(execution.output!);
    expect(output).toEqual({
      requestId: 'wf-ice-happy',
      vendor: 'alibaba-ice',
      flowId: expect.any(String),
      flowName: 'esports-final-wf-ice-happy',
      adopted: false,
    });
    expect(emulator.iceFlows()).toEqual([
      expect.objectContaining({
        flowId: output.flowId,
        status: 'online',
        input: { name: 'arena-encoder', protocol: 'SRT-Listener' },
        outputs: [
          { name: 'partner-pull', protocol: 'SRT-Listener' },
          { name: 'cdn-push', protocol: 'RTMP-PUSH' },
        ],
      }),
    ]);
    // Online is synchronous at ICE: no poll between the start and the outputs, and no read before the start (the
    // create answered the state).
    expect(calls(emulator)).toEqual([
      'CreateMediaConnectFlow 200',
      'AddMediaConnectFlowInput 200',
      'UpdateMediaConnectFlowStatus 200',
      'AddMediaConnectFlowOutput 200',
      'AddMediaConnectFlowOutput 200',
    ]);
    expect(harness.dlq).toEqual([]);
  });

  it('retries a throttle (400 Throttling.User) and then succeeds', async () => {
    const { emulator, harness } = await setup('alibaba-ice', {
      faults: { throttleRate: 0.5, random: rolls(0.1, 0.1) },
    });
    const execution = await harness.run(iceRequest({ requestId: 'wf-ice-throttle', entitlements: [] }));
    expect(execution.status).toBe('SUCCEEDED');
    expect(calls(emulator).slice(0, 3)).toEqual([
      'CreateMediaConnectFlow 400 Throttling.User',
      'CreateMediaConnectFlow 400 Throttling.User',
      'CreateMediaConnectFlow 200',
    ]);
    expect(execution.history.filter((h) => h.type === 'TaskRetried' && h.stateName === 'CreateFlow')).toHaveLength(2);
    expect(emulator.iceFlows()).toHaveLength(1);
  });

  it('adopts the flow when the answer to its create was lost and the workflow retried', async () => {
    // The first call takes effect but its answer never arrives: the client times out (VendorUnavailable).
    const { emulator, harness } = await setup('alibaba-ice', { faults: { timeoutRate: 0.5, random: rolls(0.1) } });
    const request = iceRequest({ requestId: 'wf-ice-lost' });
    const execution = await harness.run(request);

    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output!)).toMatchObject({ adopted: true, flowName: iceFlowName(request) });
    expect(emulator.iceFlows()).toHaveLength(1);
    expect(emulator.iceFlows()[0]).toMatchObject({ status: 'online', input: { name: 'arena-encoder' } });
    expect(calls(emulator).slice(0, 5)).toEqual([
      'CreateMediaConnectFlow 200',
      'CreateMediaConnectFlow 200 RetCode 1001',
      'GetMediaConnectFlow 200',
      'GetMediaConnectFlowInput 200 RetCode 1007',
      'AddMediaConnectFlowInput 200',
    ]);
  });

  it('sends a name it cannot verify as its own to the DLQ as VendorConflict, without retrying', async () => {
    const { emulator, harness } = await setup('alibaba-ice', { iceDuplicateRevealsFlowId: false });
    const request = iceRequest({ requestId: 'wf-ice-taken' });
    emulator.seedIceFlow({ name: iceFlowName(request), region: request.region });
    const execution = await harness.run(request);

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('VendorConflict');
    expect(calls(emulator)).toEqual(['CreateMediaConnectFlow 200 RetCode 1001']);
    expect(harness.dlq).toHaveLength(1);
    expect(JSON.parse(harness.dlq[0]!.body)).toEqual(request);
    expect(harness.dlq[0]!.attributes).toMatchObject({
      error: 'VendorConflict',
      failedState: 'CreateFlow',
      vendor: 'alibaba-ice',
    });
  });

  it('sends bad credentials to the DLQ as VendorAuthFailed after one call', async () => {
    const { emulator, harness } = await setup('alibaba-ice', {}, 'wrong-secret');
    const execution = await harness.run(iceRequest({ requestId: 'wf-ice-auth' }));
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('VendorAuthFailed');
    expect(calls(emulator)).toEqual(['CreateMediaConnectFlow 400 SignatureDoesNotMatch']);
    expect(harness.dlq[0]!.attributes).toMatchObject({ error: 'VendorAuthFailed', failedState: 'CreateFlow' });
    expect(harness.dlq[0]!.attributes.cause).not.toContain('wrong-secret');
  });
});

describe('provision-flow × alibaba-cams', () => {
  it('creates, uploads the JSON asset, publishes and waits until PUBLISHED; nothing to share', async () => {
    const { emulator, harness } = await setup('alibaba-cams');
    const request = camsRequest({ requestId: 'wf-cams-happy' });
    const execution = await harness.run(request);

    expect(execution.status).toBe('SUCCEEDED');
    const output = JSON.parse(execution.output!);
    expect(output).toEqual({
      requestId: 'wf-cams-happy',
      vendor: 'alibaba-cams',
      flowId: expect.any(String),
      flowName: 'ticket-survey-wf-cams-happy',
      adopted: false,
    });
    expect(emulator.camsFlows()).toEqual([
      expect.objectContaining({
        flowId: output.flowId,
        status: 'PUBLISHED',
        filePath: request.flow.jsonAsset!.filePath,
      }),
    ]);
    // A first try: no lookup before the create, no read before the publish; one read confirms PUBLISHED.
    expect(calls(emulator)).toEqual(['CreateFlow 200', 'UpdateFlowJSONAsset 200', 'PublishFlow 200', 'GetFlow 200']);
    expect(harness.dlq).toEqual([]);
  });

  it('retries System.LimitControl (HTTP 400) and then succeeds', async () => {
    const { emulator, harness } = await setup('alibaba-cams', {
      faults: { throttleRate: 0.5, random: rolls(0.1) },
    });
    const execution = await harness.run(camsRequest({ requestId: 'wf-cams-throttle' }));
    expect(execution.status).toBe('SUCCEEDED');
    // The retry may follow a create that took effect, so it looks first.
    expect(calls(emulator).slice(0, 3)).toEqual([
      'CreateFlow 400 System.LimitControl',
      'ListFlow 200',
      'CreateFlow 200',
    ]);
    expect(execution.history.filter((h) => h.type === 'TaskRetried' && h.stateName === 'CreateFlow')).toHaveLength(1);
    expect(emulator.camsFlows()).toHaveLength(1);
  });

  it('adopts the flow when the answer to its CreateFlow was lost and the workflow retried', async () => {
    const { emulator, harness } = await setup('alibaba-cams', {
      faults: { timeoutRate: 0.5, random: rolls(0.1) },
    });
    const execution = await harness.run(camsRequest({ requestId: 'wf-cams-lost' }));
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output!)).toMatchObject({ adopted: true });
    expect(emulator.camsFlows()).toEqual([expect.objectContaining({ status: 'PUBLISHED' })]);
    expect(calls(emulator).slice(0, 4)).toEqual([
      'CreateFlow 200',
      'ListFlow 200',
      'GetFlow 200',
      'UpdateFlowJSONAsset 200',
    ]);
  });

  it('sends bad credentials to the DLQ as VendorAuthFailed after one call', async () => {
    const { emulator, harness } = await setup('alibaba-cams', {}, 'wrong-secret');
    const request = camsRequest({ requestId: 'wf-cams-auth' });
    const execution = await harness.run(request);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('VendorAuthFailed');
    expect(calls(emulator)).toEqual(['CreateFlow 400 SignatureDoesNotMatch']);
    expect(JSON.parse(harness.dlq[0]!.body)).toEqual(request);
    expect(harness.dlq[0]!.attributes).toMatchObject({
      error: 'VendorAuthFailed',
      failedState: 'CreateFlow',
      vendor: 'alibaba-cams',
    });
  });
});
