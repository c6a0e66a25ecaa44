/**
 * `flowctl dlq list|show|redrive`: the dead-letter queue for on-call. Reading never consumes: messages are received
 * with a short visibility timeout and made visible again at once (ChangeMessageVisibility 0) when the read is done.
 * A redrive moves records back to the ingress queue, where the dispatcher's duplicate/redrive rule (ADR 0003) resumes
 * each request without creating a second flow.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { pacingIntervalMs, VENDORS, type VendorConfig } from '../../functions/domain/config.ts';
import { requestIdentity } from '../../functions/domain/request-identity.ts';
import { causeText, EXIT, FlowctlError, type Output } from '../output.ts';
import { queueArnOf, requireDeadLetterQueue, requireIngressQueue, type Target } from '../target.ts';

/** The `reason` of a record without attributes: SQS moved it after `maxReceiveCount` failed receives. */
export const NO_ATTRIBUTES_REASON = 'MaxReceiveCountExceeded';

/**
 * Vendor calls one request costs at the least (create, read state, start, share): what the redrive rate is derived
 * from. Polls while a flow starts add more, so the derived rate errs on the slow side.
 */
export const MIN_VENDOR_CALLS_PER_REQUEST = 4;

/** How long a read holds messages invisible at most, should flowctl die before it makes them visible again. */
const READ_VISIBILITY_SECONDS = 30;
/** How long a redrive holds messages it skipped (so it does not read them twice) or is about to move. */
const MOVE_VISIBILITY_SECONDS = 300;

/**
 * Long-poll wait of each receive. On AWS a short poll samples only some SQS servers and can answer empty while
 * messages exist, so reads wait a second; the local SQS answers from one store, so they need not.
 */
export function receiveWaitSeconds(target: Pick<Target, 'kind'>): number {
  return target.kind === 'local' ? 0 : 1;
}

export interface DlqRecord {
  readonly messageId: string;
  readonly requestId: string | null;
  readonly vendor: string | null;
  /** `InvalidRequest`, `WorkflowFailed`, `AttemptsExhausted`, `TimedOut`, `Aborted` — or `MaxReceiveCountExceeded`. */
  readonly reason: string;
  readonly error: string | null;
  readonly cause: string | null;
  readonly failedState: string | null;
  readonly executionArn: string | null;
  readonly sentAt: string | null;
  readonly ageSeconds: number | null;
  readonly receiveCount: number | null;
}

export interface DlqRecordDetail extends DlqRecord {
  /** Every message attribute, as strings. */
  readonly attributes: Record<string, string>;
  /** The body as it is (the original request, byte for byte). */
  readonly body: string;
  /** The body parsed, when it is JSON. */
  readonly request: unknown;
  /** The cause in words (Lambda's errorMessage, the dispatcher's list of issues). */
  readonly causeMessage: string | null;
}

// --- redrive rate ---------------------------------------------------------------------------------------------------

export interface RedriveRate {
  /** Messages per second. */
  readonly rate: number;
  /** The vendor whose budget set it. */
  readonly vendor: string;
  /** What that vendor absorbs, in requests per second, before rounding. */
  readonly requestsPerSecond: number;
}

/**
 * What the slowest vendor (or `vendor`) absorbs, in requests per second: its paced budget sustains
 * `C / T` vendor calls per second, and a request costs at least {@link MIN_VENDOR_CALLS_PER_REQUEST} of them.
 */
export function derivedRedriveRate(vendor?: string): RedriveRate {
  const configs = (Object.values(VENDORS) as VendorConfig[]).filter((c) => !vendor || c.vendor === vendor);
  if (configs.length === 0) throw new FlowctlError(`no configured vendor ${vendor}`, EXIT.USAGE);
  const rates = configs.map((c) => ({
    vendor: c.vendor,
    requestsPerSecond:
      (c.budget.reservedConcurrency * 1000) / pacingIntervalMs(c.budget) / MIN_VENDOR_CALLS_PER_REQUEST,
  }));
  const slowest = rates.reduce((a, b) => (b.requestsPerSecond < a.requestsPerSecond ? b : a));
  return { ...slowest, rate: Math.round(slowest.requestsPerSecond * 100) / 100 };
}

/** StartMessageMoveTask takes whole messages per second, 1–500. */
export function moveTaskRate(rate: number): number {
  return Math.min(500, Math.max(1, Math.floor(rate)));
}

export function redriveRateHelp(): string {
  const slowest = derivedRedriveRate();
  return (
    `messages per second (default: what the slowest vendor absorbs — ${slowest.vendor} sustains ` +
    `${slowest.requestsPerSecond.toFixed(2)} requests/s at ≥ ${MIN_VENDOR_CALLS_PER_REQUEST} paced calls each, from ` +
    `functions/domain/config.ts; with --filter vendor=X, that vendor's rate; a move task rounds to a whole 1–500)`
  );
}

// --- reading --------------------------------------------------------------------------------------------------------

export function toDlqRecord(message: Message, now = Date.now()): DlqRecordDetail {
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (value.StringValue !== undefined) attributes[key] = value.StringValue;
  }
  const body = message.Body ?? '';
  let request: unknown = null;
  try {
    request = JSON.parse(body);
  } catch {
    request = null;
  }
  const identity = requestIdentity(body);
  const sent = Number(message.Attributes?.SentTimestamp);
  const receives = Number(message.Attributes?.ApproximateReceiveCount);
  const cause = attributes.cause ?? attributes.ERROR_MESSAGE ?? null;
  return {
    messageId: message.MessageId ?? '',
    requestId: attributes.requestId ?? identity.requestId,
    vendor: attributes.vendor ?? identity.vendor,
    reason: attributes.reason ?? (attributes.ERROR_CODE ? 'ScheduleDeliveryFailed' : NO_ATTRIBUTES_REASON),
    error: attributes.error ?? attributes.ERROR_CODE ?? null,
    cause,
    failedState: attributes.failedState ?? null,
    executionArn: attributes.executionArn ?? null,
    sentAt: Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : null,
    ageSeconds: Number.isFinite(sent) && sent > 0 ? Math.max(0, Math.round((now - sent) / 1000)) : null,
    receiveCount: Number.isFinite(receives) ? receives : null,
    attributes,
    body,
    request,
    causeMessage: cause ? causeText(cause) : null,
  };
}

interface Held {
  readonly message: Message;
  readonly record: DlqRecordDetail;
}

/**
 * Reads the queue without consuming it: receives until it runs dry, `limit` is reached or `stop` says so, then makes
 * every received message visible again at once.
 */
export async function peekDeadLetterQueue(
  sqs: SQSClient,
  queueUrl: string,
  options: { limit?: number; stop?: (record: DlqRecordDetail) => boolean; waitSeconds?: number } = {},
): Promise<DlqRecordDetail[]> {
  const held = new Map<string, Held>();
  try {
    let empty = 0;
    while (empty < 2 && held.size < (options.limit ?? Number.POSITIVE_INFINITY)) {
      const messages = await receive(sqs, queueUrl, READ_VISIBILITY_SECONDS, options.waitSeconds ?? 1);
      if (messages.length === 0) {
        empty++;
        continue;
      }
      empty = 0;
      let stop = false;
      for (const message of messages) {
        const record = toDlqRecord(message);
        // A message seen twice (its visibility ran out during a long read) is listed once; the newest handle counts.
        held.set(record.messageId, { message, record });
        if (options.stop?.(record)) stop = true;
      }
      if (stop) break;
    }
  } finally {
    await release(
      sqs,
      queueUrl,
      [...held.values()].map((h) => h.message),
    );
  }
  const records = [...held.values()].map((h) => h.record);
  records.sort((a, b) => (a.sentAt ?? '').localeCompare(b.sentAt ?? ''));
  return options.limit !== undefined ? records.slice(0, options.limit) : records;
}

export async function receive(
  sqs: SQSClient,
  queueUrl: string,
  visibility: number,
  waitSeconds: number,
): Promise<Message[]> {
  const received = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: visibility,
      WaitTimeSeconds: waitSeconds,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
    }),
  );
  return received.Messages ?? [];
}

/** Makes messages visible again at once (ChangeMessageVisibility 0), ten per call. */
async function release(sqs: SQSClient, queueUrl: string, messages: readonly Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    const chunk = messages.slice(i, i + 10);
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 })),
      }),
    );
  }
}

// --- redrive --------------------------------------------------------------------------------------------------------

/** `vendor=aws-mediaconnect,error=VendorUnavailable`: every key must match (AND). */
export type RedriveFilter = Readonly<Record<'vendor' | 'error' | 'reason' | 'requestId' | 'failedState', string>>;
const FILTER_KEYS = ['vendor', 'error', 'reason', 'requestId', 'failedState'] as const;

export function parseFilter(text: string): Partial<RedriveFilter> {
  const filter: Partial<Record<(typeof FILTER_KEYS)[number], string>> = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq) as (typeof FILTER_KEYS)[number];
    if (eq <= 0 || !FILTER_KEYS.includes(key) || part.slice(eq + 1) === '') {
      throw new FlowctlError(
        `--filter "${text}": "${part}" is not KEY=VALUE with KEY one of ${FILTER_KEYS.join(', ')}`,
        EXIT.USAGE,
        'e.g. --filter vendor=aws-mediaconnect,error=VendorUnavailable',
      );
    }
    filter[key] = part.slice(eq + 1);
  }
  if (Object.keys(filter).length === 0) throw new FlowctlError('--filter is empty', EXIT.USAGE);
  return filter;
}

export function matchesFilter(record: DlqRecord, filter: Partial<RedriveFilter>): boolean {
  return Object.entries(filter).every(([key, value]) => record[key as keyof DlqRecord] === value);
}

export interface RedriveOptions {
  /** Move every message; without a filter on AWS this is one StartMessageMoveTask. */
  readonly all?: boolean;
  readonly filter?: Partial<RedriveFilter>;
  /** Messages per second (default {@link derivedRedriveRate}). */
  readonly rate?: number;
  /** Follow a move task until it ends. */
  readonly wait?: boolean;
  /** Move at most this many (receive → send → delete only). */
  readonly max?: number;
  readonly dryRun?: boolean;
  /** Poll interval of `--wait` (tests shorten it). */
  readonly pollMs?: number;
}

export type RedriveResult =
  | {
      readonly mode: 'message-move-task';
      readonly taskHandle: string | null;
      readonly status: string;
      readonly rate: number;
      readonly moved: number | null;
      readonly toMove: number | null;
      readonly failureReason: string | null;
    }
  | {
      readonly mode: 'receive-send-delete';
      readonly rate: number;
      readonly dryRun: boolean;
      readonly moved: string[];
      readonly matched: number;
      /** Messages that did not match the filter (left on the DLQ). */
      readonly skipped: number;
      /** Messages that reached the DLQ after the redrive began (left for the next one, so a redrive always ends). */
      readonly arrivedDuring: number;
      readonly failed: { readonly messageId: string; readonly requestId: string | null; readonly error: string }[];
    };

/**
 * Moves DLQ records back to the ingress queue. On AWS, `--all` without a filter is an SQS message move task
 * (StartMessageMoveTask at `rate`); with a filter, on the local stack (whose SQS has no move API) or for a dry run,
 * each matching message is received, sent to the ingress queue with its original body and no failure attributes,
 * then deleted, paced at `rate`.
 */
export async function redriveDeadLetters(target: Target, options: RedriveOptions, out: Output): Promise<RedriveResult> {
  if (!options.all && !options.filter) {
    throw new FlowctlError(
      'say what to redrive: --all, or --filter KEY=VALUE[,KEY=VALUE]',
      EXIT.USAGE,
      '`flowctl dlq list` shows the records and their reasons',
    );
  }
  if (options.all && options.filter) {
    throw new FlowctlError('--all and --filter exclude each other', EXIT.USAGE, 'drop one of them');
  }
  const dlqUrl = requireDeadLetterQueue(target);
  const ingressUrl = requireIngressQueue(target);
  const derived = derivedRedriveRate(
    options.filter?.vendor && options.filter.vendor in VENDORS ? options.filter.vendor : undefined,
  );
  const rate = options.rate ?? derived.rate;
  if (!(rate > 0)) throw new FlowctlError(`--rate ${rate}: must be a positive number`, EXIT.USAGE);

  if (options.all && target.supportsMessageMove && !options.dryRun && options.max === undefined) {
    return moveTask(target.sqs, dlqUrl, ingressUrl, rate, options, out);
  }
  return moveOneByOne(target.sqs, dlqUrl, ingressUrl, rate, receiveWaitSeconds(target), options, out);
}

async function moveTask(
  sqs: SQSClient,
  dlqUrl: string,
  ingressUrl: string,
  rate: number,
  options: RedriveOptions,
  out: Output,
): Promise<RedriveResult> {
  const [sourceArn, destinationArn] = await Promise.all([queueArnOf(sqs, dlqUrl), queueArnOf(sqs, ingressUrl)]);
  const perSecond = moveTaskRate(rate);
  if (perSecond !== rate) out.warn(`a move task takes whole messages per second (1–500): moving at ${perSecond}/s`);

  const latest = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 1 })))
    .Results?.[0];
  let taskHandle: string | null;
  if (latest?.Status === 'RUNNING') {
    if (!options.wait) {
      throw new FlowctlError(
        `a message move task is already running on ${sourceArn} (${latest.ApproximateNumberOfMessagesMoved ?? 0} of ${latest.ApproximateNumberOfMessagesToMove ?? '?'} moved)`,
        EXIT.INCOMPLETE,
        'follow it with `flowctl dlq redrive --all --wait`, or cancel it with `aws sqs cancel-message-move-task`',
      );
    }
    out.progress('a message move task is already running on this DLQ: following it');
    taskHandle = latest.TaskHandle ?? null;
  } else {
    const started = await sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: sourceArn,
        DestinationArn: destinationArn,
        MaxNumberOfMessagesPerSecond: perSecond,
      }),
    );
    taskHandle = started.TaskHandle ?? null;
    out.progress(`started message move task at ${perSecond} messages/s: ${sourceArn} → ${destinationArn}`);
  }
  if (!options.wait) {
    return {
      mode: 'message-move-task',
      taskHandle,
      status: 'RUNNING',
      rate: perSecond,
      moved: null,
      toMove: null,
      failureReason: null,
    };
  }
  const task = await followMoveTask(sqs, sourceArn, taskHandle, options.pollMs ?? 2000, out);
  return {
    mode: 'message-move-task',
    taskHandle,
    status: task?.Status ?? 'UNKNOWN',
    rate: perSecond,
    moved: task?.ApproximateNumberOfMessagesMoved ?? null,
    toMove: task?.ApproximateNumberOfMessagesToMove ?? null,
    failureReason: task?.FailureReason ?? null,
  };
}

/** Polls ListMessageMoveTasks until the task is no longer RUNNING (or CANCELLING), reporting progress. */
export async function followMoveTask(
  sqs: SQSClient,
  sourceArn: string,
  taskHandle: string | null,
  pollMs: number,
  out: Output,
): Promise<ListMessageMoveTasksResultEntry | undefined> {
  let lastLine = '';
  for (;;) {
    const tasks =
      (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 10 }))).Results ?? [];
    const task = (taskHandle ? tasks.find((t) => t.TaskHandle === taskHandle) : undefined) ?? tasks[0];
    if (!task) return undefined;
    const line = `move task ${task.Status}: ${task.ApproximateNumberOfMessagesMoved ?? 0} of ${task.ApproximateNumberOfMessagesToMove ?? '?'} moved`;
    if (line !== lastLine) out.progress(line);
    lastLine = line;
    if (task.Status !== 'RUNNING' && task.Status !== 'CANCELLING') return task;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

async function moveOneByOne(
  sqs: SQSClient,
  dlqUrl: string,
  ingressUrl: string,
  rate: number,
  waitSeconds: number,
  options: RedriveOptions,
  out: Output,
): Promise<RedriveResult> {
  const interval = 1000 / rate;
  const held = new Map<string, Message>();
  const moved: string[] = [];
  const failed: { messageId: string; requestId: string | null; error: string }[] = [];
  let matched = 0;
  let skipped = 0;
  let arrivedDuring = 0;
  const startedAt = Date.now();
  let nextSendAt = 0;
  let lastProgress = Date.now();
  const max = options.max ?? Number.POSITIVE_INFINITY;
  try {
    let empty = 0;
    while (empty < 2 && moved.length < max) {
      const messages = await receive(sqs, dlqUrl, MOVE_VISIBILITY_SECONDS, waitSeconds);
      if (messages.length === 0) {
        empty++;
        continue;
      }
      empty = 0;
      for (const message of messages) {
        const record = toDlqRecord(message);
        const seen = held.has(record.messageId);
        // A record that failed again after this redrive moved it is the next redrive's business, not this one's.
        const arrived = record.sentAt !== null && Date.parse(record.sentAt) > startedAt;
        if (
          seen ||
          arrived ||
          !(options.filter ? matchesFilter(record, options.filter) : true) ||
          moved.length >= max
        ) {
          // Kept invisible until the end, so that the loop ends; a record seen again is counted once.
          if (!seen && arrived) arrivedDuring++;
          else if (!seen) skipped++;
          held.set(record.messageId, message);
          continue;
        }
        matched++;
        if (options.dryRun) {
          held.set(record.messageId, message);
          out.info(`would move ${record.messageId} ${record.requestId ?? '(no requestId)'} ${record.reason}`);
          continue;
        }
        const wait = nextSendAt - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        nextSendAt = Math.max(Date.now(), nextSendAt) + interval;
        try {
          // The original body and nothing else: the failure attributes describe the last attempt, not the request.
          await sqs.send(new SendMessageCommand({ QueueUrl: ingressUrl, MessageBody: message.Body ?? '' }));
        } catch (error) {
          failed.push({ messageId: record.messageId, requestId: record.requestId, error: (error as Error).message });
          held.set(record.messageId, message);
          continue;
        }
        try {
          await sqs.send(new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: message.ReceiptHandle! }));
        } catch (error) {
          // Sent but still on the DLQ: a later redrive sends it again, which the dispatcher treats as a duplicate.
          out.warn(
            `${record.messageId} was sent to the ingress queue but not deleted from the DLQ (${(error as Error).message}); a second copy is harmless`,
          );
        }
        moved.push(record.messageId);
        if (Date.now() - lastProgress >= 1000) {
          out.progress(`moved ${moved.length}${Number.isFinite(max) ? `/${max}` : ''} · skipped ${skipped}`);
          lastProgress = Date.now();
        }
      }
    }
  } finally {
    await release(sqs, dlqUrl, [...held.values()]);
  }
  return {
    mode: 'receive-send-delete',
    rate,
    dryRun: Boolean(options.dryRun),
    moved,
    matched,
    skipped,
    arrivedDuring,
    failed,
  };
}
