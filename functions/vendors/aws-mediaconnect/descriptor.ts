/**
 * AWS Elemental MediaConnect: the vendor's documented facts and our pacing of them (docs/vendors/aws-mediaconnect.md,
 * "Limits").
 */
import { defineVendor } from '../common/descriptor.ts';

export const awsMediaConnect = defineVendor({
  vendor: 'aws-mediaconnect',
  // Two documented scopes, each per account and Region (a budget per Region: calls to two Regions do not share
  // one). The newer quota table gives DescribeFlow its own 30/s; its figure for every other call could not be read,
  // so the other calls stay at the older table's 5/s, the wider and stricter reading. Two lanes
  // (docs/adr/0007-lanes.md): the reads (DescribeFlow only) apart from every other step, so a poll never holds a slot
  // the 5/s calls need. The other calls: 5 slots at T = 1 s × 1.05 = 1050 ms (≤ 5 calls in any second, 4.76/s
  // sustained); DescribeFlow: 10 slots (both lanes may call it) at T = 1 s / 3 × 1.05 = 350 ms (≤ 30 in any second).
  budget: {
    reservedConcurrency: 10,
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
        reservedConcurrency: 5,
      },
      {
        name: 'reads',
        steps: ['describeFlow', 'describeConnection'],
        operations: ['DescribeFlow'],
        reservedConcurrency: 5,
      },
    ],
    scopes: [
      {
        name: 'describe',
        operations: ['DescribeFlow'],
        perRegion: true,
        documentedLimit: 30,
        windowSeconds: 1,
        per: 'account-region',
        source:
          'docs/vendors/aws-mediaconnect.md, "Limits": the newer quota table lists 30/s for DescribeFlow, per account and Region',
        spendLimit: 30,
        safetyMargin: 0.05,
      },
      {
        name: 'account-region',
        operations: [
          'CreateFlow',
          'StartFlow',
          'StopFlow',
          'DeleteFlow',
          'GrantFlowEntitlements',
          'ListFlows',
          'ListTagsForResource',
        ],
        perRegion: true,
        documentedLimit: 5,
        windowSeconds: 1,
        per: 'account-region',
        source:
          'docs/vendors/aws-mediaconnect.md, "Limits": 5 requests/s per account and Region (the older table; the newer table\'s figure for the other calls could not be read); throttle = 429 TooManyRequestsException',
        spendLimit: 5,
        safetyMargin: 0.05,
      },
    ],
  },
  functionTimeoutSeconds: 30,
  callTimeoutMs: 10_000,
  pollIntervalSeconds: 3,
  maxPolls: 40,
  credentialKeys: [],
  sharing: 'entitlements',
});
