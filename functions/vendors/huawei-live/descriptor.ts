/**
 * Huawei Cloud Live StreamConnect: the vendor's documented facts and our pacing of them (docs/vendors/huawei-live.md,
 * "Limits").
 */
import { defineVendor } from '../common/descriptor.ts';

export const huaweiLive = defineVendor({
  vendor: 'huawei-live',
  // 80 requests per minute per user *and* per API for the StreamConnect group, outputs included as far as
  // documented. Every per-API budget is met when the per-user budget over all of them is, so only the per-user scope
  // binds and it is the one we pace. The window is a minute, so the rule is C × ceil(60/T) ≤ 80: C = 4,
  // T = 60 s / 20 × 1.05 = 3.15 s → 4 × 20 = 80 calls in any 60 s, sustained 76/min (95 %).
  budget: {
    reservedConcurrency: 4,
    scopes: [
      {
        name: 'user',
        operations: '*',
        documentedLimit: 80,
        windowSeconds: 60,
        per: 'user',
        source:
          'docs/vendors/huawei-live.md, "Limits": StreamConnect APIs 80 req/min per user and per API (the per-user scope binds); throttle = APIG.0308 (HTTP 429 assumed)',
        spendLimit: 80,
        safetyMargin: 0.05,
      },
    ],
  },
  // createFlow looks before it creates: ListFlows pages (100 flows each), the detail of a namesake, the create, and
  // after an "exists" the same look again. With the client's 5-page bound an account of up to 500 flows costs at
  // most 12 paced calls ≈ 38 s of pacing, under the λ timeout and the ASL task timeout (60 s).
  functionTimeoutSeconds: 55,
  callTimeoutMs: 6_000,
  // Every poll spends 1/80 of a minute of budget: poll sparingly.
  pollIntervalSeconds: 3,
  maxPolls: 20,
  credentialKeys: ['HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_PROJECT_ID'],
  sharing: 'outputs',
});
