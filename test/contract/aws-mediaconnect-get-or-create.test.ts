/**
 * AWS MediaConnect get-or-create and desired-state steps against the emulator: a flow is ours only by its
 * `flow-provisioner:request-id` tag, a namesake that is not ours is a conflict (never a second flow of that name), and
 * each extra read is one more paced call.
 */
import { MediaConnectClient, TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-mediaconnect';
import { afterEach, describe, expect, it } from 'vitest';
import { type AwsMediaConnectRequest, awsMediaConnectRequest } from '../../functions/domain/contract.ts';
import { VendorConflictError, VendorRejectedError, VendorUnavailableError } from '../../functions/domain/errors.ts';
import { AwsMediaConnectClient } from '../../functions/vendors/aws-mediaconnect/client.ts';
import { REQUEST_ID_TAG } from '../../functions/vendors/types.ts';
import {
  type AwsMediaConnectEmulatorOptions,
  type RunningAwsMediaConnectEmulator,
  startAwsMediaConnectEmulator,
} from '../../local/emulators/aws-mediaconnect.ts';

const credentials = { accessKeyId: 'AKIDGETORCREATE01', secretAccessKey: 'contract/GetOrCreateSecret' };

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(options: Partial<AwsMediaConnectEmulatorOptions> = {}) {
  const emulator: RunningAwsMediaConnectEmulator = await startAwsMediaConnectEmulator({
    credentials,
    enforceRateLimit: false,
    startDelayMs: 0,
    ...options,
  });
  cleanups.push(() => emulator.close());
  let paced = 0;
  const client = new AwsMediaConnectClient({
    region: 'us-east-1',
    endpoint: emulator.url,
    credentials,
    pace: (call) => {
      paced++;
      return call();
    },
  });
  cleanups.push(() => client.destroy());
  const sdk = new MediaConnectClient({ region: 'us-east-1', endpoint: emulator.url, credentials, maxAttempts: 1 });
  cleanups.push(() => sdk.destroy());
  return { emulator, client, sdk, paced: () => paced };
}

function aRequest(requestId: string, name = 'final-feed', entitlements = ['partner-a', 'partner-b']) {
  return awsMediaConnectRequest.parse({
    schemaVersion: 1,
    requestId,
    vendor: 'aws-mediaconnect',
    region: 'us-east-1',
    flow: { name, source: { name: 'cam', protocol: 'srt-listener', ingestPort: 5000, whitelistCidr: '10.0.0.0/16' } },
    entitlements: entitlements.map((e) => ({ name: e, subscribers: ['444455556666'] })),
  }) as AwsMediaConnectRequest;
}

describe('AWS MediaConnect get-or-create', () => {
  it('adopts the flow of its request (found by name, proven by tag) instead of creating a second one', async () => {
    const { emulator, client, paced } = await setUp();
    const request = aRequest('goc-001');
    const first = await client.createFlow(request);
    const again = await client.createFlow(request);

    // The listing answers no source: an adopted flow comes without a connection, which the workflow then reads.
    const { connection: _fromCreate, ...created } = first;
    expect(again).toEqual({ ...created, adopted: true });
    expect(emulator.flows()).toHaveLength(1);
    expect(emulator.journal.entries.map((e) => e.operation)).toEqual([
      'ListFlows',
      'CreateFlow',
      'ListFlows',
      'ListTagsForResource',
    ]);
    // Every call went through the pacer.
    expect(paced()).toBe(4);
  });

  it('refuses a name taken by a flow without our tag, or with another request’s, and creates nothing', async () => {
    const { emulator, client, sdk } = await setUp();
    const other = await client.createFlow(aRequest('goc-other'));
    await sdk.send(new UntagResourceCommand({ ResourceArn: other.flowId, TagKeys: [REQUEST_ID_TAG] }));

    const untagged = await client.createFlow(aRequest('goc-002')).catch((e: unknown) => e);
    expect(untagged).toBeInstanceOf(VendorConflictError);
    expect((untagged as Error).message).toContain(`${REQUEST_ID_TAG}=none`);

    await sdk.send(new TagResourceCommand({ ResourceArn: other.flowId, Tags: { [REQUEST_ID_TAG]: 'goc-other' } }));
    const foreign = await client.createFlow(aRequest('goc-003')).catch((e: unknown) => e);
    expect(foreign).toBeInstanceOf(VendorConflictError);
    expect((foreign as Error).message).toContain(`${REQUEST_ID_TAG}=goc-other`);

    expect(emulator.flows().map((f) => f.flowArn)).toEqual([other.flowId]);
    // A different name is no conflict.
    await client.createFlow(aRequest('goc-004', 'other-feed'));
    expect(emulator.flows()).toHaveLength(2);
  });

  it('adopts entitlements of its names already on the flow and grants only the missing ones', async () => {
    const { emulator, client } = await setUp();
    const { flowId } = await client.createFlow(aRequest('goc-005'));
    await client.grantEntitlements(aRequest('goc-005', 'final-feed', ['partner-a']), flowId);

    const granted = await client.grantEntitlements(aRequest('goc-005'), flowId);
    const onFlow = emulator.flows()[0]!.entitlements as { name: string; entitlementArn: string }[];
    expect(onFlow.map((e) => e.name)).toEqual(['partner-a', 'partner-b']);
    expect(granted).toMatchObject(
      onFlow.map((e) => ({ name: e.name, id: e.entitlementArn, output: { entitlementArn: e.entitlementArn } })),
    );
    expect(emulator.journal.entries.slice(-3).map((e) => [e.operation, e.status])).toEqual([
      ['GrantFlowEntitlements', 400],
      ['DescribeFlow', 200],
      ['GrantFlowEntitlements', 200],
    ]);
  });

  it('keeps a grant the vendor refuses for another reason a refusal', async () => {
    const { client } = await setUp();
    const { flowId } = await client.createFlow(aRequest('goc-006'));
    const bad = aRequest('goc-006');
    const refused = await client
      .grantEntitlements({ ...bad, entitlements: [{ ...bad.entitlements[0]!, subscribers: [] }] }, flowId)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(VendorRejectedError);
  });

  it('stops desired-state and retries a delete while the flow is still stopping', async () => {
    const { emulator, client } = await setUp({ stopDelayMs: 400 });
    const request = aRequest('goc-007');
    const { flowId } = await client.createFlow(request);
    expect(await client.stopFlow(request, flowId)).toMatchObject({ vendorStatus: 'STANDBY' });

    await client.startFlow(request, flowId);
    await client.stopFlow(request, flowId);
    expect(await client.stopFlow(request, flowId)).toMatchObject({ vendorStatus: 'STOPPING' });
    const early = await client.deleteFlow(request, flowId).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(VendorUnavailableError);
    expect((early as Error).message).toContain('STOPPING');

    await new Promise((resolve) => setTimeout(resolve, 450));
    await client.deleteFlow(request, flowId);
    expect(emulator.flows()).toEqual([]);
  });
});
