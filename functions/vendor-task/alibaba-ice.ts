/** Lambda entry: the Alibaba Cloud ICE MediaConnect vendor task. Built once per instance; see `handler-factory.ts`. */
import { pacingIntervalMs, vendorConfig } from '../shared/config.ts';
import { Pacer } from '../shared/pacing.ts';
import { AlibabaIceClient } from '../vendors/alibaba-ice/client.ts';
import { buildVendorTaskHandler } from './handler-factory.ts';
import { idempotencyFromEnv } from './idempotency.ts';

const vendor = 'alibaba-ice';
const pacer = new Pacer(pacingIntervalMs(vendorConfig(vendor).budget));
const client = AlibabaIceClient.fromEnv(process.env, { pace: (call) => pacer.call(call) });

const idempotency = idempotencyFromEnv(process.env);

export const handler = buildVendorTaskHandler({ vendor, client, pacer, idempotency });
