import { describe, expect, it } from 'vitest';
import { parseRawQuery } from '../../../functions/vendors/hmac-signing.ts';
import {
  HuaweiLiveClient,
  huaweiEndpointFor,
  huaweiError,
  huaweiFlowName,
  huaweiFlowState,
  huaweiIdentityMarker,
} from '../../../functions/vendors/huawei-live/client.ts';
import { HUAWEI_ALREADY_EXISTS } from '../../../functions/vendors/huawei-live/errors.ts';
import { verifyHuaweiSignature } from '../../../local/emulators/huawei-live.ts';
import {
  type Answer,
  aHuaweiRequest,
  countingPace,
  header,
  type Sent,
  scriptedAnswers,
} from '../../helpers/live-vendors.ts';

const credentials = { accessKey: 'HWUNITTESTAK0000001', secretKey: 'unit/secret-never-logged' };
const projectId = '0a1b2c3d4e5f40718293a4b5c6d7e8f9';
const NOW = Date.UTC(2026, 10, 22, 8, 0, 0);
const ENDPOINT = new URL('http://127.0.0.1:4010');

function client(answers: Answer[], options: Partial<ConstructorParameters<typeof HuaweiLiveClient>[0]> = {}) {
  const fake = scriptedAnswers(...answers);
  const { pace, counter } = countingPace();
  const huawei = new HuaweiLiveClient({
    credentials,
    projectId,
    endpoint: ENDPOINT,
    fetch: fake.fetch,
    now: () => NOW,
    pace,
    ...options,
  });
  return { huawei, sent: fake.sent, paced: counter };
}

const detailOf = (overrides: Record<string, unknown> = {}) => ({
  flow_id: 'f-1',
  name: huaweiFlowName(aHuaweiRequest()),
  region: 'ap-southeast-1',
  status: 'STANDBY',
  sources: [{ name: 'venue-encoder', description: `Main encoder ${huaweiIdentityMarker(aHuaweiRequest().requestId)}` }],
  outputs: [],
  ...overrides,
});
const emptyListing: Answer = { json: { total: 0, flows: [] } };
const huaweiErrorAnswer = (status: number, code: string, msg = 'message'): Answer => ({
  status,
  json: { error_code: code, error_msg: msg },
});

function verify(request: Sent) {
  return verifyHuaweiSignature(
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

describe('HuaweiLiveClient requests', () => {
  it('creates the flow with a signed POST carrying the request identity in the name and every source', async () => {
    const { huawei, sent, paced } = client([emptyListing, { status: 201, json: { flow: detailOf() } }]);
    const request = aHuaweiRequest();
    const created = await huawei.createFlow(request);

    expect(created).toMatchObject({
      flowId: 'f-1',
      name: `concert-hongkong-${request.requestId}`,
      state: 'STANDBY',
      vendorStatus: 'STANDBY',
      adopted: false,
      connection: { outputs: [] },
    });
    const [list, post] = sent;
    // Whether Huawei refuses a duplicate flow name is undocumented: it looks for ours before it creates.
    expect(`${list!.method} ${list!.url.pathname}`).toBe(`GET /v1/${projectId}/flows`);
    expect(post!.method).toBe('POST');
    expect(post!.url.pathname).toBe(`/v1/${projectId}/flows`);
    expect(header(post!, 'x-project-id')).toBe(projectId);
    expect(header(post!, 'x-sdk-date')).toBe('20261122T080000Z');
    expect(header(post!, 'authorization')).toMatch(
      /^SDK-HMAC-SHA256 Access=HWUNITTESTAK0000001, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=[0-9a-f]{64}$/,
    );
    expect(verify(post!)).toEqual({ ok: true });
    expect(JSON.parse(post!.body)).toEqual({
      name: `concert-hongkong-${request.requestId}`,
      region: 'ap-southeast-1',
      sources: [
        {
          name: 'venue-encoder',
          protocol: 'srt-listener',
          min_latency: 1200,
          cidr_whitelist: ['203.0.113.0/24'],
          description: `Main encoder at the venue [flow-provisioner:request-id=${request.requestId}]`,
        },
      ],
    });
    expect(paced.calls).toBe(sent.length);
  });

  it('never puts the secret key on the wire', async () => {
    const { huawei, sent } = client([emptyListing, { status: 201, json: { flow: detailOf() } }]);
    await huawei.createFlow(aHuaweiRequest());
    expect(JSON.stringify(sent)).not.toContain(credentials.secretKey);
  });

  it('uses the documented regional host when no endpoint is configured', async () => {
    const { huawei, sent } = client([{ json: detailOf() }], { endpoint: undefined });
    await huawei.describeFlow(aHuaweiRequest(), 'f-1');
    expect(sent[0]!.url.origin).toBe('https://live.ap-southeast-1.myhuaweicloud.com');
    expect(huaweiEndpointFor('cn-north-4').host).toBe('live.cn-north-4.myhuaweicloud.com');
    expect(sent[0]!.url.search).toBe('?flow_id=f-1');
  });

  it('shares outputs as one JSON array in snake_case', async () => {
    const { huawei, sent } = client([{ json: { flow_id: 'f-1', outputs: [{ name: 'partner-pull' }] } }]);
    const granted = await huawei.grantEntitlements(aHuaweiRequest(), 'f-1');
    expect(granted).toEqual([
      {
        name: 'partner-pull',
        id: 'partner-pull',
        output: {
          name: 'partner-pull',
          protocol: 'srt-listener',
          port: 9001,
          allowedCidrs: ['198.51.100.0/24'],
          mode: 'pull',
        },
      },
    ]);
    expect(sent[0]!.url.pathname).toBe(`/v1/${projectId}/flows/outputs`);
    expect(sent[0]!.url.searchParams.get('flow_id')).toBe('f-1');
    expect(JSON.parse(sent[0]!.body)).toEqual([
      {
        name: 'partner-pull',
        protocol: 'srt-listener',
        port: 9001,
        cidr_whitelist: ['198.51.100.0/24'],
        description: 'Rights holder pulls the program feed',
      },
    ]);
  });

  it('makes no call to share when the request has no outputs', async () => {
    const { huawei, sent } = client([]);
    expect(await huawei.grantEntitlements(aHuaweiRequest({ entitlements: [] }), 'f-1')).toEqual([]);
    expect(sent).toHaveLength(0);
  });
});

describe('HuaweiLiveClient states', () => {
  it('maps the documented statuses, anything unknown as a transition', () => {
    expect(huaweiFlowState('ACTIVE')).toBe('ACTIVE');
    expect(huaweiFlowState('STANDBY')).toBe('STANDBY');
    expect(huaweiFlowState('STARTING')).toBe('STARTING');
    expect(huaweiFlowState('ERROR')).toBe('ERROR');
  });

  it('reports a start answered STANDBY as STARTING, so the workflow waits for ACTIVE', async () => {
    const { huawei, sent } = client([{ json: { status: 'STANDBY', flow_id: 'f-1' } }, { json: { status: 'ACTIVE' } }]);
    expect(await huawei.startFlow(aHuaweiRequest(), 'f-1')).toEqual({
      flowId: 'f-1',
      state: 'STARTING',
      vendorStatus: 'STANDBY',
    });
    expect(await huawei.startFlow(aHuaweiRequest(), 'f-1')).toMatchObject({ state: 'ACTIVE' });
    expect(sent[0]!.method).toBe('PUT');
    expect(sent[0]!.url.pathname).toBe(`/v1/${projectId}/flows/start`);
    expect(sent[0]!.body).toBe('');
    expect(header(sent[0]!, 'content-type')).toBe('application/json');
  });

  it('treats start as desired state: refused because already running → reads and answers ACTIVE', async () => {
    const { huawei } = client([huaweiErrorAnswer(400, 'LIVE.103011022'), { json: detailOf({ status: 'ACTIVE' }) }]);
    expect(await huawei.startFlow(aHuaweiRequest(), 'f-1')).toMatchObject({ state: 'ACTIVE' });
  });

  it('keeps the refusal when the flow is in fact still STANDBY', async () => {
    const { huawei } = client([huaweiErrorAnswer(400, 'LIVE.103011022'), { json: detailOf() }]);
    await expect(huawei.startFlow(aHuaweiRequest(), 'f-1')).rejects.toMatchObject({
      name: 'VendorRejected',
      details: { vendorCode: 'LIVE.103011022' },
    });
  });

  it('counts a flow already deleted (404) as deleted', async () => {
    const { huawei } = client([huaweiErrorAnswer(404, 'LIVE.100011001')]);
    await expect(huawei.deleteFlow(aHuaweiRequest(), 'f-1')).resolves.toBeUndefined();
  });
});

describe('HuaweiLiveClient get-or-create', () => {
  const request = aHuaweiRequest();
  const ourName = huaweiFlowName(request);
  const listing = (flows: { flow_id: string; name: string }[], total = flows.length): Answer => ({
    json: { total, flows: flows.map((f) => ({ ...f, status: 'STANDBY', region: 'ap-southeast-1' })) },
  });

  it('adopts the existing flow when it carries our marker, without creating', async () => {
    const { huawei, sent } = client([
      listing([
        { flow_id: 'other', name: 'someone-else' },
        { flow_id: 'f-1', name: ourName },
      ]),
      { json: detailOf() },
    ]);
    expect(await huawei.createFlow(request)).toEqual({
      flowId: 'f-1',
      name: ourName,
      state: 'STANDBY',
      vendorStatus: 'STANDBY',
      adopted: true,
      // The detail that proved the flow ours is where its connection comes from (this one's sources name no address).
      connection: { outputs: [] },
    });
    expect(sent.map((s) => `${s.method} ${s.url.pathname}`)).toEqual([
      `GET /v1/${projectId}/flows`,
      `GET /v1/${projectId}/flows/detail`,
    ]);
    expect(sent[0]!.url.searchParams.get('limit')).toBe('100');
  });

  it('adopts a flow that appeared between its look and its create (LIVE.103011018), by looking again', async () => {
    const { huawei, sent } = client([
      emptyListing,
      huaweiErrorAnswer(400, HUAWEI_ALREADY_EXISTS, 'The resource already exists.'),
      listing([{ flow_id: 'f-1', name: ourName }]),
      { json: detailOf() },
    ]);
    expect(await huawei.createFlow(request)).toMatchObject({ flowId: 'f-1', adopted: true });
    expect(sent.map((s) => `${s.method} ${s.url.pathname}`)).toEqual([
      `GET /v1/${projectId}/flows`,
      `POST /v1/${projectId}/flows`,
      `GET /v1/${projectId}/flows`,
      `GET /v1/${projectId}/flows/detail`,
    ]);
  });

  it('refuses a same-named flow without our marker: VendorConflict', async () => {
    const { huawei, sent } = client([
      listing([{ flow_id: 'f-9', name: ourName }]),
      { json: detailOf({ flow_id: 'f-9', sources: [{ name: 'x', description: 'made by hand' }] }) },
    ]);
    await expect(huawei.createFlow(request)).rejects.toMatchObject({
      name: 'VendorConflict',
      message: expect.stringContaining('not this request'),
    });
    expect(sent.filter((s) => s.method === 'POST')).toEqual([]);
  });

  it('reports a conflict on something other than the name when no flow has our name', async () => {
    const { huawei } = client([emptyListing, huaweiErrorAnswer(400, HUAWEI_ALREADY_EXISTS), listing([])]);
    await expect(huawei.createFlow(request)).rejects.toMatchObject({ name: 'VendorConflict' });
  });

  it('pages through ListFlows, then refuses to create after maxListPages', async () => {
    const page = (offset: number) =>
      listing(
        Array.from({ length: 100 }, (_, i) => ({ flow_id: `x${offset + i}`, name: `x${offset + i}` })),
        1000,
      );
    const { huawei, sent } = client([page(0), page(100)], { maxListPages: 2 });
    await expect(huawei.createFlow(request)).rejects.toMatchObject({
      name: 'VendorConflict',
      message: expect.stringContaining('more than 200 flows'),
    });
    expect(sent.map((s) => s.url.searchParams.get('offset'))).toEqual(['0', '100']);
  });

  it('adopts outputs that already exist on our flow, and refuses when one is missing', async () => {
    const ok = client([
      huaweiErrorAnswer(400, HUAWEI_ALREADY_EXISTS),
      { json: detailOf({ outputs: [{ name: 'partner-pull', type: 'srt-listener' }] }) },
    ]);
    expect(await ok.huawei.grantEntitlements(request, 'f-1')).toMatchObject([
      { name: 'partner-pull', id: 'partner-pull', output: { name: 'partner-pull', port: 9001 } },
    ]);
    const missing = client([huaweiErrorAnswer(400, HUAWEI_ALREADY_EXISTS), { json: detailOf({ outputs: [] }) }]);
    await expect(missing.huawei.grantEntitlements(request, 'f-1')).rejects.toMatchObject({ name: 'VendorConflict' });
  });
});

describe('HuaweiLiveClient error mapping', () => {
  // Every code of docs/vendors/huawei-live.md, "Errors", plus the gateway's, with the status Huawei answers it with.
  const cases: [number, string, string][] = [
    [400, 'LIVE.100011001', 'VendorRejected'],
    [400, 'LIVE.103011018', 'VendorConflict'],
    [400, 'LIVE.100011004', 'VendorRejected'],
    [400, 'LIVE.100011006', 'VendorUnavailable'],
    [400, 'LIVE.100011008', 'VendorUnavailable'],
    [400, 'LIVE.100011013', 'VendorRejected'],
    [400, 'LIVE.103011021', 'VendorUnavailable'],
    [400, 'LIVE.103011022', 'VendorRejected'],
    [401, 'LIVE.100011003', 'VendorAuthFailed'],
    [401, 'APIG.0301', 'VendorAuthFailed'],
    [401, 'APIGW.0301', 'VendorAuthFailed'],
    [429, 'APIG.0308', 'VendorThrottled'],
    [429, 'APIGW.0308', 'VendorThrottled'],
    [404, 'APIG.0101', 'VendorRejected'],
    [502, 'APIG.0202', 'VendorUnavailable'],
    [504, 'APIG.0203', 'VendorUnavailable'],
  ];
  for (const [status, code, expected] of cases) {
    it(`HTTP ${status} ${code} → ${expected}`, async () => {
      const { huawei } = client([huaweiErrorAnswer(status, code)]);
      const error = await huawei.describeFlow(aHuaweiRequest(), 'f-1').catch((e: unknown) => e);
      expect(error).toMatchObject({
        name: expected,
        details: { vendor: 'huawei-live', operation: 'ShowFlowDetail', httpStatus: status, vendorCode: code },
      });
    });
  }

  it('decides by the code, not the status: APIG.0308 throttles even with a 400', () => {
    expect(huaweiError(400, { error_code: 'APIG.0308' }, {}).name).toBe('VendorThrottled');
    expect(huaweiError(429, { error_code: 'LIVE.100011001' }, {}).name).toBe('VendorRejected');
  });

  it('falls back to the status for unknown codes and bodies that are not Huawei errors', async () => {
    expect(huaweiError(503, { error_code: 'LIVE.999' }, {}).name).toBe('VendorUnavailable');
    expect(huaweiError(403, undefined, {}).name).toBe('VendorAuthFailed');
    expect(huaweiError(418, undefined, {}).name).toBe('VendorRejected');
    const { huawei } = client([{ status: 502, raw: '<html>Bad Gateway</html>' }]);
    await expect(huawei.describeFlow(aHuaweiRequest(), 'f-1')).rejects.toMatchObject({ name: 'VendorUnavailable' });
  });

  it('treats a 2xx it cannot read as VendorUnavailable, not as success', async () => {
    const { huawei } = client([{ json: { unexpected: true } }]);
    await expect(huawei.describeFlow(aHuaweiRequest(), 'f-1')).rejects.toMatchObject({
      name: 'VendorUnavailable',
      message: expect.stringContaining('unexpected answer'),
    });
  });

  it('turns a timeout or a reset connection into VendorUnavailable', async () => {
    const hang = client(['hang'], { callTimeoutMs: 30 });
    await expect(hang.huawei.describeFlow(aHuaweiRequest(), 'f-1')).rejects.toMatchObject({
      name: 'VendorUnavailable',
      message: expect.stringContaining('no answer within 30 ms'),
    });
    const reset = client(['reset']);
    await expect(reset.huawei.describeFlow(aHuaweiRequest(), 'f-1')).rejects.toMatchObject({
      name: 'VendorUnavailable',
      message: expect.stringContaining('ECONNRESET'),
    });
  });
});

describe('HuaweiLiveClient.fromEnv', () => {
  it('fails fast naming every missing variable', () => {
    expect(() => HuaweiLiveClient.fromEnv({ HUAWEICLOUD_SDK_AK: 'ak' })).toThrow(
      'missing Huawei Cloud credentials: set HUAWEICLOUD_SDK_SK, HUAWEICLOUD_PROJECT_ID',
    );
  });

  it('reads the endpoint override and rejects one that is not a URL', async () => {
    const env = { HUAWEICLOUD_SDK_AK: 'ak', HUAWEICLOUD_SDK_SK: 'sk', HUAWEICLOUD_PROJECT_ID: projectId };
    expect(() => HuaweiLiveClient.fromEnv({ ...env, VENDOR_ENDPOINT_HUAWEI_LIVE: 'not a url' })).toThrow(
      'VENDOR_ENDPOINT_HUAWEI_LIVE is not a URL',
    );
    const fake = scriptedAnswers({ json: detailOf() });
    const huawei = HuaweiLiveClient.fromEnv(
      { ...env, VENDOR_ENDPOINT_HUAWEI_LIVE: 'http://127.0.0.1:4999' },
      { fetch: fake.fetch },
    );
    await huawei.describeFlow(aHuaweiRequest(), 'f-1');
    expect(fake.sent[0]!.url.origin).toBe('http://127.0.0.1:4999');
  });

  it('refuses a request of another vendor', async () => {
    const { huawei } = client([]);
    const wrong = { ...aHuaweiRequest(), vendor: 'aws-mediaconnect' } as never;
    await expect(huawei.createFlow(wrong)).rejects.toMatchObject({ name: 'InvalidRequest' });
  });
});
