/**
 * The local SQS: fauxqs, held to what SQS refuses on SendMessage and SendMessageBatch where fauxqs is laxer, so a
 * message the local stack accepts is one AWS accepts too. Each rule cites the AWS documentation it comes from:
 *
 * - A message attribute's value must not be empty, nor its name or type (`InvalidParameterValue`):
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html
 * - At most 10 message attributes per message (`InvalidParameterValue`), same page.
 * - The body and the attributes (names, types and values) together at most 256 KiB (`InvalidParameterValue`). SQS
 *   takes up to the queue's `MaximumMessageSize` (at most 1 MiB); the pipeline's messages pass through Step Functions,
 *   whose payload quota is 256 KiB, so the local stand-in holds every message to that:
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html,
 *   https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
 * - The body only in #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF (`InvalidMessageContents`),
 *   API_SendMessage above.
 *
 * Long polling as SQS documents it: a ReceiveMessage that waits answers empty only when its wait time expires
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-short-and-long-polling.html), so
 * a message that arrives wakes one waiting receiver, not all of them (`wakeOneReceiverPerMessage`).
 *
 * In SendMessageBatch an entry that breaks a rule fails alone (`Failed`, `SenderFault`), the others are sent: the
 * batch semantics of https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp } from 'fauxqs';

/** The most message attributes one message may carry. */
export const MAX_MESSAGE_ATTRIBUTES = 10;
/** Body plus attributes, in bytes (256 KiB). */
export const MAX_MESSAGE_BYTES = 262_144;
/** Characters outside the set SQS allows in a body (the `u` flag reads supplementary-plane characters whole). */
const INVALID_BODY_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

interface AttributeValue {
  readonly DataType?: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string;
}

/** One message as SendMessage or a SendMessageBatch entry carries it (AWS JSON protocol). */
export interface OutgoingMessage {
  readonly MessageBody?: string;
  readonly MessageAttributes?: Record<string, AttributeValue>;
}

/** What SQS answers for a message it refuses: its error code and message. */
export interface SqsRefusal {
  readonly code: 'InvalidParameterValue' | 'InvalidMessageContents';
  readonly message: string;
}

/** The first rule the message breaks, or `undefined` when SQS takes it. */
export function refusalOf(message: OutgoingMessage): SqsRefusal | undefined {
  const attributes = Object.entries(message.MessageAttributes ?? {});
  if (attributes.length > MAX_MESSAGE_ATTRIBUTES) {
    return {
      code: 'InvalidParameterValue',
      message: `Number of message attributes [${attributes.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`,
    };
  }
  let bytes = Buffer.byteLength(message.MessageBody ?? '', 'utf8');
  for (const [name, attribute] of attributes) {
    const type = attribute.DataType ?? '';
    const value = attribute.StringValue ?? attribute.BinaryValue ?? '';
    if (name === '' || type === '') {
      return {
        code: 'InvalidParameterValue',
        message: `Message (user) attribute '${name}' must have a name and a type.`,
      };
    }
    if (value === '') {
      return {
        code: 'InvalidParameterValue',
        message: `Message (user) attribute '${name}' must contain a non-empty message attribute value for message attribute type '${type}'.`,
      };
    }
    bytes += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(type, 'utf8') + Buffer.byteLength(value, 'utf8');
  }
  if (bytes > MAX_MESSAGE_BYTES) {
    return {
      code: 'InvalidParameterValue',
      message: `One or more parameters are invalid. Reason: Message must be shorter than ${MAX_MESSAGE_BYTES} bytes.`,
    };
  }
  if (INVALID_BODY_CHARACTER.test(message.MessageBody ?? '')) {
    return {
      code: 'InvalidMessageContents',
      message:
        'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    };
  }
  return undefined;
}

export interface LocalSqs {
  /** `http://127.0.0.1:<port>`: the endpoint SDK clients use. */
  readonly endpoint: string;
  /** fauxqs's HTTP server: the local stack's own SDK clients reach it in-process (`../in-process-transport.ts`). */
  readonly server: Server;
  close(): Promise<void>;
}

/** fauxqs's queue (`fauxqs/dist/sqs/sqsStore.js`, version pinned in package.json): what the long-poll fix touches. */
interface FauxqsQueue {
  readonly messages: unknown[];
  readonly pollWaiters: { resolve: () => void; timer: NodeJS.Timeout }[];
  isFifo(): boolean;
  notifyWaiters(): void;
  dequeue(...args: unknown[]): unknown[];
  /** Receivers woken for a visible message that have not taken it yet. */
  wokenReceivers?: number;
}

let longPollingFixed = false;

/**
 * fauxqs wakes every waiting receiver of a queue when one message arrives: one takes it and the others answer empty at
 * once, before their wait time expires, which SQS does not do (each of those is a round trip the pollers of the local
 * event sources then repeat). Here a queue wakes at most as many waiting receivers as it has visible messages not yet
 * promised to a woken one; the others keep waiting. FIFO queues keep fauxqs's behaviour (the stack has none).
 */
async function wakeOneReceiverPerMessage(): Promise<void> {
  if (longPollingFixed) return;
  const store = new URL('./sqs/sqsStore.js', import.meta.resolve('fauxqs')).href;
  const { SqsQueue } = (await import(store)) as { SqsQueue?: { prototype: FauxqsQueue } };
  const queue = SqsQueue?.prototype;
  if (typeof queue?.notifyWaiters !== 'function' || typeof queue.dequeue !== 'function') {
    throw new Error(`fauxqs's queue is not what local/aws/sqs.ts expects (${store}): check the pinned version`);
  }
  const notifyAll = queue.notifyWaiters;
  const dequeue = queue.dequeue;
  queue.notifyWaiters = function (this: FauxqsQueue) {
    if (this.isFifo()) return notifyAll.call(this);
    let unpromised = this.messages.length - (this.wokenReceivers ?? 0);
    while (unpromised > 0 && this.pollWaiters.length > 0) {
      const waiter = this.pollWaiters.shift()!;
      clearTimeout(waiter.timer);
      this.wokenReceivers = (this.wokenReceivers ?? 0) + 1;
      unpromised--;
      waiter.resolve();
    }
  };
  queue.dequeue = function (this: FauxqsQueue, ...args: unknown[]) {
    // The promise is kept while the receiver takes its message: fauxqs's dequeue first returns timed-out messages to
    // the queue and notifies waiters, which must not wake another receiver for the message about to be taken.
    const taken = dequeue.apply(this, args);
    if ((this.wokenReceivers ?? 0) > 0) this.wokenReceivers! -= 1;
    return taken;
  };
  longPollingFixed = true;
}

/** Starts fauxqs on a free port of 127.0.0.1, with the SendMessage rules above in front of it. */
export async function startLocalSqs(options: { region: string }): Promise<LocalSqs> {
  await wakeOneReceiverPerMessage();
  const app = buildApp({ logger: false, defaultRegion: options.region });
  /** Batch entries refused here, by request: merged into fauxqs's answer for the rest. */
  const refusedEntries = new WeakMap<object, { Id: string; Code: string; Message: string; SenderFault: true }[]>();
  // A callback hook, not an async one: every other request passes straight through, in the same tick, so the
  // local stack's timing stays what fauxqs alone gives.
  app.addHook('preHandler', (request, reply, done) => {
    const action = String(request.headers['x-amz-target'] ?? '');
    const body = request.body as (OutgoingMessage & { Entries?: (OutgoingMessage & { Id: string })[] }) | undefined;
    if (!body || typeof body !== 'object' || !action.startsWith('AmazonSQS.SendMessage')) {
      done();
      return;
    }
    if (action === 'AmazonSQS.SendMessage') {
      const refusal = refusalOf(body);
      if (refusal) {
        reply
          .status(400)
          .header('content-type', 'application/x-amz-json-1.0')
          // SQS's query-compatible code for these errors carries no `AWS.SimpleQueueService.` prefix.
          .header('x-amzn-query-error', `${refusal.code};Sender`)
          .send({ __type: `com.amazonaws.sqs#${refusal.code}`, message: refusal.message });
        return;
      }
    }
    if (action === 'AmazonSQS.SendMessageBatch' && Array.isArray(body.Entries)) {
      const failed = body.Entries.flatMap((entry) => {
        const refusal = refusalOf(entry);
        return refusal
          ? [{ Id: entry.Id, Code: refusal.code, Message: refusal.message, SenderFault: true as const }]
          : [];
      });
      if (failed.length === 0) {
        done();
        return;
      }
      const refusedIds = new Set(failed.map((f) => f.Id));
      body.Entries = body.Entries.filter((entry) => !refusedIds.has(entry.Id));
      if (body.Entries.length === 0) {
        reply.header('content-type', 'application/x-amz-json-1.0').send({ Successful: [], Failed: failed });
        return;
      }
      refusedEntries.set(request, failed);
    }
    done();
  });
  app.addHook('onSend', (request, _reply, payload, done) => {
    const failed = refusedEntries.get(request);
    if (!failed || typeof payload !== 'string') {
      done(null, payload);
      return;
    }
    const answer = JSON.parse(payload) as { Successful?: unknown[]; Failed?: unknown[] };
    done(null, JSON.stringify({ ...answer, Failed: [...(answer.Failed ?? []), ...failed] }));
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    endpoint: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    server: app.server,
    close: () => app.close(),
  };
}

/**
 * An SQS call of a Step Functions `sqs:sendMessage` integration that failed, named as Step Functions names it: a
 * service answer is `SQS.AmazonSQSException` with SQS's code in the cause, anything else `SQS.SdkClientException`
 * (the error names the ASL's Retry lists; https://docs.aws.amazon.com/step-functions/latest/dg/connect-sqs.html).
 */
export function asIntegrationError(error: unknown): Error {
  const failure = error as Error & { $metadata?: { httpStatusCode?: number; requestId?: string } };
  const status = failure.$metadata?.httpStatusCode;
  const named =
    status !== undefined
      ? new Error(
          `${failure.message} (Service: AmazonSQS; Status Code: ${status}; Error Code: ${failure.name}; ` +
            `Request ID: ${failure.$metadata?.requestId ?? 'local'})`,
        )
      : new Error(failure.message);
  named.name = status !== undefined ? 'SQS.AmazonSQSException' : 'SQS.SdkClientException';
  return named;
}
