/**
 * Volcengine Live pull-to-push: the vendor's documented facts and our pacing of them
 * (docs/vendors/volcengine-live.md, "Limits").
 */
import { defineVendor } from '../common/descriptor.ts';

export const volcengineLive = defineVendor({
  vendor: 'volcengine-live',
  // Two documented scopes, one λ: 10 req/s per user for the writes (Create/Update/Stop/Restart/Delete) and 15 req/s
  // for ListPullToPushTask(V2). One λ serves both, so it is paced at the stricter 10/s: C = 10, T = 1 s × 1.05 =
  // 1050 ms → 10 × ceil(1000/1050) = 10 calls in any second, sustained 9.5/s (95 %). Ten instances one call a
  // second apart rather than five at two a second: an instance's two calls cannot share a window, so a late arrival
  // has the whole 50 ms margin to land in (with C = 5 and T = 525 ms it would have 25 ms).
  budget: {
    documentedLimit: 10,
    windowSeconds: 1,
    scope: 'user',
    source:
      'docs/vendors/volcengine-live.md, "Limits": 10 req/s per user for pull-to-push writes, 15 req/s for lists (paced at the stricter); throttle = FlowLimitExceeded (HTTP 429 assumed)',
    spendLimit: 10,
    reservedConcurrency: 10,
    safetyMargin: 0.05,
  },
  // createFlow is two paced calls (group, task), four when it adopts (group exists → list groups → list tasks →
  // create task): 4 × (T + callTimeout) ≈ 37 s worst case.
  functionTimeoutSeconds: 45,
  callTimeoutMs: 8_000,
  // A task flips from 未开始 to 生效中 at its StartTime (second precision).
  pollIntervalSeconds: 2,
  maxPolls: 30,
  credentialKeys: ['VOLCENGINE_ACCESS_KEY', 'VOLCENGINE_SECRET_KEY'],
  sharing: 'none',
});
