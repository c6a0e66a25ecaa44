/**
 * Alibaba Cloud CAMS Flow: the vendor's documented facts and our pacing of them (docs/vendors/alibaba-cams.md,
 * "Limits").
 */
import { defineVendor } from '../common/descriptor.ts';

export const alibabaCams = defineVendor({
  vendor: 'alibaba-cams',
  // Every CAMS Flow API page states 5 QPS "for this operation": a budget for each operation. Whether the main
  // account and its RAM users share it is unclear; we read it per account (the wider scope). C = 5, T = 1.05 s per
  // operation: at most 5 calls of one operation in any second, while calls of different operations follow each other
  // at once. The 5 % margin (50 ms) absorbs arrival jitter (docs/benchmarks.md measures it).
  budget: {
    reservedConcurrency: 5,
    scopes: [
      {
        name: 'operation',
        operations: '*',
        eachOperation: true,
        documentedLimit: 5,
        windowSeconds: 1,
        per: 'account',
        source:
          'docs/vendors/alibaba-cams.md, "Limits": 5 QPS for each Flow API operation, per account (main account and RAM users read as sharing it); throttle = 400 System.LimitControl',
        spendLimit: 5,
        safetyMargin: 0.05,
      },
    ],
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
