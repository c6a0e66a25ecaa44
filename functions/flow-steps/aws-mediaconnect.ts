/** Lambda entry: the AWS MediaConnect vendor task. Built once per instance (cold start); see `handler-factory.ts`. */
import { pacingIntervalMs, vendorConfig } from '../domain/config.ts';
import { Pacer } from '../domain/pacing.ts';
import { AwsMediaConnectClient } from '../vendors/aws-mediaconnect/client.ts';
import { VendorCallMeter } from './call-metrics.ts';
import { buildVendorTaskHandler } from './handler-factory.ts';
import { idempotencyFromEnv } from './idempotency.ts';
import { stepFunctionsClient } from './queue-worker.ts';

const vendor = 'aws-mediaconnect';
const pacer = new Pacer(pacingIntervalMs(vendorConfig(vendor).budget));
const meter = new VendorCallMeter(vendor);
// No secret: MediaConnect calls are signed with the function role's credentials.
const client = meter.client(
  AwsMediaConnectClient.fromEnv(process.env, { pace: meter.pace((call) => pacer.call(call)) }),
);

const idempotency = idempotencyFromEnv(process.env);

// Queue mode: work items from the vendor's task queue are answered with SendTaskSuccess / SendTaskFailure.
export const handler = buildVendorTaskHandler({ vendor, client, pacer, idempotency, sfn: stepFunctionsClient() });
