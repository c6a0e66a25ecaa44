/** Lambda entry: the Alibaba Cloud ICE MediaConnect flow steps (`../entry.ts`). */
import { AlibabaIceClient } from '../../vendors/alibaba-ice/client.ts';
import { alibabaIce } from '../../vendors/alibaba-ice/descriptor.ts';
import { vendorStepHandler } from '../entry.ts';

export const handler = vendorStepHandler(alibabaIce, (env, options) => AlibabaIceClient.fromEnv(env, options));
