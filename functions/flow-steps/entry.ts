/**
 * The Lambda entry of one vendor's flow steps, built once per instance (cold start) from the vendor's descriptor and
 * its client's `fromEnv`: the instance's pacer (every documented scope of the descriptor's budget, for its lane: `VENDOR_LANE`), call metrics, credentials from
 * the vendor's secret (`VENDOR_SECRET_ARN`, cached; the environment when there is none — AWS MediaConnect signs with
 * the function role), the idempotency store, and the Step Functions client that answers queued work items. Each file
 * of `./entries/` is one call of this.
 */
import { paceKeys, VENDOR_LANE_ENV } from '../domain/config.ts';
import { ScopedPacer } from '../domain/pacing.ts';
import type { VendorDescriptor } from '../vendors/common/descriptor.ts';
import type { PaceFn, VendorClient } from '../vendors/types.ts';
import { VendorCallMeter } from './call-metrics.ts';
import { vendorClientFromEnv } from './credentials.ts';
import { buildVendorTaskHandler } from './handler-factory.ts';
import { idempotencyFromEnv } from './idempotency.ts';
import { stepFunctionsClient } from './queue-worker.ts';

/** A vendor client's `fromEnv`: the environment (secret values laid over it) and the instance's pace function. */
export type ClientFromEnv = (env: NodeJS.ProcessEnv, options: { readonly pace: PaceFn }) => VendorClient;

export function vendorStepHandler(descriptor: VendorDescriptor, fromEnv: ClientFromEnv) {
  const { vendor } = descriptor;
  // The lane this λ serves (set by CDK on each lane's λ in queue mode): its calls are paced for the slots that share
  // each key, and a call the lane does not declare is refused. Unset: the one λ of the vendor serves every step.
  const lane = process.env[VENDOR_LANE_ENV];
  const pacer = new ScopedPacer();
  const meter = new VendorCallMeter(vendor);
  const pace = meter.pace((call, site) => pacer.call(paceKeys(descriptor.budget, site, 1, lane), call));
  const client = meter.client(
    vendorClientFromEnv({ vendor, env: process.env, build: (env) => fromEnv(env, { pace }) }),
  );
  return buildVendorTaskHandler({
    vendor,
    client,
    pacer,
    idempotency: idempotencyFromEnv(process.env),
    sfn: stepFunctionsClient(),
  });
}
