import { describe, expect, it } from 'vitest';
import {
  InvalidRequestError,
  VendorAuthFailedError,
  VendorConflictError,
  VendorRejectedError,
  VendorThrottledError,
  VendorUnavailableError,
} from '../../../functions/domain/errors.ts';
import { sha256Hex } from '../../../functions/vendors/alibaba/signer.ts';
import {
  AlibabaCamsClient,
  CAMS_API_VERSION,
  CAMS_LIST_PAGE_SIZE,
  camsFlowName,
  camsFlowState,
} from '../../../functions/vendors/alibaba-cams/client.ts';
import {
  type Answer,
  camsError,
  camsOk,
  camsRequest,
  countingPace,
  fetchByAction,
  gatewayError,
  scriptedFetch,
  TEST_CREDENTIALS,
} from '../../helpers/alibaba.ts';

function client(
  fetchFn: typeof fetch,
  extra: { pace?: ReturnType<typeof countingPace>['pace']; callTimeoutMs?: number } = {},
) {
  let n = 0;
  return new AlibabaCamsClient({
    credentials: TEST_CREDENTIALS,
    fetch: fetchFn,
    now: () => Date.parse('2026-11-22T08:00:00Z'),
    nonce: () => `nonce-${++n}`,
    callTimeoutMs: extra.callTimeoutMs ?? 1000,
    ...(extra.pace ? { pace: extra.pace } : {}),
  });
}

const FLOW_ID = '333993838001';
const request = camsRequest();
const ourName = camsFlowName(request);

describe('AlibabaCamsClient', () => {
  it('looks the name up and creates the flow, leaving its JSON asset to completeFlow: form bodies, one paced call each', async () => {
    const { fetch, sent } = fetchByAction({
      ListFlow: camsOk([]),
      CreateFlow: camsOk({ FlowId: FLOW_ID, FlowName: ourName, Categories: ['SURVEY', 'CUSTOMER_SUPPORT'] }),
      UpdateFlowJSONAsset: camsOk({ FlowId: FLOW_ID }),
    });
    const { pace, counter } = countingPace();
    const c = client(fetch, { pace });
    const created = await c.createFlow(request);
    // The asset is a step of its own (`completed: false`), uploaded by completeFlow in a lane of its own.
    expect(await c.completeFlow(request, FLOW_ID, { firstTry: true })).toBeUndefined();

    expect(created).toEqual({
      flowId: FLOW_ID,
      name: 'ticket-survey-evt-2026-11-22-ticket-survey',
      state: 'STANDBY',
      vendorStatus: 'DRAFT',
      adopted: false,
      // CreateFlow answers only the id: the connection is it and what the request set, with no read.
      connection: {
        outputs: [],
        vendorDetail: {
          flowId: FLOW_ID,
          flowName: 'ticket-survey-evt-2026-11-22-ticket-survey',
          custSpaceId: 'cams-space-live-ops',
        },
      },
      completed: false,
    });
    expect(sent.map((r) => r.action)).toEqual(['ListFlow', 'CreateFlow', 'UpdateFlowJSONAsset']);
    expect(counter.calls).toBe(3);
    const [list, create, asset] = sent;
    for (const r of sent) {
      expect(r.url.toString()).toBe('https://cams.ap-southeast-1.aliyuncs.com/');
      expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(r.headers['x-acs-version']).toBe(CAMS_API_VERSION);
      expect(r.headers['x-acs-content-sha256']).toBe(sha256Hex(r.body));
    }
    expect(list!.params).toEqual({
      FlowName: ourName,
      Page: JSON.stringify({ Index: 1, Size: CAMS_LIST_PAGE_SIZE }),
      CustSpaceId: 'cams-space-live-ops',
    });
    // Categories travel as one JSON-string form field, as the official SDK sends them.
    expect(create!.params).toEqual({
      FlowName: ourName,
      Categories: '["SURVEY","CUSTOMER_SUPPORT"]',
      CustSpaceId: 'cams-space-live-ops',
    });
    expect(create!.body).toContain('Categories=%5B%22SURVEY%22%2C%22CUSTOMER_SUPPORT%22%5D');
    expect(asset!.params).toEqual({
      FlowId: FLOW_ID,
      FilePath: 'https://assets.example.com/flows/ticket-survey.json',
      CustSpaceId: 'cams-space-live-ops',
    });
  });

  it('skips the asset upload when the request has none', async () => {
    const { fetch, sent } = fetchByAction({ ListFlow: camsOk([]), CreateFlow: camsOk({ FlowId: FLOW_ID }) });
    const flow = { ...request.flow } as Record<string, unknown>;
    delete flow.jsonAsset;
    // Without a flow JSON the flow can only stay a draft: CAMS publishes nothing without one.
    const noAsset = camsRequest({ flow, start: false });
    const c = client(fetch);
    const created = await c.createFlow(noAsset);
    expect(created.completed).toBeUndefined();
    expect(await c.completeFlow(noAsset, FLOW_ID, { firstTry: false })).toBeUndefined();
    expect(sent.map((r) => r.action)).toEqual(['ListFlow', 'CreateFlow']);
  });

  it("adopts an exact-name flow without reading it (GetFlow is the read lane's), its asset uploaded again by completeFlow", async () => {
    const { fetch, sent } = fetchByAction({
      ListFlow: camsOk([
        { FlowId: '1', FlowName: `${ourName}-copy` },
        { FlowId: FLOW_ID, FlowName: ourName },
      ]),
      UpdateFlowJSONAsset: camsOk({ FlowId: FLOW_ID }),
    });
    const c = client(fetch);
    const created = await c.createFlow(request);
    expect(created).toMatchObject({ flowId: FLOW_ID, adopted: true, vendorStatus: 'UNREAD', completed: false });
    expect(sent.map((r) => r.action)).toEqual(['ListFlow']);
    await c.completeFlow(request, created.flowId, { firstTry: false });
    expect(sent.map((r) => r.action)).toEqual(['ListFlow', 'UpdateFlowJSONAsset']);
    expect(sent[1]!.params).toMatchObject({ FlowId: FLOW_ID });
  });

  it('leaves a repeated step\'s flow past its draft as it is: the refused upload stands for "it has its asset"', async () => {
    const { fetch, sent } = fetchByAction({
      UpdateFlowJSONAsset: camsError(400, 'Flow.StatusInvalid', 'flow is not a draft'),
    });
    expect(await client(fetch).completeFlow(request, FLOW_ID, { firstTry: false })).toBeUndefined();
    expect(sent.map((r) => r.action)).toEqual(['UpdateFlowJSONAsset']);
  });

  it("keeps a refused upload an error on the step's first try on a flow it created", async () => {
    const { fetch } = fetchByAction({
      UpdateFlowJSONAsset: camsError(400, 'Flow.StatusInvalid', 'flow JSON asset is invalid'),
    });
    await expect(client(fetch).completeFlow(request, FLOW_ID, { firstTry: true })).rejects.toBeInstanceOf(
      VendorRejectedError,
    );
  });

  it('does not pass a throttled upload, first try or not: the step is retried', async () => {
    const { fetch } = fetchByAction({ UpdateFlowJSONAsset: camsError(400, 'System.LimitControl') });
    for (const firstTry of [true, false]) {
      await expect(client(fetch).completeFlow(request, FLOW_ID, { firstTry })).rejects.toBeInstanceOf(
        VendorThrottledError,
      );
    }
  });

  it('creates a new flow when only near-namesakes exist, reading further pages of a full one', async () => {
    const fullPage = Array.from({ length: CAMS_LIST_PAGE_SIZE }, (_, i) => ({
      FlowId: `x${i}`,
      FlowName: `${ourName}-${i}`,
    }));
    const { fetch, sent } = fetchByAction({
      ListFlow: (r) => (JSON.parse(r.params.Page!).Index === 1 ? camsOk(fullPage) : camsOk([])),
      CreateFlow: camsOk({ FlowId: FLOW_ID }),
    });
    expect(await client(fetch).createFlow(request)).toMatchObject({ flowId: FLOW_ID, adopted: false });
    expect(sent.map((r) => r.action)).toEqual(['ListFlow', 'ListFlow', 'CreateFlow']);
  });

  it('reports a name the vendor says is taken, but that no listing showed, as a conflict', async () => {
    const { fetch } = fetchByAction({
      ListFlow: camsOk([]),
      CreateFlow: camsError(400, 'Flow.NameExists', 'Flow name already exists'),
    });
    await expect(client(fetch).createFlow(request)).rejects.toBeInstanceOf(VendorConflictError);
  });

  it('publishes to start and lets the workflow poll GetFlow until PUBLISHED', async () => {
    const { fetch, sent } = fetchByAction({
      PublishFlow: camsOk(),
      GetFlow: camsOk({ FlowId: FLOW_ID, Status: 'PUBLISHED' }),
    });
    const c = client(fetch);
    expect(await c.startFlow(request, FLOW_ID)).toEqual({
      flowId: FLOW_ID,
      state: 'STARTING',
      vendorStatus: 'PUBLISH_REQUESTED',
    });
    expect(sent[0]!.params).toEqual({ FlowId: FLOW_ID, CustSpaceId: 'cams-space-live-ops' });
    expect(await c.describeFlow(request, FLOW_ID)).toEqual({
      flowId: FLOW_ID,
      state: 'ACTIVE',
      vendorStatus: 'PUBLISHED',
    });
  });

  it('answers a refused repeated publish as STARTING, for the read lane to confirm (a retry after a lost answer)', async () => {
    const { fetch, sent } = fetchByAction({ PublishFlow: camsError(400, 'Flow.StatusInvalid', 'flow is not a draft') });
    expect(await client(fetch).startFlow(request, FLOW_ID, { firstTry: false })).toEqual({
      flowId: FLOW_ID,
      state: 'STARTING',
      vendorStatus: 'PUBLISH_REPEATED',
    });
    expect(sent.map((r) => r.action)).toEqual(['PublishFlow']);
  });

  it("keeps a refused publish an error on the step's first try: nothing of its own can have published it", async () => {
    const { fetch, sent } = fetchByAction({
      PublishFlow: camsError(400, 'Flow.StatusInvalid', 'flow JSON has errors'),
    });
    const error = await client(fetch)
      .startFlow(request, FLOW_ID, { firstTry: true })
      .catch((e) => e);
    expect(error).toBeInstanceOf(VendorRejectedError);
    expect(error.details.vendorCode).toBe('Flow.StatusInvalid');
    expect(sent.map((r) => r.action)).toEqual(['PublishFlow']);
  });

  it('does not look further when the publish was throttled', async () => {
    const { fetch, sent } = fetchByAction({ PublishFlow: camsError(400, 'System.LimitControl') });
    await expect(client(fetch).startFlow(request, FLOW_ID)).rejects.toBeInstanceOf(VendorThrottledError);
    expect(sent).toHaveLength(1);
  });

  it('maps CAMS statuses onto ours', () => {
    expect(camsFlowState('DRAFT')).toBe('STANDBY');
    expect(camsFlowState('PUBLISHED')).toBe('ACTIVE');
    expect(camsFlowState('DEPRECATED')).toBe('ERROR');
    expect(camsFlowState('SOMETHING_NEW')).toBe('STARTING');
  });

  it('stops a published flow with DeprecateFlow (read first: desired state) and deletes with DeleteFlow', async () => {
    const { fetch, sent } = fetchByAction({
      GetFlow: camsOk({ FlowId: FLOW_ID, FlowName: 'n', Status: 'PUBLISHED' }),
      DeprecateFlow: camsOk(),
      DeleteFlow: camsOk(),
    });
    const c = client(fetch);
    expect(await c.stopFlow(request, FLOW_ID)).toEqual({ flowId: FLOW_ID, state: 'ERROR', vendorStatus: 'DEPRECATED' });
    await c.deleteFlow(request, FLOW_ID);
    expect(sent.map((r) => [r.action, r.params.FlowId])).toEqual([
      ['GetFlow', FLOW_ID],
      ['DeprecateFlow', FLOW_ID],
      ['DeleteFlow', FLOW_ID],
    ]);
  });

  it('leaves a DRAFT flow as it is on stop (deprecating it would make it undeletable)', async () => {
    const { fetch, sent } = fetchByAction({ GetFlow: camsOk({ FlowId: FLOW_ID, FlowName: 'n', Status: 'DRAFT' }) });
    expect(await client(fetch).stopFlow(request, FLOW_ID)).toEqual({
      flowId: FLOW_ID,
      state: 'STANDBY',
      vendorStatus: 'DRAFT',
    });
    expect(sent.map((r) => r.action)).toEqual(['GetFlow']);
  });

  it('shares nothing and makes no call', async () => {
    const { fetch, sent } = scriptedFetch(() => {
      throw new Error('no call expected');
    });
    expect(await client(fetch).grantEntitlements(request, FLOW_ID)).toEqual([]);
    expect(sent).toHaveLength(0);
    const bypassed = { ...request, entitlements: [{ name: 'x' }] };
    await expect(client(fetch).grantEntitlements(bypassed, FLOW_ID)).rejects.toBeInstanceOf(InvalidRequestError);
  });

  describe('error mapping (Code decides, not the HTTP status)', () => {
    const cases: [string, Answer, new (...args: never[]) => Error][] = [
      [
        '400 System.LimitControl',
        camsError(400, 'System.LimitControl', 'system is under flow control'),
        VendorThrottledError,
      ],
      ['200 System.LimitControl', camsError(200, 'System.LimitControl'), VendorThrottledError],
      ['400 Throttling.User', gatewayError(400, 'Throttling.User'), VendorThrottledError],
      ['400 Product.Unsubscript', camsError(400, 'Product.Unsubscript'), VendorAuthFailedError],
      ['400 Ram.PermissionDeny', camsError(400, 'Ram.PermissionDeny'), VendorAuthFailedError],
      ['400 Unknown.ResourceOwnerId', camsError(400, 'Unknown.ResourceOwnerId'), VendorRejectedError],
      ['200 Unknown.ResourceOwnerId', camsError(200, 'Unknown.ResourceOwnerId'), VendorRejectedError],
      ['200 unlisted business code', camsError(200, 'Flow.NotExist'), VendorRejectedError],
      ['400 SignatureDoesNotMatch', gatewayError(400, 'SignatureDoesNotMatch'), VendorAuthFailedError],
      ['404 InvalidAccessKeyId.NotFound', gatewayError(404, 'InvalidAccessKeyId.NotFound'), VendorAuthFailedError],
      ['400 InvalidTimeStamp.Expired', gatewayError(400, 'InvalidTimeStamp.Expired'), VendorAuthFailedError],
      ['400 SignatureNonceUsed', gatewayError(400, 'SignatureNonceUsed'), VendorUnavailableError],
      ['404 InvalidApi.NotFound', gatewayError(404, 'InvalidApi.NotFound'), VendorRejectedError],
      ['400 MissingFlowId', gatewayError(400, 'MissingFlowId'), VendorRejectedError],
      ['500 InternalError', gatewayError(500, 'InternalError'), VendorUnavailableError],
      ['503 ServiceUnavailable', gatewayError(503, 'ServiceUnavailable'), VendorUnavailableError],
      ['504 without a body', { raw: '', status: 504 }, VendorUnavailableError],
      ['200 JSON without Code', { body: { RequestId: 'x' } }, VendorUnavailableError],
      ['connection reset', 'network-error', VendorUnavailableError],
      ['no answer', 'hang', VendorUnavailableError],
    ];
    it.each(cases)('%s', async (_label, answer, errorClass) => {
      const { fetch } = scriptedFetch(() => answer);
      const error = await client(fetch, { callTimeoutMs: 50 })
        .describeFlow(request, FLOW_ID)
        .catch((e) => e);
      expect(error).toBeInstanceOf(errorClass);
      expect(error.details).toMatchObject({ vendor: 'alibaba-cams', operation: 'GetFlow' });
      expect(error.message).not.toContain(TEST_CREDENTIALS.accessKeySecret);
    });

    it('keeps the vendor code, HTTP status and request id for the failure record', async () => {
      const error = await client(scriptedFetch(() => camsError(400, 'System.LimitControl')).fetch)
        .describeFlow(request, FLOW_ID)
        .catch((e) => e);
      expect(error.name).toBe('VendorThrottled');
      expect(error.details).toEqual({
        vendor: 'alibaba-cams',
        operation: 'GetFlow',
        httpStatus: 400,
        vendorCode: 'System.LimitControl',
        vendorRequestId: 'REQ-CAMS',
      });
    });
  });

  it('builds from the environment, failing fast on missing credentials', async () => {
    expect(() => AlibabaCamsClient.fromEnv({ ALIBABA_CLOUD_ACCESS_KEY_SECRET: 's' })).toThrow(
      /set ALIBABA_CLOUD_ACCESS_KEY_ID$/,
    );
    const { fetch, sent } = fetchByAction({ GetFlow: camsOk({ FlowId: FLOW_ID, Status: 'DRAFT' }) });
    await AlibabaCamsClient.fromEnv(
      {
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'id',
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: 's',
        VENDOR_ENDPOINT_ALIBABA_CAMS: 'http://127.0.0.1:9/',
      },
      { fetch },
    ).describeFlow(request, FLOW_ID);
    expect(sent[0]!.url.toString()).toBe('http://127.0.0.1:9/');
  });
});
