/**
 * How the local stack runs each vendor: its emulator, the test credentials both sides use, and the client the vendor
 * λ builds from the environment. One entry per vendor; `flowctl local` starts an emulator only for vendors whose
 * `VENDOR_ENDPOINT_<VENDOR>` is not set.
 */
import type { VendorId } from '../functions/shared/contract.ts';
import { AwsMediaConnectClient } from '../functions/vendors/aws-mediaconnect/client.ts';
import type { PaceFn, VendorClient } from '../functions/vendors/types.ts';
import { startAwsMediaConnectEmulator } from './emulators/aws-mediaconnect.ts';
import type { FaultSettings, RunningEmulator } from './emulators/common.ts';

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
  /** The client exactly as the vendor λ builds it, from an environment. */
  createClient(env: NodeJS.ProcessEnv, pace: PaceFn): VendorClient;
}

/** The environment variable naming a vendor's endpoint override. */
export function endpointEnvFor(vendor: VendorId): string {
  return `VENDOR_ENDPOINT_${vendor.toUpperCase().replaceAll('-', '_')}`;
}

const awsCredentials = {
  AWS_ACCESS_KEY_ID: 'AKIDLOCALEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'local/K7MDENG+bPxRfiCYLOCALSECRET',
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
    createClient: (env, pace) => AwsMediaConnectClient.fromEnv(env, { pace }),
  },
];

export function localVendor(vendor: VendorId): LocalVendor | undefined {
  return LOCAL_VENDORS.find((v) => v.vendor === vendor);
}
