/** Names shared by the constructs, the stack and the tests. */
import type { VendorId } from '../functions/shared/contract.ts';

/** `aws-mediaconnect` → `AwsMediaconnect`: a vendor id as a PascalCase construct id. */
export function constructIdOf(vendor: VendorId): string {
  return vendor
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** `provision-flow-<vendor>`: operators and `flowctl` find a vendor's executions by this name. */
export function stateMachineName(vendor: VendorId): string {
  return `provision-flow-${vendor}`;
}
