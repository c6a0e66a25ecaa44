/**
 * The vendor-side flow name carries the request identity (docs/architecture.md, "Exactly-once effects"). Neither ICE
 * nor CAMS flows have tags or a description, so the name is the only documented field that can: `<name>-<requestId>`. A
 * retried create finds its own flow by that exact name and adopts it; a different request can never produce the same
 * name.
 *
 * Neither product documents a maximum name length, so we stay within 64 characters (our own `flow.name` limit). When
 * `<name>-<requestId>` does not fit, the request id is replaced by a digest: `<name prefix>-h<20 hex of SHA-256>`,
 * still deterministic and still unique per request.
 */
import { createHash } from 'node:crypto';
import type { FlowIdentity } from '../common/teardown-identity.ts';

export const VENDOR_FLOW_NAME_MAX = 64;

const DIGEST_HEX = 20;

export function vendorFlowName(name: string, requestId: string, maxLength = VENDOR_FLOW_NAME_MAX): string {
  const plain = `${name}-${requestId}`;
  if (plain.length <= maxLength) return plain;
  const suffix = digestSuffix(requestId);
  return `${name.slice(0, maxLength - suffix.length)}${suffix}`;
}

/**
 * The tail `vendorFlowName` gives every name: `-<requestId>` (letters, digits, `_`, `-`, the contract's request-id
 * alphabet) or `-h<20 hex>`, after a non-empty prefix, within VENDOR_FLOW_NAME_MAX characters.
 */
const SUFFIX_SHAPE = /^.+-[A-Za-z0-9_-]+$/;

/**
 * What a vendor flow name says about whose flow it is (teardown's check, `../common/teardown-identity.ts`). With a
 * request id the name proves it: it ends with `-<requestId>`, or with that id's digest suffix. Without one (a
 * deprovision by flow id) a name can only show the shape the provisioner gives every name, `<name>-<suffix>` within
 * 64 characters: a name without it (a console default, `studio1`) is refused, but a hand-made name that happens to
 * have it cannot be told from ours, so deprovision ICE and CAMS flows by requestId where possible
 * (docs/vendors/alibaba-ice.md and docs/vendors/alibaba-cams.md, "Teardown").
 */
export function vendorFlowNameIdentity(name: string | undefined): FlowIdentity {
  const fits = name !== undefined && name.length <= VENDOR_FLOW_NAME_MAX;
  return {
    carries: (requestId) =>
      fits &&
      name.length > requestId.length + 1 &&
      (name.endsWith(`-${requestId}`) || name.endsWith(digestSuffix(requestId))),
    ours: fits && SUFFIX_SHAPE.test(name),
    shown: name === undefined ? 'no flow name' : `flow name "${name}"`,
  };
}

function digestSuffix(requestId: string): string {
  return `-h${createHash('sha256').update(requestId).digest('hex').slice(0, DIGEST_HEX)}`;
}
