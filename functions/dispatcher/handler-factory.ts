/**
 * The dispatcher's middy chain: Powertools batch processing with partial batch responses, so one bad record never
 * fails its neighbours. Built by the Lambda entry (`./handler.ts`) and by the local stack with their own clients.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '../shared/observability.ts';
import { type DispatcherDeps, dispatchRecord } from './core.ts';

export function buildDispatcherHandler(deps: DispatcherDeps) {
  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = async (record: SQSRecord) => {
    const outcome = await dispatchRecord({ messageId: record.messageId, body: record.body }, deps);
    logger.info('dispatched', { messageId: record.messageId, outcome: outcome.kind, ...outcome });
    return outcome;
  };
  return middy<SQSEvent, SQSBatchResponse, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) =>
      processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false }),
    );
}
