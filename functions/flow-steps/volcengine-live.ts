/** Lambda entry: the Volcengine Live vendor task. Built once per instance (cold start); see `handler-factory.ts`. */
import { pacingIntervalMs, vendorConfig } from '../domain/config.ts';
import { Pacer } from '../domain/pacing.ts';
import { VolcengineLiveClient } from '../vendors/volcengine-live/client.ts';
import { VendorCallMeter } from './call-metrics.ts';
import { vendorClientFromEnv } from './credentials.ts';
import { buildVendorTaskHandler } from './handler-factory.ts';
import { idempotencyFromEnv } from './idempotency.ts';
import { stepFunctionsClient } from './queue-worker.ts';

const vendor = 'volcengine-live';
const pacer = new Pacer(pacingIntervalMs(vendorConfig(vendor).budget));
const meter = new VendorCallMeter(vendor);
const pace = meter.pace((call) => pacer.call(call));
// Credentials from the vendor's secret (VENDOR_SECRET_ARN), cached; the environment when there is none.
const client = meter.client(
  vendorClientFromEnv({ vendor, env: process.env, build: (env) => VolcengineLiveClient.fromEnv(env, { pace }) }),
);

const idempotency = idempotencyFromEnv(process.env);

// Queue mode: work items from the vendor's task queue are answered with SendTaskSuccess / SendTaskFailure.
export const handler = buildVendorTaskHandler({ vendor, client, pacer, idempotency, sfn: stepFunctionsClient() });
