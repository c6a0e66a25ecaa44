import { describe, expect, it } from 'vitest';
import {
  VendorAuthFailedError,
  VendorConflictError,
  VendorRejectedError,
  VendorThrottledError,
  VendorUnavailableError,
} from '../../../functions/domain/errors.ts';
import { vendorFlowName } from '../../../functions/vendors/alibaba/flow-name.ts';
import { safeVendorMessage } from '../../../functions/vendors/alibaba/rpc.ts';
import { parseAuthorization } from '../../../functions/vendors/alibaba/signer.ts';
import {
  AlibabaIceClient,
  ICE_API_VERSION,
  iceFlowName,
  iceFlowState,
} from '../../../functions/vendors/alibaba-ice/client.ts';
import {
  type Answer,
  countingPace,
  fetchByAction,
  gatewayError,
  iceOk,
  iceRequest,
  iceRetCode,
  scriptedFetch,
  TEST_CREDENTIALS,
} from '../../helpers/alibaba.ts';

const NOW = Date.parse('2026-11-22T08:00:00Z');

function client(
  fetchFn: typeof fetch,
  extra: { pace?: ReturnType<typeof countingPace>['pace']; callTimeoutMs?: number } = {},
) {
  let n = 0;
  return new AlibabaIceClient({
    credentials: TEST_CREDENTIALS,
    fetch: fetchFn,
    now: () => NOW,
    nonce: () => `nonce-${++n}`,
    callTimeoutMs: extra.callTimeoutMs ?? 1000,
    ...(extra.pace ? { pace: extra.pace } : {}),
  });
}

const FLOW_ID = '34900dc6-90ec-4968-af3c-fcd87f231a5f';

describe('AlibabaIceClient', () => {
  it('creates the flow with the identity name in one call, then completes it with its input, parameters in the query', async () => {
    const request = iceRequest();
    const { fetch, sent } = fetchByAction({
      CreateMediaConnectFlow: iceOk({ FlowId: FLOW_ID }),
      GetMediaConnectFlowInput: iceRetCode(1007, 'The flow has no input.'),
      AddMediaConnectFlowInput: iceOk({ InputUrl: 'srt://1.2.3.4:1025' }),
    });
    const { pace, counter } = countingPace();
    const ice = client(fetch, { pace });
    const created = await ice.createFlow(request);

    // The id is answered after the first call, so it reaches the workflow before the input can fail.
    expect(created).toEqual({
      flowId: FLOW_ID,
      name: 'esports-final-evt-2026-11-22-esports-final',
      state: 'STANDBY',
      vendorStatus: 'offline',
      adopted: false,
      completed: false,
    });
    expect(sent.map((r) => r.action)).toEqual(['CreateMediaConnectFlow']);
    await ice.completeFlow(request, FLOW_ID);
    expect(sent.map((r) => r.action)).toEqual([
      'CreateMediaConnectFlow',
      'GetMediaConnectFlowInput',
      'AddMediaConnectFlowInput',
    ]);
    expect(counter.calls).toBe(3);
    const [create, , input] = sent;
    expect(create!.url.origin).toBe('https://ice.ap-southeast-1.aliyuncs.com');
    expect(create!.url.pathname).toBe('/');
    expect(create!.body).toBe('');
    expect(create!.params).toEqual({
      FlowName: 'esports-final-evt-2026-11-22-esports-final',
      FlowRegion: 'ap-southeast-1',
    });
    expect(create!.headers['x-acs-version']).toBe(ICE_API_VERSION);
    expect(create!.headers['x-acs-date']).toBe('2026-11-22T08:00:00Z');
    expect(create!.headers['x-acs-signature-nonce']).toBe('nonce-1');
    expect(parseAuthorization(create!.headers.authorization)?.accessKeyId).toBe(TEST_CREDENTIALS.accessKeyId);
    expect(input!.headers['x-acs-signature-nonce']).toBe('nonce-3');
    expect(input!.params).toEqual({
      FlowId: FLOW_ID,
      InputName: 'arena-encoder',
      InputProtocol: 'SRT-Listener',
      Cidrs: '203.0.113.0/24',
      MaxBitrate: '20000000',
      SrtLatency: '1000',
      SrtPbkeyLen: '0',
    });
  });

  it('treats HTTP 200 with a non-zero RetCode as an error, never as success', async () => {
    const { fetch } = fetchByAction({ CreateMediaConnectFlow: iceRetCode(1, 'region not open for MediaConnect') });
    const error = await client(fetch)
      .createFlow(iceRequest())
      .catch((e) => e);
    expect(error).toBeInstanceOf(VendorRejectedError);
    expect(error.details).toMatchObject({
      operation: 'CreateMediaConnectFlow',
      httpStatus: 200,
      vendorCode: 'RetCode 1',
    });
    expect(error.message).toContain('region not open for MediaConnect');
  });

  it('fails the completion when the input is refused, naming the input call', async () => {
    const { fetch } = fetchByAction({
      GetMediaConnectFlowInput: iceRetCode(1007, 'The flow has no input.'),
      AddMediaConnectFlowInput: iceRetCode(2, 'InputFromUrl is invalid'),
    });
    const error = await client(fetch)
      .completeFlow(iceRequest(), FLOW_ID)
      .catch((e) => e);
    expect(error).toBeInstanceOf(VendorRejectedError);
    expect(error.details.operation).toBe('AddMediaConnectFlowInput');
  });

  describe('what exists is read, never inferred from a refusal', () => {
    const request = iceRequest();
    const ourName = iceFlowName(request);

    it('completes without re-adding an input that is already there (a retry after a lost answer)', async () => {
      const { fetch, sent } = fetchByAction({
        GetMediaConnectFlowInput: iceOk({ InputName: 'arena-encoder', InputProtocol: 'SRT-Listener' }),
      });
      await client(fetch).completeFlow(request, FLOW_ID);
      expect(sent.map((r) => r.action)).toEqual(['GetMediaConnectFlowInput']);
      expect(sent[0]!.params).toEqual({ FlowId: FLOW_ID });
    });

    it('refuses to complete a flow whose one input is another', async () => {
      const { fetch, sent } = fetchByAction({
        GetMediaConnectFlowInput: iceOk({ InputName: 'someone-elses', InputProtocol: 'RTMP-PUSH' }),
      });
      const error = await client(fetch)
        .completeFlow(request, FLOW_ID)
        .catch((e) => e);
      expect(error).toBeInstanceOf(VendorConflictError);
      expect(sent.map((r) => r.action)).not.toContain('AddMediaConnectFlowInput');
    });

    it('does not adopt by what a duplicate-name refusal carries, and says what to do instead', async () => {
      const { fetch, sent } = fetchByAction({
        CreateMediaConnectFlow: iceRetCode(1001, `Flow name ${ourName} already exists`, { FlowId: FLOW_ID }),
      });
      const error = await client(fetch)
        .createFlow(request)
        .catch((e) => e);
      expect(error).toBeInstanceOf(VendorRejectedError);
      expect(error.message).toContain('ICE has no lookup by name');
      expect(error.message).toContain(ourName);
      expect(sent.map((r) => r.action)).toEqual(['CreateMediaConnectFlow']);
    });
  });

  it('starts with status online (a string RetCode "0" is success) and maps states', async () => {
    const { fetch, sent } = fetchByAction({
      UpdateMediaConnectFlowStatus: { body: { RequestId: 'R', Content: '', Description: 'ok', RetCode: '0' } },
      GetMediaConnectFlow: iceOk({
        FlowId: FLOW_ID,
        FlowName: 'x',
        FlowStatus: 'online',
        StartTime: '2026-11-22T08:00:00Z',
      }),
    });
    const c = client(fetch);
    expect(await c.startFlow(iceRequest(), FLOW_ID)).toEqual({
      flowId: FLOW_ID,
      state: 'ACTIVE',
      vendorStatus: 'online',
    });
    expect(sent[0]!.params).toEqual({ FlowId: FLOW_ID, Status: 'online' });
    expect(await c.describeFlow(iceRequest(), FLOW_ID)).toEqual({
      flowId: FLOW_ID,
      state: 'ACTIVE',
      vendorStatus: 'online',
    });
    expect(await c.stopFlow(iceRequest(), FLOW_ID)).toEqual({
      flowId: FLOW_ID,
      state: 'STANDBY',
      vendorStatus: 'offline',
    });
    expect(sent[2]!.params).toEqual({ FlowId: FLOW_ID, Status: 'offline' });
  });

  it('maps ICE statuses onto ours', () => {
    expect(iceFlowState('online')).toBe('ACTIVE');
    expect(iceFlowState('Offline')).toBe('STANDBY');
    expect(iceFlowState('error')).toBe('ERROR');
    expect(iceFlowState('starting')).toBe('STARTING');
  });

  it('shares the flow as outputs, adding only those GetMediaConnectFlowAllOutputName does not list', async () => {
    const { fetch, sent } = fetchByAction({
      GetMediaConnectFlowAllOutputName: iceOk(['cdn-push']),
      AddMediaConnectFlowOutput: iceOk({ OutputUrl: 'srt://1.2.3.4:1026' }),
    });
    const { pace, counter } = countingPace();
    const granted = await client(fetch, { pace }).grantEntitlements(iceRequest(), FLOW_ID);
    expect(granted).toMatchObject([
      { name: 'partner-pull', id: 'partner-pull', output: { name: 'partner-pull', mode: 'pull' } },
      { name: 'cdn-push', id: 'cdn-push', output: { name: 'cdn-push', mode: 'push' } },
    ]);
    expect(counter.calls).toBe(2);
    expect(sent.map((r) => r.action)).toEqual(['GetMediaConnectFlowAllOutputName', 'AddMediaConnectFlowOutput']);
    expect(sent[1]!.params).toEqual({
      FlowId: FLOW_ID,
      OutputName: 'partner-pull',
      OutputProtocol: 'SRT-Listener',
      Cidrs: '198.51.100.17/32',
      PlayerLimit: '2',
      SrtLatency: '1000',
    });
  });

  it('fails the share on a refused output, whatever the refusal says', async () => {
    const { fetch } = fetchByAction({
      GetMediaConnectFlowAllOutputName: iceOk([]),
      AddMediaConnectFlowOutput: iceRetCode(1008, 'The output name partner-pull already exists in this flow.'),
    });
    await expect(client(fetch).grantEntitlements(iceRequest(), FLOW_ID)).rejects.toBeInstanceOf(VendorRejectedError);
  });

  it('deletes with DeleteMediaConnectFlow; a refused delete stands while the flow can still be read', async () => {
    const { fetch, sent } = fetchByAction({ DeleteMediaConnectFlow: iceOk() });
    await client(fetch).deleteFlow(iceRequest(), FLOW_ID);
    expect(sent[0]!.params).toEqual({ FlowId: FLOW_ID });

    const gone = fetchByAction({
      DeleteMediaConnectFlow: iceRetCode(1002, 'whatever it says'),
      GetMediaConnectFlow: iceRetCode(1002, 'whatever it says'),
    });
    await expect(client(gone.fetch).deleteFlow(iceRequest(), FLOW_ID)).resolves.toBeUndefined();

    const online = fetchByAction({
      DeleteMediaConnectFlow: iceRetCode(1004, 'whatever it says'),
      GetMediaConnectFlow: iceOk({ FlowId: FLOW_ID, FlowName: 'x', FlowStatus: 'online' }),
    });
    await expect(client(online.fetch).deleteFlow(iceRequest(), FLOW_ID)).rejects.toBeInstanceOf(VendorRejectedError);
  });

  describe('error mapping (the status code alone never decides)', () => {
    const cases: [string, Answer, new (...args: never[]) => Error][] = [
      ['400 Throttling.User', gatewayError(400, 'Throttling.User'), VendorThrottledError],
      ['400 Throttling', gatewayError(400, 'Throttling'), VendorThrottledError],
      ['400 Throttling.Api', gatewayError(400, 'Throttling.Api'), VendorThrottledError],
      ['503 Throttling', gatewayError(503, 'Throttling'), VendorThrottledError],
      ['503 ServiceUnavailable', gatewayError(503, 'ServiceUnavailable'), VendorUnavailableError],
      ['500 InternalError', gatewayError(500, 'InternalError'), VendorUnavailableError],
      ['500 InternalFailure', gatewayError(500, 'InternalFailure'), VendorUnavailableError],
      ['400 SignatureNonceUsed', gatewayError(400, 'SignatureNonceUsed'), VendorUnavailableError],
      ['400 SignatureDoesNotMatch', gatewayError(400, 'SignatureDoesNotMatch'), VendorAuthFailedError],
      ['400 IncompleteSignature', gatewayError(400, 'IncompleteSignature'), VendorAuthFailedError],
      ['404 InvalidAccessKeyId.NotFound', gatewayError(404, 'InvalidAccessKeyId.NotFound'), VendorAuthFailedError],
      ['400 InvalidAccessKeyId.Inactive', gatewayError(400, 'InvalidAccessKeyId.Inactive'), VendorAuthFailedError],
      ['400 InvalidTimeStamp.Expired', gatewayError(400, 'InvalidTimeStamp.Expired'), VendorAuthFailedError],
      ['403 Forbidden.RAM', gatewayError(403, 'Forbidden.RAM'), VendorAuthFailedError],
      ['403 NoPermission', gatewayError(403, 'NoPermission'), VendorAuthFailedError],
      ['400 InvalidTimeStamp.Format', gatewayError(400, 'InvalidTimeStamp.Format'), VendorRejectedError],
      ['404 InvalidApi.NotFound', gatewayError(404, 'InvalidApi.NotFound'), VendorRejectedError],
      ['400 MissingFlowId', gatewayError(400, 'MissingFlowId'), VendorRejectedError],
      ['400 InvalidParameter', gatewayError(400, 'InvalidParameter'), VendorRejectedError],
      ['200 RetCode 1', iceRetCode(1, 'flow not found'), VendorRejectedError],
      ['502 HTML', { raw: '<html>Bad Gateway</html>', status: 502 }, VendorUnavailableError],
      ['200 not JSON', { raw: 'OK', status: 200 }, VendorUnavailableError],
      ['200 JSON without RetCode', { body: { RequestId: 'x' } }, VendorUnavailableError],
      ['403 without a body', { raw: '', status: 403 }, VendorAuthFailedError],
      ['connection reset', 'network-error', VendorUnavailableError],
      ['no answer', 'hang', VendorUnavailableError],
    ];
    it.each(cases)('%s', async (_label, answer, errorClass) => {
      const { fetch } = scriptedFetch(() => answer);
      const error = await client(fetch, { callTimeoutMs: 50 })
        .describeFlow(iceRequest(), FLOW_ID)
        .catch((e) => e);
      expect(error).toBeInstanceOf(errorClass);
      expect(error.details).toMatchObject({ vendor: 'alibaba-ice', operation: 'GetMediaConnectFlow' });
      expect(error.message).not.toContain(TEST_CREDENTIALS.accessKeySecret);
    });

    it('carries the vendor code and request id, and says a timed-out call may have taken effect', async () => {
      const throttled = await client(scriptedFetch(() => gatewayError(400, 'Throttling.User')).fetch)
        .describeFlow(iceRequest(), FLOW_ID)
        .catch((e) => e);
      expect(throttled.details).toMatchObject({
        httpStatus: 400,
        vendorCode: 'Throttling.User',
        vendorRequestId: 'REQ-GW',
      });
      const timedOut = await client(scriptedFetch(() => 'hang').fetch, { callTimeoutMs: 30 })
        .startFlow(iceRequest(), FLOW_ID)
        .catch((e) => e);
      expect(timedOut.message).toMatch(/no answer within 30 ms \(the call may have taken effect\)/);
    });
  });

  it('keeps vendor messages out of logs when they echo the string to sign', () => {
    expect(safeVendorMessage('Specified signature is not matched. server string to sign is:POST&%2F&Action...')).toBe(
      'Specified signature is not matched. server …',
    );
    expect(safeVendorMessage('x'.repeat(400))).toHaveLength(301);
  });

  describe('fromEnv', () => {
    it('names every missing credential variable', () => {
      expect(() => AlibabaIceClient.fromEnv({})).toThrow(
        'missing Alibaba Cloud credentials: set ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET',
      );
      expect(() => AlibabaIceClient.fromEnv({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'x' })).toThrow(
        /set ALIBABA_CLOUD_ACCESS_KEY_SECRET$/,
      );
    });

    it('uses VENDOR_ENDPOINT_ALIBABA_ICE for every region when set, and rejects a bad one', async () => {
      const { fetch, sent } = fetchByAction({ DeleteMediaConnectFlow: iceOk() });
      const env = {
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'id',
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'secret',
        VENDOR_ENDPOINT_ALIBABA_ICE: 'http://127.0.0.1:4566',
      };
      await AlibabaIceClient.fromEnv(env, { fetch }).deleteFlow(iceRequest({ region: 'cn-shanghai' }), FLOW_ID);
      expect(sent[0]!.url.origin).toBe('http://127.0.0.1:4566');
      expect(sent[0]!.headers.host).toBe('127.0.0.1:4566');
      expect(() => AlibabaIceClient.fromEnv({ ...env, VENDOR_ENDPOINT_ALIBABA_ICE: 'not a url' })).toThrow(
        /VENDOR_ENDPOINT_ALIBABA_ICE is not a URL/,
      );
    });

    it('signs with an STS token when one is set', async () => {
      const { fetch, sent } = fetchByAction({ DeleteMediaConnectFlow: iceOk() });
      await AlibabaIceClient.fromEnv(
        {
          ALIBABA_CLOUD_ACCESS_KEY_ID: 'id',
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: 's',
          ALIBABA_CLOUD_SECURITY_TOKEN: 'tok',
        },
        { fetch },
      ).deleteFlow(iceRequest(), FLOW_ID);
      expect(sent[0]!.headers['x-acs-security-token']).toBe('tok');
      expect(parseAuthorization(sent[0]!.headers.authorization)?.signedHeaders).toContain('x-acs-security-token');
    });
  });

  it('derives a bounded, deterministic vendor name that keeps the request identity', () => {
    expect(vendorFlowName('match', 'req-1')).toBe('match-req-1');
    const long = vendorFlowName('n'.repeat(60), 'r'.repeat(80));
    expect(long).toHaveLength(64);
    expect(long).toMatch(/^n+-h[0-9a-f]{20}$/);
    expect(vendorFlowName('n'.repeat(60), 'r'.repeat(80))).toBe(long);
    expect(vendorFlowName('n'.repeat(60), `${'r'.repeat(79)}s`)).not.toBe(long);
  });
});
