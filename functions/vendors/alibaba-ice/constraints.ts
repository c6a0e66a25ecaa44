/**
 * What ICE refuses on CreateMediaConnectFlow, AddMediaConnectFlowInput and AddMediaConnectFlowOutput that a request
 * could carry, refused at the door instead (docs/vendors/alibaba-ice.md, "Constraints", which names the public source
 * of each rule). The contract (`../../shared/contract.ts`) builds the alibaba-ice request from these.
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
