/**
 * SigV4 as the MediaConnect emulator verifies it, pinned to published vectors (docs/vendors/aws-mediaconnect.md,
 * "Authentication") and cross-checked against requests the real SDK signs (captured in-process, no network).
 */
import {
  CreateFlowCommand,
  ListFlowsCommand,
  MediaConnectClient,
  StartFlowCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-mediaconnect';
import { HttpResponse } from '@smithy/protocol-http';
import { buildQueryString } from '@smithy/querystring-builder';
import { describe, expect, it } from 'vitest';
import {
  parseAmzDate,
  type SigV4Request,
  sha256Hex,
  sigV4CanonicalQuery,
  sigV4CanonicalUri,
  sigV4Sign,
  sigV4SigningKey,
  verifySigV4,
} from '../../../../local/emulators/sigv4.ts';

const AKID = 'AKIDEXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const AMZ_DATE = '20150830T123600Z';
const SIGNED = ['host', 'x-amz-date'];

const vanilla = (method: string): SigV4Request => ({
  method,
  path: '/',
  headers: { host: 'example.amazonaws.com', 'x-amz-date': AMZ_DATE },
});

const START_FLOW_PATH =
  '/v1/flows/start/arn%3Aaws%3Amediaconnect%3Aus-east-1%3A111122223333%3Aflow%3A1-23aBC45dEF67hiJ8-12AbC34DE5fG%3ABasketballGame';
const startFlow: SigV4Request = {
  method: 'POST',
  path: START_FLOW_PATH,
  headers: { host: 'mediaconnect.us-east-1.amazonaws.com', 'x-amz-date': AMZ_DATE },
  body: '',
};
const mediaconnect = { accessKeyId: AKID, secretAccessKey: SECRET, region: 'us-east-1', service: 'mediaconnect' };

describe('SigV4 known answers', () => {
  it('get-vanilla (AWS test suite)', () => {
    const signed = sigV4Sign(vanilla('GET'), {
      accessKeyId: AKID,
      secretAccessKey: SECRET,
      region: 'us-east-1',
      service: 'service',
      amzDate: AMZ_DATE,
      signedHeaders: SIGNED,
    });
    expect(signed.canonicalRequest).toBe(
      'GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n' +
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(sha256Hex(signed.canonicalRequest)).toBe('bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63');
    expect(signed.signature).toBe('5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
    expect(signed.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ' +
        'SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
  });

  it('post-vanilla (AWS test suite)', () => {
    const signed = sigV4Sign(vanilla('POST'), {
      accessKeyId: AKID,
      secretAccessKey: SECRET,
      region: 'us-east-1',
      service: 'service',
      amzDate: AMZ_DATE,
      signedHeaders: SIGNED,
    });
    expect(signed.signature).toBe('5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b');
  });

  it('post-x-www-form-urlencoded (AWS test suite): the body hash is signed', () => {
    const signed = sigV4Sign(
      {
        method: 'POST',
        path: '/',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          host: 'example.amazonaws.com',
          'x-amz-date': AMZ_DATE,
        },
        body: 'Param1=value1',
      },
      {
        accessKeyId: AKID,
        secretAccessKey: SECRET,
        region: 'us-east-1',
        service: 'service',
        amzDate: AMZ_DATE,
        signedHeaders: ['content-type', 'host', 'x-amz-date'],
      },
    );
    expect(signed.signature).toBe('ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a');
  });

  it('IAM ListUsers (AWS General Reference worked example): query string and signing key', () => {
    const request: SigV4Request = {
      method: 'GET',
      path: '/',
      query: 'Action=ListUsers&Version=2010-05-08',
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        host: 'iam.amazonaws.com',
        'x-amz-date': AMZ_DATE,
      },
    };
    const signed = sigV4Sign(request, {
      accessKeyId: AKID,
      secretAccessKey: SECRET,
      region: 'us-east-1',
      service: 'iam',
      amzDate: AMZ_DATE,
      signedHeaders: ['content-type', 'host', 'x-amz-date'],
    });
    expect(sha256Hex(signed.canonicalRequest)).toBe('f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59');
    expect(sigV4SigningKey(SECRET, '20150830', 'us-east-1', 'iam').toString('hex')).toBe(
      'c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9',
    );
    expect(signed.signature).toBe('5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7');
  });

  it('MediaConnect StartFlow: the encoded ARN is encoded again in the canonical path', () => {
    const signed = sigV4Sign(startFlow, { ...mediaconnect, amzDate: AMZ_DATE, signedHeaders: SIGNED });
    expect(signed.canonicalRequest.split('\n')[1]).toBe(
      '/v1/flows/start/arn%253Aaws%253Amediaconnect%253Aus-east-1%253A111122223333%253Aflow%253A1-23aBC45dEF67hiJ8-12AbC34DE5fG%253ABasketballGame',
    );
    expect(signed.signature).toBe('9892e5e0fb714634d48de359d5bcea71b5883ffef2a357c9105b25aa1b9b63ba');

    const singleEncoded = sigV4Sign(startFlow, {
      ...mediaconnect,
      amzDate: AMZ_DATE,
      signedHeaders: SIGNED,
      doubleEncodePath: false,
    });
    expect(singleEncoded.signature).toMatch(/^084d2ab8[0-9a-f]{52}ef09$/);
  });
});

describe('canonical pieces', () => {
  it('normalizes the path like the SDK signer (empty and dot segments) and keeps a trailing slash', () => {
    expect(sigV4CanonicalUri('')).toBe('/');
    expect(sigV4CanonicalUri('/a//b/./c/../d/')).toBe('/a/b/d/');
    expect(sigV4CanonicalUri('/tags/arn%3Aaws')).toBe('/tags/arn%253Aaws');
  });

  it('sorts the query by encoded name then value and re-encodes RFC 3986 style', () => {
    expect(sigV4CanonicalQuery('tagKeys=b&tagKeys=a&maxResults=5&nextToken=a%2Bb%3D')).toBe(
      'maxResults=5&nextToken=a%2Bb%3D&tagKeys=a&tagKeys=b',
    );
    expect(sigV4CanonicalQuery("x=it's%20(ok)*")).toBe('x=it%27s%20%28ok%29%2A');
    expect(sigV4CanonicalQuery('flag')).toBe('flag=');
  });

  it('reads x-amz-date', () => {
    expect(parseAmzDate(AMZ_DATE)).toBe(Date.UTC(2015, 7, 30, 12, 36, 0));
    expect(parseAmzDate('2015-08-30T12:36:00Z')).toBeUndefined();
  });
});

describe('verifySigV4', () => {
  const now = parseAmzDate(AMZ_DATE)!;
  const options = {
    service: 'mediaconnect',
    secretFor: (id: string) => (id === AKID ? SECRET : undefined),
    now,
    maxClockSkewMs: 5 * 60_000,
  };
  const signedStartFlow = (request: SigV4Request = startFlow, secret = SECRET, accessKeyId = AKID): SigV4Request => {
    const { authorization } = sigV4Sign(request, {
      ...mediaconnect,
      accessKeyId,
      secretAccessKey: secret,
      amzDate: String(request.headers['x-amz-date']),
      signedHeaders: SIGNED,
    });
    return { ...request, headers: { ...request.headers, authorization } };
  };

  it('accepts the StartFlow vector and reads the region from the credential scope', () => {
    expect(verifySigV4(signedStartFlow(), options)).toEqual({ ok: true, accessKeyId: AKID, region: 'us-east-1' });
  });

  it('rejects a request altered after signing', () => {
    const request = signedStartFlow();
    const result = verifySigV4({ ...request, path: request.path.replace('BasketballGame', 'FootballGame') }, options);
    expect(result).toMatchObject({ ok: false, status: 403, code: 'InvalidSignatureException', region: 'us-east-1' });
  });

  it('rejects a wrong secret as a signature mismatch and an unknown key id as an unrecognized client', () => {
    expect(verifySigV4(signedStartFlow(startFlow, 'not-the-secret'), options)).toMatchObject({
      ok: false,
      status: 403,
      code: 'InvalidSignatureException',
      message: expect.stringContaining('does not match the signature you provided'),
    });
    expect(verifySigV4(signedStartFlow(startFlow, SECRET, 'AKIDUNKNOWN'), options)).toMatchObject({
      ok: false,
      status: 403,
      code: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    });
  });

  it('answers a stale or future date with the messages AWS uses', () => {
    const stale = signedStartFlow({
      ...startFlow,
      headers: { ...startFlow.headers, 'x-amz-date': '20150830T123000Z' },
    });
    expect(verifySigV4(stale, options)).toEqual({
      ok: false,
      status: 403,
      code: 'InvalidSignatureException',
      message: 'Signature expired: 20150830T123000Z is now earlier than 20150830T123100Z (20150830T123600Z - 5 min.)',
      region: 'us-east-1',
    });
    const future = signedStartFlow({
      ...startFlow,
      headers: { ...startFlow.headers, 'x-amz-date': '20150830T124200Z' },
    });
    expect(verifySigV4(future, options)).toMatchObject({
      ok: false,
      code: 'InvalidSignatureException',
      message:
        'Signature not yet current: 20150830T124200Z is still later than 20150830T124100Z (20150830T123600Z + 5 min.)',
    });
    // Inside the window either way: accepted.
    const recent = signedStartFlow({
      ...startFlow,
      headers: { ...startFlow.headers, 'x-amz-date': '20150830T123200Z' },
    });
    expect(verifySigV4(recent, options).ok).toBe(true);
  });

  it('rejects missing or malformed authorization, an unsigned host and a foreign service scope', () => {
    expect(verifySigV4(startFlow, options)).toMatchObject({ code: 'MissingAuthenticationTokenException' });
    const garbled = { ...startFlow, headers: { ...startFlow.headers, authorization: 'AWS4-HMAC-SHA256 Signature=x' } };
    expect(verifySigV4(garbled, options)).toMatchObject({ status: 403, code: 'IncompleteSignatureException' });

    const noHost = sigV4Sign(startFlow, { ...mediaconnect, amzDate: AMZ_DATE, signedHeaders: ['x-amz-date'] });
    expect(
      verifySigV4({ ...startFlow, headers: { ...startFlow.headers, authorization: noHost.authorization } }, options),
    ).toMatchObject({ code: 'IncompleteSignatureException' });

    const otherService = sigV4Sign(startFlow, {
      ...mediaconnect,
      service: 'medialive',
      amzDate: AMZ_DATE,
      signedHeaders: SIGNED,
    });
    expect(
      verifySigV4(
        { ...startFlow, headers: { ...startFlow.headers, authorization: otherService.authorization } },
        options,
      ),
    ).toMatchObject({
      code: 'InvalidSignatureException',
      message: "Credential should be scoped to correct service: 'mediaconnect'.",
    });
  });

  it('rejects a session token the key does not have', () => {
    const withToken = { ...startFlow, headers: { ...startFlow.headers, 'x-amz-security-token': 'token' } };
    expect(verifySigV4(signedStartFlow(withToken), options)).toMatchObject({ code: 'UnrecognizedClientException' });
  });
});

describe('verifySigV4 against requests signed by the AWS SDK', () => {
  const credentials = { accessKeyId: 'AKIDSDKCROSSCHECK', secretAccessKey: 'sdk/cross+check/SECRET' };
  const options = {
    service: 'mediaconnect',
    secretFor: (id: string) => (id === credentials.accessKeyId ? credentials.secretAccessKey : undefined),
    maxClockSkewMs: 5 * 60_000,
  };

  /** Runs `send` on a real SDK client and returns the signed request as it would go on the wire. */
  async function sdkSigned(send: (sdk: MediaConnectClient) => Promise<unknown>): Promise<SigV4Request> {
    let captured: SigV4Request | undefined;
    const sdk = new MediaConnectClient({
      region: 'ap-northeast-1',
      credentials,
      maxAttempts: 1,
      requestHandler: {
        handle: async (request: {
          method: string;
          path: string;
          query?: Record<string, string | string[] | null>;
          headers: Record<string, string>;
          body?: unknown;
        }) => {
          captured = {
            method: request.method,
            path: request.path,
            query: buildQueryString(request.query ?? {}),
            headers: request.headers,
            body: typeof request.body === 'string' ? request.body : '',
          };
          return { response: new HttpResponse({ statusCode: 200, headers: {}, body: Buffer.from('{}') }) };
        },
      },
    });
    await send(sdk);
    return captured!;
  }

  const arn = 'arn:aws:mediaconnect:ap-northeast-1:111122223333:flow:1-abcdEFGH12345678-ABCDEFGH1234:game (1)';

  const sends: [string, (sdk: MediaConnectClient) => Promise<unknown>][] = [
    ['StartFlow (encoded ARN in the path)', (sdk) => sdk.send(new StartFlowCommand({ FlowArn: arn }))],
    [
      'CreateFlow (JSON body)',
      (sdk) =>
        sdk.send(
          new CreateFlowCommand({ Name: 'game', Source: { Name: 'main', Protocol: 'srt-listener', IngestPort: 5000 } }),
        ),
    ],
    ['ListFlows (query string)', (sdk) => sdk.send(new ListFlowsCommand({ MaxResults: 5, NextToken: 'a+b/c=' }))],
    [
      'UntagResource (repeated query keys)',
      (sdk) => sdk.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['b', 'a:x'] })),
    ],
  ];

  it.each(sends)('accepts %s', async (_label, send) => {
    const request = await sdkSigned(send);
    const now = parseAmzDate(String(request.headers['x-amz-date']))!;
    expect(verifySigV4(request, { ...options, now })).toEqual({
      ok: true,
      accessKeyId: credentials.accessKeyId,
      region: 'ap-northeast-1',
    });
  });

  it('rejects an SDK-signed body that was changed in transit', async () => {
    const request = await sdkSigned((sdk) =>
      sdk.send(new CreateFlowCommand({ Name: 'game', Source: { Name: 'main', Protocol: 'srt-listener' } })),
    );
    const now = parseAmzDate(String(request.headers['x-amz-date']))!;
    const tampered = { ...request, body: String(request.body).replace('game', 'gama') };
    expect(verifySigV4(tampered, { ...options, now })).toMatchObject({ code: 'InvalidSignatureException' });
  });
});
