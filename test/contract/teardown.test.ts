/**
 * The one teardown path of every vendor client against its emulator, which enforces the vendor's documented stop and
 * delete rules: MediaConnect deletes only a STANDBY flow and STOPPING takes time; ICE refuses to delete an online flow;
 * CAMS refuses to delete a published flow (it can only be deprecated); Huawei refuses to delete a started flow;
 * Volcengine refuses to delete a group that still holds tasks. Teardown is called the way the workflow calls it:
 * again after each `TeardownPending`, until it answers. Judged by the emulator's own state.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type ProvisionRequest, parseRequest, type VendorId } from '../../functions/domain/contract.ts';
import { TeardownPendingError, VendorConflictError } from '../../functions/domain/errors.ts';
import {
  type TeardownResult,
  type TeardownTarget,
  teardownTargetOf,
  unpaced,
  type VendorClient,
} from '../../functions/vendors/types.ts';
import { requestsFor } from '../../local/batch/demo-batch.ts';
import type { RunningAlibabaEmulator } from '../../local/emulators/alibaba.ts';
import type { RunningEmulator } from '../../local/emulators/common.ts';
import { LOCAL_VENDORS } from '../../local/emulators/registry.ts';
import { addForeignFlow } from '../helpers/foreign-flows.ts';
import { vendorResources } from '../helpers/vendor-state.ts';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Setup {
  readonly emulator: RunningEmulator;
  readonly client: VendorClient;
  readonly request: ProvisionRequest;
  readonly env: Readonly<Record<string, string>>;
}

async function setUp(vendor: VendorId): Promise<Setup> {
  const entry = LOCAL_VENDORS.find((v) => v.vendor === vendor)!;
  const emulator = await entry.startEmulator({ enforceRateLimit: false });
  cleanups.push(() => emulator.close());
  const env = { ...entry.credentialsEnv, [entry.endpointEnv]: emulator.url };
  const client = entry.createClient(env, unpaced, { callTimeoutMs: 2000 });
  cleanups.push(() => (client as { destroy?: () => void }).destroy?.());
  const parsed = parseRequest(requestsFor(vendor, 1, 'teardown')[0]);
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  return { emulator, client, request: parsed.request, env };
}

/** A created, started flow that the vendor reports running (or, Volcengine, scheduled to). */
async function runningFlow({ client, request }: Setup): Promise<string> {
  const { flowId, completed } = await client.createFlow(request);
  if (completed === false) await client.completeFlow!(request, flowId);
  await client.startFlow(request, flowId);
  for (let polls = 0; polls < 200; polls++) {
    const status = await client.describeFlow(request, flowId);
    if (status.state === 'ACTIVE' || status.state === 'SCHEDULED') return flowId;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`flow ${flowId} never ran`);
}

/** Calls teardown as the workflow's retry does: again after each TeardownPending (bounded). */
async function tearDown(
  { client, request }: Setup,
  flowId: string,
  target: TeardownTarget = teardownTargetOf(request),
): Promise<{ result: TeardownResult; pending: number }> {
  for (let pending = 0; pending < 200; pending++) {
    try {
      return { result: await client.teardownFlow(target, flowId), pending };
    } catch (error) {
      if (!(error instanceof TeardownPendingError)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  throw new Error(`teardown of ${flowId} never settled`);
}

const deletable = LOCAL_VENDORS.map((v) => v.vendor).filter((v) => v !== 'alibaba-cams');

describe.each(deletable)('%s: teardown of a running flow', (vendor) => {
  it('stops, waits until stopped, deletes, and leaves no resource; a repeat finds it gone', async () => {
    const setup = await setUp(vendor);
    const flowId = await runningFlow(setup);
    expect(vendorResources(vendor, setup.emulator, [setup.request])).toHaveLength(1);

    const first = await tearDown(setup, flowId);
    expect(first.result).toMatchObject({ flowId, outcome: 'DELETED' });
    expect(vendorResources(vendor, setup.emulator, [setup.request])).toEqual([]);

    const again = await tearDown(setup, flowId);
    expect(again).toEqual({ result: expect.objectContaining({ flowId, outcome: 'ALREADY_GONE' }), pending: 0 });
  });
});

describe('vendor rules the one-shot stop-then-delete broke on', () => {
  it('aws-mediaconnect: DeleteFlow is refused while STOPPING, so teardown reports pending until STANDBY', async () => {
    const setup = await setUp('aws-mediaconnect');
    const flowId = await runningFlow(setup);
    const { result, pending } = await tearDown(setup, flowId);
    expect(result.outcome).toBe('DELETED');
    expect(pending).toBeGreaterThan(0);
    const emulator = setup.emulator as unknown as { journal: { entries: { operation: string; status: number }[] } };
    const deletes = emulator.journal.entries.filter((e) => e.operation === 'DeleteFlow');
    // Never asked to delete while the flow was still stopping: the one DeleteFlow was accepted.
    expect(deletes.map((e) => e.status)).toEqual([202]);
  });

  it('huawei-live: a started flow is stopped before its delete, never deleted while started', async () => {
    const setup = await setUp('huawei-live');
    const flowId = await runningFlow(setup);
    const { result } = await tearDown(setup, flowId);
    expect(result.outcome).toBe('DELETED');
    expect(vendorResources('huawei-live', setup.emulator, [setup.request])).toEqual([]);
  });

  it('alibaba-cams: a published flow cannot be deleted, so it is deprecated and the result says so', async () => {
    const setup = await setUp('alibaba-cams');
    const flowId = await runningFlow(setup);
    const { result } = await tearDown(setup, flowId);
    expect(result).toMatchObject({ flowId, outcome: 'DEPRECATED' });
    const flows = (setup.emulator as RunningAlibabaEmulator).camsFlows();
    expect(flows.map((f) => f.status)).toEqual(['DEPRECATED']);
    expect((await tearDown(setup, flowId)).result.outcome).toBe('DEPRECATED');
  });

  it('alibaba-cams: a flow never published (DRAFT) is deleted', async () => {
    const setup = await setUp('alibaba-cams');
    const { flowId } = await setup.client.createFlow(setup.request);
    const { result } = await tearDown(setup, flowId);
    expect(result).toMatchObject({ flowId, outcome: 'DELETED' });
    expect((setup.emulator as RunningAlibabaEmulator).camsFlows()).toEqual([]);
    expect((await tearDown(setup, flowId)).result.outcome).toBe('ALREADY_GONE');
  });

  it('volcengine-live: the group goes only after its task, and a repeat after both are gone succeeds', async () => {
    const setup = await setUp('volcengine-live');
    const flowId = await runningFlow(setup);
    const { result } = await tearDown(setup, flowId);
    expect(result.outcome).toBe('DELETED');
    const emulator = setup.emulator as unknown as { groups(): unknown[] };
    expect(emulator.groups()).toEqual([]);
  });
});

/** Calls teardown once and answers the VendorConflict it must raise. */
async function refusal(setup: Setup, flowId: string, target: TeardownTarget): Promise<VendorConflictError> {
  const error = await setup.client.teardownFlow(target, flowId).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(VendorConflictError);
  return error as VendorConflictError;
}

describe.each(LOCAL_VENDORS.map((v) => v.vendor))('%s: teardown deletes only our own flows', (vendor) => {
  it('refuses a flow that carries no request identity, by flow id or by requestId, and leaves it as it was', async () => {
    const setup = await setUp(vendor);
    const space = teardownTargetOf(setup.request).custSpaceId;
    const foreign = await addForeignFlow(vendor, setup.emulator, {
      region: setup.request.region,
      env: setup.env,
      ...(space ? { custSpaceId: space } : {}),
    });
    const before = foreign.status();
    expect(before).toBeDefined();

    const byFlowId = await refusal(setup, foreign.flowId, {
      vendor,
      region: setup.request.region,
      ...(space ? { custSpaceId: space } : {}),
    });
    expect(byFlowId.name).toBe('VendorConflict');
    expect(byFlowId.message).toContain("does not carry flow-provisioner's request identity");
    expect(byFlowId.details.vendor).toBe(vendor);
    await refusal(setup, foreign.flowId, teardownTargetOf(setup.request));
    // Still there, in the state it was in: nothing was stopped, deprecated or deleted.
    expect(foreign.status()).toBe(before);
  });

  it('refuses our flow of another request when the requestId is known, and tears it down by its flow id', async () => {
    const setup = await setUp(vendor);
    const { flowId } = await setup.client.createFlow(setup.request);
    const base = teardownTargetOf(setup.request);

    const other = await refusal(setup, flowId, { ...base, requestId: 'someone-else-7' });
    expect(other.message).toContain('someone-else-7');
    expect(vendorResources(vendor, setup.emulator, [setup.request])).toHaveLength(1);

    // A deprovision by flow id knows no requestId: our identity (any request's) is enough.
    const { requestId: _known, ...byFlowId } = base;
    const { result } = await tearDown(setup, flowId, byFlowId);
    expect(result).toMatchObject({ flowId, outcome: 'DELETED' });
    expect(vendorResources(vendor, setup.emulator, [setup.request])).toEqual([]);
    // Gone is gone, whoever asks: no identity is checked on a flow that is not there.
    expect((await tearDown(setup, flowId, { ...base, requestId: 'someone-else-7' })).result.outcome).toBe(
      'ALREADY_GONE',
    );
  });
});

describe('teardown spends as few identity reads as it can', () => {
  it('aws-mediaconnect: reads the tags before the stop and before the delete, never while it only waits', async () => {
    const setup = await setUp('aws-mediaconnect');
    const flowId = await runningFlow(setup);
    const emulator = setup.emulator as unknown as { journal: { entries: { operation: string }[] } };
    const from = emulator.journal.entries.length;
    const { pending } = await tearDown(setup, flowId);
    const calls = emulator.journal.entries.slice(from).map((e) => e.operation);
    expect(pending).toBeGreaterThan(1);
    expect(calls.filter((op) => op === 'ListTagsForResource')).toHaveLength(2);
    expect(calls.filter((op) => op === 'DescribeFlow').length).toBeGreaterThan(2);
  });
});
