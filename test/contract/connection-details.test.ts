/**
 * Contract: each vendor client's connection details against its emulator over real HTTP. Where to connect comes from
 * what the vendor answered to the create and grant calls; `describeConnection` (the read the workflow spends only when
 * the create answered nothing usable) answers the same ingest. Requests carry secrets (SRT passphrases, a signed push
 * URL); no connection ever contains one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProvisionRequest, parseRequest, type VendorId } from '../../functions/domain/contract.ts';
import { type FlowConnection, flowConnection } from '../../functions/domain/flow-event.ts';
import { unpaced, type VendorClient } from '../../functions/vendors/types.ts';
import type { RunningEmulator } from '../../local/emulators/common.ts';
import { localVendor } from '../../local/emulators/registry.ts';
import { aRequest } from '../helpers/factories.ts';

const SECRETS = ['IceInputSecret-0042', 'IceOutputSecret-0042', 'HuaweiOutputSecret-0042', 'volcSecretValue0042'];

interface Harness {
  client: VendorClient;
  emulator: RunningEmulator;
}
const harnesses = new Map<VendorId, Harness>();
const VENDORS: VendorId[] = ['aws-mediaconnect', 'alibaba-ice', 'alibaba-cams', 'huawei-live', 'volcengine-live'];

beforeAll(async () => {
  for (const vendor of VENDORS) {
    const entry = localVendor(vendor)!;
    const emulator = await entry.startEmulator({ enforceRateLimit: false });
    const client = entry.createClient(
      { ...entry.credentialsEnv, [entry.endpointEnv]: emulator.url, AWS_REGION: 'us-east-1' },
      unpaced,
    );
    harnesses.set(vendor, { client, emulator });
  }
});
afterAll(async () => {
  for (const { client, emulator } of harnesses.values()) {
    (client as { destroy?: () => void }).destroy?.();
    await emulator.close();
  }
});

let counter = 0;
function request(vendor: VendorId, overrides: (r: Record<string, unknown>) => Record<string, unknown> = (r) => r) {
  const base = aRequest(vendor, { requestId: `conn-${vendor}-${++counter}` });
  const flow = { ...(base.flow as Record<string, unknown>) };
  flow.name = vendor === 'volcengine-live' ? `Conn${counter}` : `${String(flow.name).slice(0, 20)}-${counter}`;
  const parsed = parseRequest(overrides({ ...base, flow }));
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  return parsed.request;
}

/** Provisions as the workflow does (create, grant) and returns what the workflow would merge into the event. */
async function provision(vendor: VendorId, req: ProvisionRequest) {
  const { client } = harnesses.get(vendor)!;
  const created = await client.createFlow(req);
  if (created.completed === false) await client.completeFlow!(req, created.flowId);
  const granted = req.entitlements.length > 0 ? await client.grantEntitlements(req, created.flowId) : [];
  const read = await client.describeConnection(req, created.flowId);
  for (const c of [created.connection, read].filter(Boolean)) {
    expect(flowConnection.safeParse(c).success).toBe(true);
    for (const secret of SECRETS) expect(JSON.stringify(c)).not.toContain(secret);
  }
  for (const g of granted) for (const secret of SECRETS) expect(JSON.stringify(g)).not.toContain(secret);
  return { created, granted, read: read as FlowConnection };
}

describe('connection details from each vendor', () => {
  it('aws-mediaconnect: the ingest IP and port CreateFlow answered, and each entitlement ARN with its subscribers', async () => {
    const req = request('aws-mediaconnect');
    const { created, granted, read } = await provision('aws-mediaconnect', req);
    expect(created.connection?.ingest).toMatchObject({
      protocol: 'srt-listener',
      host: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/),
      port: 5000,
      allowedCidrs: ['203.0.113.0/24'],
      mode: 'push',
    });
    expect(granted.map((g) => g.output)).toEqual([
      {
        name: 'partner-broadcaster',
        entitlementArn: expect.stringMatching(/^arn:aws:mediaconnect:us-east-1:\d+:entitlement:/),
        subscribers: ['111122223333'],
      },
    ]);
    expect(granted[0]?.output?.entitlementArn).toBe(granted[0]?.id);
    // The read (DescribeFlow) answers the same ingest and the entitlements granted since.
    expect(read.ingest).toEqual(created.connection?.ingest);
    expect(read.outputs).toEqual(granted.map((g) => g.output));
  });

  it('alibaba-ice: the InputUrl (read back) and each OutputUrl, without SRT passphrases', async () => {
    const req = request('alibaba-ice', (r) => {
      const flow = r.flow as { input: Record<string, unknown> };
      const [pull, push] = r.entitlements as Record<string, unknown>[];
      return {
        ...r,
        flow: { ...flow, input: { ...flow.input, srtPassphrase: 'IceInputSecret-0042' } },
        entitlements: [{ ...pull, srtPassphrase: 'IceOutputSecret-0042' }, push],
      };
    });
    const { created, granted, read } = await provision('alibaba-ice', req);
    // CreateMediaConnectFlow answers the id only (the input is the CompleteFlow step's): the read gives the InputUrl.
    expect(created.connection).toBeUndefined();
    expect(read.ingest).toMatchObject({
      protocol: 'SRT-Listener',
      url: expect.stringMatching(/^srt:\/\//),
      host: expect.any(String),
      port: expect.any(Number),
      allowedCidrs: ['203.0.113.0/24'],
      mode: 'push',
    });
    expect(granted.map((g) => g.output)).toEqual([
      expect.objectContaining({ name: 'partner-pull', url: expect.stringMatching(/^srt:\/\//), mode: 'pull' }),
      expect.objectContaining({ name: 'cdn-push', url: expect.any(String), mode: 'push' }),
    ]);
  });

  it('alibaba-cams: the flow id CreateFlow answered and the endpoint GetFlow holds, with no read at create', async () => {
    const req = request('alibaba-cams', (r) => ({
      ...r,
      flow: { ...(r.flow as object), endpointUri: 'https://flows.example.com/endpoint' },
    }));
    const { client, emulator } = harnesses.get('alibaba-cams')!;
    const getFlows = () => emulator.journal.entries.filter((e) => e.operation === 'GetFlow').length;
    const before = getFlows();
    const created = await client.createFlow(req);
    expect(getFlows()).toBe(before);
    expect(created.connection?.vendorDetail).toMatchObject({
      flowId: created.flowId,
      endpointUri: 'https://flows.example.com/endpoint',
    });
    const read = await client.describeConnection(req, created.flowId);
    expect(getFlows()).toBe(before + 1);
    expect(read.vendorDetail).toMatchObject({
      flowId: created.flowId,
      endpointUri: 'https://flows.example.com/endpoint',
    });
  });

  it('huawei-live: each output’s listener_address and port from CreateFlowOutput, never its passphrase', async () => {
    const req = request('huawei-live', (r) => {
      const [output] = r.entitlements as Record<string, unknown>[];
      return {
        ...r,
        entitlements: [
          {
            ...output,
            encryption: { keyType: 'srt-password', passphrase: 'HuaweiOutputSecret-0042', algorithm: 'aes256' },
          },
        ],
      };
    });
    const { created, granted, read } = await provision('huawei-live', req);
    expect(created.connection?.ingest).toMatchObject({
      protocol: 'srt-listener',
      allowedCidrs: ['203.0.113.0/24'],
      mode: 'push',
    });
    expect(granted.map((g) => g.output)).toEqual([
      {
        name: 'partner-pull',
        protocol: 'srt-listener',
        host: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/),
        port: 9001,
        allowedCidrs: ['198.51.100.0/24'],
        mode: 'pull',
      },
    ]);
    expect(read.ingest).toEqual(created.connection?.ingest);
  });

  it('volcengine-live: the create answers only a task id, so the read gives the source and destination', async () => {
    const req = request('volcengine-live', (r) => {
      const flow = r.flow as { task: Record<string, unknown> };
      return {
        ...r,
        flow: {
          ...flow,
          task: {
            ...flow.task,
            dstAddr: 'rtmp://push.example.com/live/concert?volcTime=1767225600&volcSecret=volcSecretValue0042',
          },
        },
      };
    });
    const { created, read } = await provision('volcengine-live', req);
    expect(created.connection).toBeUndefined();
    expect(read).toMatchObject({
      ingest: {
        protocol: 'rtmp',
        url: 'rtmp://origin.example.com/live/concert',
        host: 'origin.example.com',
        mode: 'pull',
      },
      outputs: [{ name: 'destination', url: 'rtmp://push.example.com/live/concert', mode: 'push' }],
      vendorDetail: { taskId: created.flowId.split(':')[1] },
    });
  });
});
