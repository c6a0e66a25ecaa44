/**
 * How the local stack runs each vendor: its emulator, the test credentials both sides use, and the client the vendor
 * λ builds from the environment. One entry per vendor; `flowctl local` starts an emulator only for vendors whose
 * `VENDOR_ENDPOINT_<VENDOR>` is not set.
 */
import { bindingScope, VENDORS } from '../../functions/domain/config.ts';
import type { VendorId } from '../../functions/domain/contract.ts';
import { AlibabaCamsClient } from '../../functions/vendors/alibaba-cams/client.ts';
import { AlibabaIceClient } from '../../functions/vendors/alibaba-ice/client.ts';
import { AwsMediaConnectClient } from '../../functions/vendors/aws-mediaconnect/client.ts';
import { HuaweiLiveClient } from '../../functions/vendors/huawei-live/client.ts';
import type { PaceFn, VendorClient } from '../../functions/vendors/types.ts';
import { VolcengineLiveClient } from '../../functions/vendors/volcengine-live/client.ts';
import { CAMS_RATE_LIMIT, startAlibabaEmulator } from './alibaba.ts';
import { AWS_MEDIACONNECT_RATE_LIMITS, startAwsMediaConnectEmulator } from './aws-mediaconnect.ts';
import type { FaultSettings, RunningEmulator } from './common.ts';
import { HUAWEI_RATE_LIMIT, startHuaweiLiveEmulator } from './huawei-live.ts';
import { startVolcengineLiveEmulator, VOLCENGINE_RATE_LIMITS } from './volcengine-live.ts';

export interface EmulatorStartOptions {
  /** Faults and latency to inject from the start. */
  readonly faults?: FaultSettings;
  /** Enforce the documented rate limit with the vendor's throttle error (default true; the bench turns it off). */
  readonly enforceRateLimit?: boolean;
  /**
   * BENCHMARK ONLY: time compression. Every duration of the vendor's world the emulator owns — its rate-limit windows
   * and its state delays (AWS STARTING → ACTIVE) — is multiplied by this; the calls allowed per window stay the
   * documented ones. Latency is scaled by the caller through `faults.latencyMs`. @default 1
   */
  readonly timeScale?: number;
  /**
   * BENCHMARK ONLY: ICE publishes no limit, so its emulator enforces none by default; `true` enforces the limit
   * `functions/domain/config.ts` assumes (5 calls/s) as if it were documented. Other vendors ignore it. @default false
   */
  readonly enforceAssumedLimit?: boolean;
  /** AWS only: flows per region before CreateFlow answers 420 (the real quota, 20, is below a 300-request burst). */
  readonly flowQuota?: number;
  /** Huawei only: a second flow of a taken name is created instead of refused (undocumented either way). */
  readonly acceptDuplicateNames?: boolean;
}

/** A documented limit of `windowSeconds`, its window compressed by `timeScale`. */
function scaledLimit(limit: number, windowSeconds: number, timeScale = 1): { limit: number; windowMs: number } {
  return { limit, windowMs: windowSeconds * 1000 * timeScale };
}

export interface LocalVendor {
  readonly vendor: VendorId;
  /** `VENDOR_ENDPOINT_<VENDOR>`, from the vendor's descriptor. */
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
  /** @default the vendor's `callTimeoutMs` of `functions/domain/config.ts` */
  readonly callTimeoutMs?: number;
}

const awsCredentials = {
  AWS_ACCESS_KEY_ID: 'AKIDLOCALEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'local/K7MDENG+bPxRfiCYLOCALSECRET',
};

/** One Alibaba account for ICE and CAMS (docs/architecture.md, "Configuration"); each vendor runs its own instance of the gateway emulator. */
const alibabaCredentials = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tLOCALEXAMPLE0001',
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'local/AlibabaLocalSecretExample0001',
};

const startAlibaba = (vendor: 'alibaba-ice' | 'alibaba-cams') => (options: EmulatorStartOptions) => {
  // ICE's limit is our assumption (none is published), so its emulator takes the descriptor's; CAMS's is documented
  // and the emulator's own.
  const { documentedLimit, windowSeconds } = bindingScope(VENDORS[vendor].budget);
  const scaled = scaledLimit(documentedLimit, windowSeconds, options.timeScale);
  return startAlibabaEmulator({
    credentials: {
      accessKeyId: alibabaCredentials.ALIBABA_CLOUD_ACCESS_KEY_ID,
      accessKeySecret: alibabaCredentials.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
    },
    ...(options.faults ? { faults: options.faults } : {}),
    enforceRateLimit: options.enforceRateLimit ?? true,
    ...(vendor === 'alibaba-cams' && options.timeScale !== undefined
      ? { camsRateLimit: { ...CAMS_RATE_LIMIT, windowMs: CAMS_RATE_LIMIT.windowMs * options.timeScale } }
      : {}),
    ...(vendor === 'alibaba-ice' && options.enforceAssumedLimit ? { iceRateLimit: scaled } : {}),
  });
};

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
    endpointEnv: VENDORS['aws-mediaconnect'].endpointEnv,
    credentialsEnv: awsCredentials,
    startEmulator: (options) =>
      startAwsMediaConnectEmulator({
        credentials: {
          accessKeyId: awsCredentials.AWS_ACCESS_KEY_ID,
          secretAccessKey: awsCredentials.AWS_SECRET_ACCESS_KEY,
        },
        ...(options.faults ? { faults: options.faults } : {}),
        enforceRateLimit: options.enforceRateLimit ?? true,
        ...(options.timeScale !== undefined
          ? {
              rateLimits: {
                ...AWS_MEDIACONNECT_RATE_LIMITS,
                windowMs: AWS_MEDIACONNECT_RATE_LIMITS.windowMs * options.timeScale,
              },
              // The emulator's default STARTING time (300 ms), compressed with everything else.
              startDelayMs: 300 * options.timeScale,
              stopDelayMs: 300 * options.timeScale,
            }
          : {}),
        ...(options.flowQuota !== undefined ? { flowQuota: options.flowQuota } : {}),
      }),
    createClient: (env, pace, options) => AwsMediaConnectClient.fromEnv(env, { pace, ...options }),
  },
  {
    vendor: 'alibaba-ice',
    endpointEnv: VENDORS['alibaba-ice'].endpointEnv,
    credentialsEnv: alibabaCredentials,
    startEmulator: startAlibaba('alibaba-ice'),
    createClient: (env, pace, options) => AlibabaIceClient.fromEnv(env, { pace, ...options }),
  },
  {
    vendor: 'alibaba-cams',
    endpointEnv: VENDORS['alibaba-cams'].endpointEnv,
    credentialsEnv: alibabaCredentials,
    startEmulator: startAlibaba('alibaba-cams'),
    createClient: (env, pace, options) => AlibabaCamsClient.fromEnv(env, { pace, ...options }),
  },
  {
    vendor: 'huawei-live',
    endpointEnv: VENDORS['huawei-live'].endpointEnv,
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
        ...(options.timeScale !== undefined
          ? { rateLimit: { ...HUAWEI_RATE_LIMIT, windowMs: HUAWEI_RATE_LIMIT.windowMs * options.timeScale } }
          : {}),
        ...(options.acceptDuplicateNames !== undefined ? { acceptDuplicateNames: options.acceptDuplicateNames } : {}),
      }),
    createClient: (env, pace, options) => HuaweiLiveClient.fromEnv(env, { pace, ...options }),
  },
  {
    vendor: 'volcengine-live',
    endpointEnv: VENDORS['volcengine-live'].endpointEnv,
    credentialsEnv: volcengineCredentials,
    startEmulator: (options) =>
      startVolcengineLiveEmulator({
        credentials: {
          accessKeyId: volcengineCredentials.VOLCENGINE_ACCESS_KEY,
          secretAccessKey: volcengineCredentials.VOLCENGINE_SECRET_KEY,
        },
        ...(options.faults ? { faults: options.faults } : {}),
        enforceRateLimit: options.enforceRateLimit ?? true,
        ...(options.timeScale !== undefined
          ? {
              rateLimits: {
                ...VOLCENGINE_RATE_LIMITS,
                windowMs: VOLCENGINE_RATE_LIMITS.windowMs * options.timeScale,
              },
            }
          : {}),
      }),
    createClient: (env, pace, options) => VolcengineLiveClient.fromEnv(env, { pace, ...options }),
  },
];

export function localVendor(vendor: VendorId): LocalVendor | undefined {
  return LOCAL_VENDORS.find((v) => v.vendor === vendor);
}
