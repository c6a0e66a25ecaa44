/**
 * Which credentials each vendor λ needs, and where they come from (docs/architecture.md, "Configuration"). Plain data:
 * the CDK stack creates one Secrets Manager secret per vendor listed here, shaped as these variable names; the vendor λ
 * reads its secret into the environment its client's `fromEnv` reads; the local stack sets the same names as plain
 * environment variables.
 */
import { VENDOR_DESCRIPTORS } from '../vendors/registry.ts';
import type { VendorId } from './contract.ts';

/**
 * The variable names of a vendor's credentials (its descriptor's `credentialKeys`): the keys of its secret's JSON
 * object on AWS, environment variables locally. AWS MediaConnect has none: it signs with the function role.
 */
export const VENDOR_CREDENTIAL_KEYS = Object.fromEntries(
  VENDOR_DESCRIPTORS.map((d): [VendorId, readonly string[]] => [d.vendor, d.credentialKeys]),
) as Readonly<Record<VendorId, readonly string[]>>;

/** The environment variable naming the vendor λ's credentials secret (ARN), set by the stack. */
export const VENDOR_SECRET_ARN_ENV = 'VENDOR_SECRET_ARN';

/**
 * The value every key of a secret holds until an operator puts the vendor's credentials in it. The stack creates the
 * secrets with it (CloudFormation never sees a credential); the λ refuses it with a message that says what to do.
 */
export const CREDENTIALS_PLACEHOLDER = 'REPLACE_ME';
