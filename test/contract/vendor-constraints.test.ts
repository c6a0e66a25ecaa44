/**
 * The emulators refuse what the vendors document they refuse (docs/vendors/<vendor>.md, "Constraints"), the same
 * rules the contract enforces at the door: a request that slipped past the contract (built here without it) meets the
 * vendor's own refusal, and nothing is left half-made.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type ProvisionRequest, parseRequest, type VendorId } from '../../functions/domain/contract.ts';
import { VendorRejectedError } from '../../functions/domain/errors.ts';
import { unpaced, type VendorClient } from '../../functions/vendors/types.ts';
import { exampleRequest } from '../../local/batch/demo-batch.ts';
import type { RunningEmulator } from '../../local/emulators/common.ts';
import { LOCAL_VENDORS } from '../../local/emulators/registry.ts';
import { vendorResources } from '../helpers/vendor-state.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(vendor: VendorId): Promise<{ emulator: RunningEmulator; client: VendorClient }> {
  const entry = LOCAL_VENDORS.find((v) => v.vendor === vendor)!;
  const emulator = await entry.startEmulator({ enforceRateLimit: false });
  cleanups.push(() => emulator.close());
  const client = entry.createClient({ ...entry.credentialsEnv, [entry.endpointEnv]: emulator.url }, unpaced);
  cleanups.push(() => (client as { destroy?: () => void }).destroy?.());
  return { emulator, client };
}

// biome-ignore lint/suspicious/noExplicitAny: the request is changed past the contract's types on purpose
type Loose = Record<string, any>;

/** The vendor's example, valid, then changed past the contract. */
function past(vendor: VendorId, requestId: string, change: (request: Loose) => void): ProvisionRequest {
  const parsed = parseRequest({ ...exampleRequest(vendor), requestId });
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  const request = structuredClone(parsed.request) as Loose;
  change(request);
  return request as ProvisionRequest;
}

describe('the emulators follow the vendors’ documented refusals', () => {
  it('huawei-live: a flow name that does not start with a letter is refused, nothing created', async () => {
    const { emulator, client } = await setUp('huawei-live');
    const request = past('huawei-live', 'hw-digit', (r) => {
      r.flow.name = '2026-concert';
    });
    await expect(client.createFlow(request)).rejects.toBeInstanceOf(VendorRejectedError);
    expect(vendorResources('huawei-live', emulator, [request])).toEqual([]);
  });

  it('huawei-live: a source key type other than srt-password is refused', async () => {
    const { emulator, client } = await setUp('huawei-live');
    const request = past('huawei-live', 'hw-static-key', (r) => {
      r.flow.sources[0].decryption = { keyType: 'static-key', passphrase: 'k'.repeat(20), algorithm: 'aes256' };
    });
    await expect(client.createFlow(request)).rejects.toBeInstanceOf(VendorRejectedError);
    expect(vendorResources('huawei-live', emulator, [request])).toEqual([]);
  });

  it('volcengine-live: a StartTime past 32 bits is refused', async () => {
    const { client } = await setUp('volcengine-live');
    const request = past('volcengine-live', 'vl-int32', (r) => {
      r.flow.task.startTime = 2 ** 31;
      r.flow.task.durationSeconds = 3600;
    });
    await expect(client.createFlow(request)).rejects.toMatchObject({
      name: 'VendorRejected',
      details: { vendorCode: 'InvalidParam' },
    });
  });

  it('alibaba-ice: a region without an ICE endpoint is refused', async () => {
    const { emulator, client } = await setUp('alibaba-ice');
    const request = past('alibaba-ice', 'ice-region', (r) => {
      r.region = 'eu-central-1';
    });
    await expect(client.createFlow(request)).rejects.toBeInstanceOf(VendorRejectedError);
    expect(vendorResources('alibaba-ice', emulator, [request])).toEqual([]);
  });

  it('alibaba-cams: publishing a flow without its flow JSON is refused; it stays a draft', async () => {
    const { emulator, client } = await setUp('alibaba-cams');
    const request = past('alibaba-cams', 'cams-no-json', (r) => {
      delete r.flow.jsonAsset;
    });
    const { flowId } = await client.createFlow(request);
    await expect(client.startFlow(request, flowId, { firstTry: true })).rejects.toBeInstanceOf(VendorRejectedError);
    expect(vendorResources('alibaba-cams', emulator, [request])).toEqual([expect.objectContaining({ running: false })]);
  });
});
