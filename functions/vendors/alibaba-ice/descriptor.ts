/**
 * Alibaba Cloud ICE MediaConnect: the vendor's documented facts and our pacing of them (docs/vendors/alibaba-ice.md,
 * "Limits").
 */
import { defineVendor } from '../common/descriptor.ts';

export const alibabaIce = defineVendor({
  vendor: 'alibaba-ice',
  // ICE publishes no QPS limit for its MediaConnect APIs. We assume the lowest per-user limit Alibaba publishes for
  // comparable media control-plane APIs (5/s: CAMS Flow APIs, ARTC channel management, VOD template APIs) instead
  // of the gateway-wide default (~100/s), for every call together (nothing is published per operation, so the wider
  // scope): a throttle (`Throttling.User`) costs retries, under-spending costs nothing. C = 5, T = 1.05 s → ≤ 5 calls
  // in any second (5 % margin, as CAMS). Raise the limit if Alibaba states one.
  budget: {
    reservedConcurrency: 5,
    scopes: [
      {
        name: 'account',
        operations: '*',
        documentedLimit: 5,
        windowSeconds: 1,
        per: 'account',
        source:
          'docs/vendors/alibaba-ice.md, "Limits": no limit published (GAP); assumed 5 req/s per account, the lowest per-user QPS Alibaba publishes for media control-plane APIs; throttle = 400 Throttling.User',
        spendLimit: 5,
        safetyMargin: 0.05,
      },
    ],
  },
  // createFlow is one paced call, completeFlow two (read input, add input), grantEntitlements up to 5 (read output
  // names, one add each): 5 × (T + callTimeout) ≈ 45 s, at the λ timeout and under the ASL task timeout (60 s).
  functionTimeoutSeconds: 45,
  callTimeoutMs: 8_000,
  // Status `online` is set synchronously by UpdateMediaConnectFlowStatus; polling only covers surprises.
  pollIntervalSeconds: 2,
  maxPolls: 15,
  // ICE and CAMS read the same names; each has its own secret, so each λ can be given a RAM user of its own product.
  credentialKeys: ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'],
  sharing: 'outputs',
});
