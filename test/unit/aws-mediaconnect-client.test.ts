/**
 * The MediaConnect client without a network: error taxonomy, status and request mapping, pacing, regions. SDK sends
 * are mocked with aws-sdk-client-mock; where the wire body matters a real SDK client runs against an in-process
 * request handler.
 */
import {
  AddFlowOutputs420Exception,
  BadRequestException,
  CreateFlow420Exception,
  CreateFlowCommand,
  DeleteFlowCommand,
  DescribeFlowCommand,
  ForbiddenException,
  GrantFlowEntitlements420Exception,
  GrantFlowEntitlementsCommand,
  InternalServerErrorException,
  ListFlowsCommand,
  MediaConnectClient,
  MediaConnectServiceException,
  NotFoundException,
  ServiceUnavailableException,
  StartFlowCommand,
  StopFlowCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-mediaconnect';
import { HttpResponse } from '@smithy/protocol-http';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AwsMediaConnectRequest, awsMediaConnectRequest } from '../../functions/shared/contract.ts';
import {
  VendorAuthFailedError,
  VendorQuotaExceededError,
  VendorRejectedError,
  VendorThrottledError,
  VendorUnavailableError,
} from '../../functions/shared/errors.ts';
import { AwsMediaConnectClient, flowStateOf, toVendorError } from '../../functions/vendors/aws-mediaconnect/client.ts';
import { type PaceFn, REQUEST_ID_TAG } from '../../functions/vendors/types.ts';

const FLOW_ARN = 'arn:aws:mediaconnect:us-east-1:111122223333:flow:1-23aBC45dEF67hiJ8-12AbC34DE5fG:basketball-game';
const credentials = { accessKeyId: 'AKIDUNITTEST', secretAccessKey: 'unit/K7MDENG+bPxRfiCYUNITSECRET' };

function aRequest(overrides: Partial<Record<string, unknown>> = {}): AwsMediaConnectRequest {
  return awsMediaConnectRequest.parse({
    schemaVersion: 1,
    requestId: 'req-basketball-001',
    vendor: 'aws-mediaconnect',
    region: 'us-east-1',
    flow: {
      name: 'basketball-game',
      source: {
        name: 'camera-1',
        protocol: 'srt-listener',
        ingestPort: 5000,
        whitelistCidr: '203.0.113.0/24',
        maxLatency: 2000,
        description: 'court side camera',
      },
      availabilityZone: 'us-east-1b',
      flowSize: 'LARGE',
      tags: { team: 'sports-video' },
    },
    entitlements: [
      {
        name: 'partner-a',
        subscribers: ['444455556666'],
        description: 'broadcast partner',
        dataTransferSubscriberFeePercent: 20,
        entitlementStatus: 'ENABLED',
      },
      { name: 'partner-b', subscribers: ['777788889999', '111122223333'] },
    ],
    ...overrides,
  });
}

const metadata = (httpStatusCode: number) => ({ httpStatusCode, requestId: `rid-${httpStatusCode}`, attempts: 1 });
/** Constructor options of a modeled SDK exception, as the SDK's deserializer fills them (`Message` and `message`). */
const modeled = (httpStatusCode: number, message: string) => ({
  $metadata: metadata(httpStatusCode),
  message,
  Message: message,
});
/** An error the SDK throws for a code it has no class for (front-end errors such as signature failures). */
const generic = (name: string, httpStatusCode: number, message = `${name} happened`) =>
  new MediaConnectServiceException({ name, $fault: 'client', $metadata: metadata(httpStatusCode), message });
/** What the SDK throws when an error body is not JSON (an HTML page from a proxy): status only on `$response`. */
const unparseable = (statusCode: number) => {
  const error = new SyntaxError('Unexpected token \'<\', "<html>" is not valid JSON\n  Deserialization error: ...');
  Object.defineProperty(error, '$responseBodyText', { value: '<html>bad gateway</html>' });
  Object.defineProperty(error, '$response', { value: { statusCode, headers: { 'x-amzn-requestid': 'rid-html' } } });
  return Object.assign(error, { $metadata: { attempts: 1, totalRetryDelay: 0 } });
};
const transport = (name: string, code: string | undefined, message: string) =>
  Object.assign(new Error(message), { name, ...(code ? { code } : {}), $metadata: { attempts: 1 } });

/**
 * The stub, seen through the few methods used here. aws-sdk-client-mock is typed against the hoisted `@smithy/types`
 * (4.x, for the newer SDK clients) while client-mediaconnect 3.654 carries its own 3.x: same runtime objects, two
 * type worlds that do not unify. This one cast keeps the rest of the file checked.
 */
interface Behavior {
  resolves(output: object): Behavior;
  rejects(error: Error): Behavior;
  rejectsOnce(error: Error): Behavior;
  callsFake(fake: (input: unknown) => unknown): Behavior;
}
interface MediaConnectStub {
  on(command: abstract new (...args: never[]) => unknown, input?: object): Behavior;
  onAnyCommand(): Behavior;
  reset(): void;
  restore(): void;
  calls(): { thisValue: unknown; args: unknown[] }[];
}
const mc = mockClient(MediaConnectClient as never) as unknown as MediaConnectStub;

/** The inputs of every command of one class the stub received, in order. */
function inputsOf(command: abstract new (...args: never[]) => { input: unknown }): unknown[] {
  return mc
    .calls()
    .map((call) => call.args[0])
    .filter((sent): sent is { input: unknown } => sent instanceof command)
    .map((sent) => sent.input);
}
let client: AwsMediaConnectClient;

beforeEach(() => {
  mc.reset();
  client = new AwsMediaConnectClient({ region: 'us-east-1', credentials });
});
afterEach(() => client.destroy());

describe('error mapping', () => {
  type Case = [
    label: string,
    operation: 'createFlow' | 'describeFlow' | 'grantEntitlements',
    error: () => Error,
    expected: new (...args: never[]) => Error,
    details: Record<string, unknown>,
  ];
  const cases: Case[] = [
    [
      '420 CreateFlow420Exception',
      'createFlow',
      () => new CreateFlow420Exception(modeled(420, 'flow limit')),
      VendorQuotaExceededError,
      { operation: 'CreateFlow', httpStatus: 420, vendorCode: 'CreateFlow420Exception', vendorRequestId: 'rid-420' },
    ],
    [
      '420 GrantFlowEntitlements420Exception',
      'grantEntitlements',
      () => new GrantFlowEntitlements420Exception(modeled(420, 'entitlement limit')),
      VendorQuotaExceededError,
      { operation: 'GrantFlowEntitlements', httpStatus: 420, vendorCode: 'GrantFlowEntitlements420Exception' },
    ],
    [
      '420 AddFlowOutputs420Exception',
      'createFlow',
      () => new AddFlowOutputs420Exception(modeled(420, 'output limit')),
      VendorQuotaExceededError,
      { httpStatus: 420, vendorCode: 'AddFlowOutputs420Exception' },
    ],
    [
      '429 TooManyRequestsException',
      'describeFlow',
      () => new TooManyRequestsException(modeled(429, 'slow down')),
      VendorThrottledError,
      {
        operation: 'DescribeFlow',
        httpStatus: 429,
        vendorCode: 'TooManyRequestsException',
        vendorRequestId: 'rid-429',
      },
    ],
    [
      '500 InternalServerErrorException',
      'describeFlow',
      () => new InternalServerErrorException(modeled(500, 'oops')),
      VendorUnavailableError,
      { httpStatus: 500, vendorCode: 'InternalServerErrorException' },
    ],
    [
      '503 ServiceUnavailableException',
      'createFlow',
      () => new ServiceUnavailableException(modeled(503, 'down')),
      VendorUnavailableError,
      { httpStatus: 503, vendorCode: 'ServiceUnavailableException' },
    ],
    [
      '502 with an HTML body',
      'describeFlow',
      () => unparseable(502),
      VendorUnavailableError,
      { httpStatus: 502, vendorRequestId: 'rid-html' },
    ],
    ['504 without a name', 'describeFlow', () => generic('504', 504), VendorUnavailableError, { httpStatus: 504 }],
    [
      '403 ForbiddenException',
      'createFlow',
      () => new ForbiddenException(modeled(403, 'not allowed')),
      VendorAuthFailedError,
      { httpStatus: 403, vendorCode: 'ForbiddenException' },
    ],
    [
      '403 InvalidSignatureException',
      'describeFlow',
      () => generic('InvalidSignatureException', 403),
      VendorAuthFailedError,
      { httpStatus: 403, vendorCode: 'InvalidSignatureException' },
    ],
    [
      '403 UnrecognizedClientException',
      'describeFlow',
      () => generic('UnrecognizedClientException', 403),
      VendorAuthFailedError,
      { httpStatus: 403, vendorCode: 'UnrecognizedClientException' },
    ],
    ['401 without a name', 'describeFlow', () => generic('401', 401), VendorAuthFailedError, { httpStatus: 401 }],
    [
      '404 NotFoundException',
      'describeFlow',
      () => new NotFoundException(modeled(404, 'no such flow')),
      VendorRejectedError,
      { httpStatus: 404, vendorCode: 'NotFoundException' },
    ],
    [
      '400 BadRequestException',
      'createFlow',
      () => new BadRequestException(modeled(400, 'bad source')),
      VendorRejectedError,
      { httpStatus: 400, vendorCode: 'BadRequestException' },
    ],
    [
      'another 4xx (409)',
      'describeFlow',
      () => generic('ConflictException', 409),
      VendorRejectedError,
      { httpStatus: 409, vendorCode: 'ConflictException' },
    ],
    [
      'a quota name on a 400 is not taken for a quota',
      'createFlow',
      () => generic('CreateFlow420Exception', 400),
      VendorRejectedError,
      { httpStatus: 400, vendorCode: 'CreateFlow420Exception' },
    ],
    [
      'socket timeout',
      'describeFlow',
      () => transport('TimeoutError', undefined, 'Connection timed out after 10000 ms'),
      VendorUnavailableError,
      { operation: 'DescribeFlow', vendorCode: 'TimeoutError' },
    ],
    [
      'deadline abort',
      'describeFlow',
      () => transport('AbortError', undefined, 'Request aborted'),
      VendorUnavailableError,
      { vendorCode: 'AbortError' },
    ],
    [
      'connection reset',
      'createFlow',
      () => transport('TimeoutError', 'ECONNRESET', 'socket hang up'),
      VendorUnavailableError,
      { vendorCode: 'ECONNRESET' },
    ],
    [
      'connection refused',
      'createFlow',
      () => transport('Error', 'ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'),
      VendorUnavailableError,
      { vendorCode: 'ECONNREFUSED' },
    ],
    [
      'no credentials',
      'createFlow',
      () => transport('CredentialsProviderError', undefined, 'Could not load credentials from any providers'),
      VendorAuthFailedError,
      { vendorCode: 'CredentialsProviderError' },
    ],
  ];

  it.each(cases)('%s → %o', async (_label, operation, error, expected, details) => {
    mc.onAnyCommand().rejects(error());
    // createFlow's get-or-create lookup finds nothing, so the error under test is the CreateFlow's.
    mc.on(ListFlowsCommand).resolves({ Flows: [] });
    const request = aRequest();
    const call =
      operation === 'createFlow'
        ? client.createFlow(request)
        : operation === 'grantEntitlements'
          ? client.grantEntitlements(request, FLOW_ARN)
          : client.describeFlow(request, FLOW_ARN);
    const thrown = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(thrown).toBeInstanceOf(expected);
    expect((thrown as { details: unknown }).details).toMatchObject({ vendor: 'aws-mediaconnect', ...details });
  });

  it('never passes a signature or credential scope a vendor message quotes', async () => {
    const signature = 'a'.repeat(64);
    mc.on(DescribeFlowCommand).rejects(
      generic(
        'InvalidSignatureException',
        403,
        `The request signature we calculated does not match. Authorization: AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/20260101/us-east-1/mediaconnect/aws4_request, Signature=${signature}`,
      ),
    );
    const error = await client.describeFlow(aRequest(), FLOW_ARN).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VendorAuthFailedError);
    const { message } = error as VendorAuthFailedError;
    expect(message).toContain('does not match');
    expect(message).not.toContain(signature);
    expect(message).not.toContain(credentials.accessKeyId);
    expect(message).not.toContain(credentials.secretAccessKey);
  });

  it('leaves an error that is no vendor answer (a local bug) unchanged', () => {
    const bug = new TypeError('cannot read properties of undefined');
    expect(toVendorError(bug, 'DescribeFlow')).toBe(bug);
  });

  it('treats a success without the fields it needs as a broken answer', async () => {
    mc.on(DescribeFlowCommand).resolves({ $metadata: metadata(200) });
    await expect(client.describeFlow(aRequest(), FLOW_ARN)).rejects.toMatchObject({
      name: 'VendorUnavailable',
      message: expect.stringContaining('Flow'),
      details: { operation: 'DescribeFlow', httpStatus: 200 },
    });
  });
});

describe('flow status', () => {
  it.each([
    ['STANDBY', 'STANDBY'],
    ['STARTING', 'STARTING'],
    ['UPDATING', 'STARTING'],
    ['ACTIVE', 'ACTIVE'],
    ['STOPPING', 'ERROR'],
    ['DELETING', 'ERROR'],
    ['ERROR', 'ERROR'],
    ['SOMETHING_NEW', 'ERROR'],
  ])('%s → %s', (vendorStatus, state) => {
    expect(flowStateOf(vendorStatus)).toBe(state);
  });

  it('describeFlow keeps the vendor status next to ours', async () => {
    mc.on(DescribeFlowCommand, { FlowArn: FLOW_ARN }).resolves({
      Flow: {
        FlowArn: FLOW_ARN,
        Name: 'basketball-game',
        Status: 'UPDATING',
        AvailabilityZone: 'us-east-1b',
        Entitlements: [],
        Outputs: [],
        Source: {},
      },
    });
    expect(await client.describeFlow(aRequest(), FLOW_ARN)).toEqual({
      flowId: FLOW_ARN,
      state: 'STARTING',
      vendorStatus: 'UPDATING',
    });
  });

  it('start and stop answer the status the call returned', async () => {
    mc.on(StartFlowCommand).resolves({ FlowArn: FLOW_ARN, Status: 'STARTING' });
    mc.on(StopFlowCommand).resolves({ FlowArn: FLOW_ARN, Status: 'STOPPING' });
    expect(await client.startFlow(aRequest(), FLOW_ARN)).toEqual({
      flowId: FLOW_ARN,
      state: 'STARTING',
      vendorStatus: 'STARTING',
    });
    expect(await client.stopFlow(aRequest(), FLOW_ARN)).toEqual({
      flowId: FLOW_ARN,
      state: 'ERROR',
      vendorStatus: 'STOPPING',
    });
    expect(inputsOf(StartFlowCommand)).toEqual([{ FlowArn: FLOW_ARN }]);
    expect(inputsOf(StopFlowCommand)).toEqual([{ FlowArn: FLOW_ARN }]);
  });
});

describe('request mapping', () => {
  it('createFlow maps name, source and availability zone, and returns a created (not adopted) flow', async () => {
    mc.on(ListFlowsCommand).resolves({ Flows: [] });
    mc.on(CreateFlowCommand).resolves({
      Flow: { FlowArn: FLOW_ARN, Name: 'basketball-game', Status: 'STANDBY' },
    });
    expect(await client.createFlow(aRequest())).toEqual({
      flowId: FLOW_ARN,
      name: 'basketball-game',
      state: 'STANDBY',
      vendorStatus: 'STANDBY',
      adopted: false,
      connection: { outputs: [], vendorDetail: {} },
    });
    expect(inputsOf(CreateFlowCommand)).toEqual([
      {
        Name: 'basketball-game',
        AvailabilityZone: 'us-east-1b',
        Source: {
          Name: 'camera-1',
          Protocol: 'srt-listener',
          IngestPort: 5000,
          WhitelistCidr: '203.0.113.0/24',
          MaxLatency: 2000,
          Description: 'court side camera',
        },
      },
    ]);
  });

  it('grantEntitlements maps every entitlement and returns their ARNs', async () => {
    mc.on(GrantFlowEntitlementsCommand).resolves({
      FlowArn: FLOW_ARN,
      Entitlements: [
        { EntitlementArn: 'arn:aws:mediaconnect:us-east-1:111122223333:entitlement:1-a:partner-a', Name: 'partner-a' },
        { EntitlementArn: 'arn:aws:mediaconnect:us-east-1:111122223333:entitlement:1-b:partner-b', Name: 'partner-b' },
      ],
    });
    const a = 'arn:aws:mediaconnect:us-east-1:111122223333:entitlement:1-a:partner-a';
    const b = 'arn:aws:mediaconnect:us-east-1:111122223333:entitlement:1-b:partner-b';
    expect(await client.grantEntitlements(aRequest(), FLOW_ARN)).toEqual([
      { name: 'partner-a', id: a, output: { name: 'partner-a', entitlementArn: a } },
      { name: 'partner-b', id: b, output: { name: 'partner-b', entitlementArn: b } },
    ]);
    expect(inputsOf(GrantFlowEntitlementsCommand)).toEqual([
      {
        FlowArn: FLOW_ARN,
        Entitlements: [
          {
            Name: 'partner-a',
            Subscribers: ['444455556666'],
            Description: 'broadcast partner',
            DataTransferSubscriberFeePercent: 20,
            EntitlementStatus: 'ENABLED',
          },
          { Name: 'partner-b', Subscribers: ['777788889999', '111122223333'] },
        ],
      },
    ]);
  });

  it('grantEntitlements without entitlements makes no call', async () => {
    expect(await client.grantEntitlements(aRequest({ entitlements: [] }), FLOW_ARN)).toEqual([]);
    expect(mc.calls()).toHaveLength(0);
  });

  it('deleteFlow treats a flow that is already gone as deleted, and fails on anything else', async () => {
    mc.on(DeleteFlowCommand)
      .rejectsOnce(new NotFoundException(modeled(404, 'gone')))
      .rejectsOnce(new BadRequestException(modeled(400, 'flow is running')));
    // A 400 is read back (DescribeFlow): a flow that is still running is a real refusal.
    mc.on(DescribeFlowCommand).resolves({ Flow: { FlowArn: FLOW_ARN, Name: 'basketball-game', Status: 'ACTIVE' } });
    await expect(client.deleteFlow(aRequest(), FLOW_ARN)).resolves.toBeUndefined();
    await expect(client.deleteFlow(aRequest(), FLOW_ARN)).rejects.toBeInstanceOf(VendorRejectedError);
    expect(inputsOf(DeleteFlowCommand)).toEqual([{ FlowArn: FLOW_ARN }, { FlowArn: FLOW_ARN }]);
  });

  describe('on the wire (real SDK serializer, in-process handler)', () => {
    /** A real SDK client whose HTTP handler records requests and answers one canned response. */
    function capturingSdk(answer: { status: number; body: unknown }) {
      // Real sends for this test; `mc.reset()` in the next beforeEach re-installs the stub.
      mc.restore();
      const requests: { path: string; headers: Record<string, string>; body: string }[] = [];
      const sdk = new MediaConnectClient({
        region: 'us-east-1',
        credentials,
        maxAttempts: 1,
        requestHandler: {
          handle: async (request: { path: string; headers: Record<string, string>; body?: unknown }) => {
            requests.push({ path: request.path, headers: request.headers, body: String(request.body ?? '') });
            return {
              response: new HttpResponse({
                statusCode: answer.status,
                headers: { 'content-type': 'application/json' },
                body: Buffer.from(JSON.stringify(answer.body)),
              }),
            };
          },
        },
      });
      return { sdk, requests };
    }

    it('CreateFlow carries the request tags, our request-id tag and the flow size (SDK 3.654 drops them)', async () => {
      const { sdk, requests } = capturingSdk({
        status: 201,
        body: { flow: { flowArn: FLOW_ARN, name: 'basketball-game', status: 'STANDBY' } },
      });
      const base = aRequest();
      // A caller-supplied value for our tag never wins over the real request id.
      const request = { ...base, flow: { ...base.flow, tags: { ...base.flow.tags, [REQUEST_ID_TAG]: 'forged' } } };
      const created = await new AwsMediaConnectClient({ region: 'us-east-1', sdk }).createFlow(request);
      expect(created.flowId).toBe(FLOW_ARN);
      // The first request is get-or-create's ListFlows (the canned answer lists no flow), the second the create.
      expect(requests).toHaveLength(2);
      const wire = requests[1]!;
      expect(wire.path).toBe('/v1/flows');
      expect(JSON.parse(wire.body)).toEqual({
        name: 'basketball-game',
        availabilityZone: 'us-east-1b',
        source: {
          name: 'camera-1',
          protocol: 'srt-listener',
          ingestPort: 5000,
          whitelistCidr: '203.0.113.0/24',
          maxLatency: 2000,
          description: 'court side camera',
        },
        flowTags: { team: 'sports-video', [REQUEST_ID_TAG]: 'req-basketball-001' },
        flowSize: 'LARGE',
      });
      expect(Number(wire.headers['content-length'])).toBe(Buffer.byteLength(wire.body));
      expect(wire.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDUNITTEST\/\d{8}\/us-east-1\//);
    });

    it('StartFlow puts the percent-encoded ARN in one path segment', async () => {
      const { sdk, requests } = capturingSdk({ status: 202, body: { flowArn: FLOW_ARN, status: 'STARTING' } });
      await new AwsMediaConnectClient({ region: 'us-east-1', sdk }).startFlow(aRequest(), FLOW_ARN);
      expect(requests[0]!.path).toBe(`/v1/flows/start/${encodeURIComponent(FLOW_ARN)}`);
      expect(requests[0]!.path).toContain('arn%3Aaws%3Amediaconnect');
    });
  });
});

describe('pacing', () => {
  /** A pace function that counts its calls and the SDK sends made inside and outside of them. */
  function countingPace() {
    const counts = { paced: 0, sendsInside: 0, sendsOutside: 0 };
    let inside = false;
    const pace: PaceFn = async (call) => {
      counts.paced++;
      inside = true;
      try {
        return await call();
      } finally {
        inside = false;
      }
    };
    const onSend = () => {
      if (inside) counts.sendsInside++;
      else counts.sendsOutside++;
    };
    return { pace, counts, onSend };
  }

  const operations: [string, (c: AwsMediaConnectClient) => Promise<unknown>][] = [
    // createFlow is a ListFlows lookup (no namesake here) and the CreateFlow: two paced calls, tested apart below.
    ['createFlow', (c) => c.createFlow(aRequest())],
    ['startFlow', (c) => c.startFlow(aRequest(), FLOW_ARN)],
    ['describeFlow', (c) => c.describeFlow(aRequest(), FLOW_ARN)],
    ['grantEntitlements', (c) => c.grantEntitlements(aRequest(), FLOW_ARN)],
    ['stopFlow', (c) => c.stopFlow(aRequest(), FLOW_ARN)],
    ['deleteFlow', (c) => c.deleteFlow(aRequest(), FLOW_ARN)],
  ];

  it.each(operations)('%s: one paced call per vendor call, exactly one send inside each', async (name, run) => {
    const { pace, counts, onSend } = countingPace();
    const flow = { FlowArn: FLOW_ARN, Name: 'basketball-game', Status: 'STANDBY' };
    mc.onAnyCommand().callsFake(() => {
      onSend();
      return {
        Flow: flow,
        FlowArn: FLOW_ARN,
        Status: 'STANDBY',
        Entitlements: [{ EntitlementArn: 'arn:e', Name: 'e' }],
      };
    });
    const paced = new AwsMediaConnectClient({ region: 'us-east-1', credentials, pace });
    await run(paced);
    paced.destroy();
    const calls = name === 'createFlow' ? 2 : 1;
    expect(counts).toEqual({ paced: calls, sendsInside: calls, sendsOutside: 0 });
  });

  it.each(operations)('%s: one paced call and one send when the vendor fails too', async (_name, run) => {
    const { pace, counts, onSend } = countingPace();
    mc.onAnyCommand().callsFake(() => {
      onSend();
      throw new TooManyRequestsException(modeled(429, 'slow down'));
    });
    const paced = new AwsMediaConnectClient({ region: 'us-east-1', credentials, pace });
    await expect(run(paced)).rejects.toBeInstanceOf(VendorThrottledError);
    paced.destroy();
    expect(counts).toEqual({ paced: 1, sendsInside: 1, sendsOutside: 0 });
  });
});

describe('SDK clients', () => {
  it('are built per request region, cached, with SDK retries off', async () => {
    mc.on(DescribeFlowCommand).resolves({ Flow: { FlowArn: FLOW_ARN, Name: 'n', Status: 'ACTIVE' } });
    await client.describeFlow(aRequest({ region: 'eu-west-1' }), FLOW_ARN);
    await client.describeFlow(aRequest({ region: 'eu-west-1' }), FLOW_ARN);
    await client.describeFlow(aRequest({ region: 'ap-southeast-2' }), FLOW_ARN);
    const used = mc.calls().map((call) => call.thisValue as MediaConnectClient);
    expect(used[0]).toBe(used[1]);
    expect(used[2]).not.toBe(used[0]);
    expect(await used[0]!.config.region()).toBe('eu-west-1');
    expect(await used[2]!.config.region()).toBe('ap-southeast-2');
    expect(await used[0]!.config.maxAttempts()).toBe(1);
  });

  it('an injected SDK client serves its own region only', async () => {
    const sdk = new MediaConnectClient({ region: 'us-east-1', credentials, maxAttempts: 1 });
    mc.on(DescribeFlowCommand).resolves({ Flow: { FlowArn: FLOW_ARN, Name: 'n', Status: 'ACTIVE' } });
    const withSdk = new AwsMediaConnectClient({ region: 'us-east-1', sdk, credentials });
    await withSdk.describeFlow(aRequest({ region: 'us-east-1' }), FLOW_ARN);
    await withSdk.describeFlow(aRequest({ region: 'us-west-2' }), FLOW_ARN);
    const used = mc.calls().map((call) => call.thisValue as MediaConnectClient);
    expect(used[0]).toBe(sdk);
    expect(used[1]).not.toBe(sdk);
    expect(await used[1]!.config.region()).toBe('us-west-2');
    withSdk.destroy();
    sdk.destroy();
  });

  it('fromEnv reads the endpoint override and the credentials of the given environment', async () => {
    mc.on(DescribeFlowCommand).resolves({ Flow: { FlowArn: FLOW_ARN, Name: 'n', Status: 'ACTIVE' } });
    const fromEnv = AwsMediaConnectClient.fromEnv({
      VENDOR_ENDPOINT_AWS_MEDIACONNECT: 'http://127.0.0.1:4599',
      AWS_ACCESS_KEY_ID: 'AKIDFROMENV',
      AWS_SECRET_ACCESS_KEY: 'from/env/SECRET',
      AWS_SESSION_TOKEN: 'session-token',
      AWS_REGION: 'us-east-1',
    });
    await fromEnv.describeFlow(aRequest({ region: 'sa-east-1' }), FLOW_ARN);
    const sdk = mc.calls()[0]!.thisValue as MediaConnectClient;
    const endpoint = await sdk.config.endpoint!();
    expect(`${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`).toBe('http://127.0.0.1:4599');
    expect(await sdk.config.region()).toBe('sa-east-1');
    expect(await sdk.config.credentials()).toMatchObject({
      accessKeyId: 'AKIDFROMENV',
      secretAccessKey: 'from/env/SECRET',
      sessionToken: 'session-token',
    });
    fromEnv.destroy();
  });

  it('fromEnv fails fast on an endpoint that is not a URL', () => {
    expect(() => AwsMediaConnectClient.fromEnv({ VENDOR_ENDPOINT_AWS_MEDIACONNECT: 'localhost 4599' })).toThrow(
      /VENDOR_ENDPOINT_AWS_MEDIACONNECT is not a URL/,
    );
  });
});
