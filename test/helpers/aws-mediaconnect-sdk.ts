/**
 * The MediaConnect client's unit-test kit: a request factory, SDK answer and error shapes as the service sends them,
 * and the aws-sdk-client-mock stub of the MediaConnect SDK client.
 */
import { MediaConnectClient, MediaConnectServiceException } from '@aws-sdk/client-mediaconnect';
import { mockClient } from 'aws-sdk-client-mock';
import { type AwsMediaConnectRequest, awsMediaConnectRequest } from '../../functions/domain/contract.ts';

export const FLOW_ARN =
  'arn:aws:mediaconnect:us-east-1:111122223333:flow:1-23aBC45dEF67hiJ8-12AbC34DE5fG:basketball-game';
export const credentials = { accessKeyId: 'AKIDUNITTEST', secretAccessKey: 'unit/K7MDENG+bPxRfiCYUNITSECRET' };

export function aRequest(overrides: Partial<Record<string, unknown>> = {}): AwsMediaConnectRequest {
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

export const metadata = (httpStatusCode: number) => ({
  httpStatusCode,
  requestId: `rid-${httpStatusCode}`,
  attempts: 1,
});
/** Constructor options of a modeled SDK exception, as the SDK's deserializer fills them (`Message` and `message`). */
export const modeled = (httpStatusCode: number, message: string) => ({
  $metadata: metadata(httpStatusCode),
  message,
  Message: message,
});
/** An error the SDK throws for a code it has no class for (front-end errors such as signature failures). */
export const generic = (name: string, httpStatusCode: number, message = `${name} happened`) =>
  new MediaConnectServiceException({ name, $fault: 'client', $metadata: metadata(httpStatusCode), message });
/** What the SDK throws when an error body is not JSON (an HTML page from a proxy): status only on `$response`. */
export const unparseable = (statusCode: number) => {
  const error = new SyntaxError('Unexpected token \'<\', "<html>" is not valid JSON\n  Deserialization error: ...');
  Object.defineProperty(error, '$responseBodyText', { value: '<html>bad gateway</html>' });
  Object.defineProperty(error, '$response', { value: { statusCode, headers: { 'x-amzn-requestid': 'rid-html' } } });
  return Object.assign(error, { $metadata: { attempts: 1, totalRetryDelay: 0 } });
};
export const transport = (name: string, code: string | undefined, message: string) =>
  Object.assign(new Error(message), { name, ...(code ? { code } : {}), $metadata: { attempts: 1 } });

/**
 * The stub, seen through the few methods used here. aws-sdk-client-mock is typed against the hoisted `@smithy/types`
 * (4.x, for the newer SDK clients) while client-mediaconnect 3.654 carries its own 3.x: same runtime objects, two
 * type worlds that do not unify. This one cast keeps the rest of the file checked.
 */
export interface Behavior {
  resolves(output: object): Behavior;
  rejects(error: Error): Behavior;
  rejectsOnce(error: Error): Behavior;
  callsFake(fake: (input: unknown) => unknown): Behavior;
}
export interface MediaConnectStub {
  on(command: abstract new (...args: never[]) => unknown, input?: object): Behavior;
  onAnyCommand(): Behavior;
  reset(): void;
  restore(): void;
  calls(): { thisValue: unknown; args: unknown[] }[];
}
export const mc = mockClient(MediaConnectClient as never) as unknown as MediaConnectStub;

/** The inputs of every command of one class the stub received, in order. */
export function inputsOf(command: abstract new (...args: never[]) => { input: unknown }): unknown[] {
  return mc
    .calls()
    .map((call) => call.args[0])
    .filter((sent): sent is { input: unknown } => sent instanceof command)
    .map((sent) => sent.input);
}
