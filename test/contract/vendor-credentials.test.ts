/**
 * Vendor credentials from Secrets Manager: the vendor λ's client, built the way the Lambda entry builds it (the real
 * Huawei Live client through `fromEnv`, its secret read through Powertools parameters), signs with what the secret
 * holds and nothing else — the emulator verifies every signature. Secrets Manager is mocked at the SDK client.
 */
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_NAMES } from '../../functions/domain/errors.ts';
import {
  CREDENTIALS_PLACEHOLDER,
  VENDOR_CREDENTIAL_KEYS,
  VENDOR_SECRET_ARN_ENV,
} from '../../functions/domain/vendor-credentials.ts';
import { vendorClientFromEnv } from '../../functions/flow-steps/credentials.ts';
import { AlibabaCamsClient } from '../../functions/vendors/alibaba-cams/client.ts';
import { AlibabaIceClient } from '../../functions/vendors/alibaba-ice/client.ts';
import { HuaweiLiveClient } from '../../functions/vendors/huawei-live/client.ts';
import { VolcengineLiveClient } from '../../functions/vendors/volcengine-live/client.ts';
import { type RunningHuaweiLiveEmulator, startHuaweiLiveEmulator } from '../../local/emulators/huawei-live.ts';
import { localVendor } from '../../local/emulators/registry.ts';
import { aHuaweiRequest } from '../helpers/live-vendors.ts';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:flow-provisioner/huawei-live-AbCdEf';
const projectId = '5f0e9d8c7b6a45f3a2b1c0d9e8f7a6b5';
const current = { accessKey: 'HWSECRETTESTAK0001', secretKey: 'secret/HuaweiCurrentSecretKey000001' };
const secretOf = (c: { accessKey: string; secretKey: string }) =>
  JSON.stringify({
    HUAWEICLOUD_SDK_AK: c.accessKey,
    HUAWEICLOUD_SDK_SK: c.secretKey,
    HUAWEICLOUD_PROJECT_ID: projectId,
  });

const secretsManager = mockClient(SecretsManagerClient);
let running: RunningHuaweiLiveEmulator;
/** The environments the client was built from (one per build). */
let builds: NodeJS.ProcessEnv[];

beforeEach(async () => {
  secretsManager.reset();
  builds = [];
  running = await startHuaweiLiveEmulator({ credentials: { ...current, projectId } });
});
afterEach(async () => running.close());

/** The Huawei task's client as its Lambda entry builds it; the environment has an endpoint and a secret, no keys. */
function lambdaClient(options: { cacheSeconds?: number } = {}) {
  return vendorClientFromEnv({
    vendor: 'huawei-live',
    env: { VENDOR_ENDPOINT_HUAWEI_LIVE: running.url, [VENDOR_SECRET_ARN_ENV]: SECRET_ARN },
    build: (env) => {
      builds.push(env);
      return HuaweiLiveClient.fromEnv(env, { callTimeoutMs: 2000 });
    },
    ...options,
  });
}

describe('vendor credentials from the vendor secret', () => {
  it('signs with the credentials the secret holds, read once per cache period', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: secretOf(current) });
    const client = lambdaClient();
    const request = aHuaweiRequest({ requestId: 'secret-1' });

    const created = await client.createFlow(request);
    expect(await client.describeFlow(request, created.flowId)).toMatchObject({ flowId: created.flowId });

    expect(running.flows()).toHaveLength(1);
    const reads = secretsManager.commandCalls(GetSecretValueCommand);
    expect(reads.map((c) => c.args[0].input)).toEqual([{ SecretId: SECRET_ARN }]);
    expect(builds).toHaveLength(1);
    expect(builds[0]).toMatchObject({ HUAWEICLOUD_SDK_AK: current.accessKey, HUAWEICLOUD_PROJECT_ID: projectId });
  });

  it('picks up rotated credentials when the cache expires, and rebuilds the client only when they changed', async () => {
    const stale = { accessKey: current.accessKey, secretKey: 'secret/HuaweiRevokedSecretKey000002' };
    secretsManager
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: secretOf(stale) })
      .resolves({ SecretString: secretOf(current) });
    const client = lambdaClient({ cacheSeconds: 0 });
    const request = aHuaweiRequest({ requestId: 'secret-rotated' });

    await expect(client.createFlow(request)).rejects.toMatchObject({ name: ERROR_NAMES.authFailed });
    const created = await client.createFlow(request);
    await client.describeFlow(request, created.flowId);

    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(3);
    expect(builds.map((env) => env.HUAWEICLOUD_SDK_SK)).toEqual([stale.secretKey, current.secretKey]);
  });

  it.each([
    [
      'the placeholder the stack creates',
      secretOf({ accessKey: current.accessKey, secretKey: CREDENTIALS_PLACEHOLDER }),
    ],
    ['a missing key', JSON.stringify({ HUAWEICLOUD_SDK_AK: current.accessKey, HUAWEICLOUD_PROJECT_ID: projectId })],
  ])('refuses %s, naming the secret and the keys, never a value', async (_label, secret) => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: secret });
    const error = await lambdaClient()
      .createFlow(aHuaweiRequest())
      .catch((e: Error) => e);
    expect(error).toMatchObject({ name: ERROR_NAMES.authFailed });
    expect((error as Error).message).toContain(SECRET_ARN);
    expect((error as Error).message).toContain('has no value for HUAWEICLOUD_SDK_SK');
    expect((error as Error).message).not.toContain(current.accessKey);
    expect(running.journal.count()).toBe(0);
  });

  it('does not quote a secret that is not JSON (the parser would)', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: `${current.secretKey} is not json` });
    const error = (await lambdaClient()
      .createFlow(aHuaweiRequest())
      .catch((e: Error) => e)) as Error;
    expect(error.message).toMatch(/is not JSON/);
    expect(error.message).not.toContain(current.secretKey);
    expect(JSON.stringify(error)).not.toContain(current.secretKey);
  });

  it('fails for good when the secret cannot be found, and retryably when Secrets Manager is unavailable', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'not found', $metadata: {} }))
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const client = lambdaClient({ cacheSeconds: 0 });

    await expect(client.createFlow(aHuaweiRequest())).rejects.toMatchObject({
      name: ERROR_NAMES.authFailed,
      details: { operation: 'GetSecretValue', vendorCode: 'ResourceNotFoundException' },
    });
    await expect(client.createFlow(aHuaweiRequest())).rejects.toMatchObject({
      name: ERROR_NAMES.unavailable,
      details: { vendorCode: 'ThrottlingException' },
    });
  });

  it('uses the environment itself when no secret is configured (the local stack)', async () => {
    const env = {
      VENDOR_ENDPOINT_HUAWEI_LIVE: running.url,
      HUAWEICLOUD_SDK_AK: current.accessKey,
      HUAWEICLOUD_SDK_SK: current.secretKey,
      HUAWEICLOUD_PROJECT_ID: projectId,
    };
    const client = vendorClientFromEnv({ vendor: 'huawei-live', env, build: (e) => HuaweiLiveClient.fromEnv(e) });

    await client.createFlow(aHuaweiRequest({ requestId: 'from-env' }));

    expect(client).toBeInstanceOf(HuaweiLiveClient);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    expect(running.flows()).toHaveLength(1);
  });
});

describe('the secret keys of each vendor', () => {
  it('are the variable names the README documents for each vendor', () => {
    const alibaba = ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'];
    expect(VENDOR_CREDENTIAL_KEYS['huawei-live']).toEqual([
      'HUAWEICLOUD_SDK_AK',
      'HUAWEICLOUD_SDK_SK',
      'HUAWEICLOUD_PROJECT_ID',
    ]);
    expect(VENDOR_CREDENTIAL_KEYS['volcengine-live']).toEqual(['VOLCENGINE_ACCESS_KEY', 'VOLCENGINE_SECRET_KEY']);
    expect(VENDOR_CREDENTIAL_KEYS['alibaba-ice']).toEqual(alibaba);
    expect(VENDOR_CREDENTIAL_KEYS['alibaba-cams']).toEqual(alibaba);
    expect(VENDOR_CREDENTIAL_KEYS['aws-mediaconnect']).toEqual([]);
  });

  it.each([
    ['alibaba-ice', (env: NodeJS.ProcessEnv) => AlibabaIceClient.fromEnv(env)],
    ['alibaba-cams', (env: NodeJS.ProcessEnv) => AlibabaCamsClient.fromEnv(env)],
    ['huawei-live', (env: NodeJS.ProcessEnv) => HuaweiLiveClient.fromEnv(env)],
    ['volcengine-live', (env: NodeJS.ProcessEnv) => VolcengineLiveClient.fromEnv(env)],
  ] as const)(
    '%s: a client builds from those keys alone and refuses to build without any one of them',
    (vendor, build) => {
      const keys = VENDOR_CREDENTIAL_KEYS[vendor];
      // The local stack's test credentials: the same names, plain environment variables.
      const env = { ...localVendor(vendor)!.credentialsEnv };
      expect(Object.keys(env).sort()).toEqual([...keys].sort());
      expect(() => build(env)).not.toThrow();
      for (const key of keys) {
        const { [key]: _missing, ...without } = env;
        expect(() => build(without)).toThrow(key);
      }
    },
  );
});
