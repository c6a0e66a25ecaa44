/**
 * Volcengine Live pull-to-push: the vendor's documented facts and our pacing of them
 * (docs/vendors/volcengine-live.md, "Limits").
 */
import { defineVendor } from '../common/descriptor.ts';

export const volcengineLive = defineVendor({
  vendor: 'volcengine-live',
  // Two documented scopes per user: 10 req/s for the writes and 15 req/s for the list actions. ListPullToPushGroup
  // and DeletePullToPushGroup are not confirmed (the delete page states 10/s): both are paced with the writes, the
  // stricter reading. Two lanes (docs/adr/0007-lanes.md): the reads (ListPullToPushTaskV2 only; a read answers the
  // task's addresses too) apart from every other step. Writes: 10 slots (the writes lane alone) at T = 1050 ms (10 in
  // any second, 9.5/s sustained); lists: 15 slots (both lanes may list) at T = 1050 ms (15 in any second). One call
  // of a scope per instance per second: an instance's two calls of a scope cannot share a window, so a late arrival
  // has the whole 50 ms margin to land in (at 2 calls per second per instance it would have 25 ms).
  budget: {
    reservedConcurrency: 15,
    lanes: [
      {
        name: 'writes',
        steps: [
          'createFlow',
          'completeFlow',
          'startFlow',
          'grantEntitlements',
          'stopFlow',
          'deleteFlow',
          'teardownFlow',
        ],
        operations: '*',
        reservedConcurrency: 10,
      },
      {
        name: 'reads',
        steps: ['describeFlow', 'describeConnection'],
        operations: ['ListPullToPushTaskV2'],
        reservedConcurrency: 5,
      },
    ],
    scopes: [
      {
        name: 'writes',
        operations: [
          'CreatePullToPushGroup',
          'DeletePullToPushGroup',
          'ListPullToPushGroup',
          'CreatePullToPushTask',
          'UpdatePullToPushTask',
          'StopPullToPushTask',
          'RestartPullToPushTask',
          'DeletePullToPushTask',
        ],
        documentedLimit: 10,
        windowSeconds: 1,
        per: 'user',
        source:
          'docs/vendors/volcengine-live.md, "Limits": 10 req/s per user for the pull-to-push writes (group actions unconfirmed, paced here); throttle = FlowLimitExceeded (HTTP 429 assumed)',
        spendLimit: 10,
        safetyMargin: 0.05,
      },
      {
        name: 'lists',
        operations: ['ListPullToPushTask', 'ListPullToPushTaskV2'],
        documentedLimit: 15,
        windowSeconds: 1,
        per: 'user',
        source: 'docs/vendors/volcengine-live.md, "Limits": 15 req/s per user for ListPullToPushTask(V2)',
        spendLimit: 15,
        safetyMargin: 0.05,
      },
    ],
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
