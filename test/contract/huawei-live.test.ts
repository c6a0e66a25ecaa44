/**
 * The real Huawei Live client (its own SDK-HMAC-SHA256 signer, real HTTP) against the emulator: the flow lifecycle,
 * get-or-create, authentication failures, the 80-per-minute limit and injected faults, each ending in the taxonomy
 * class the workflow is written against.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HuaweiLiveClient, huaweiFlowName } from '../../functions/vendors/huawei-live/client.ts';
import {
  HUAWEI_BUDGET,
  type HuaweiLiveEmulatorOptions,
  type RunningHuaweiLiveEmulator,
  startHuaweiLiveEmulator,
} from '../../local/emulators/huawei-live.ts';
import { aHuaweiRequest } from '../helpers/live-vendors.ts';

const credentials = { accessKey: 'HWCONTRACTTESTAK01', secretKey: 'contract/HuaweiSecretKey0000000001' };
const projectId = '5f0e9d8c7b6a45f3a2b1c0d9e8f7a6b5';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function emulator(options: Partial<HuaweiLiveEmulatorOptions> = {}): Promise<RunningHuaweiLiveEmulator> {
  const running = await startHuaweiLiveEmulator({ credentials: { ...credentials, projectId }, ...options });
  cleanups.push(() => running.close());
  return running;
}

function clientFor(
  running: RunningHuaweiLiveEmulator,
  options: Partial<ConstructorParameters<typeof HuaweiLiveClient>[0]> = {},
) {
  return new HuaweiLiveClient({
    credentials,
    projectId,
    endpoint: new URL(running.url),
    callTimeoutMs: 2000,
    ...options,
  });
}

describe('Huawei Live client ↔ emulator', () => {
  it('runs the lifecycle: create, read, start, share outputs, stop, delete', async () => {
    const running = await emulator();
    const huawei = clientFor(running);
    const request = aHuaweiRequest({ requestId: 'hw-lifecycle-1' });

    const created = await huawei.createFlow(request);
    expect(created).toMatchObject({ name: 'concert-hongkong-hw-lifecycle-1', state: 'STANDBY', adopted: false });
    expect(await huawei.describeFlow(request, created.flowId)).toMatchObject({ state: 'STANDBY' });
    expect(await huawei.startFlow(request, created.flowId)).toMatchObject({ state: 'ACTIVE', vendorStatus: 'ACTIVE' });
    expect(await huawei.grantEntitlements(request, created.flowId)).toMatchObject([
      { name: 'partner-pull', id: 'partner-pull' },
    ]);

    const [flow] = running.flows();
    expect(flow).toMatchObject({ flowId: created.flowId, status: 'ACTIVE', region: 'ap-southeast-1' });
    expect(flow!.sources[0]).toMatchObject({ name: 'venue-encoder', cidr_whitelist: ['203.0.113.0/24'] });
    expect(flow!.outputs).toEqual([
      expect.objectContaining({ name: 'partner-pull', port: 9001, output_status: 'ENABLED' }),
    ]);

    expect(await huawei.stopFlow(request, created.flowId)).toMatchObject({ state: 'STANDBY' });
    await huawei.deleteFlow(request, created.flowId);
    expect(running.flows()).toEqual([]);
    expect(running.journal.entries.map((e) => `${e.operation} ${e.status}`)).toEqual([
      'ListFlows 200',
      'CreateFlows 201',
      'ShowFlowDetail 200',
      'ModifyFlowStart 200',
      'CreateFlowOutput 200',
      'ModifyFlowStop 200',
      'DeleteFlow 204',
    ]);
    expect(running.journal.entries.every((e) => e.budget === HUAWEI_BUDGET)).toBe(true);
  });

  it('reports a slow start as STARTING, then ACTIVE once the flow is up', async () => {
    const running = await emulator({ startDelayMs: 150 });
    const huawei = clientFor(running);
    const request = aHuaweiRequest({ requestId: 'hw-slow-start' });
    const { flowId } = await huawei.createFlow(request);
    expect(await huawei.startFlow(request, flowId)).toMatchObject({ state: 'STARTING', vendorStatus: 'STANDBY' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await huawei.describeFlow(request, flowId)).toMatchObject({ state: 'ACTIVE' });
  });

  it('looks before it creates: a retried create finds its flow by ListFlows and adopts it, never creating again', async () => {
    const running = await emulator();
    const huawei = clientFor(running);
    const request = aHuaweiRequest({ requestId: 'hw-retry-1' });
    const first = await huawei.createFlow(request);
    const second = await huawei.createFlow(request);
    expect(second).toMatchObject({ flowId: first.flowId, adopted: true });
    expect(running.flows()).toHaveLength(1);
    expect(running.journal.entries.map((e) => `${e.operation} ${e.status} ${e.errorCode ?? ''}`.trim())).toEqual([
      'ListFlows 200',
      'CreateFlows 201',
      'ListFlows 200',
      'ShowFlowDetail 200',
    ]);
  });

  it('finds its flow on a later ListFlows page (paged to the end)', async () => {
    const running = await emulator();
    for (let i = 0; i < 230; i++) {
      running.addFlow({
        name: `other-${i}`,
        region: 'ap-southeast-1',
        sources: [{ name: 's', protocol: 'srt-listener' }],
      });
    }
    const huawei = clientFor(running);
    const request = aHuaweiRequest({ requestId: 'hw-many' });
    const first = await huawei.createFlow(request);
    expect(await huawei.createFlow(request)).toMatchObject({ flowId: first.flowId, adopted: true });
    expect(running.flows().filter((f) => f.name === huaweiFlowName(request))).toHaveLength(1);
    expect(running.journal.count((e) => e.operation === 'ListFlows')).toBe(6);
  });

  // Whether Huawei refuses a duplicate flow name is not documented for flows: adoption must hold either way.
  it.each([false, true])(
    'a create whose answer was lost, then retried, leaves one flow (duplicate names accepted: %s)',
    async (acceptDuplicateNames) => {
      const running = await emulator({ acceptDuplicateNames });
      const huawei = clientFor(running, { callTimeoutMs: 1000 });
      const request = aHuaweiRequest({ requestId: 'hw-lost-create' });
      // Lose the answer of the second call (CreateFlows, after ListFlows): the flow exists, the client never heard.
      let draw = 0;
      running.setFaults({ timeoutRate: 1, random: () => (draw++ === 1 ? 0 : 1) });
      await expect(huawei.createFlow(request)).rejects.toMatchObject({ name: 'VendorUnavailable' });
      running.setFaults({});
      expect(running.flows()).toHaveLength(1);
      expect(await huawei.createFlow(request)).toMatchObject({ flowId: running.flows()[0]!.flowId, adopted: true });
      expect(await huawei.createFlow(request)).toMatchObject({ adopted: true });
      expect(running.flows()).toHaveLength(1);
    },
  );

  it('refuses a flow of the same name that is not ours: VendorConflict', async () => {
    const running = await emulator();
    const request = aHuaweiRequest({ requestId: 'hw-taken' });
    running.addFlow({
      name: huaweiFlowName(request),
      region: 'ap-southeast-1',
      sources: [{ name: 'by-hand', protocol: 'srt-listener', description: 'made in the console' }],
    });
    await expect(clientFor(running).createFlow(request)).rejects.toMatchObject({
      name: 'VendorConflict',
      message: expect.stringContaining("is not this request's"),
    });
    expect(running.flows()).toHaveLength(1);
    expect(running.journal.count((e) => e.operation === 'CreateFlows')).toBe(0);
  });

  it('adopts outputs a lost answer already created', async () => {
    const running = await emulator();
    const huawei = clientFor(running);
    const request = aHuaweiRequest({ requestId: 'hw-outputs' });
    const { flowId } = await huawei.createFlow(request);
    await huawei.grantEntitlements(request, flowId);
    expect(await huawei.grantEntitlements(request, flowId)).toMatchObject([
      { name: 'partner-pull', id: 'partner-pull' },
    ]);
    expect(running.flows()[0]!.outputs).toHaveLength(1);
  });

  it('answers a wrong secret key with APIG.0301: VendorAuthFailed', async () => {
    const running = await emulator();
    const huawei = clientFor(running, { credentials: { ...credentials, secretKey: 'not-the-secret' } });
    await expect(huawei.createFlow(aHuaweiRequest())).rejects.toMatchObject({
      name: 'VendorAuthFailed',
      message: expect.stringContaining('verify aksk signature fail'),
      details: { httpStatus: 401, vendorCode: 'APIG.0301' },
    });
    expect(running.flows()).toEqual([]);
  });

  it('answers an unknown access key and a foreign project with APIG.0301', async () => {
    const running = await emulator();
    await expect(
      clientFor(running, { credentials: { ...credentials, accessKey: 'HWSOMEONEELSE0001' } }).describeFlow(
        aHuaweiRequest(),
        'f',
      ),
    ).rejects.toMatchObject({ name: 'VendorAuthFailed', message: expect.stringContaining('ak not exist') });
    await expect(
      clientFor(running, { projectId: 'ffffffffffffffffffffffffffffffff' }).describeFlow(aHuaweiRequest(), 'f'),
    ).rejects.toMatchObject({
      name: 'VendorAuthFailed',
    });
  });

  it('answers a stale X-Sdk-Date (beyond 15 minutes) as expired: VendorAuthFailed', async () => {
    const running = await emulator();
    const huawei = clientFor(running, { now: () => Date.now() - 16 * 60_000 });
    await expect(huawei.createFlow(aHuaweiRequest())).rejects.toMatchObject({
      name: 'VendorAuthFailed',
      message: expect.stringContaining('signature expired'),
      details: { httpStatus: 401, vendorCode: 'APIG.0301' },
    });
    const withinSkew = clientFor(running, { now: () => Date.now() - 14 * 60_000 });
    await expect(withinSkew.createFlow(aHuaweiRequest())).resolves.toMatchObject({ adopted: false });
  });

  it('throttles the 81st call of a minute with APIG.0308: VendorThrottled', async () => {
    const running = await emulator();
    const huawei = clientFor(running);
    const request = aHuaweiRequest({ requestId: 'hw-burst' });
    // Two calls (ListFlows, CreateFlows), then 78 reads: the 81st call is the one refused.
    const { flowId } = await huawei.createFlow(request);
    for (let i = 0; i < 78; i++) await huawei.describeFlow(request, flowId);
    await expect(huawei.describeFlow(request, flowId)).rejects.toMatchObject({
      name: 'VendorThrottled',
      message: expect.stringContaining('limit:80,time:1 minute'),
      details: { httpStatus: 429, vendorCode: 'APIG.0308' },
    });
    expect(running.journal.count((e) => e.throttled)).toBe(1);
    expect(running.journal.count((e) => !e.throttled)).toBe(80);
  });

  it('surfaces injected gateway errors and throttles as retryable classes', async () => {
    const running = await emulator({ faults: { errorRate: 1 } });
    const huawei = clientFor(running);
    await expect(huawei.describeFlow(aHuaweiRequest(), 'f')).rejects.toMatchObject({ name: 'VendorUnavailable' });
    running.setFaults({ throttleRate: 1 });
    await expect(huawei.describeFlow(aHuaweiRequest(), 'f')).rejects.toMatchObject({ name: 'VendorThrottled' });
    expect(running.journal.count((e) => e.injected)).toBe(2);
  });

  it('recovers from a lost answer: the create timed out, the retry adopts what it made', async () => {
    let draw = 0;
    // The answer of the second call (CreateFlows) is lost.
    const running = await emulator({ faults: { timeoutRate: 1, random: () => (draw++ === 1 ? 0 : 1) } });
    const huawei = clientFor(running, { callTimeoutMs: 150 });
    const request = aHuaweiRequest({ requestId: 'hw-lost-answer' });
    await expect(huawei.createFlow(request)).rejects.toMatchObject({ name: 'VendorUnavailable' });
    running.setFaults({});
    expect(await huawei.createFlow(request)).toMatchObject({ adopted: true });
    expect(running.flows()).toHaveLength(1);
  });
});
