/** Lambda entry: the Huawei Cloud Live vendor task. Built once per instance (cold start); see `handler-factory.ts`. */
import { pacingIntervalMs, vendorConfig } from '../shared/config.ts';
import { Pacer } from '../shared/pacing.ts';
import { HuaweiLiveClient } from '../vendors/huawei-live/client.ts';
import { buildVendorTaskHandler } from './handler-factory.ts';
import { idempotencyFromEnv } from './idempotency.ts';

const vendor = 'huawei-live';
const pacer = new Pacer(pacingIntervalMs(vendorConfig(vendor).budget));
const client = HuaweiLiveClient.fromEnv(process.env, { pace: (call) => pacer.call(call) });

const idempotency = idempotencyFromEnv(process.env);

export const handler = buildVendorTaskHandler({ vendor, client, pacer, idempotency });
