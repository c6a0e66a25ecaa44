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
      // Where to connect: test/contract/connection-details.test.ts checks each field.
      connection: expect.objectContaining({ outputs: expect.any(Array) }),
    });
    expect(emulator.iceFlows()).toEqual([
      expect.objectContaining({
        flowId: output.flowId,
        status: 'online',
        input: { name: 'arena-encoder', protocol: 'SRT-Listener' },
        outputs: [
          { name: 'partner-pull', protocol: 'SRT-Listener' },
          { name: 'cdn-push', protocol: 'SRT-Caller' },
        ],
      }),
    ]);
    // The create answers after CreateMediaConnectFlow; CompleteFlow, first try on a flow just made, adds the input at
    // once and its answer carries the ingest URL (no read for the event). No read before the start (the create
    // answered the state); online is synchronous at ICE; the outputs of a flow just made are added without listing.
    expect(calls(emulator)).toEqual([
      'CreateMediaConnectFlow 200',
      'AddMediaConnectFlowInput 200',
      'UpdateMediaConnectFlowStatus 200',
      'AddMediaConnectFlowOutput 200',
      'AddMediaConnectFlowOutput 200',
    ]);
    expect(output.connection.ingest).toMatchObject({ url: expect.any(String) });
    expect(execution.history.filter((h) => h.type === 'TaskStateEntered').map((h) => h.stateName)).toContain(
      'CompleteFlow',
    );
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

  it('a lost answer of AddMediaConnectFlowInput: CompleteFlow is retried, finds the input and adds nothing', async () => {
    // Calls: CreateMediaConnectFlow, AddMediaConnectFlowInput (answer lost), then clean.
    const { emulator, harness } = await setup('alibaba-ice', {
      faults: { timeoutRate: 0.5, random: rolls(0.9, 0.1) },
    });
    const request = iceRequest({ requestId: 'wf-ice-lost-input', entitlements: [] });
    const execution = await harness.run(request);

    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output!)).toMatchObject({ adopted: false, flowName: iceFlowName(request) });
    expect(emulator.iceFlows()).toEqual([
      expect.objectContaining({ status: 'online', input: { name: 'arena-encoder', protocol: 'SRT-Listener' } }),
    ]);
    // The retry may repeat the add whose answer was lost: it reads the input first and finds it.
    expect(calls(emulator).slice(0, 3)).toEqual([
      'CreateMediaConnectFlow 200',
      'AddMediaConnectFlowInput 200',
      'GetMediaConnectFlowInput 200',
    ]);
    expect(execution.history.filter((h) => h.type === 'TaskRetried' && h.stateName === 'CompleteFlow')).toHaveLength(1);
  });

  it('a fault between the two calls: the flow id reaches the failure record, and rollback deletes the flow', async () => {
    // Every call after CreateMediaConnectFlow fails (HTTP 5xx) until CompleteFlow's retries run out.
    const { emulator, harness } = await setup('alibaba-ice', {
      faults: { errorRate: 0.5, random: rolls(0.9, ...Array(12).fill(0.1)) },
    });
    const request = iceRequest({ requestId: 'wf-ice-between', onFailure: 'rollback', entitlements: [] });
    const execution = await harness.run(request);

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('VendorUnavailable');
    const created = emulator.journal.entries.filter((e) => e.operation === 'CreateMediaConnectFlow');
    expect(created).toHaveLength(1);
    expect(harness.dlq[0]!.attributes).toMatchObject({
      error: 'VendorUnavailable',
      failedState: 'CompleteFlow',
      rolledBack: 'true',
    });
    expect(harness.dlq[0]!.attributes.flowId).toMatch(/^[0-9a-f-]{36}$/);
    expect(emulator.iceFlows()).toEqual([]);
  });

  it('keeps a half-made flow for a redrive (onFailure: keep), naming its id in the failure record', async () => {
    const { emulator, harness } = await setup('alibaba-ice', {
      faults: { errorRate: 0.5, random: rolls(0.9, ...Array(12).fill(0.1)) },
    });
    const request = iceRequest({ requestId: 'wf-ice-kept', entitlements: [] });
    const execution = await harness.run(request);

    expect(execution.status).toBe('FAILED');
    const [flow] = emulator.iceFlows();
    expect(flow).toMatchObject({ name: iceFlowName(request) });
    expect(flow!.input).toBeUndefined();
    expect(harness.dlq[0]!.attributes).toMatchObject({
      failedState: 'CompleteFlow',
      rolledBack: 'false',
      flowId: flow!.flowId,
      rollbackDetail: `kept flow ${flow!.flowId} for a redrive to adopt (onFailure: keep)`,
    });
  });

  it('a lost answer of CreateMediaConnectFlow itself cannot be adopted (no lookup by name): refused, and says so', async () => {
    const { emulator, harness } = await setup('alibaba-ice', { faults: { timeoutRate: 0.5, random: rolls(0.1) } });
    const request = iceRequest({ requestId: 'wf-ice-lost' });
    const execution = await harness.run(request);

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('VendorRejected');
    expect(calls(emulator)).toEqual(['CreateMediaConnectFlow 200', 'CreateMediaConnectFlow 200 RetCode 1001']);
    expect(harness.dlq[0]!.attributes).toMatchObject({ failedState: 'CreateFlow', flowId: 'none' });
    expect(harness.dlq[0]!.attributes.cause).toContain('ICE has no lookup by name');
    expect(emulator.iceFlows()).toHaveLength(1);
  });

  it('sends a taken name to the DLQ after one call, without retrying, saying what to do', async () => {
    const { emulator, harness } = await setup('alibaba-ice');
    const request = iceRequest({ requestId: 'wf-ice-taken' });
    emulator.seedIceFlow({ name: iceFlowName(request), region: request.region });
    const execution = await harness.run(request);

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('VendorRejected');
    expect(calls(emulator)).toEqual(['CreateMediaConnectFlow 200 RetCode 1001']);
    expect(harness.dlq).toHaveLength(1);
    expect(JSON.parse(harness.dlq[0]!.body)).toEqual(request);
    expect(harness.dlq[0]!.attributes).toMatchObject({
      error: 'VendorRejected',
      failedState: 'CreateFlow',
      vendor: 'alibaba-ice',
    });
    expect(harness.dlq[0]!.attributes.cause).toContain('delete it, and redrive the request');
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
      // Where to connect: test/contract/connection-details.test.ts checks each field.
      connection: expect.objectContaining({ outputs: expect.any(Array) }),
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
    // The retry finds the flow by name, its completion uploads the asset again, and the read lane reads it before the
    // publish.
    expect(calls(emulator).slice(0, 5)).toEqual([
      'CreateFlow 200',
      'ListFlow 200',
      'UpdateFlowJSONAsset 200',
      'GetFlow 200',
      'PublishFlow 200',
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
