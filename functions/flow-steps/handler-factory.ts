/**
 * Builds the middy chain of a vendor λ around `runVendorTask`. The Lambda entries (`./entries/<vendor>.ts`, through
 * `./entry.ts`) call it with collaborators built from the environment; the local stack calls it with its own, so both
 * run the same chain.
 *
 * Tracing: one X-Ray segment per invocation, the vendor's HTTPS calls as subsegments (outside Lambda the tracer is off
 * and the middleware does nothing). Responses stay out of the trace: they carry the customer's flow ids and addresses.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { SFNClient } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import type { VendorId } from '../domain/contract.ts';
import { VendorUnavailableError } from '../domain/errors.ts';
import { logger, tracer, withTaskLogKeys } from '../domain/observability.ts';
import type { ScopedPacer } from '../domain/pacing.ts';
import type { VendorClient } from '../vendors/types.ts';
import type { VendorTaskResult } from './core.ts';
import { createVendorTaskRunner, type IdempotencyDeps } from './idempotency.ts';
import { isSqsEvent, runQueuedTasks } from './queue-worker.ts';

export interface VendorTaskDeps {
  readonly vendor: VendorId;
  readonly client: VendorClient;
  /** The instance's pacer; the client paces each call with it, the chain holds the slot with it. */
  readonly pacer: Pick<ScopedPacer, 'release'>;
  /**
   * Step Functions client for queue mode (work items from the vendor's task queue, answered with SendTaskSuccess /
   * SendTaskFailure). Without it the λ serves direct invocations only.
   */
  readonly sfn?: SFNClient;
  /**
   * Idempotency of the effect steps (`./idempotency.ts`): the instance's persistence layer. The Lambda entries build
   * it on the DynamoDB table, the local stack on dynalite. Without it every step calls the vendor (unit tests).
   */
  readonly idempotency?: IdempotencyDeps;
}

export function buildVendorTaskHandler(deps: VendorTaskDeps) {
  const runStep = createVendorTaskRunner(deps);
  // Each task (one invocation, or one work item of a batch) carries its log keys in its own async context.
  const runTask: typeof runStep = (task, context) => withTaskLogKeys(task, () => runStep(task, context));
  // Middy answers just before the λ timeout instead of letting Lambda kill the sandbox. Its default error
  // (`TimeoutError`) is no taxonomy name, so the ASL would not retry it: a step cut short by a vendor that stopped
  // answering is VendorUnavailable, and the retry is safe (the call may have taken effect: get-or-create, desired
  // state).
  const ranOutOfTime = () => {
    throw new VendorUnavailableError(
      `${deps.vendor}: the vendor task ran out of time (the vendor call may have taken effect)`,
      {
        vendor: deps.vendor,
      },
    );
  };
  return middy<unknown, VendorTaskResult | SQSBatchResponse, Error, Context>({ timeoutEarlyResponse: ranOutOfTime })
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({
      // Pacing in `finally`: the slot is given back only after T since the last call began, on success and on
      // error alike, or C instances could exceed C × ceil(W/T) calls per window.
      after: async () => deps.pacer.release(),
      onError: async () => deps.pacer.release(),
    })
    .use({
      before: async (request) => {
        const event = request.event as { operation?: string; executionName?: string; request?: { requestId?: string } };
        logger.appendKeys({
          vendor: deps.vendor,
          step: event.operation,
          executionName: event.executionName,
          requestId: event.request?.requestId,
        });
      },
    })
    .handler(async (event, context) => {
      if (!isSqsEvent(event)) return runTask(event, context);
      if (!deps.sfn) throw new Error(`${deps.vendor} task received queue work items but has no Step Functions client`);
      return runQueuedTasks(deps.vendor, deps.client, deps.sfn, event, (task) => runTask(task, context));
    });
}
