/**
 * Huawei StreamConnect flows in our words (docs/vendors/huawei-live.md): the flow detail ShowFlowDetail and CreateFlows
 * answer, its state, and the request-identity marker every source description of our flows carries.
 */
import { z } from 'zod';
import type { FlowState, FlowStatus } from '../types.ts';
import { REQUEST_ID_TAG } from '../types.ts';

export const flowDetail = z.object({
  flow_id: z.string().min(1),
  name: z.string(),
  status: z.string().min(1),
  // Loose: the connection fields (`./connection.ts`) are read from the same answer.
  sources: z.array(z.looseObject({ name: z.string(), description: z.string().optional() })).optional(),
  outputs: z.array(z.object({ name: z.string() })).optional(),
});

export type FlowDetail = z.output<typeof flowDetail>;

/**
 * Huawei's flow status in our words. ACTIVE and STANDBY are documented; anything else is taken as a transition
 * (bounded polling decides), unless it names a failure.
 */
export function huaweiFlowState(status: string): FlowState {
  const upper = status.toUpperCase();
  if (upper === 'ACTIVE') return 'ACTIVE';
  if (upper === 'STANDBY') return 'STANDBY';
  if (/ERROR|FAIL|ABNORMAL/.test(upper)) return 'ERROR';
  return 'STARTING';
}

/** A flow detail's status in our words. */
export function huaweiFlowStatus(detail: FlowDetail): FlowStatus {
  return { flowId: detail.flow_id, state: huaweiFlowState(detail.status), vendorStatus: detail.status };
}

/** What every source description of our flows carries, so an existing flow can be recognised as ours. */
export function huaweiIdentityMarker(requestId: string): string {
  return `[${REQUEST_ID_TAG}=${requestId}]`;
}

const MARKER_PATTERN = new RegExp(`\\[${REQUEST_ID_TAG}=([A-Za-z0-9_-]+)\\]`, 'g');

/** The request ids whose marker a flow's source descriptions carry (teardown's identity check). */
export function huaweiMarkedRequestIds(detail: { readonly sources?: ReadonlyArray<{ description?: string }> }) {
  const text = (detail.sources ?? []).map((source) => source.description ?? '').join('\n');
  return [...new Set([...text.matchAll(MARKER_PATTERN)].map((match) => match[1]!))];
}
