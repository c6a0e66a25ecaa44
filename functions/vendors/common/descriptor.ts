/**
 * What the rest of the system knows about a vendor, in one place per vendor (`../<vendor>/descriptor.ts`): its id,
 * documented rate limit and its scope, the pacing derived from it, call and λ timeouts, poll settings, credential
 * variables, endpoint override variable and what it can share. `functions/domain/config.ts`, the λ entries, CDK and
 * the local stack read these; `../registry.ts` lists them. Plain data: no client, no AWS.
 */
import type { VendorConfig } from '../../domain/config.ts';
import type { VendorId } from '../../domain/contract.ts';
import { endpointEnvFor } from './environment.ts';

export interface VendorDescriptor<V extends VendorId = VendorId> extends VendorConfig {
  readonly vendor: V;
  /**
   * The variable names of the vendor's credentials: environment variables locally, the keys of its secret's JSON
   * object on AWS. Empty for a vendor signed with the function role (AWS MediaConnect).
   */
  readonly credentialKeys: readonly string[];
  /** `VENDOR_ENDPOINT_<VENDOR>`: the API base URL override (an emulator locally). */
  readonly endpointEnv: string;
  /** How a flow is shared: AWS entitlements, outputs (ICE, Huawei), or not at all (the contract rejects a list). */
  readonly sharing: 'entitlements' | 'outputs' | 'none';
}

/** A vendor's descriptor from its facts; the endpoint override variable follows from its id. */
export function defineVendor<const D extends Omit<VendorDescriptor, 'endpointEnv'>>(
  facts: D,
): D & { readonly endpointEnv: string } {
  return { ...facts, endpointEnv: endpointEnvFor(facts.vendor) };
}
