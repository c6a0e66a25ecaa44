/** Lambda entry: the Alibaba Cloud CAMS vendor task. Built once per instance; see `handler-factory.ts`. */
import { pacingIntervalMs, vendorConfig } from '../shared/config.ts';
import { Pacer } from '../shared/pacing.ts';
import { AlibabaCamsClient } from '../vendors/alibaba-cams/client.ts';
import { buildVendorTaskHandler } from './handler-factory.ts';
import { idempotencyFromEnv } from './idempotency.ts';

const vendor = 'alibaba-cams';
const pacer = new Pacer(pacingIntervalMs(vendorConfig(vendor).budget));
const client = AlibabaCamsClient.fromEnv(process.env, { pace: (call) => pacer.call(call) });

const idempotency = idempotencyFromEnv(process.env);

export const handler = buildVendorTaskHandler({ vendor, client, pacer, idempotency });
