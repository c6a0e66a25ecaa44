/**
 * The flow ledger (`functions/flow-steps/flow-ledger.ts`): a new attempt of a request adopts, by the id the first
 * attempt recorded, the ICE flow it cannot find by name — against the Alibaba emulator, with the ledger on a real
 * DynamoDB API (dynalite, as the local stack runs it).
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runVendorTask } from '../../functions/flow-steps/core.ts';
import { DynamoDbFlowLedger, FLOW_LEDGER_TTL_SECONDS } from '../../functions/flow-steps/flow-ledger.ts';
import { AlibabaIceClient, iceFlowName } from '../../functions/vendors/alibaba-ice/client.ts';
import { type LocalIdempotencyStore, startLocalIdempotencyStore } from '../../local/aws/idempotency-store.ts';
import { type RunningAlibabaEmulator, startAlibabaEmulator } from '../../local/emulators/alibaba.ts';
import { iceRequest } from '../helpers/alibaba.ts';

const credentials = { accessKeyId: 'LTAI5tLEDGERTEST01', accessKeySecret: 'ledger/AlibabaSecret0001' };

let store: LocalIdempotencyStore;
beforeAll(async () => {
  store = await startLocalIdempotencyStore();
});
afterAll(async () => store?.close());

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp() {
  const emulator: RunningAlibabaEmulator = await startAlibabaEmulator({ credentials, enforceRateLimit: false });
  cleanups.push(() => emulator.close());
  const client = new AlibabaIceClient({ credentials, endpoint: new URL(emulator.url), callTimeoutMs: 1000 });
  const ledger = new DynamoDbFlowLedger(store.tableName, store.client);
  const step = (operation: string, request: object, executionName: string, flowId?: string) =>
    runVendorTask('alibaba-ice', client, { operation, request, executionName, ...(flowId ? { flowId } : {}) }, ledger);
  return { emulator, client, ledger, step };
}

describe('the flow ledger', () => {
  it('lets a new attempt adopt the flow the failed one made but did not finish, by its recorded id', async () => {
    const { emulator, step } = await setUp();
    const request = iceRequest({ requestId: 'ledger-adopt' });
    const first = await step('createFlow', request, 'ledger-adopt');
    expect(first).toMatchObject({ adopted: false, completed: false });
    // The first attempt failed before CompleteFlow; the next attempt (a new execution) creates again.
    const again = await step('createFlow', request, 'ledger-adopt--a2');
    expect(again).toMatchObject({ flowId: (first as { flowId: string }).flowId, adopted: true, completed: false });
    await step('completeFlow', request, 'ledger-adopt--a2', (first as { flowId: string }).flowId);
    expect(emulator.iceFlows()).toEqual([
      expect.objectContaining({
        name: iceFlowName(request),
        input: { name: 'arena-encoder', protocol: 'SRT-Listener' },
      }),
    ]);
    expect(emulator.journal.count((e) => e.operation === 'CreateMediaConnectFlow')).toBe(1);
  });

  it('creates anew when the recorded flow is gone (a rollback deleted it)', async () => {
    const { emulator, client, step } = await setUp();
    const request = iceRequest({ requestId: 'ledger-gone' });
    const first = (await step('createFlow', request, 'ledger-gone')) as { flowId: string };
    await client.deleteFlow(request, first.flowId);
    const again = (await step('createFlow', request, 'ledger-gone--a2')) as { flowId: string; adopted: boolean };
    expect(again.adopted).toBe(false);
    expect(again.flowId).not.toBe(first.flowId);
    expect(emulator.iceFlows().map((f) => f.flowId)).toEqual([again.flowId]);
  });

  it('keeps one item per vendor and request, expiring after the DLQ retention', async () => {
    const ledger = new DynamoDbFlowLedger(store.tableName, store.client, () => 1_800_000_000_000);
    await ledger.remember('alibaba-ice', 'ledger-item', 'flow-a');
    await ledger.remember('alibaba-ice', 'ledger-item', 'flow-b');
    expect(await ledger.recall('alibaba-ice', 'ledger-item')).toBe('flow-b');
    expect(await ledger.recall('huawei-live', 'ledger-item')).toBeUndefined();
    const { Item } = await store.client.send(
      new GetItemCommand({ TableName: store.tableName, Key: { id: { S: 'flow-ledger#alibaba-ice#ledger-item' } } }),
    );
    expect(Item?.expiration?.N).toBe(String(1_800_000_000 + FLOW_LEDGER_TTL_SECONDS));
  });
});
