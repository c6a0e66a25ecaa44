/**
 * The MediaConnect client without a network: status and request mapping, pacing, regions. SDK sends
 * are mocked with aws-sdk-client-mock; where the wire body matters a real SDK client runs against an in-process
 * request handler.
 */
import {
  BadRequestException,
  CreateFlowCommand,
  DeleteFlowCommand,
  DescribeFlowCommand,
  GrantFlowEntitlementsCommand,
  ListFlowsCommand,
  MediaConnectClient,
  NotFoundException,
  StartFlowCommand,
  StopFlowCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-mediaconnect';
import { HttpResponse } from '@smithy/protocol-http';
import { beforeEach, describe, expect, it } from 'vitest';
import { VendorRejectedError, VendorThrottledError } from '../../../functions/domain/errors.ts';
import { AwsMediaConnectClient, flowStateOf } from '../../../functions/vendors/aws-mediaconnect/client.ts';
import { type PaceFn, REQUEST_ID_TAG } from '../../../functions/vendors/types.ts';
import { aRequest, credentials, FLOW_ARN, inputsOf, mc, modeled } from '../../helpers/aws-mediaconnect-sdk.ts';

let client: AwsMediaConnectClient;

beforeEach(() => {
  mc.reset();
  client = new AwsMediaConnectClient({ region: 'us-east-1', credentials });
});

describe('flow status', () => {
  it.each([
    ['STANDBY', 'STANDBY'],
    ['STARTING', 'STARTING'],
    ['UPDATING', 'STARTING'],
    ['ACTIVE', 'ACTIVE'],
    // Transitions towards idle or gone, as the SDK's FlowStandby and FlowDeleted waiters treat them: not failures.
    ['STOPPING', 'STOPPING'],
    ['DELETING', 'STOPPING'],
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
      state: 'STOPPING',
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
