/**
 * Alibaba Cloud CAMS Flow: the vendor's documented facts and our pacing of them (docs/vendors/alibaba-cams.md,
 * "Limits").
 */
import { defineVendor } from '../common/descriptor.ts';

export const alibabaCams = defineVendor({
  vendor: 'alibaba-cams',
  // Every CAMS Flow API page states 5 QPS "for this operation": a budget for each operation. Whether the main
  // account and its RAM users share it is unclear; we read it per account (the wider scope). Four lanes
  // (docs/adr/0007-lanes.md), each calling operations no other lane calls, so each operation's 5 slots are one lane's:
  // 5 instances at T = 1.05 s per operation (at most 5 calls of one operation in any second, 4.76/s sustained), and
  // the create, the asset upload, the publish and the reads of different flows run at once instead of queueing behind
  // one another's slots. One operation per step on the happy path: a slot is held until the interval of every
  // operation it called has passed, so a step that called CreateFlow and then UpdateFlowJSONAsset would cycle one
  // vendor latency slower than T (the asset is `completeFlow`'s, `./client.ts`). GetFlow belongs to the read lane
  // alone: an adopting create and a repeated publish leave the reading to it. The 5 % margin (50 ms) absorbs arrival
  // jitter (docs/benchmarks.md measures it).
  budget: {
    reservedConcurrency: 20,
    lanes: [
      {
        name: 'create',
        steps: ['createFlow', 'grantEntitlements'],
        operations: ['CreateFlow', 'ListFlow'],
        reservedConcurrency: 5,
      },
      { name: 'asset', steps: ['completeFlow'], operations: ['UpdateFlowJSONAsset'], reservedConcurrency: 5 },
      { name: 'start', steps: ['startFlow'], operations: ['PublishFlow'], reservedConcurrency: 5 },
      {
        name: 'read',
        steps: ['describeFlow', 'describeConnection', 'stopFlow', 'deleteFlow', 'teardownFlow'],
        operations: ['GetFlow', 'DeprecateFlow', 'DeleteFlow'],
        reservedConcurrency: 5,
      },
    ],
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
  // createFlow: ListFlow (≤ 3 pages) + CreateFlow ≤ 4 paced calls ≈ 36 s worst case.
  functionTimeoutSeconds: 50,
  callTimeoutMs: 8_000,
  pollIntervalSeconds: 1,
  maxPolls: 30,
  // ICE and CAMS read the same names; each has its own secret, so each λ can be given a RAM user of its own product.
  credentialKeys: ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'],
  sharing: 'none',
});
