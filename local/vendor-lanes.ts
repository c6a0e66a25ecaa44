/**
 * A vendor's λs and task queues in the local stack, one of each per lane (docs/adr/0007-lanes.md), as the CDK stack
 * deploys them (`cdk/constructs/vendor-functions.ts`): each lane's λ has the lane's reserved concurrency, and each of
 * its instances paces the vendor's scopes for the slots that share each key (`paceKeys`), refusing a call its lane does
 * not declare.
 */

import type { SFNClient } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { taskQueueName } from '../cdk/naming.ts';
import { laneSuffix, paceKeys, vendorConfig, vendorLanes } from '../functions/domain/config.ts';
import type { VendorId } from '../functions/domain/contract.ts';
import { ScopedPacer } from '../functions/domain/pacing.ts';
import { QUEUED_TASK_TIMEOUT_SECONDS } from '../functions/domain/queued-workflow.ts';
import { VendorCallMeter } from '../functions/flow-steps/call-metrics.ts';
import { DynamoDbFlowLedger } from '../functions/flow-steps/flow-ledger.ts';
import { buildVendorTaskHandler } from '../functions/flow-steps/handler-factory.ts';
import { dynamoDbStore } from '../functions/flow-steps/idempotency.ts';
import type { CallSite, PaceFn, VendorClient } from '../functions/vendors/types.ts';
import type { LocalIdempotencyStore } from './aws/idempotency-store.ts';
import type { LocalHandler, LocalLambdaRuntime } from './aws/lambda-runtime.ts';
import { crashingPace, type LambdaCrashSettings } from './batch/fault-switches.ts';

/** A vendor λ's local name; a lane after the vendor's first adds its suffix (`laneSuffix`). */
export function vendorFunctionName(vendor: VendorId, suffix = ''): string {
  return `flow-provisioner-${vendor}${suffix}`;
}

export interface VendorLaneOptions {
  readonly pacing?: boolean;
  readonly pacingScale?: number;
  readonly vendorTimeoutSeconds?: number;
  readonly lambdaCrash?: LambdaCrashSettings;
  readonly onVendorCall?: (vendor: VendorId, startedAt: number) => void;
}

export interface VendorLanesSetup {
  readonly vendor: VendorId;
  readonly lambdas: LocalLambdaRuntime;
  /** Queue mode: the local SQS the lanes' task queues are created on; none in invoke mode. */
  readonly sqs: SQSClient | undefined;
  /** The vendor client of one λ instance, paced by `pace`. */
  readonly createClient: (pace: PaceFn) => VendorClient;
  readonly options: VendorLaneOptions;
  readonly idempotencyStore: LocalIdempotencyStore;
  readonly crashes: { crashes: number };
  /** The Step Functions client the queued work items are answered with (it exists once the service listens). */
  readonly sfn: () => SFNClient;
}

/** Registers one λ per lane (and creates its task queue in queue mode); answers the queue URLs by lane. */
export async function registerVendorLanes(setup: VendorLanesSetup): Promise<Record<string, string>> {
  const { vendor, lambdas, options } = setup;
  const config = vendorConfig(vendor);
  const queueUrls: Record<string, string> = {};
  // Invoke mode (no task queues): the first lane's λ serves every step, as deployed (`VendorFunctions`).
  const lanes = setup.sqs ? vendorLanes(config.budget) : vendorLanes(config.budget).slice(0, 1);
  for (const lane of lanes) {
    const suffix = laneSuffix(config.budget, lane.name);
    const paceAs = setup.sqs && lanes.length > 1 ? lane.name : undefined;
    lambdas.register({
      name: vendorFunctionName(vendor, suffix),
      reservedConcurrency: lane.reservedConcurrency,
      timeoutSeconds: options.vendorTimeoutSeconds ?? config.functionTimeoutSeconds,
      ...(options.lambdaCrash?.point === 'before-response' ? { crashAfterSuccess: options.lambdaCrash } : {}),
      createInstance: () => {
        const pacer = new ScopedPacer();
        const scale = options.pacing === false ? 0 : (options.pacingScale ?? 1);
        const keysOf = (site: CallSite) => paceKeys(config.budget, site, scale, paceAs);
        // The Lambda entries' meter: the same log lines per vendor call (its EMF lines are written only in Lambda).
        const meter = new VendorCallMeter(vendor);
        const observe = options.onVendorCall;
        const paced: PaceFn = observe
          ? (call, site) =>
              pacer.call(keysOf(site), () => {
                observe(vendor, Date.now());
                return call();
              })
          : (call, site) => pacer.call(keysOf(site), call);
        const pace = crashingPace(meter.pace(paced), options.lambdaCrash, setup.crashes);
        const client = meter.client(setup.createClient(pace));
        // One persistence layer per instance (Powertools configures it per call), one table for all.
        const { tableName, client: dynamo } = setup.idempotencyStore;
        const idempotency = {
          persistenceStore: dynamoDbStore(tableName, dynamo),
          ledger: new DynamoDbFlowLedger(tableName, dynamo),
        };
        return buildVendorTaskHandler({ vendor, client, pacer, sfn: setup.sfn(), idempotency }) as LocalHandler;
      },
    });
    if (!setup.sqs) continue;
    const queue = await setup.sqs.send(
      new CreateQueueCommand({
        QueueName: taskQueueName(vendor, suffix),
        // Kept as long as its task token can be answered, as the deployed queue (cdk/constructs/vendor-task-queue.ts).
        Attributes: {
          VisibilityTimeout: String(config.functionTimeoutSeconds * 2),
          MessageRetentionPeriod: String(QUEUED_TASK_TIMEOUT_SECONDS),
        },
      }),
    );
    queueUrls[lane.name] = queue.QueueUrl!;
  }
  return queueUrls;
}
