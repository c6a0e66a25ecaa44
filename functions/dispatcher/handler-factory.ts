/**
 * The dispatcher's middy chain: Powertools batch processing with partial batch responses, so one bad record never
 * fails its neighbours. Built by the Lambda entry (`./handler.ts`) and by the local stack with their own clients.
 *
 * Every log line of a record carries its `requestId`, `vendor`, `step` (`dispatch`) and, once known, its
 * `executionName`, through a child logger of its own: the batch processor handles records concurrently, so keys on the
 * shared logger would mix. One EMF line per batch counts the outcomes (`RequestsStarted`, `RequestsDuplicate`,
 * `RequestsRedriven`, `RequestsRejected`).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { VENDOR_IDS } from '../domain/contract.ts';
import { DISPATCH_METRICS } from '../domain/metric-names.ts';
import { logger, metrics, publishMetrics, tracer } from '../domain/observability.ts';
import { requestIdentity } from '../domain/request-identity.ts';
import { type DispatcherDeps, type DispatchOutcome, dispatchRecord } from './core.ts';

export function buildDispatcherHandler(deps: DispatcherDeps) {
  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = async (record: SQSRecord) => {
    const log = logger.createChild();
    log.appendKeys({ ...identityOf(record.body), step: 'dispatch', messageId: record.messageId });
    let outcome: DispatchOutcome;
    try {
      outcome = await dispatchRecord({ messageId: record.messageId, body: record.body }, deps);
    } catch (error) {
      // Transient (Step Functions or SQS unavailable): the record fails alone and SQS delivers it again.
      log.warn('dispatch failed; the message will be received again', { error });
      throw error;
    }
    if ('executionArn' in outcome) log.appendKeys({ executionName: executionNameOf(outcome.executionArn) });
    log.info('dispatched', { outcome: outcome.kind, ...outcome });
    metrics.addMetric(DISPATCH_METRICS[outcome.kind], MetricUnit.Count, 1);
    return outcome;
  };
  return middy<SQSEvent, SQSBatchResponse, Error, Context>()
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) => {
      try {
        return await processPartialResponse(event, recordHandler, processor, {
          context,
          throwOnFullBatchFailure: false,
        });
      } finally {
        publishMetrics();
      }
    });
}

/**
 * The request id and vendor of a raw body, for the log keys only (validation is the core's job): the body's
 * `requestIdentity`, the request id cut to the contract's 80 characters and the vendor kept only if it is one we know,
 * so an invalid message cannot put arbitrary text in every log line's keys.
 */
export function identityOf(body: string): { requestId?: string; vendor?: string } {
  const { requestId, vendor } = requestIdentity(body);
  return {
    ...(requestId !== null ? { requestId: requestId.slice(0, 80) } : {}),
    ...(vendor !== null && (VENDOR_IDS as readonly string[]).includes(vendor) ? { vendor } : {}),
  };
}

/** `arn:aws:states:<region>:<account>:execution:<machine>:<name>` → `<name>`. */
function executionNameOf(executionArn: string): string {
  return executionArn.split(':').slice(7).join(':');
}
