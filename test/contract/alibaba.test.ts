/**
 * The real ICE and CAMS clients (real ACS3 signing, real HTTP) against the Alibaba gateway emulator: lifecycles,
 * signature failures (tampering, wrong secret, replayed nonce, stale date), throttles, injected faults and
 * get-or-create, each ending in the taxonomy class the workflow is written against.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AlibabaCamsRequest, AlibabaIceRequest } from '../../functions/domain/contract.ts';
import {
  VendorAuthFailedError,
  VendorConflictError,
  VendorRejectedError,
  VendorThrottledError,
  VendorUnavailableError,
} from '../../functions/domain/errors.ts';
import { Pacer } from '../../functions/domain/pacing.ts';
import { AlibabaRpcClient } from '../../functions/vendors/alibaba/rpc.ts';
import { AlibabaCamsClient, camsFlowName } from '../../functions/vendors/alibaba-cams/client.ts';
import { AlibabaIceClient, iceFlowName } from '../../functions/vendors/alibaba-ice/client.ts';
import type { PaceFn } from '../../functions/vendors/types.ts';
import {
  type AlibabaEmulatorOptions,
  type RunningAlibabaEmulator,
  startAlibabaEmulator,
} from '../../local/emulators/alibaba.ts';
import { camsRequest, iceRequest } from '../helpers/alibaba.ts';

const credentials = { accessKeyId: 'LTAI5tCONTRACTTEST01', accessKeySecret: 'contract/AlibabaSecretContract01' };

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function emulator(options: Partial<AlibabaEmulatorOptions> = {}): Promise<RunningAlibabaEmulator> {
  const running = await startAlibabaEmulator({ credentials, ...options });
  cleanups.push(() => running.close());
  return running;
}

interface ClientOptions {
  fetch?: typeof fetch;
  now?: () => number;
  nonce?: () => string;
  pace?: PaceFn;
  secret?: string;
  accessKeyId?: string;
}

function clientOptions(running: RunningAlibabaEmulator, options: ClientOptions) {
  return {
    credentials: {
      accessKeyId: options.accessKeyId ?? credentials.accessKeyId,
      accessKeySecret: options.secret ?? credentials.accessKeySecret,
    },
    endpoint: new URL(running.url),
    callTimeoutMs: 400,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.nonce ? { nonce: options.nonce } : {}),
    ...(options.pace ? { pace: options.pace } : {}),
  };
}
const ice = (running: RunningAlibabaEmulator, options: ClientOptions = {}) =>
  new AlibabaIceClient(clientOptions(running, options));
const cams = (running: RunningAlibabaEmulator, options: ClientOptions = {}) =>
  new AlibabaCamsClient(clientOptions(running, options));

async function failureOf(promise: Promise<unknown>): Promise<Error & { details: Record<string, unknown> }> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error) => error,
  );
}

/** A fetch that rewrites the signed request before it leaves: what a tampering proxy does. */
function tampering(
  rewrite: (url: string, init: RequestInit & { headers: Record<string, string> }) => [string, RequestInit],
) {
  return ((input: string | URL | Request, init?: RequestInit) => {
    const [url, changed] = rewrite(String(input), {
      ...init,
      headers: { ...(init?.headers as Record<string, string>) },
    });
    return fetch(url, changed);
  }) as typeof fetch;
}

/** Random source for Faults that plays `rolls` in order, then never faults. */
function rolls(...values: number[]) {
  return () => values.shift() ?? 0.999;
}

const lastEntry = (running: RunningAlibabaEmulator) => running.journal.entries.at(-1)!;

describe('ICE MediaConnect client ↔ emulator', () => {
  const request: AlibabaIceRequest = iceRequest({ requestId: 'contract-ice-1' });

  it('creates, starts, shares, stops and deletes a flow, all through the VENDOR_ENDPOINT', async () => {
    const running = await emulator();
    const client = AlibabaIceClient.fromEnv({
      ALIBABA_CLOUD_ACCESS_KEY_ID: credentials.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: credentials.accessKeySecret,
      VENDOR_ENDPOINT_ALIBABA_ICE: running.url,
    });

    const created = await client.createFlow(request);
    // One call: the id is back before the input is added, by completeFlow.
    expect(created).toMatchObject({ name: iceFlowName(request), state: 'STANDBY', adopted: false, completed: false });
    expect(running.iceFlows()[0]!.input).toBeUndefined();
    await client.completeFlow(request, created.flowId);
    expect(await client.describeFlow(request, created.flowId)).toMatchObject({
      state: 'STANDBY',
      vendorStatus: 'offline',
    });
    expect(await client.startFlow(request, created.flowId)).toMatchObject({ state: 'ACTIVE' });
    expect(await client.describeFlow(request, created.flowId)).toMatchObject({
      state: 'ACTIVE',
      vendorStatus: 'online',
    });
    expect(await client.grantEntitlements(request, created.flowId)).toMatchObject([
      { name: 'partner-pull', id: 'partner-pull', output: { url: expect.stringMatching(/^srt:\/\//) } },
      { name: 'cdn-push', id: 'cdn-push', output: { url: expect.any(String), mode: 'push' } },
    ]);
    expect(running.iceFlows()).toEqual([
      {
        flowId: created.flowId,
        name: 'esports-final-contract-ice-1',
        region: 'ap-southeast-1',
        status: 'online',
        input: { name: 'arena-encoder', protocol: 'SRT-Listener' },
        outputs: [
          { name: 'partner-pull', protocol: 'SRT-Listener' },
          { name: 'cdn-push', protocol: 'SRT-Caller' },
        ],
      },
    ]);

    // ICE refuses to delete an online flow, in an HTTP 200 with a non-zero RetCode.
    const refused = await failureOf(client.deleteFlow(request, created.flowId));
    expect(refused).toBeInstanceOf(VendorRejectedError);
    expect(refused.details).toMatchObject({ httpStatus: 200, operation: 'DeleteMediaConnectFlow' });
    // The refusal is judged by reading the flow, not by its wording: still there, so the refusal stands.
    expect(running.journal.entries.slice(-2)).toMatchObject([
      { operation: 'DeleteMediaConnectFlow', status: 200, errorCode: 'RetCode 1004' },
      { operation: 'GetMediaConnectFlow', status: 200 },
    ]);

    expect(await client.stopFlow(request, created.flowId)).toMatchObject({ state: 'STANDBY' });
    await client.deleteFlow(request, created.flowId);
    expect(running.iceFlows()).toEqual([]);
    expect(running.journal.count((e) => e.budget !== 'ice')).toBe(0);
  });

  it('a fault between the two calls: the id is answered, and completeFlow adds the input exactly once', async () => {
    const running = await emulator();
    const client = ice(running);
    const created = await client.createFlow(request);
    expect(running.journal.entries.map((e) => e.operation)).toEqual(['CreateMediaConnectFlow']);

    // The answer of AddMediaConnectFlowInput is lost (the input is added); the retried step reads it and adds nothing.
    running.setFaults({ timeoutRate: 0.5, random: rolls(0.9, 0.1) });
    expect(await failureOf(client.completeFlow(request, created.flowId))).toBeInstanceOf(VendorUnavailableError);
    expect(running.iceFlows()[0]!.input).toEqual({ name: 'arena-encoder', protocol: 'SRT-Listener' });
    await client.completeFlow(request, created.flowId);
    await client.completeFlow(request, created.flowId);
    expect(running.iceFlows()).toEqual([
      expect.objectContaining({ flowId: created.flowId, input: { name: 'arena-encoder', protocol: 'SRT-Listener' } }),
    ]);
    expect(running.journal.count((e) => e.operation === 'AddMediaConnectFlowInput')).toBe(1);
  });

  it('refuses an input slot held by another input (one input per flow), without adding', async () => {
    const running = await emulator();
    const client = ice(running);
    const { flowId } = await client.createFlow(request);
    await client.completeFlow(
      iceRequest({
        requestId: 'contract-ice-1',
        flow: { name: 'esports-final', input: { name: 'other-encoder', protocol: 'RTMP-PUSH' } },
      }),
      flowId,
    );
    expect(await failureOf(client.completeFlow(request, flowId))).toBeInstanceOf(VendorConflictError);
  });

  it('a lost answer of CreateMediaConnectFlow cannot be adopted (ICE has no lookup by name): refused, and says so', async () => {
    const running = await emulator({ faults: { timeoutRate: 1 } });
    const client = ice(running);
    const lost = await failureOf(client.createFlow(request));
    expect(lost).toBeInstanceOf(VendorUnavailableError);
    expect(lost.message).toContain('may have taken effect');
    expect(running.iceFlows()).toHaveLength(1); // the effect happened

    running.setFaults({});
    const retried = await failureOf(client.createFlow(request));
    expect(retried).toBeInstanceOf(VendorRejectedError);
    expect(retried.message).toContain('ICE has no lookup by name');
    expect(running.iceFlows()).toHaveLength(1);
  });

  it('never adopts by what a refusal says: a taken name is refused, the flow left alone', async () => {
    const running = await emulator();
    running.seedIceFlow({ name: iceFlowName(request), region: 'ap-southeast-1' });
    const refused = await failureOf(ice(running).createFlow(request));
    expect(refused).toBeInstanceOf(VendorRejectedError);
    expect(running.iceFlows()).toHaveLength(1);
    expect(running.journal.entries.map((e) => e.operation)).toEqual(['CreateMediaConnectFlow']);
  });

  it('adds only the outputs GetMediaConnectFlowAllOutputName does not list, whatever a retry finds', async () => {
    const running = await emulator();
    const client = ice(running);
    const { flowId } = await client.createFlow(request);
    await client.completeFlow(request, flowId);
    // The answer of the second AddMediaConnectFlowOutput is lost; the retried grant reads the names and adds none.
    running.setFaults({ timeoutRate: 0.5, random: rolls(0.9, 0.9, 0.1) });
    expect(await failureOf(client.grantEntitlements(request, flowId))).toBeInstanceOf(VendorUnavailableError);
    running.setFaults({});
    // Outputs found already there answer no URL: the event names them only.
    expect(await client.grantEntitlements(request, flowId)).toMatchObject([
      { name: 'partner-pull', id: 'partner-pull', output: { name: 'partner-pull' } },
      { name: 'cdn-push', id: 'cdn-push', output: { name: 'cdn-push' } },
    ]);
    expect(running.iceFlows()[0]!.outputs).toHaveLength(2);
    expect(running.journal.count((e) => e.operation === 'AddMediaConnectFlowOutput' && !e.injected)).toBe(1);
  });

  it('keeps names unique per region, not across regions', async () => {
    const running = await emulator();
    const client = ice(running);
    const a = await client.createFlow(request);
    const b = await client.createFlow({ ...request, region: 'cn-shanghai' });
    expect(a.flowId).not.toBe(b.flowId);
    expect(b.adopted).toBe(false);
  });

  describe('signature verification', () => {
    it('rejects a tampered signature with SignatureDoesNotMatch → VendorAuthFailed', async () => {
      const running = await emulator();
      const flip = tampering((url, init) => {
        const auth = init.headers.authorization!;
        const last = auth.at(-1) === '0' ? '1' : '0';
        return [url, { ...init, headers: { ...init.headers, authorization: `${auth.slice(0, -1)}${last}` } }];
      });
      const error = await failureOf(ice(running, { fetch: flip }).describeFlow(request, 'any'));
      expect(error).toBeInstanceOf(VendorAuthFailedError);
      expect(error.details).toMatchObject({ httpStatus: 400, vendorCode: 'SignatureDoesNotMatch' });
      expect(lastEntry(running)).toMatchObject({ status: 400, errorCode: 'SignatureDoesNotMatch', budget: 'ice' });
    });

    it('rejects a query changed after signing, a wrong secret and an unknown key', async () => {
      const running = await emulator();
      const changeQuery = tampering((url, init) => [url.replace('FlowId=any', 'FlowId=other'), init]);
      expect(await failureOf(ice(running, { fetch: changeQuery }).describeFlow(request, 'any'))).toBeInstanceOf(
        VendorAuthFailedError,
      );
      expect(lastEntry(running).errorCode).toBe('SignatureDoesNotMatch');
      expect(await failureOf(ice(running, { secret: 'wrong' }).describeFlow(request, 'any'))).toBeInstanceOf(
        VendorAuthFailedError,
      );
      expect(lastEntry(running).errorCode).toBe('SignatureDoesNotMatch');
      const unknown = await failureOf(ice(running, { accessKeyId: 'LTAI5tUNKNOWN' }).describeFlow(request, 'any'));
      expect(unknown).toBeInstanceOf(VendorAuthFailedError);
      expect(unknown.details).toMatchObject({ httpStatus: 404, vendorCode: 'InvalidAccessKeyId.NotFound' });
    });

    it('rejects a replayed nonce with SignatureNonceUsed (retryable: the next attempt signs a fresh one)', async () => {
      const running = await emulator();
      const client = ice(running, { nonce: () => 'same-nonce-every-time' });
      const created = await client.createFlow(request);
      // CreateMediaConnectFlow went through; the next call reused its nonce.
      const completed = await client.completeFlow(request, created.flowId).catch((e) => e);
      expect(completed).toBeInstanceOf(VendorUnavailableError);
      expect(completed.details).toMatchObject({ httpStatus: 400, vendorCode: 'SignatureNonceUsed' });
      expect(running.journal.entries.map((e) => [e.operation, e.status, e.errorCode])).toEqual([
        ['CreateMediaConnectFlow', 200, undefined],
        ['GetMediaConnectFlowInput', 400, 'SignatureNonceUsed'],
      ]);

      // A byte-for-byte replay of a signed request is refused the same way.
      let captured: [string, RequestInit] | undefined;
      const capture = tampering((url, init) => {
        captured = [url, init];
        return [url, init];
      });
      await ice(running, { fetch: capture }).describeFlow(request, running.iceFlows()[0]!.flowId);
      const replay = await fetch(...captured!);
      expect(replay.status).toBe(400);
      expect(await replay.json()).toMatchObject({ Code: 'SignatureNonceUsed' });
    });

    it('rejects a date more than 15 minutes off with InvalidTimeStamp.Expired, accepts one within', async () => {
      const running = await emulator();
      const stale = await failureOf(ice(running, { now: () => Date.now() - 16 * 60_000 }).describeFlow(request, 'x'));
      expect(stale).toBeInstanceOf(VendorAuthFailedError);
      expect(stale.details).toMatchObject({ httpStatus: 400, vendorCode: 'InvalidTimeStamp.Expired' });
      const ahead = await failureOf(ice(running, { now: () => Date.now() + 16 * 60_000 }).describeFlow(request, 'x'));
      expect(ahead.details.vendorCode).toBe('InvalidTimeStamp.Expired');
      // 14 minutes off is accepted: the call reaches ICE, which answers that the flow does not exist.
      const skewed = await failureOf(ice(running, { now: () => Date.now() - 14 * 60_000 }).describeFlow(request, 'x'));
      expect(skewed).toBeInstanceOf(VendorRejectedError);
      expect(skewed.details).toMatchObject({ httpStatus: 200, vendorCode: 'RetCode 1002' });
    });
  });

  it('answers an optional ICE rate limit with 400 Throttling.User → VendorThrottled', async () => {
    const running = await emulator({ iceRateLimit: { limit: 2, windowMs: 1000 } });
    const client = ice(running);
    const results = await Promise.allSettled([1, 2, 3].map(() => client.describeFlow(request, 'x')));
    const throttled = results.filter((r) => r.status === 'rejected' && r.reason instanceof VendorThrottledError);
    expect(throttled).toHaveLength(1);
    expect(running.journal.count((e) => e.throttled && e.errorCode === 'Throttling.User' && e.status === 400)).toBe(1);
  });

  it('maps injected faults: 5xx → VendorUnavailable, throttle → VendorThrottled', async () => {
    const running = await emulator({ faults: { errorRate: 1 } });
    expect(await failureOf(ice(running).describeFlow(request, 'x'))).toBeInstanceOf(VendorUnavailableError);
    expect(lastEntry(running)).toMatchObject({ injected: true });
    expect(lastEntry(running).status).toBeGreaterThanOrEqual(500);
    running.setFaults({ throttleRate: 1 });
    expect(await failureOf(ice(running).describeFlow(request, 'x'))).toBeInstanceOf(VendorThrottledError);
  });
});

describe('CAMS Flow client ↔ emulator', () => {
  const request: AlibabaCamsRequest = camsRequest({ requestId: 'contract-cams-1' });
  const space = request.flow.custSpaceId!;

  it('creates (with its JSON asset), publishes, deprecates; deletes only drafts', async () => {
    // The lifecycle, not the limit (tested below): 14 unpaced calls would exceed 5/s.
    const running = await emulator({ enforceRateLimit: false });
    const client = AlibabaCamsClient.fromEnv({
      ALIBABA_CLOUD_ACCESS_KEY_ID: credentials.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: credentials.accessKeySecret,
      VENDOR_ENDPOINT_ALIBABA_CAMS: running.url,
    });
    const created = await client.createFlow(request);
    expect(created).toMatchObject({
      name: camsFlowName(request),
      state: 'STANDBY',
      vendorStatus: 'DRAFT',
      adopted: false,
      completed: false,
    });
    // The create leaves the asset to its own step (a lane of its own): none yet.
    expect(running.camsFlows()[0]!.filePath).toBeUndefined();
    await client.completeFlow(request, created.flowId, { firstTry: true });
    expect(running.camsFlows()).toEqual([
      {
        flowId: created.flowId,
        name: 'ticket-survey-contract-cams-1',
        categories: ['SURVEY', 'CUSTOMER_SUPPORT'],
        custSpaceId: space,
        status: 'DRAFT',
        filePath: 'https://assets.example.com/flows/ticket-survey.json',
      },
    ]);
    expect(await client.startFlow(request, created.flowId)).toMatchObject({ state: 'STARTING' });
    expect(await client.describeFlow(request, created.flowId)).toMatchObject({
      state: 'ACTIVE',
      vendorStatus: 'PUBLISHED',
    });
    // A publish retried after a lost answer is not an error: it answers STARTING, and the next read confirms.
    expect(await client.startFlow(request, created.flowId, { firstTry: false })).toMatchObject({ state: 'STARTING' });
    expect(await client.describeFlow(request, created.flowId)).toMatchObject({ state: 'ACTIVE' });
    // The same refusal on the step's first try stands.
    await expect(client.startFlow(request, created.flowId, { firstTry: true })).rejects.toBeInstanceOf(
      VendorRejectedError,
    );
    expect(await client.grantEntitlements(request, created.flowId)).toEqual([]);
    expect(await client.stopFlow(request, created.flowId)).toMatchObject({
      state: 'ERROR',
      vendorStatus: 'DEPRECATED',
    });
    const refused = await failureOf(client.deleteFlow(request, created.flowId));
    expect(refused).toBeInstanceOf(VendorRejectedError);
    expect(refused.details).toMatchObject({ httpStatus: 400, vendorCode: 'Flow.StatusInvalid' });

    const draft = await client.createFlow(camsRequest({ requestId: 'contract-cams-2' }));
    await client.deleteFlow(request, draft.flowId);
    expect(running.camsFlows().map((f) => f.flowId)).toEqual([created.flowId]);
    expect(running.journal.count((e) => e.budget !== 'cams')).toBe(0);
  });

  it('adopts its own flow after a CreateFlow whose answer was lost', async () => {
    // ListFlow passes, CreateFlow takes effect but its answer never arrives.
    const running = await emulator({ faults: { timeoutRate: 0.5, random: rolls(0.9, 0.1) } });
    const client = cams(running);
    expect(await failureOf(client.createFlow(request))).toBeInstanceOf(VendorUnavailableError);
    expect(running.camsFlows()).toHaveLength(1);
    expect(running.camsFlows()[0]!.filePath).toBeUndefined();

    running.setFaults({});
    const retried = await client.createFlow(request);
    expect(retried).toMatchObject({
      flowId: running.camsFlows()[0]!.flowId,
      adopted: true,
      state: 'STANDBY',
      completed: false,
    });
    await client.completeFlow(request, retried.flowId, { firstTry: false });
    expect(running.camsFlows()).toHaveLength(1);
    expect(running.camsFlows()[0]!.filePath).toBe('https://assets.example.com/flows/ticket-survey.json');
  });

  it('never adopts a near-namesake or a flow of another CustSpaceId', async () => {
    const running = await emulator();
    const name = camsFlowName(request);
    const nearNamesake = running.seedCamsFlow({ name: `${name}-v2`, custSpaceId: space });
    const otherSpace = running.seedCamsFlow({ name, custSpaceId: 'another-customer' });
    const created = await cams(running).createFlow(request);
    expect(created.adopted).toBe(false);
    expect([nearNamesake, otherSpace]).not.toContain(created.flowId);

    // Reading the other customer's flow with our space: the documented Unknown.ResourceOwnerId → VendorRejected.
    const foreign = await failureOf(cams(running).describeFlow(request, otherSpace));
    expect(foreign).toBeInstanceOf(VendorRejectedError);
    expect(foreign.details).toMatchObject({ httpStatus: 400, vendorCode: 'Unknown.ResourceOwnerId' });
  });

  it('rejects a form body changed after signing (content hash) and a wrong secret', async () => {
    const running = await emulator();
    const changeBody = tampering((url, init) => [
      url,
      { ...init, body: `${String(init.body).replace('DRAFT', 'X')}&x=1` },
    ]);
    const tampered = await failureOf(cams(running, { fetch: changeBody }).describeFlow(request, '1'));
    expect(tampered).toBeInstanceOf(VendorAuthFailedError);
    expect(tampered.details.vendorCode).toBe('SignatureDoesNotMatch');
    expect(await failureOf(cams(running, { secret: 'wrong' }).describeFlow(request, '1'))).toBeInstanceOf(
      VendorAuthFailedError,
    );
  });

  it('throttles one operation past 5 calls/s with HTTP 400 System.LimitControl → VendorThrottled, not the others', async () => {
    const running = await emulator();
    const flowId = running.seedCamsFlow({ name: 'x', custSpaceId: space });
    const client = cams(running);
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => client.describeFlow(request, flowId)));
    const throttled = results.filter((r) => r.status === 'rejected' && r.reason instanceof VendorThrottledError);
    expect(throttled).toHaveLength(3);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(running.journal.count((e) => e.errorCode === 'System.LimitControl' && e.status === 400 && e.throttled)).toBe(
      3,
    );
    // CAMS documents 5 QPS for each operation: another operation in the same second has its own budget.
    await expect(client.deleteFlow(request, flowId)).resolves.toBeUndefined();
    expect(running.journal.entries.filter((e) => e.operation !== 'GetFlow')).toEqual([
      expect.objectContaining({ operation: 'DeleteFlow', status: 200, throttled: false }),
    ]);
  });

  it('stays under the limit with five paced instances (C = 5, T = 1.05 s): no throttle, ≤ 5 calls in any second', async () => {
    const running = await emulator();
    const flowId = running.seedCamsFlow({ name: 'x', custSpaceId: space });
    const instances = Array.from({ length: 5 }, () => {
      const pacer = new Pacer(1050);
      return cams(running, { pace: (call) => pacer.call(call) });
    });
    await Promise.all(
      instances.map(async (client) => {
        for (let i = 0; i < 3; i++) await client.describeFlow(request, flowId);
      }),
    );
    expect(running.journal.count()).toBe(15);
    expect(running.journal.count((e) => e.throttled)).toBe(0);
    expect(running.journal.maxInWindow(1000, 'cams')).toBeLessThanOrEqual(5);
  });

  it('answers an action the product does not have, or an unknown version, with InvalidApi.NotFound (404)', async () => {
    const running = await emulator();
    const rpc = (version: string) =>
      new AlibabaRpcClient({ vendor: 'alibaba-ice', version, paramsIn: 'query', credentials, callTimeoutMs: 400 });
    const wrongProduct = await rpc('2020-11-09').call(new URL(running.url), 'PublishFlow', { FlowId: '1' });
    expect(wrongProduct).toMatchObject({ status: 404, body: { Code: 'InvalidApi.NotFound' } });
    const wrongVersion = await rpc('2019-01-01').call(new URL(running.url), 'GetFlow', { FlowId: '1' });
    expect(wrongVersion).toMatchObject({ status: 404, body: { Code: 'InvalidApi.NotFound' } });
    expect(lastEntry(running)).toMatchObject({ status: 404, errorCode: 'InvalidApi.NotFound', budget: 'unknown' });
  });
});
