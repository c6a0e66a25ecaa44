/**
 * The real Volcengine Live client (its own HMAC-SHA256 signer, real HTTP) against the emulator: groups and tasks
 * through their statuses, the 429-means-exists trap, authentication failures, the 10/s and 15/s limits, and the odd
 * HTTP 200 `CommonErr`, each ending in the taxonomy class the workflow is written against.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { REQUEST_ID_TAG } from '../../functions/vendors/types.ts';
import { VolcengineLiveClient } from '../../functions/vendors/volcengine-live/client.ts';
import {
  type RunningVolcengineLiveEmulator,
  startVolcengineLiveEmulator,
  type VolcengineLiveEmulatorOptions,
} from '../../local/emulators/volcengine-live.ts';
import { aVolcengineRequest } from '../helpers/live-vendors.ts';

const credentials = { accessKeyId: 'AKLTcontracttest01', secretAccessKey: 'contract/VolcengineSecret0000001' };

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function emulator(options: Partial<VolcengineLiveEmulatorOptions> = {}): Promise<RunningVolcengineLiveEmulator> {
  const running = await startVolcengineLiveEmulator({ credentials, ...options });
  cleanups.push(() => running.close());
  return running;
}

function clientFor(
  running: RunningVolcengineLiveEmulator,
  options: Partial<ConstructorParameters<typeof VolcengineLiveClient>[0]> = {},
) {
  return new VolcengineLiveClient({ credentials, endpoint: new URL(running.url), callTimeoutMs: 2000, ...options });
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('Volcengine Live client ↔ emulator', () => {
  it('adopts by title within its own group only, when another group holds a task of the same title', async () => {
    const running = await emulator();
    const volc = clientFor(running, { callTimeoutMs: 1000 });
    // Someone else's group, with a task titled like ours.
    const other = aVolcengineRequest(
      { requestId: 'vl-other', flow: { name: 'OtherGroup' } },
      { title: 'RelayBeijing' },
    );
    const foreign = await volc.createFlow(other);

    // Ours: the group is created, the answer of CreatePullToPushTask is lost, the create is retried.
    const request = aVolcengineRequest({ requestId: 'vl-ours' });
    let draw = 0;
    running.setFaults({ timeoutRate: 1, random: () => (draw++ === 1 ? 0 : 1) });
    await expect(volc.createFlow(request)).rejects.toMatchObject({ name: 'VendorUnavailable' });
    running.setFaults({});
    const created = await volc.createFlow(request);

    expect(created).toMatchObject({ name: 'RelayBeijing', adopted: true });
    expect(created.flowId).not.toBe(foreign.flowId);
    const ours = running.tasks().filter((t) => t.groupName === 'RelayBeijing');
    expect(ours).toHaveLength(1);
    expect(created.flowId).toBe(`RelayBeijing:${ours[0]!.taskId}`);
    expect(running.tasks().filter((t) => t.groupName === 'OtherGroup')).toHaveLength(1);
    // Reads go through V2 with the group filter; V1, whose group filter the SDK dropped, is never used.
    expect(running.journal.count((e) => e.operation === 'ListPullToPushTask')).toBe(0);
  });

  it('runs the lifecycle: group + task, active at StartTime, stop, delete task and group', async () => {
    const running = await emulator();
    const volc = clientFor(running);
    const request = aVolcengineRequest({ requestId: 'vl-lifecycle' });

    const created = await volc.createFlow(request);
    expect(created).toMatchObject({ name: 'RelayBeijing', adopted: false, vendorStatus: '未开始' });
    expect(created.flowId).toMatch(/^RelayBeijing:[0-9a-f]{24}$/);
    expect(running.groups()).toEqual([
      {
        name: 'RelayBeijing',
        projectName: 'default',
        tags: [
          { Key: REQUEST_ID_TAG, Value: 'vl-lifecycle', Category: 'Custom' },
          { Key: 'event', Value: 'concert-2026-11-22', Category: 'Custom' },
        ],
      },
    ]);
    expect(await volc.startFlow(request, created.flowId)).toMatchObject({ state: 'ACTIVE', vendorStatus: '生效中' });
    expect(await volc.stopFlow(request, created.flowId)).toMatchObject({ vendorStatus: '停用' });
    expect(await volc.describeFlow(request, created.flowId)).toMatchObject({ state: 'ERROR', vendorStatus: '停用' });
    await volc.deleteFlow(request, created.flowId);
    expect(running.groups()).toEqual([]);
    expect(running.tasks()).toEqual([]);
    expect(running.journal.entries.map((e) => `${e.operation} ${e.status} ${e.budget}`)).toEqual([
      'CreatePullToPushGroup 200 writes',
      'CreatePullToPushTask 200 writes',
      'ListPullToPushTaskV2 200 lists',
      'StopPullToPushTask 200 writes',
      'ListPullToPushTaskV2 200 lists',
      'DeletePullToPushTask 200 writes',
      'DeletePullToPushGroup 200 writes',
    ]);
  });

  it('goes from 未开始 to 生效中 at StartTime: SCHEDULED ahead of it, STARTING just after, then ACTIVE', async () => {
    // StartTime has second precision, so "now" may already be up to a second old: the delay outlasts that.
    const running = await emulator({ activationDelayMs: 1200 });
    const volc = clientFor(running);
    const future = aVolcengineRequest({ requestId: 'vl-future' }, { startTime: nowSeconds() + 3600 });
    const scheduled = await volc.createFlow(future);
    expect(scheduled.state).toBe('SCHEDULED');
    expect(await volc.describeFlow(future, scheduled.flowId)).toMatchObject({
      state: 'SCHEDULED',
      vendorStatus: '未开始',
    });

    const now = aVolcengineRequest({ requestId: 'vl-now', flow: { name: 'RelayNow' } });
    const created = await volc.createFlow(now);
    expect(await volc.describeFlow(now, created.flowId)).toMatchObject({ state: 'STARTING', vendorStatus: '未开始' });
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(await volc.describeFlow(now, created.flowId)).toMatchObject({ state: 'ACTIVE', vendorStatus: '生效中' });
  });

  it('answers a duplicate group with HTTP 429 RequestLimitExceeded.Exist, and the client adopts its own', async () => {
    const running = await emulator();
    const volc = clientFor(running);
    const request = aVolcengineRequest({ requestId: 'vl-retry' });
    const first = await volc.createFlow(request);
    const second = await volc.createFlow(request);
    expect(second).toMatchObject({ flowId: first.flowId, adopted: true });
    expect(running.tasks()).toHaveLength(1);
    const exists = running.journal.entries.find((e) => e.errorCode === 'RequestLimitExceeded.Exist');
    expect(exists).toMatchObject({ status: 429, throttled: false, operation: 'CreatePullToPushGroup' });
  });

  it('refuses a group of the same name that is not ours: VendorConflict, not VendorThrottled', async () => {
    const running = await emulator();
    running.addGroup({ name: 'RelayBeijing', tags: [{ Key: 'owner', Value: 'someone-else' }] });
    await expect(clientFor(running).createFlow(aVolcengineRequest({ requestId: 'vl-taken' }))).rejects.toMatchObject({
      name: 'VendorConflict',
      details: { httpStatus: 429, vendorCode: 'RequestLimitExceeded.Exist' },
    });
    expect(running.tasks()).toEqual([]);
  });

  it('recovers from a lost CreatePullToPushTask answer: the retry adopts the task it made', async () => {
    const running = await emulator();
    const volc = clientFor(running, { callTimeoutMs: 150 });
    const request = aVolcengineRequest({ requestId: 'vl-lost' });
    let calls = 0;
    running.setFaults({ timeoutRate: 1, random: () => (++calls === 2 ? 0 : 0.99) });
    await expect(volc.createFlow(request)).rejects.toMatchObject({ name: 'VendorUnavailable' });
    running.setFaults({});
    expect(await volc.createFlow(request)).toMatchObject({ adopted: true });
    expect(running.tasks()).toHaveLength(1);
  });

  it('answers a wrong secret with 401 SignatureDoesNotMatch and an unknown key with InvalidAccessKey', async () => {
    const running = await emulator();
    await expect(
      clientFor(running, { credentials: { ...credentials, secretAccessKey: 'wrong' } }).createFlow(
        aVolcengineRequest(),
      ),
    ).rejects.toMatchObject({
      name: 'VendorAuthFailed',
      details: { httpStatus: 401, vendorCode: 'SignatureDoesNotMatch' },
    });
    await expect(
      clientFor(running, { credentials: { ...credentials, accessKeyId: 'AKLTnobody' } }).createFlow(
        aVolcengineRequest(),
      ),
    ).rejects.toMatchObject({ name: 'VendorAuthFailed', details: { httpStatus: 401, vendorCode: 'InvalidAccessKey' } });
    expect(running.groups()).toEqual([]);
  });

  it('answers a stale X-Date with InvalidTimestamp: VendorAuthFailed', async () => {
    const running = await emulator();
    const volc = clientFor(running, { now: () => Date.now() - 16 * 60_000 });
    await expect(volc.createFlow(aVolcengineRequest())).rejects.toMatchObject({
      name: 'VendorAuthFailed',
      details: { httpStatus: 400, vendorCode: 'InvalidTimestamp' },
    });
  });

  it('throttles the 11th write of a second with FlowLimitExceeded: VendorThrottled', async () => {
    const running = await emulator();
    const volc = clientFor(running);
    const outcomes: string[] = [];
    for (let i = 1; i <= 6; i++) {
      const request = aVolcengineRequest({ requestId: `vl-burst-${i}`, flow: { name: `Burst${i}` } });
      outcomes.push(
        await volc.createFlow(request).then(
          () => 'created',
          (e: Error) => e.name,
        ),
      );
    }
    expect(outcomes).toEqual(['created', 'created', 'created', 'created', 'created', 'VendorThrottled']);
    const throttled = running.journal.entries.filter((e) => e.throttled);
    expect(throttled).toEqual([
      expect.objectContaining({
        operation: 'CreatePullToPushGroup',
        status: 429,
        errorCode: 'FlowLimitExceeded',
        budget: 'writes',
      }),
    ]);
  });

  it('gives lists their own 15/s budget', async () => {
    const running = await emulator();
    const volc = clientFor(running);
    const request = aVolcengineRequest({ requestId: 'vl-lists' });
    const { flowId } = await volc.createFlow(request);
    const results = await Promise.allSettled(Array.from({ length: 16 }, () => volc.describeFlow(request, flowId)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(15);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.name)).toEqual(
      ['VendorThrottled'],
    );
    expect(running.journal.maxInWindow(1000, 'lists')).toBe(16);
    expect(running.journal.count((e) => e.budget === 'lists' && !e.throttled)).toBe(15);
  });

  it('answers an injected HTTP 200 CommonErr, which the client retries as VendorUnavailable', async () => {
    const running = await emulator({ faults: { errorRate: 1 }, commonErrShare: 1 });
    await expect(clientFor(running).createFlow(aVolcengineRequest())).rejects.toMatchObject({
      name: 'VendorUnavailable',
      details: { httpStatus: 200, vendorCode: 'CommonErr' },
    });
    const fiveHundreds = await emulator({ faults: { errorRate: 1, random: () => 0.9 } });
    await expect(clientFor(fiveHundreds).createFlow(aVolcengineRequest())).rejects.toMatchObject({
      name: 'VendorUnavailable',
      details: { httpStatus: 504, vendorCode: 'InternalServiceTimeout' },
    });
  });
});
