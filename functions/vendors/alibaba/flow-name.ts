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

export const VENDOR_FLOW_NAME_MAX = 64;

const DIGEST_HEX = 20;

export function vendorFlowName(name: string, requestId: string, maxLength = VENDOR_FLOW_NAME_MAX): string {
  const plain = `${name}-${requestId}`;
  if (plain.length <= maxLength) return plain;
  const digest = createHash('sha256').update(requestId).digest('hex').slice(0, DIGEST_HEX);
  const suffix = `-h${digest}`;
  return `${name.slice(0, maxLength - suffix.length)}${suffix}`;
}
