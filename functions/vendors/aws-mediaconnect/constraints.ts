/**
 * What MediaConnect refuses on CreateFlow and GrantFlowEntitlements that a request could carry, refused at the door
 * instead (docs/vendors/aws-mediaconnect.md, "Constraints", which names the public source of each rule). The contract
 * (`../../domain/requests/aws-mediaconnect.ts`) builds the aws-mediaconnect request from these.
 */
import { z } from 'zod';
import { REQUEST_ID_TAG } from '../types.ts';

/** Tags per flow, ours included (docs/vendors/aws-mediaconnect.md, "Constraints": tag restrictions). */
export const AWS_MAX_FLOW_TAGS = 50;
/** Entitlements per flow (docs/vendors/aws-mediaconnect.md, "Constraints": quotas). */
export const AWS_MAX_ENTITLEMENTS = 50;

/**
 * `flow.tags`: keys 1–128 and values up to 256 characters; at most 49, because the client adds its own
 * `flow-provisioner:request-id` and MediaConnect counts it among the 50; `aws:` keys are AWS's own.
 */
export const awsFlowTags = z.record(z.string().min(1).max(128), z.string().max(256)).superRefine((tags, ctx) => {
  const keys = Object.keys(tags);
  if (keys.length > AWS_MAX_FLOW_TAGS - 1) {
    ctx.addIssue({
      code: 'custom',
      message: `MediaConnect allows ${AWS_MAX_FLOW_TAGS} tags per flow and the provisioner adds its own "${REQUEST_ID_TAG}", so at most ${AWS_MAX_FLOW_TAGS - 1} (got ${keys.length})`,
    });
  }
  for (const key of keys) {
    if (key === REQUEST_ID_TAG) {
      ctx.addIssue({ code: 'custom', path: [key], message: `"${REQUEST_ID_TAG}" is set by the provisioner` });
    } else if (key.toLowerCase().startsWith('aws:')) {
      ctx.addIssue({ code: 'custom', path: [key], message: 'AWS reserves tag keys that start with "aws:"' });
    }
  }
});

/** Entitlement names are unique within a flow: MediaConnect answers a duplicate with 400. */
export function uniqueEntitlementNames(entitlements: readonly { name: string }[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  entitlements.forEach((entitlement, i) => {
    if (seen.has(entitlement.name)) {
      ctx.addIssue({
        code: 'custom',
        path: [i, 'name'],
        message: `MediaConnect needs entitlement names unique within a flow; "${entitlement.name}" repeats`,
      });
    }
    seen.add(entitlement.name);
  });
}
