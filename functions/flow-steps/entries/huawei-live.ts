/** Lambda entry: the Huawei Cloud Live flow steps (`../entry.ts`). */
import { HuaweiLiveClient } from '../../vendors/huawei-live/client.ts';
import { huaweiLive } from '../../vendors/huawei-live/descriptor.ts';
import { vendorStepHandler } from '../entry.ts';

export const handler = vendorStepHandler(huaweiLive, (env, options) => HuaweiLiveClient.fromEnv(env, options));
