/**
 * The Lambda SQS event source, locally: polls a queue, hands batches to a function as `SQSEvent`s, deletes what
 * succeeded and honours partial batch responses, as the AWS event source mapping does
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html).
 */
import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { ACCOUNT, REGION } from './step-functions-model.ts';

export interface EventSource {
  busy(): boolean;
  stop(): Promise<void>;
}

/**
 * The SQS event source mapping: `maxConcurrency` pollers, each receiving up to `batchSize` messages, invoking the
 * dispatcher, and deleting what the partial batch response does not list as failed. Failed records stay invisible
 * until the visibility timeout, then come back; after `maxReceiveCount` SQS moves them to the DLQ.
 */
export function startEventSource(params: {
  sqs: SQSClient;
  queueUrl: string;
  batchSize: number;
  maxConcurrency: number;
  invoke: (event: SQSEvent) => Promise<unknown>;
}): EventSource {
  let stopping = false;
  let inBatch = 0;
  const poller = async () => {
    while (!stopping) {
      let messages: Message[] = [];
      try {
        const received = await params.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: params.queueUrl,
            MaxNumberOfMessages: params.batchSize,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        messages = received.Messages ?? [];
      } catch {
        if (!stopping) await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      if (messages.length === 0) continue;
      inBatch++;
      try {
        const event: SQSEvent = { Records: messages.map((m) => toRecord(m, params.queueUrl)) };
        let failed: Set<string>;
        try {
          const response = (await params.invoke(event)) as { batchItemFailures?: { itemIdentifier: string }[] } | null;
          failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        } catch {
          failed = new Set(messages.map((m) => m.MessageId!));
        }
        const done = messages.filter((m) => !failed.has(m.MessageId!));
        if (done.length > 0) {
          await params.sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: params.queueUrl,
              Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
            }),
          );
        }
      } finally {
        inBatch--;
      }
    }
  };
  const running = Array.from({ length: params.maxConcurrency }, () => poller());
  return {
    busy: () => inBatch > 0,
    stop: async () => {
      stopping = true;
      await Promise.all(running);
    },
  };
}

export function toRecord(message: Message, queueUrl: string): SQSRecord {
  const queueName = queueUrl.split('/').pop()!;
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? ACCOUNT,
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:${queueName}`,
    awsRegion: REGION,
  };
}
