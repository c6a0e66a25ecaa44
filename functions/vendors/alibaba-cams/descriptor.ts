/**
 * Alibaba Cloud CAMS Flow: the vendor's documented facts and our pacing of them (docs/vendors/alibaba-cams.md,
 * "Limits").
 */
import { defineVendor } from '../common/descriptor.ts';

export const alibabaCams = defineVendor({
  vendor: 'alibaba-cams',
  // Every CAMS Flow API page: 5 QPS per account (main account and RAM users share it). C = 5, T = 1.05 s: the 5 %
  // margin (50 ms) absorbs arrival jitter and sustains 95 % of the limit; the real-time benchmark measures that
  // jitter (docs/benchmarks.md).
  budget: {
    documentedLimit: 5,
    windowSeconds: 1,
    scope: 'account',
    source:
      'docs/vendors/alibaba-cams.md, "Limits": 5 QPS per account for every Flow API; throttle = 400 System.LimitControl',
    spendLimit: 5,
    reservedConcurrency: 5,
    safetyMargin: 0.05,
  },
  // createFlow: ListFlow (≤ 3 pages) + CreateFlow + UpdateFlowJSONAsset ≤ 5 paced calls ≈ 45 s worst case.
  functionTimeoutSeconds: 50,
  callTimeoutMs: 8_000,
  pollIntervalSeconds: 1,
  maxPolls: 30,
  // ICE and CAMS read the same names; each has its own secret, so each λ can be given a RAM user of its own product.
  credentialKeys: ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'],
  sharing: 'none',
});
