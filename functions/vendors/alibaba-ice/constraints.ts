/**
 * What ICE refuses on CreateMediaConnectFlow, AddMediaConnectFlowInput and AddMediaConnectFlowOutput that a request
 * could carry, refused at the door instead (docs/vendors/alibaba-ice.md, "Constraints", which names the public source
 * of each rule). The contract (`../../domain/requests/alibaba-ice.ts`) builds the alibaba-ice request from these.
 */
import { z } from 'zod';

/** The regions with an ICE endpoint (docs/vendors/alibaba-ice.md, "Constraints": region). */
export const ICE_REGIONS = [
  'ap-southeast-1',
  'cn-beijing',
  'cn-hangzhou',
  'cn-shanghai',
  'cn-shenzhen',
  'us-west-1',
] as const;

export const iceRegion = z.enum(ICE_REGIONS, {
  error: `ICE MediaConnect is served in ${ICE_REGIONS.join(', ')} only`,
});

/**
 * An RTMP output (`RTMP-PUSH`, `RTMP-PULL`) needs an RTMP source stream (docs/vendors/alibaba-ice.md, "Constraints"):
 * a flow whose input is SRT cannot serve one. A `Flow` input's upstream protocol cannot be seen here, so it passes.
 */
export function checkIceRtmpOutputs(
  request: {
    readonly flow: { readonly input: { readonly protocol: string } };
    readonly entitlements: readonly { readonly name: string; readonly protocol: string }[];
  },
  ctx: z.RefinementCtx,
): void {
  const input = request.flow.input.protocol;
  if (!input.startsWith('SRT-')) return;
  request.entitlements.forEach((output, i) => {
    if (output.protocol.startsWith('RTMP-')) {
      ctx.addIssue({
        code: 'custom',
        path: ['entitlements', i, 'protocol'],
        message: `ICE serves an ${output.protocol} output only from an RTMP source; this flow's input is ${input}`,
      });
    }
  });
}
