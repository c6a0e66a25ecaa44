/**
 * AWS Elemental MediaConnect: the vendor's documented facts and our pacing of them (docs/vendors/aws-mediaconnect.md,
 * "Limits").
 */
import { defineVendor } from '../common/descriptor.ts';

export const awsMediaConnect = defineVendor({
  vendor: 'aws-mediaconnect',
  budget: {
    documentedLimit: 5,
    windowSeconds: 1,
    scope: 'account-region',
    source: 'docs/vendors/aws-mediaconnect.md, "Limits": 5 req/s steady (burst 30); 429 TooManyRequestsException',
    spendLimit: 5,
    reservedConcurrency: 5,
    safetyMargin: 0.05,
  },
  functionTimeoutSeconds: 30,
  callTimeoutMs: 10_000,
  pollIntervalSeconds: 3,
  maxPolls: 40,
  credentialKeys: [],
  sharing: 'entitlements',
});
