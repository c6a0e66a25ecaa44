/** Lambda entry: the Alibaba Cloud CAMS Flow flow steps (`../entry.ts`). */
import { AlibabaCamsClient } from '../../vendors/alibaba-cams/client.ts';
import { alibabaCams } from '../../vendors/alibaba-cams/descriptor.ts';
import { vendorStepHandler } from '../entry.ts';

export const handler = vendorStepHandler(alibabaCams, (env, options) => AlibabaCamsClient.fromEnv(env, options));
