/**
 * The real MediaConnect client (official SDK, real SigV4, real HTTP) against the emulator: the lifecycle, the
 * documented quotas and rate limit, authentication failures and injected faults, each ending in the taxonomy class the
 * workflow is written against.
 */
import {
  ListFlowsCommand,
  ListTagsForResourceCommand,
  MediaConnectClient,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-mediaconnect';
import { afterEach, describe, expect, it } from 'vitest';
import { type AwsMediaConnectRequest, awsMediaConnectRequest } from '../../functions/domain/contract.ts';
import {
  VendorAuthFailedError,
  VendorQuotaExceededError,
  VendorRejectedError,
  VendorThrottledError,
  VendorUnavailableError,
} from '../../functions/domain/errors.ts';
import { Pacer } from '../../functions/domain/pacing.ts';
import { AwsMediaConnectClient } from '../../functions/vendors/aws-mediaconnect/client.ts';
import { type FlowStatus, REQUEST_ID_TAG } from '../../functions/vendors/types.ts';
import {
  type AwsMediaConnectEmulatorOptions,
  type RunningAwsMediaConnectEmulator,
  startAwsMediaConnectEmulator,
} from '../../local/emulators/aws-mediaconnect.ts';

const credentials = { accessKeyId: 'AKIDCONTRACTTEST01', secretAccessKey: 'contract/K7MDENG+bPxRfiCYCONTRACT' };

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function emulator(
  options: Partial<AwsMediaConnectEmulatorOptions> = {},
): Promise<RunningAwsMediaConnectEmulator> {
  const running = await startAwsMediaConnectEmulator({ credentials, startDelayMs: 80, ...options });
  cleanups.push(() => running.close());
  return running;
}

function clientFor(
  running: RunningAwsMediaConnectEmulator,
  options: Partial<ConstructorParameters<typeof AwsMediaConnectClient>[0]> = {},
): AwsMediaConnectClient {
  const client = new AwsMediaConnectClient({ region: 'us-east-1', endpoint: running.url, credentials, ...options });
  cleanups.push(() => client.destroy());
  return client;
}

function aRequest(requestId: string, overrides: Record<string, unknown> = {}): AwsMediaConnectRequest {
  return awsMediaConnectRequest.parse({
    schemaVersion: 1,
    requestId,
    vendor: 'aws-mediaconnect',
    region: 'us-east-1',
    flow: {
      name: `flow-${requestId}`,
      source: { name: 'camera-1', protocol: 'srt-listener', ingestPort: 5000, whitelistCidr: '203.0.113.0/24' },
      flowSize: 'MEDIUM',
      tags: { team: 'sports-video' },
    },
    entitlements: [
      { name: 'partner-a', subscribers: ['444455556666'], dataTransferSubscriberFeePercent: 10 },
      { name: 'partner-b', subscribers: ['777788889999'] },
    ],
    ...overrides,
  });
}

function entitlements(prefix: string, count: number) {
  return Array.from({ length: count }, (_, i) => ({ name: `${prefix}-${i}`, subscribers: ['444455556666'] }));
}

async function failureOf(promise: Promise<unknown>): Promise<Error & { details: Record<string, unknown> }> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: Error & { details: Record<string, unknown> }) => error,
  );
}

describe('AWS MediaConnect client ↔ emulator', () => {
  it('provisions a flow: create → start → ACTIVE → grant → stop → delete, paced under the rate limit', async () => {
    const running = await emulator();
    // 210 ms apart: at most 5 calls in any second, the documented limit the emulator enforces.
    const pacer = new Pacer(210);
    const client = AwsMediaConnectClient.fromEnv(
      {
        VENDOR_ENDPOINT_AWS_MEDIACONNECT: running.url,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      },
      { pace: (call) => pacer.call(call) },
    );
    cleanups.push(() => client.destroy());
    const request = aRequest('lifecycle-001', { region: 'eu-west-1' });

    const created = await client.createFlow(request);
    expect(created).toMatchObject({ name: 'flow-lifecycle-001', state: 'STANDBY', vendorStatus: 'STANDBY' });
    expect(created.adopted).toBe(false);
    expect(created.flowId).toMatch(
      /^arn:aws:mediaconnect:eu-west-1:111122223333:flow:1-\w{16}-\w{12}:flow-lifecycle-001$/,
    );
    expect(running.flows()).toEqual([
      {
        flowArn: created.flowId,
        name: 'flow-lifecycle-001',
        region: 'eu-west-1',
        status: 'STANDBY',
        tags: { team: 'sports-video', [REQUEST_ID_TAG]: 'lifecycle-001' },
        entitlements: [],
      },
    ]);

    expect(await client.startFlow(request, created.flowId)).toEqual({
      flowId: created.flowId,
      state: 'STARTING',
      vendorStatus: 'STARTING',
    });
    let status: FlowStatus = await client.describeFlow(request, created.flowId);
    for (let polls = 0; status.state === 'STARTING' && polls < 10; polls++) {
      status = await client.describeFlow(request, created.flowId);
    }
    expect(status).toEqual({ flowId: created.flowId, state: 'ACTIVE', vendorStatus: 'ACTIVE' });

    const granted = await client.grantEntitlements(request, created.flowId);
    expect(granted.map((g) => g.name)).toEqual(['partner-a', 'partner-b']);
    for (const g of granted) {
      expect(g.id).toMatch(
        new RegExp(`^arn:aws:mediaconnect:eu-west-1:111122223333:entitlement:1-\\w{16}-\\w{12}:${g.name}$`),
      );
    }
    expect(running.flows()[0]!.entitlements).toEqual([
      expect.objectContaining({
        name: 'partner-a',
        subscribers: ['444455556666'],
        dataTransferSubscriberFeePercent: 10,
      }),
      expect.objectContaining({ name: 'partner-b', subscribers: ['777788889999'], entitlementStatus: 'ENABLED' }),
    ]);

    expect(await client.stopFlow(request, created.flowId)).toMatchObject({ vendorStatus: 'STOPPING' });
    // STOPPING takes time and DeleteFlow is refused until STANDBY: a delete right after the stop is retried.
    expect(await failureOf(client.deleteFlow(request, created.flowId))).toBeInstanceOf(VendorUnavailableError);
    await new Promise((resolve) => setTimeout(resolve, 320));
    expect(await client.describeFlow(request, created.flowId)).toMatchObject({ state: 'STANDBY' });
    await client.deleteFlow(request, created.flowId);
    expect(running.flows()).toEqual([]);
    // A retried delete (the first answer lost) is still a success; the flow is gone for describe.
    await client.deleteFlow(request, created.flowId);
    const gone = await failureOf(client.describeFlow(request, created.flowId));
    expect(gone).toBeInstanceOf(VendorRejectedError);
    expect(gone.details).toMatchObject({ httpStatus: 404, vendorCode: 'NotFoundException', operation: 'DescribeFlow' });

    const journal = running.journal.entries;
    expect(journal.filter((e) => e.throttled)).toEqual([]);
    expect(journal.every((e) => e.budget === 'eu-west-1' && !e.injected)).toBe(true);
    expect(journal.map((e) => e.operation)).toEqual([
      // Get-or-create: the flows of that name are listed first (none yet).
      'ListFlows',
      'CreateFlow',
      'StartFlow',
      ...Array.from({ length: journal.length - 11 }, () => 'DescribeFlow'),
      'GrantFlowEntitlements',
      'StopFlow',
      'DeleteFlow',
      'DescribeFlow',
      'DescribeFlow',
      'DeleteFlow',
      'DeleteFlow',
      'DescribeFlow',
    ]);
    expect(journal.filter((e) => e.operation === 'DeleteFlow').map((e) => e.status)).toEqual([400, 202, 404]);
    expect(running.journal.maxInWindow(1000, 'eu-west-1')).toBeLessThanOrEqual(5);
  });

  it('refuses a delete while the flow runs (400 → VendorRejected); a second start answers the state it finds', async () => {
    const running = await emulator({ enforceRateLimit: false, startDelayMs: 10_000 });
    const client = clientFor(running);
    const request = aRequest('running-001');
    const { flowId } = await client.createFlow(request);
    await client.startFlow(request, flowId);

    const deleting = await failureOf(client.deleteFlow(request, flowId));
    expect(deleting).toBeInstanceOf(VendorRejectedError);
    expect(deleting.details).toMatchObject({ httpStatus: 400, vendorCode: 'BadRequestException' });
    // Start is desired-state: the 400 a running flow answers is read as "already started".
    expect(await client.startFlow(request, flowId)).toEqual({ flowId, state: 'STARTING', vendorStatus: 'STARTING' });
    expect(running.flows()[0]!.status).toBe('STARTING');
    expect(running.journal.entries.slice(-2).map((e) => [e.operation, e.status])).toEqual([
      ['StartFlow', 400],
      ['DescribeFlow', 200],
    ]);
  });

  it('answers the flow quota with 420 → VendorQuotaExceeded, per region', async () => {
    const running = await emulator({ enforceRateLimit: false, flowQuota: 2 });
    const client = clientFor(running);
    await client.createFlow(aRequest('quota-001'));
    await client.createFlow(aRequest('quota-002'));

    const third = await failureOf(client.createFlow(aRequest('quota-003')));
    expect(third).toBeInstanceOf(VendorQuotaExceededError);
    expect(third.details).toMatchObject({
      vendor: 'aws-mediaconnect',
      operation: 'CreateFlow',
      httpStatus: 420,
      vendorCode: 'CreateFlow420Exception',
      vendorRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(running.flows().map((f) => f.name)).toEqual(['flow-quota-001', 'flow-quota-002']);
    // The quota is per region.
    await client.createFlow(aRequest('quota-004', { region: 'us-west-2' }));
    expect(running.flows().filter((f) => f.region === 'us-west-2')).toHaveLength(1);
  });

  it('answers more than 50 entitlements on a flow with 420 → VendorQuotaExceeded', async () => {
    const running = await emulator({ enforceRateLimit: false });
    const client = clientFor(running);
    const first = aRequest('ent-001', { entitlements: entitlements('batch-a', 30) });
    const { flowId } = await client.createFlow(first);
    expect(await client.grantEntitlements(first, flowId)).toHaveLength(30);

    const second = aRequest('ent-001', { entitlements: entitlements('batch-b', 21) });
    const error = await failureOf(client.grantEntitlements(second, flowId));
    expect(error).toBeInstanceOf(VendorQuotaExceededError);
    expect(error.details).toMatchObject({ httpStatus: 420, vendorCode: 'GrantFlowEntitlements420Exception' });
    expect(running.flows()[0]!.entitlements).toHaveLength(30);
  });

  it('counts the identity tag among the 50 a flow may carry: 49 user tags are the most (as the contract says)', async () => {
    const running = await emulator({ enforceRateLimit: false });
    const client = clientFor(running);
    const tags = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, 'v']));
    const fits = aRequest('tags-049', { flow: { ...aRequest('x').flow, tags: tags(49) } });
    await client.createFlow(fits);
    expect(running.flows()[0]!.tags).toMatchObject({ [REQUEST_ID_TAG]: 'tags-049' });
    expect(Object.keys(running.flows()[0]!.tags)).toHaveLength(50);

    // What the contract refuses at the door, MediaConnect refuses too: 50 of the user's plus ours.
    const over = { ...fits, requestId: 'tags-050', flow: { ...fits.flow, name: 'flow-tags-050', tags: tags(50) } };
    const error = await failureOf(client.createFlow(over));
    expect(error).toBeInstanceOf(VendorRejectedError);
    expect(error.message).toContain('at most 50 tags');
    expect(running.flows()).toHaveLength(1);
  });

  it('throttles DescribeFlow past its own 30/s and every other call past 5/s, each per Region, with 429 → VendorThrottled', async () => {
    const running = await emulator();
    const client = clientFor(running);
    const request = aRequest('burst-001');
    const { flowId } = await client.createFlow(request);

    const results = await Promise.allSettled(Array.from({ length: 35 }, () => client.describeFlow(request, flowId)));
    const throttled = results.filter((r) => r.status === 'rejected').map((r) => r.reason as Error);
    // 35 reads within a few milliseconds: at most 30 fit in their window, whatever the create's timing.
    expect(throttled.length).toBeGreaterThanOrEqual(5);
    for (const error of throttled) {
      expect(error).toBeInstanceOf(VendorThrottledError);
      expect((error as VendorThrottledError).details).toMatchObject({
        httpStatus: 429,
        vendorCode: 'TooManyRequestsException',
        operation: 'DescribeFlow',
      });
    }
    // The reads do not spend the other calls' budget: a start right after them is admitted.
    await expect(client.startFlow(request, flowId)).resolves.toBeDefined();
    const journaled429 = running.journal.entries.filter((e) => e.status === 429);
    expect(journaled429).toHaveLength(throttled.length);
    expect(journaled429.every((e) => e.throttled && !e.injected && e.errorCode === 'TooManyRequestsException')).toBe(
      true,
    );
    const admitted = running.journal.entries.filter((e) => !e.throttled);
    const maxPerSecond = (times: number[]) =>
      Math.max(...times.map((at) => times.filter((t) => t >= at && t - at < 1000).length));
    expect(maxPerSecond(admitted.filter((e) => e.operation === 'DescribeFlow').map((e) => e.at))).toBe(30);
    expect(maxPerSecond(admitted.filter((e) => e.operation !== 'DescribeFlow').map((e) => e.at))).toBeLessThanOrEqual(
      5,
    );

    // Another Region has budgets of its own: two creates there (list + create each, four calls in the same second as
    // the three above) are admitted in full.
    const elsewhere = await Promise.allSettled(
      Array.from({ length: 2 }, (_, i) => client.createFlow(aRequest(`burst-eu-${i}`, { region: 'eu-west-1' }))),
    );
    expect(elsewhere.filter((r) => r.status === 'rejected')).toEqual([]);
  });

  it('answers a wrong secret (InvalidSignatureException) and an unknown key (UnrecognizedClientException) with VendorAuthFailed', async () => {
    const running = await emulator();
    const wrongSecret = clientFor(running, {
      credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: 'not-the-secret' },
    });
    const unknownKey = clientFor(running, {
      credentials: { accessKeyId: 'AKIDSOMEONEELSE000', secretAccessKey: credentials.secretAccessKey },
    });

    const badSignature = await failureOf(wrongSecret.createFlow(aRequest('auth-001')));
    expect(badSignature).toBeInstanceOf(VendorAuthFailedError);
    expect(badSignature.details).toMatchObject({ httpStatus: 403, vendorCode: 'InvalidSignatureException' });
    expect(badSignature.message).not.toContain('not-the-secret');

    const badKey = await failureOf(unknownKey.createFlow(aRequest('auth-002')));
    expect(badKey).toBeInstanceOf(VendorAuthFailedError);
    expect(badKey.details).toMatchObject({ httpStatus: 403, vendorCode: 'UnrecognizedClientException' });

    expect(running.flows()).toEqual([]);
    // Get-or-create lists before it creates: the first call refused is the ListFlows.
    expect(running.journal.entries.map((e) => [e.operation, e.status, e.errorCode])).toEqual([
      ['ListFlows', 403, 'InvalidSignatureException'],
      ['ListFlows', 403, 'UnrecognizedClientException'],
    ]);
  });

  it('answers a request signed 10 minutes ago with "Signature expired" → VendorAuthFailed; the SDK then corrects its clock', async () => {
    const running = await emulator();
    const skewed = new MediaConnectClient({
      region: 'us-east-1',
      endpoint: running.url,
      credentials,
      maxAttempts: 1,
      systemClockOffset: -10 * 60_000,
    });
    cleanups.push(() => skewed.destroy());
    const client = clientFor(running, { sdk: skewed });

    const stale = await failureOf(client.createFlow(aRequest('skew-001')));
    expect(stale).toBeInstanceOf(VendorAuthFailedError);
    expect(stale.details).toMatchObject({ httpStatus: 403, vendorCode: 'InvalidSignatureException' });
    expect(stale.message).toMatch(
      /Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)/,
    );
    expect(running.flows()).toEqual([]);

    // The SDK read the emulator's Date header from the 403 and moved its clock offset: the next call is signed with
    // a current date. (The workflow does not retry VendorAuthFailed; a redrive would succeed.)
    expect(Math.abs(skewed.config.systemClockOffset ?? 0)).toBeLessThan(5_000);
    await expect(client.createFlow(aRequest('skew-001'))).resolves.toMatchObject({ state: 'STANDBY' });
  });

  it('answers a clock skew beyond a tight window with VendorAuthFailed, which the SDK does not correct', async () => {
    const running = await emulator({ maxClockSkewMs: 1_000 });
    const skewed = new MediaConnectClient({
      region: 'us-east-1',
      endpoint: running.url,
      credentials,
      maxAttempts: 1,
      systemClockOffset: 30_000,
    });
    cleanups.push(() => skewed.destroy());
    const client = clientFor(running, { sdk: skewed });
    for (const attempt of [1, 2]) {
      const error = await failureOf(client.describeFlow(aRequest(`tight-${attempt}`), 'arn:aws:mediaconnect:x'));
      expect(error).toBeInstanceOf(VendorAuthFailedError);
      expect(error.message).toContain('Signature not yet current');
    }
  });

  it('answers injected 500 and 503 with VendorUnavailable', async () => {
    const running = await emulator({ enforceRateLimit: false });
    const client = clientFor(running);
    const request = aRequest('fault-001');
    const { flowId } = await client.createFlow(request);

    // One draw decides the fault, the next picks 500 (< 0.5) or 503.
    const draws = [0, 0.2, 0, 0.8];
    running.setFaults({ errorRate: 1, random: () => draws.shift() ?? 0 });
    const internal = await failureOf(client.describeFlow(request, flowId));
    const unavailable = await failureOf(client.startFlow(request, flowId));
    running.setFaults({});

    expect(internal).toBeInstanceOf(VendorUnavailableError);
    expect(internal.details).toMatchObject({ httpStatus: 500, vendorCode: 'InternalServerErrorException' });
    expect(unavailable).toBeInstanceOf(VendorUnavailableError);
    expect(unavailable.details).toMatchObject({ httpStatus: 503, vendorCode: 'ServiceUnavailableException' });
    // Faulted calls had no effect.
    expect(running.flows()[0]!.status).toBe('STANDBY');
    expect(running.journal.entries.filter((e) => e.injected).map((e) => [e.operation, e.status])).toEqual([
      ['DescribeFlow', 500],
      ['StartFlow', 503],
    ]);
  });

  it('answers an injected throttle with VendorThrottled', async () => {
    const running = await emulator({ enforceRateLimit: false, faults: { throttleRate: 1 } });
    const error = await failureOf(clientFor(running).createFlow(aRequest('fault-002')));
    expect(error).toBeInstanceOf(VendorThrottledError);
    expect(running.journal.entries[0]).toMatchObject({ status: 429, throttled: true, injected: true });
    expect(running.flows()).toEqual([]);
  });

  it('times out on a lost answer → VendorUnavailable, while the flow exists at the vendor', async () => {
    // The lookup (ListFlows) is answered; the CreateFlow after it is served but its answer is lost.
    const draws = [1];
    const running = await emulator({
      enforceRateLimit: false,
      faults: { timeoutRate: 1, random: () => draws.shift() ?? 0 },
    });
    const client = clientFor(running, { callTimeoutMs: 300 });
    const started = Date.now();

    const error = await failureOf(client.createFlow(aRequest('timeout-001')));
    expect(error).toBeInstanceOf(VendorUnavailableError);
    expect(error.message).toContain('no answer within 300 ms');
    expect(Date.now() - started).toBeLessThan(3_000);

    // The effect happened: exactly the duplicate risk get-or-create must handle.
    expect(running.flows()).toEqual([
      expect.objectContaining({
        name: 'flow-timeout-001',
        status: 'STANDBY',
        tags: expect.objectContaining({ [REQUEST_ID_TAG]: 'timeout-001' }),
      }),
    ]);
    expect(running.journal.entries).toEqual([
      expect.objectContaining({ operation: 'ListFlows', status: 200, injected: false }),
      expect.objectContaining({ operation: 'CreateFlow', status: 201, injected: true, throttled: false }),
    ]);
  });

  it('serves ListFlows page by page, per region, and the tag API get-or-create reads', async () => {
    const running = await emulator({ enforceRateLimit: false });
    const client = clientFor(running);
    const created = [];
    for (const id of ['list-001', 'list-002', 'list-003']) created.push(await client.createFlow(aRequest(id)));
    await client.createFlow(aRequest('list-elsewhere', { region: 'ap-south-1' }));
    const sdk = new MediaConnectClient({ region: 'us-east-1', endpoint: running.url, credentials, maxAttempts: 1 });
    cleanups.push(() => sdk.destroy());

    const first = await sdk.send(new ListFlowsCommand({ MaxResults: 2 }));
    expect(first.Flows?.map((f) => [f.Name, f.Status, f.SourceType])).toEqual([
      ['flow-list-001', 'STANDBY', 'OWNED'],
      ['flow-list-002', 'STANDBY', 'OWNED'],
    ]);
    expect(first.NextToken).toEqual(expect.any(String));
    const second = await sdk.send(new ListFlowsCommand({ MaxResults: 2, NextToken: first.NextToken }));
    expect(second.Flows?.map((f) => f.FlowArn)).toEqual([created[2]!.flowId]);
    expect(second.NextToken).toBeUndefined();

    const arn = created[0]!.flowId;
    expect((await sdk.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags).toEqual({
      team: 'sports-video',
      [REQUEST_ID_TAG]: 'list-001',
    });
    await sdk.send(new TagResourceCommand({ ResourceArn: arn, Tags: { owner: 'ops' } }));
    await sdk.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['team'] }));
    expect((await sdk.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags).toEqual({
      owner: 'ops',
      [REQUEST_ID_TAG]: 'list-001',
    });
    await expect(sdk.send(new ListTagsForResourceCommand({ ResourceArn: `${arn}-missing` }))).rejects.toMatchObject({
      name: 'NotFoundException',
      $metadata: { httpStatusCode: 404 },
    });
    // Each create was a ListFlows and a CreateFlow.
    expect(running.journal.entries.slice(8).map((e) => [e.operation, e.status, e.budget])).toEqual([
      ['ListFlows', 200, 'us-east-1'],
      ['ListFlows', 200, 'us-east-1'],
      ['ListTagsForResource', 200, 'us-east-1'],
      ['TagResource', 204, 'us-east-1'],
      ['UntagResource', 204, 'us-east-1'],
      ['ListTagsForResource', 200, 'us-east-1'],
      ['ListTagsForResource', 404, 'us-east-1'],
    ]);
  });

  it('fails with VendorUnavailable when nothing listens', async () => {
    const running = await emulator();
    const url = running.url;
    await running.close();
    const client = clientFor(running, { endpoint: url });
    const error = await failureOf(
      client.describeFlow(aRequest('closed-001'), 'arn:aws:mediaconnect:us-east-1:111122223333:flow:1-x-y:z'),
    );
    expect(error).toBeInstanceOf(VendorUnavailableError);
    expect(error.details).toMatchObject({ vendorCode: 'ECONNREFUSED' });
  });
});
