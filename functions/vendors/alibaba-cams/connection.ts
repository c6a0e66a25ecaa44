/**
 * CAMS's answers → how to reach the flow. A WhatsApp flow has no stream address: a consumer reaches it by its
 * `FlowId` (sent in a WhatsApp message by the business number) and the flow calls the business's data endpoint
 * (`EndpointUri`). CreateFlow answers the `FlowId`, GetFlow the `EndpointUri`
 * (https://www.alibabacloud.com/help/en/chatapp/developer-reference/api-cams-2020-06-06-getflow,
 * docs/vendors/alibaba-cams.md). The preview URL GetFlow also answers is a bearer link to the flow and is not published.
 */
import { z } from 'zod';
import { compact, type FlowConnection, safeUrl } from '../../domain/flow-event.ts';

export const camsFlowAnswer = z.object({
  FlowId: z.string().min(1),
  FlowName: z.string().optional(),
  EndpointUri: z.string().optional(),
});

/** From the flow's id and what the vendor answered (GetFlow) or the request said (`endpointUri`). */
export function camsConnection(
  flowId: string,
  known: { flowName?: string | undefined; endpointUri?: string | undefined; custSpaceId?: string | undefined },
): FlowConnection {
  return {
    outputs: [],
    vendorDetail: compact({
      flowId,
      flowName: known.flowName,
      endpointUri: known.endpointUri ? safeUrl(known.endpointUri) : undefined,
      custSpaceId: known.custSpaceId,
    }),
  };
}
