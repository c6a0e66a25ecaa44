/**
 * The MediaConnect client's error mapping without a network: every documented error name with its status, the AWS
 * front end's, transport failures and broken answers, each to its taxonomy class (docs/vendors/aws-mediaconnect.md,
 * "Errors"). SDK sends are mocked with aws-sdk-client-mock.
 */
import {
  AddFlowOutputs420Exception,
  BadRequestException,
  CreateFlow420Exception,
  DescribeFlowCommand,
  ForbiddenException,
  GrantFlowEntitlements420Exception,
  InternalServerErrorException,
  ListFlowsCommand,
  NotFoundException,
  ServiceUnavailableException,
  TooManyRequestsException,
} from '@aws-sdk/client-mediaconnect';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  VendorAuthFailedError,
  VendorQuotaExceededError,
  VendorRejectedError,
  VendorThrottledError,
  VendorUnavailableError,
} from '../../../functions/domain/errors.ts';
import { AwsMediaConnectClient } from '../../../functions/vendors/aws-mediaconnect/client.ts';
import { toVendorError } from '../../../functions/vendors/aws-mediaconnect/errors.ts';
import {
  aRequest,
  credentials,
  FLOW_ARN,
  generic,
  mc,
  metadata,
  modeled,
  transport,
  unparseable,
} from '../../helpers/aws-mediaconnect-sdk.ts';

let client: AwsMediaConnectClient;

beforeEach(() => {
  mc.reset();
  client = new AwsMediaConnectClient({ region: 'us-east-1', credentials });
});

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
