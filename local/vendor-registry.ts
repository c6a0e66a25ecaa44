/**
 * How the local stack runs each vendor: its emulator, the test credentials both sides use, and the client the vendor
 * λ builds from the environment. One entry per vendor; `flowctl local` starts an emulator only for vendors whose
 * `VENDOR_ENDPOINT_<VENDOR>` is not set.
 */
import type { VendorId } from '../functions/shared/contract.ts';
import { AlibabaCamsClient } from '../functions/vendors/alibaba-cams/client.ts';
import { AlibabaIceClient } from '../functions/vendors/alibaba-ice/client.ts';
import { AwsMediaConnectClient } from '../functions/vendors/aws-mediaconnect/client.ts';
import { HuaweiLiveClient } from '../functions/vendors/huawei-live/client.ts';
import type { PaceFn, VendorClient } from '../functions/vendors/types.ts';
import { VolcengineLiveClient } from '../functions/vendors/volcengine-live/client.ts';
import { startAlibabaEmulator } from './emulators/alibaba.ts';
import { startAwsMediaConnectEmulator } from './emulators/aws-mediaconnect.ts';
import type { FaultSettings, RunningEmulator } from './emulators/common.ts';
import { startHuaweiLiveEmulator } from './emulators/huawei-live.ts';
import { startVolcengineLiveEmulator } from './emulators/volcengine-live.ts';

export interface EmulatorStartOptions {
  /** Faults and latency to inject from the start. */
  readonly faults?: FaultSettings;
  /** Enforce the documented rate limit with the vendor's throttle error (default true; the bench turns it off). */
  readonly enforceRateLimit?: boolean;
}

export interface LocalVendor {
  readonly vendor: VendorId;
  /** `VENDOR_ENDPOINT_<VENDOR>` (DESIGN §7). */
  readonly endpointEnv: string;
  /** Test credentials as environment variables: the emulator is started with them and the client reads them. */
  readonly credentialsEnv: Readonly<Record<string, string>>;
  startEmulator(options: EmulatorStartOptions): Promise<RunningEmulator>;
  /**
   * The client exactly as the vendor λ builds it, from an environment. `callTimeoutMs` shortens the call deadline
   * (fault-injection runs, where a lost answer would otherwise hold a slot for the configured seconds).
   */
  createClient(env: NodeJS.ProcessEnv, pace: PaceFn, options?: ClientOptions): VendorClient;
}

export interface ClientOptions {
  /** @default the vendor's `callTimeoutMs` of `functions/shared/config.ts` */
  readonly callTimeoutMs?: number;
}

/** The environment variable naming a vendor's endpoint override. */
export function endpointEnvFor(vendor: VendorId): string {
  return `VENDOR_ENDPOINT_${vendor.toUpperCase().replaceAll('-', '_')}`;
}

const awsCredentials = {
  AWS_ACCESS_KEY_ID: 'AKIDLOCALEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'local/K7MDENG+bPxRfiCYLOCALSECRET',
};

/** One Alibaba account for ICE and CAMS (DESIGN §7); each vendor runs its own instance of the gateway emulator. */
const alibabaCredentials = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tLOCALEXAMPLE0001',
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'local/AlibabaLocalSecretExample0001',
};

const startAlibaba = (options: EmulatorStartOptions) =>
  startAlibabaEmulator({
    credentials: {
      accessKeyId: alibabaCredentials.ALIBABA_CLOUD_ACCESS_KEY_ID,
      accessKeySecret: alibabaCredentials.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
    },
    ...(options.faults ? { faults: options.faults } : {}),
    enforceRateLimit: options.enforceRateLimit ?? true,
  });

const huaweiCredentials = {
  HUAWEICLOUD_SDK_AK: 'HWLOCALEXAMPLEAK0001',
  HUAWEICLOUD_SDK_SK: 'local/HuaweiLocalSecretKeyExample000000001',
  HUAWEICLOUD_PROJECT_ID: '0a1b2c3d4e5f40718293a4b5c6d7e8f9',
};

const volcengineCredentials = {
  VOLCENGINE_ACCESS_KEY: 'AKLTlocalexample0001',
  VOLCENGINE_SECRET_KEY: 'local/VolcengineLocalSecretKeyExample0001',
};

export const LOCAL_VENDORS: readonly LocalVendor[] = [
  {
    vendor: 'aws-mediaconnect',
    endpointEnv: endpointEnvFor('aws-mediaconnect'),
    credentialsEnv: awsCredentials,
    startEmulator: (options) =>
      startAwsMediaConnectEmulator({
        credentials: {
          accessKeyId: awsCredentials.AWS_ACCESS_KEY_ID,
          secretAccessKey: awsCredentials.AWS_SECRET_ACCESS_KEY,
        },
        ...(options.faults ? { faults: options.faults } : {}),
        enforceRateLimit: options.enforceRateLimit ?? true,
      }),
    createClient: (env, pace, options) => AwsMediaConnectClient.fromEnv(env, { pace, ...options }),
  },
  {
    vendor: 'alibaba-ice',
    endpointEnv: endpointEnvFor('alibaba-ice'),
    credentialsEnv: alibabaCredentials,
    startEmulator: startAlibaba,
    createClient: (env, pace, options) => AlibabaIceClient.fromEnv(env, { pace, ...options }),
  },
  {
    vendor: 'alibaba-cams',
    endpointEnv: endpointEnvFor('alibaba-cams'),
    credentialsEnv: alibabaCredentials,
    startEmulator: startAlibaba,
    createClient: (env, pace, options) => AlibabaCamsClient.fromEnv(env, { pace, ...options }),
  },
  {
    vendor: 'huawei-live',
    endpointEnv: endpointEnvFor('huawei-live'),
    credentialsEnv: huaweiCredentials,
    startEmulator: (options) =>
      startHuaweiLiveEmulator({
        credentials: {
          accessKey: huaweiCredentials.HUAWEICLOUD_SDK_AK,
          secretKey: huaweiCredentials.HUAWEICLOUD_SDK_SK,
          projectId: huaweiCredentials.HUAWEICLOUD_PROJECT_ID,
        },
        ...(options.faults ? { faults: options.faults } : {}),
        enforceRateLimit: options.enforceRateLimit ?? true,
      }),
    createClient: (env, pace, options) => HuaweiLiveClient.fromEnv(env, { pace, ...options }),
  },
  {
    vendor: 'volcengine-live',
    endpointEnv: endpointEnvFor('volcengine-live'),
    credentialsEnv: volcengineCredentials,
    startEmulator: (options) =>
      startVolcengineLiveEmulator({
        credentials: {
          accessKeyId: volcengineCredentials.VOLCENGINE_ACCESS_KEY,
          secretAccessKey: volcengineCredentials.VOLCENGINE_SECRET_KEY,
        },
        ...(options.faults ? { faults: options.faults } : {}),
        enforceRateLimit: options.enforceRateLimit ?? true,
      }),
    createClient: (env, pace, options) => VolcengineLiveClient.fromEnv(env, { pace, ...options }),
  },
];

export function localVendor(vendor: VendorId): LocalVendor | undefined {
  return LOCAL_VENDORS.find((v) => v.vendor === vendor);
}
