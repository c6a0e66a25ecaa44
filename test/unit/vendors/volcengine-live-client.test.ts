import { describe, expect, it } from 'vitest';
import { parseRawQuery } from '../../../functions/vendors/hmac-signing.ts';
import { REQUEST_ID_TAG } from '../../../functions/vendors/types.ts';
import { VolcengineLiveClient, volcengineError } from '../../../functions/vendors/volcengine-live/client.ts';
import { parseVolcengineFlowId, volcengineTaskState } from '../../../functions/vendors/volcengine-live/tasks.ts';
import { verifyVolcengineSignature } from '../../../local/emulators/volcengine-gateway.ts';
import { formatBeijingTime } from '../../../local/emulators/volcengine-live.ts';
import {
  type Answer,
  aVolcengineRequest,
  countingPace,
  header,
  recordingFetch,
  type Sent,
  scriptedAnswers,
} from '../../helpers/live-vendors.ts';

const credentials = { accessKeyId: 'AKLTunittest0001', secretAccessKey: 'unit/secret-never-logged' };
const NOW = Date.UTC(2026, 10, 22, 8, 0, 0);
const NOW_S = NOW / 1000;

function client(answers: Answer[], options: Partial<ConstructorParameters<typeof VolcengineLiveClient>[0]> = {}) {
  const fake = scriptedAnswers(...answers);
  const { pace, counter } = countingPace();
  const volc = new VolcengineLiveClient({
    credentials,
    endpoint: new URL('http://127.0.0.1:4020'),
    fetch: fake.fetch,
    now: () => NOW,
    pace,
    ...options,
  });
  return { volc, sent: fake.sent, paced: counter };
}

const ok = (action: string, result?: unknown, status = 200): Answer => ({
  status,
  json: {
    ResponseMetadata: {
      RequestId: 'req-1',
      Action: action,
      Version: '2023-01-01',
      Service: 'live',
      Region: 'cn-north-1',
    },
    ...(result === undefined ? {} : { Result: result }),
  },
});
const err = (status: number, code: string, message = 'message'): Answer => ({
  status,
  json: { ResponseMetadata: { RequestId: 'req-e', Error: { Code: code, Message: message } } },
});
const task = (overrides: Record<string, unknown> = {}) => ({
  TaskId: 't1',
  Title: 'RelayBeijing',
  GroupName: 'RelayBeijing',
  Status: '生效中',
  StartTime: formatBeijingTime(NOW_S),
  EndTime: formatBeijingTime(NOW_S + 7200),
  ...overrides,
});
const tasks = (...items: unknown[]) => ok('ListPullToPushTaskV2', { List: items, Pagination: { PageTotal: 1 } });
const action = (request: Sent) => request.url.searchParams.get('Action');

function verify(request: Sent) {
  return verifyVolcengineSignature(
    {
      method: request.method,
      path: request.url.pathname,
      query: parseRawQuery(request.url.search.slice(1)),
      headers: request.headers,
      body: request.body,
    },
    credentials,
    NOW,
    15 * 60_000,
  );
}

describe('VolcengineLiveClient create', () => {
  it('creates the group (with our identity tag) then its task: two signed, paced calls', async () => {
    const { volc, sent, paced } = client([ok('CreatePullToPushGroup'), ok('CreatePullToPushTask', { TaskId: 't1' })]);
    const request = aVolcengineRequest();
    const created = await volc.createFlow(request);

    expect(created).toEqual({
      flowId: 'RelayBeijing:t1',
      name: 'RelayBeijing',
      state: 'STARTING',
      vendorStatus: '未开始',
      adopted: false,
    });
    expect(sent.map((s) => `${s.method} ${action(s)} ${s.url.searchParams.get('Version')}`)).toEqual([
      'POST CreatePullToPushGroup 2023-01-01',
      'POST CreatePullToPushTask 2023-01-01',
    ]);
    expect(paced.calls).toBe(2);
    expect(JSON.parse(sent[0]!.body)).toEqual({
      Name: 'RelayBeijing',
      ProjectName: 'default',
      Tags: [
        { Key: REQUEST_ID_TAG, Value: request.requestId, Category: 'Custom' },
        { Key: 'event', Value: 'concert-2026-11-22', Category: 'Custom' },
      ],
    });
    expect(JSON.parse(sent[1]!.body)).toEqual({
      GroupName: 'RelayBeijing',
      Title: 'RelayBeijing',
      Type: 0,
      SrcAddr: 'rtmp://origin.example.com/live/concert',
      DstAddr: 'rtmp://push.example.com/live/concert',
      StartTime: NOW_S,
      EndTime: NOW_S + 7200,
      CallbackURL: 'https://hooks.example.com/volcengine/pull-to-push',
    });
    for (const request of sent) {
      expect(header(request, 'authorization')).toMatch(
        /^HMAC-SHA256 Credential=AKLTunittest0001\/20261122\/cn-north-1\/live\/request, SignedHeaders=host;x-content-sha256;x-date, Signature=[0-9a-f]{64}$/,
      );
      expect(verify(request)).toEqual({ ok: true });
    }
    expect(JSON.stringify(sent)).not.toContain(credentials.secretAccessKey);
  });

  it('records a future start as SCHEDULED', async () => {
    const { volc, sent } = client([ok('CreatePullToPushGroup'), ok('CreatePullToPushTask', { TaskId: 't1' })]);
    const created = await volc.createFlow(aVolcengineRequest({}, { startTime: NOW_S + 3600, durationSeconds: 600 }));
    expect(created).toMatchObject({ state: 'SCHEDULED', vendorStatus: '未开始' });
    expect(JSON.parse(sent[1]!.body)).toMatchObject({ StartTime: NOW_S + 3600, EndTime: NOW_S + 4200 });
  });

  it('treats HTTP 429 RequestLimitExceeded.Exist as "exists": adopts our group and its task', async () => {
    const request = aVolcengineRequest();
    const { volc, sent } = client([
      err(429, 'RequestLimitExceeded.Exist', 'the resource requested to be created already exists, please rename it'),
      ok('ListPullToPushGroup', {
        List: [{ Name: 'RelayBeijing', Tags: [{ Key: REQUEST_ID_TAG, Value: request.requestId }], Status: 0 }],
        Total: 1,
      }),
      tasks(task()),
    ]);
    expect(await volc.createFlow(request)).toEqual({
      flowId: 'RelayBeijing:t1',
      name: 'RelayBeijing',
      state: 'ACTIVE',
      vendorStatus: '生效中',
      adopted: true,
      // The list that found the task answered its addresses: no further read.
      connection: expect.objectContaining({ vendorDetail: { taskId: 't1', groupName: 'RelayBeijing' } }),
    });
    expect(sent.map(action)).toEqual(['CreatePullToPushGroup', 'ListPullToPushGroup', 'ListPullToPushTaskV2']);
    // V2: POST with the group filter in the body (the SDK's V1 no longer sends GroupName).
    expect(sent[2]!.method).toBe('POST');
    expect(JSON.parse(sent[2]!.body)).toEqual({ GroupNames: ['RelayBeijing'], Page: 1, Size: 500 });
  });

  it('adopts by title within our group only: a same-titled task of another group is never ours', async () => {
    const request = aVolcengineRequest();
    const { volc, sent } = client([
      err(429, 'RequestLimitExceeded.Exist'),
      ok('ListPullToPushGroup', {
        List: [{ Name: 'RelayBeijing', Tags: [{ Key: REQUEST_ID_TAG, Value: request.requestId }], Status: 0 }],
      }),
      tasks(task({ TaskId: 'foreign', GroupName: 'SomeoneElse' })),
      ok('CreatePullToPushTask', { TaskId: 't-ours' }),
    ]);
    expect(await volc.createFlow(request)).toMatchObject({ flowId: 'RelayBeijing:t-ours', adopted: true });
    expect(sent.map(action)).toEqual([
      'CreatePullToPushGroup',
      'ListPullToPushGroup',
      'ListPullToPushTaskV2',
      'CreatePullToPushTask',
    ]);
  });

  it('pages ListPullToPushTaskV2 to the end', async () => {
    const filler = Array.from({ length: 500 }, (_, i) => task({ TaskId: `other${i}`, Title: `Other${i}` }));
    const { volc, sent } = client([
      ok('ListPullToPushTaskV2', { List: filler, Pagination: { PageCur: 1, PageTotal: 2, TotalCount: 501 } }),
      ok('ListPullToPushTaskV2', { List: [task()], Pagination: { PageCur: 2, PageTotal: 2, TotalCount: 501 } }),
    ]);
    expect(await volc.describeFlow(aVolcengineRequest(), 'RelayBeijing:t1')).toMatchObject({ state: 'ACTIVE' });
    expect(sent.map((s) => JSON.parse(s.body).Page)).toEqual([1, 2]);
  });

  it('creates the missing task when our group exists without one (a lost answer between the two calls)', async () => {
    const request = aVolcengineRequest();
    const { volc, sent } = client([
      err(429, 'RequestLimitExceeded.Exist'),
      ok('ListPullToPushGroup', {
        List: [{ Name: 'RelayBeijing', Tags: [{ Key: REQUEST_ID_TAG, Value: request.requestId }] }],
      }),
      tasks(),
      ok('CreatePullToPushTask', { TaskId: 't2' }),
    ]);
    expect(await volc.createFlow(request)).toMatchObject({ flowId: 'RelayBeijing:t2', adopted: true });
    expect(sent.map(action)).toEqual([
      'CreatePullToPushGroup',
      'ListPullToPushGroup',
      'ListPullToPushTaskV2',
      'CreatePullToPushTask',
    ]);
  });

  it('refuses a group of the same name that is not ours: VendorConflict, never a throttle', async () => {
    const { volc } = client([
      err(429, 'RequestLimitExceeded.Exist'),
      ok('ListPullToPushGroup', { List: [{ Name: 'RelayBeijing', Tags: [{ Key: REQUEST_ID_TAG, Value: 'other' }] }] }),
    ]);
    await expect(volc.createFlow(aVolcengineRequest())).rejects.toMatchObject({
      name: 'VendorConflict',
      details: { vendorCode: 'RequestLimitExceeded.Exist', httpStatus: 429 },
    });
  });
});

describe('VolcengineLiveClient read and start', () => {
  it('maps the Chinese statuses: 生效中 ACTIVE, 未开始 SCHEDULED/STARTING by StartTime, 停用 and 已结束 ERROR', () => {
    expect(volcengineTaskState('生效中', NOW, NOW)).toBe('ACTIVE');
    expect(volcengineTaskState('未开始', NOW + 1000, NOW)).toBe('SCHEDULED');
    expect(volcengineTaskState('未开始', NOW, NOW)).toBe('STARTING');
    expect(volcengineTaskState('未开始', undefined, NOW)).toBe('STARTING');
    expect(volcengineTaskState('停用', NOW, NOW)).toBe('ERROR');
    expect(volcengineTaskState('已结束', NOW, NOW)).toBe('ERROR');
  });

  it('describes a task from ListPullToPushTaskV2, reading the RFC 3339 (UTC+8) StartTime', async () => {
    const { volc } = client([
      tasks(task({ TaskId: 'x' }), task({ TaskId: 't1', Status: '未开始', StartTime: formatBeijingTime(NOW_S + 60) })),
    ]);
    expect(await volc.describeFlow(aVolcengineRequest(), 'RelayBeijing:t1')).toEqual({
      flowId: 'RelayBeijing:t1',
      state: 'SCHEDULED',
      vendorStatus: '未开始',
      // The listed task answers its addresses too: the workflow spends no read on them.
      connection: expect.objectContaining({ vendorDetail: expect.objectContaining({ groupName: 'RelayBeijing' }) }),
    });
  });

  it('start is a read (no start action exists): one ListPullToPushTaskV2 call, no Restart', async () => {
    const { volc, sent } = client([tasks(task({ Status: '未开始', StartTime: formatBeijingTime(NOW_S - 1) }))]);
    expect(await volc.startFlow(aVolcengineRequest(), 'RelayBeijing:t1')).toMatchObject({ state: 'STARTING' });
    expect(sent.map(action)).toEqual(['ListPullToPushTaskV2']);
  });

  it('a task not listed yet is VendorUnavailable (retried), not a failure', async () => {
    const { volc } = client([tasks()]);
    await expect(volc.describeFlow(aVolcengineRequest(), 'RelayBeijing:t1')).rejects.toMatchObject({
      name: 'VendorUnavailable',
    });
  });

  it('rejects a flow id that is not <group>:<task>', async () => {
    expect(parseVolcengineFlowId('组A:abc')).toEqual({ groupName: '组A', taskId: 'abc' });
    const { volc } = client([]);
    await expect(volc.describeFlow(aVolcengineRequest(), 'no-separator')).rejects.toMatchObject({
      name: 'InvalidRequest',
    });
  });

  it('shares nothing and makes no call', async () => {
    const { volc, sent } = client([]);
    expect(await volc.grantEntitlements(aVolcengineRequest(), 'RelayBeijing:t1')).toEqual([]);
    expect(sent).toHaveLength(0);
  });

  it('stops, and deletes the task then its group, counting "already gone" as deleted', async () => {
    const { volc, sent } = client([
      ok('StopPullToPushTask'),
      err(404, 'ResourceNotFound'),
      ok('DeletePullToPushGroup'),
    ]);
    expect(await volc.stopFlow(aVolcengineRequest(), 'RelayBeijing:t1')).toMatchObject({ vendorStatus: '停用' });
    await volc.deleteFlow(aVolcengineRequest(), 'RelayBeijing:t1');
    expect(sent.map((s) => [action(s), JSON.parse(s.body)])).toEqual([
      ['StopPullToPushTask', { TaskId: 't1', GroupName: 'RelayBeijing' }],
      ['DeletePullToPushTask', { TaskId: 't1', GroupName: 'RelayBeijing' }],
      ['DeletePullToPushGroup', { Name: 'RelayBeijing' }],
    ]);
  });
});

describe('VolcengineLiveClient error mapping', () => {
  // Every code of docs/vendors/volcengine-live.md, "Errors" with the status Volcengine answers it with.
  const cases: [number, string, string][] = [
    [200, 'CommonErr', 'VendorUnavailable'],
    [400, 'InvalidParam', 'VendorRejected'],
    [400, 'InvalidParam.BindError', 'VendorRejected'],
    [403, 'RequestForbidden', 'VendorAuthFailed'],
    [403, 'RequestForbidden.AccountIDNotAllow', 'VendorAuthFailed'],
    [404, 'ResourceNotFound', 'VendorRejected'],
    [429, 'RequestLimitExceeded.Exist', 'VendorConflict'],
    [500, 'InternalError', 'VendorUnavailable'],
    [500, 'InternalError.DB', 'VendorUnavailable'],
    [502, 'InternalServiceError', 'VendorUnavailable'],
    [502, 'InternalServiceError.BadResponse', 'VendorUnavailable'],
    [504, 'InternalServiceTimeout', 'VendorUnavailable'],
    [429, 'FlowLimitExceeded', 'VendorThrottled'],
    [400, 'MissingParameter', 'VendorRejected'],
    [401, 'MissingAuthenticationToken', 'VendorAuthFailed'],
    [400, 'MissingRequestInfo', 'VendorRejected'],
    [401, 'MissingSignature', 'VendorAuthFailed'],
    [400, 'InvalidTimestamp', 'VendorAuthFailed'],
    [404, 'ServiceNotFound', 'VendorRejected'],
    [404, 'InvalidActionOrVersion', 'VendorRejected'],
    [401, 'InvalidAccessKey', 'VendorAuthFailed'],
    [401, 'SignatureDoesNotMatch', 'VendorAuthFailed'],
    [403, 'LackPolicy', 'VendorAuthFailed'],
    [403, 'AccessDenied', 'VendorAuthFailed'],
  ];
  for (const [status, code, expected] of cases) {
    it(`HTTP ${status} ${code} → ${expected}`, async () => {
      const { volc } = client([err(status, code)]);
      const error = await volc.describeFlow(aVolcengineRequest(), 'RelayBeijing:t1').catch((e: unknown) => e);
      expect(error).toMatchObject({
        name: expected,
        details: {
          vendor: 'volcengine-live',
          operation: 'ListPullToPushTaskV2',
          httpStatus: status,
          vendorCode: code,
          vendorRequestId: 'req-e',
        },
      });
    });
  }

  it('the 429 trap: "exists" is a conflict, an undocumented RequestLimitExceeded code would throttle', () => {
    expect(volcengineError(429, 'RequestLimitExceeded.Exist', 'm', {}).name).toBe('VendorConflict');
    expect(volcengineError(429, 'RequestLimitExceeded', 'm', {}).name).toBe('VendorThrottled');
    expect(volcengineError(429, 'FlowLimitExceeded', 'm', {}).name).toBe('VendorThrottled');
  });

  it('success is "no ResponseMetadata.Error", whatever the status says', async () => {
    const { volc } = client([err(200, 'CommonErr')]);
    await expect(volc.describeFlow(aVolcengineRequest(), 'RelayBeijing:t1')).rejects.toMatchObject({
      name: 'VendorUnavailable',
      details: { httpStatus: 200, vendorCode: 'CommonErr' },
    });
    expect(volcengineError(200, 'SomethingNew', 'm', {}).name).toBe('VendorUnavailable');
    expect(volcengineError(400, 'InvalidParam.Something', 'm', {}).name).toBe('VendorRejected');
    expect(volcengineError(403, 'RequestForbidden.Other', 'm', {}).name).toBe('VendorAuthFailed');
  });

  it('answers without the envelope fall back to the status', async () => {
    const bad = client([{ status: 502, raw: '<html>bad gateway</html>' }]);
    await expect(bad.volc.describeFlow(aVolcengineRequest(), 'RelayBeijing:t1')).rejects.toMatchObject({
      name: 'VendorUnavailable',
    });
    const forbidden = client([{ status: 403, raw: 'Forbidden' }]);
    await expect(forbidden.volc.describeFlow(aVolcengineRequest(), 'RelayBeijing:t1')).rejects.toMatchObject({
      name: 'VendorAuthFailed',
    });
  });

  it('turns a timeout or a reset connection into VendorUnavailable', async () => {
    const hang = client(['hang'], { callTimeoutMs: 30 });
    await expect(hang.volc.describeFlow(aVolcengineRequest(), 'RelayBeijing:t1')).rejects.toMatchObject({
      name: 'VendorUnavailable',
      message: expect.stringContaining('no answer within 30 ms'),
    });
    const reset = client(['reset']);
    await expect(reset.volc.describeFlow(aVolcengineRequest(), 'RelayBeijing:t1')).rejects.toMatchObject({
      name: 'VendorUnavailable',
    });
  });
});

describe('VolcengineLiveClient.fromEnv', () => {
  it('fails fast naming every missing variable', () => {
    expect(() => VolcengineLiveClient.fromEnv({})).toThrow(
      'missing Volcengine credentials: set VOLCENGINE_ACCESS_KEY, VOLCENGINE_SECRET_KEY',
    );
  });

  it('defaults to the documented host and honours VENDOR_ENDPOINT_VOLCENGINE_LIVE', async () => {
    const env = { VOLCENGINE_ACCESS_KEY: 'ak', VOLCENGINE_SECRET_KEY: 'sk' };
    const fake = recordingFetch(() => tasks(task()));
    await VolcengineLiveClient.fromEnv(env, { fetch: fake.fetch }).describeFlow(
      aVolcengineRequest(),
      'RelayBeijing:t1',
    );
    await VolcengineLiveClient.fromEnv(
      { ...env, VENDOR_ENDPOINT_VOLCENGINE_LIVE: 'http://127.0.0.1:4998' },
      { fetch: fake.fetch },
    ).describeFlow(aVolcengineRequest(), 'RelayBeijing:t1');
    expect(fake.sent.map((s) => s.url.origin)).toEqual(['https://live.volcengineapi.com', 'http://127.0.0.1:4998']);
  });
});
