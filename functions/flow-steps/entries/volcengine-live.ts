/** Lambda entry: the Volcengine Live flow steps (`../entry.ts`). */
import { VolcengineLiveClient } from '../../vendors/volcengine-live/client.ts';
import { volcengineLive } from '../../vendors/volcengine-live/descriptor.ts';
import { vendorStepHandler } from '../entry.ts';

export const handler = vendorStepHandler(volcengineLive, (env, options) => VolcengineLiveClient.fromEnv(env, options));
