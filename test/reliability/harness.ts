/**
 * The reliability suite's harness: a workload over every vendor, the local stack at test speed, and THE invariant,
 * checked against the vendors' own state and journals (the emulators) and the DLQ — not against what the pipeline
 * believes of itself:
 *
 *   every request ends either PROVISIONED with exactly one vendor resource (running, shared as asked), or in the DLQ
 *   with a reason; nothing is lost, nothing is created twice.
 *
 * Size: `RELIABILITY_SCALE` (a fraction of the full size, 1000 requests). `npm run test:reliability` runs 1; `npm test`
 * runs the default 0.05 (50 requests), enough to exercise every path in seconds.
 *
 * Speed (suite only): emulators do not enforce rate limits and every pacing interval is scaled by `PACING_SCALE`, so
 * the full size takes minutes instead of the hours 5 req/s would take; waits and retry pauses are shortened; an
 * injected lost answer costs `CALL_TIMEOUT_MS`. Nothing else differs from `npm start`: same handlers, same ASL, same
 * clients.
 */
import { appendFileSync } from 'node:fs';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { expect } from 'vitest';
import type { VendorId } from '../../functions/domain/contract.ts';
import type { ExecutionRecord } from '../../local/aws/step-functions-model.ts';
import { requestsFor } from '../../local/batch/demo-batch.ts';
import type { DlqRecord } from '../../local/batch/run-batch.ts';
import type { JournalEntry } from '../../local/emulators/common.ts';
import { LOCAL_VENDORS } from '../../local/emulators/registry.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack, vendorFunctionName } from '../../local/stack.ts';
import { type RequestIdentity, vendorResources } from '../helpers/vendor-state.ts';

const FULL_SIZE = 1000;

/** The fraction of the full size this run uses (`RELIABILITY_SCALE`, default 0.05). */
export const SCALE = (() => {
  const raw = process.env.RELIABILITY_SCALE;
  const value = raw === undefined || raw === '' ? 0.05 : Number(raw);
  if (!(value > 0 && value <= 1)) throw new Error(`RELIABILITY_SCALE must be in (0, 1], got ${raw}`);
  return value;
})();

/** Requests for a scenario whose full size is `full`: at least one per vendor. */
export function sized(full = FULL_SIZE): number {
  return Math.max(LOCAL_VENDORS.length * 2, Math.round(full * SCALE));
}

/** How long a scenario may take: generous, proportional to its size. */
export function timeoutFor(requests: number): number {
  return 120_000 + (requests * 1000 * 3) / REQUESTS_PER_SECOND;
}

export const PACING_SCALE = 0.02;
/**
 * Call deadline where lost answers are injected: each costs this long. Elsewhere it stays generous, so the only lost
 * answers are the injected ones (a two-core machine under load can take a few hundred ms to answer).
 */
export const CALL_TIMEOUT_MS = 300;
/**
 * New requests per second. The whole pipeline shares one Node process here (SQS, Step Functions, Lambda, five
 * emulators, DynamoDB): about 15 requests/s saturate two cores, after which invoke-mode steps starve at the reserved
 * concurrency gates and exhaust their (shortened) retries. Traffic arrives at well under that, as steady traffic
 * would, leaving room for other test files on the machine; a burst of everything at once is the benchmark's subject
 * (docs/architecture.md, "Pacing"), not this suite's.
 */
export const REQUESTS_PER_SECOND = 6;

/** MediaConnect allows 20 flows per region: the AWS share of a workload is spread over regions, ≤ 10 per region. */
const AWS_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'eu-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-south-1',
  'af-south-1',
  'me-south-1',
];

export type Request = Record<string, unknown> & RequestIdentity & { vendor: VendorId; entitlements?: unknown[] };

/** `count` valid requests spread evenly over every vendor, ids prefixed with `prefix`. */
export function workload(count: number, prefix: string): Request[] {
  const vendors = LOCAL_VENDORS.map((v) => v.vendor);
  const perVendor = vendors.map((_, i) => Math.floor(count / vendors.length) + (i < count % vendors.length ? 1 : 0));
  const requests: Request[] = [];
  vendors.forEach((vendor, v) => {
    const own = requestsFor(vendor, perVendor[v]!, prefix) as Request[];
    own.forEach((request, i) => {
      if (vendor === 'aws-mediaconnect') request.region = AWS_REGIONS[i % AWS_REGIONS.length]!;
      requests.push(request);
    });
  });
  // Interleaved, as real traffic is.
  return requests.sort((a, b) => (a.requestId.slice(-4) + a.vendor < b.requestId.slice(-4) + b.vendor ? -1 : 1));
}

/** The local stack at suite speed, in `invoke` dispatch unless `RELIABILITY_DISPATCH` says otherwise. */
export async function startReliabilityStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const dispatch = process.env.RELIABILITY_DISPATCH === 'queue' ? 'queue' : 'invoke';
  return startLocalStack({
    enforceRateLimit: false,
    pacingScale: PACING_SCALE,
    callTimeoutMs: 5_000,
    waitOverrideMs: 20,
    // Every Retry pause, whatever its backoff: 20 Lambda.TooManyRequestsException retries then wait 10 s for a slot
    // (on AWS the backoff gives them minutes); other test files running beside the suite slow it down.
    retryOverrideMs: 500,
    visibilityTimeoutSeconds: 5,
    dispatch,
    ...options,
  });
}

/** The operation whose success makes the vendor resource (what "created twice" is counted by). */
export const CREATE_OPERATION: Readonly<Record<VendorId, string>> = {
  'aws-mediaconnect': 'CreateFlow',
  'alibaba-ice': 'CreateMediaConnectFlow',
  'alibaba-cams': 'CreateFlow',
  'huawei-live': 'CreateFlows',
  'volcengine-live': 'CreatePullToPushGroup',
};

/** A served call that took effect (its answer may have been lost: a `timeout` fault journals the real reply). */
export function tookEffect(entry: JournalEntry): boolean {
  return entry.status >= 200 && entry.status < 300 && entry.errorCode === undefined && !entry.throttled;
}

export type InjectedKind = 'error' | 'throttle' | 'timeout';

function injectedKind(entry: JournalEntry): InjectedKind | undefined {
  if (!entry.injected) return undefined;
  if (entry.throttled) return 'throttle';
  return tookEffect(entry) ? 'timeout' : 'error';
}

export interface Outcome {
  readonly requestId: string;
  readonly vendor: VendorId;
  readonly status: 'PROVISIONED' | 'DLQ';
  /** The DLQ records of the request (a provisioned request may have one from an earlier, failed attempt). */
  readonly dlq: DlqRecord[];
  readonly resources: number;
}

/**
 * The one loss no retry can absorb, and it is documented: when the answer of ICE's CreateMediaConnectFlow is lost (a
 * fault, or a λ that dies right after the call returned), ICE cannot be asked for the flow by name
 * (docs/vendors/alibaba-ice.md, "Identity and adoption"), so the retry is refused and says so. These are the requests
 * that ended that way; each still has exactly its one flow at ICE.
 */
export function iceLostCreateAnswers(outcomes: readonly Outcome[]): Outcome[] {
  return outcomes.filter((o) => {
    const record = o.dlq.at(-1)?.attributes;
    return (
      o.status === 'DLQ' &&
      o.vendor === 'alibaba-ice' &&
      record?.failedState === 'CreateFlow' &&
      /no lookup by name/.test(record.cause ?? '')
    );
  });
}

/** What a scenario measured: counts only (timings vary from machine to machine). */
export interface Figures {
  requests: number;
  messagesSent: number;
  provisioned: number;
  inDlq: number;
  dlqReasons: Record<string, number>;
  executions: number;
  /** Executions beyond the first of a request (new attempts, ADR 0003). */
  laterAttempts: number;
  vendorCalls: number;
  injected: Record<InjectedKind, number>;
  /** Task retries in the execution histories (`TaskRetried`), by error where the history says. */
  taskRetries: number;
  lambdaCrashes: number;
  resources: number;
  createCallsThatTookEffect: number;
}

/**
 * Checks THE invariant for `requests` and answers the figures. `extraDlq` are DLQ records read earlier (a redrive
 * scenario moves some back), `rejectedOnly` are message bodies expected in the DLQ with a reason and nothing else.
 */
export async function checkInvariant(
  stack: LocalStack,
  requests: readonly Request[],
  options: { messagesSent: number; dlq?: DlqRecord[] } = { messagesSent: requests.length },
): Promise<{ outcomes: Outcome[]; figures: Figures; dlq: DlqRecord[] }> {
  const dlq = options.dlq ?? (await peekDeadLetterQueue(stack));
  const dlqByRequest = new Map<string, DlqRecord[]>();
  for (const record of dlq) {
    const requestId = record.attributes.requestId ?? requestIdOf(record.body);
    if (!requestId) continue;
    dlqByRequest.set(requestId, [...(dlqByRequest.get(requestId) ?? []), record]);
  }
  const latest = latestExecutions(stack);
  const outcomes: Outcome[] = [];
  const problems: string[] = [];
  const byVendor = new Map<VendorId, Request[]>();
  for (const request of requests) byVendor.set(request.vendor, [...(byVendor.get(request.vendor) ?? []), request]);

  let resourcesTotal = 0;
  let createCalls = 0;
  for (const [vendor, own] of byVendor) {
    const emulator = stack.emulators[vendor];
    if (!emulator) throw new Error(`no emulator for ${vendor}`);
    const resources = vendorResources(vendor, emulator, own);
    resourcesTotal += resources.length;
    const unknown = resources.filter((r) => r.owner === undefined || !own.some((q) => q.requestId === r.owner));
    if (unknown.length > 0) problems.push(`${vendor}: ${unknown.length} resource(s) of no request: ${unknown[0]!.id}`);
    // Nothing created twice, by the vendor's own journal: every create that took effect left one resource.
    const created = emulator.journal.count((e) => e.operation === CREATE_OPERATION[vendor] && tookEffect(e));
    createCalls += created;
    if (created !== resources.length) {
      problems.push(`${vendor}: ${created} create call(s) took effect, ${resources.length} resource(s) exist`);
    }
    for (const request of own) {
      const mine = resources.filter((r) => r.owner === request.requestId);
      const execution = latest.get(request.requestId);
      const records = dlqByRequest.get(request.requestId) ?? [];
      if (execution?.status === 'SUCCEEDED') {
        outcomes.push({ requestId: request.requestId, vendor, status: 'PROVISIONED', dlq: records, resources: 1 });
        if (mine.length !== 1) {
          problems.push(`${request.requestId}: PROVISIONED with ${mine.length} resource(s)`);
          continue;
        }
        const [resource] = mine;
        const shares = (request.entitlements ?? []).length;
        if (!resource!.complete) problems.push(`${request.requestId}: its resource is incomplete`);
        if (request.start !== false && !resource!.running) problems.push(`${request.requestId}: not running`);
        if (resource!.shares !== shares) problems.push(`${request.requestId}: ${resource!.shares}/${shares} shares`);
      } else {
        outcomes.push({ requestId: request.requestId, vendor, status: 'DLQ', dlq: records, resources: mine.length });
        const reasoned = records.filter((r) => (r.attributes.reason ?? '') !== '' && (r.attributes.cause ?? '') !== '');
        if (reasoned.length === 0) {
          problems.push(
            `${request.requestId}: lost (execution ${execution?.status ?? 'none'}, no DLQ record with a reason)`,
          );
        }
        const rolledBack = records.some((r) => r.attributes.rolledBack === 'true');
        if (mine.length > (rolledBack ? 0 : 1)) {
          problems.push(`${request.requestId}: failed with ${mine.length} resource(s) (rolled back: ${rolledBack})`);
        }
      }
    }
  }
  expect(problems, problems.slice(0, 20).join('\n')).toEqual([]);

  const executions = stack.stepFunctions.allExecutions();
  const journal = Object.values(stack.emulators).flatMap((e) => e?.journal.entries ?? []);
  const injected: Record<InjectedKind, number> = { error: 0, throttle: 0, timeout: 0 };
  for (const entry of journal) {
    const kind = injectedKind(entry);
    if (kind) injected[kind]++;
  }
  const dlqReasons: Record<string, number> = {};
  for (const outcome of outcomes.filter((o) => o.status === 'DLQ')) {
    const record = outcome.dlq.at(-1)!;
    const reason = `${record.attributes.reason}/${record.attributes.error}`;
    dlqReasons[reason] = (dlqReasons[reason] ?? 0) + 1;
  }
  const figures: Figures = {
    requests: requests.length,
    messagesSent: options.messagesSent,
    provisioned: outcomes.filter((o) => o.status === 'PROVISIONED').length,
    inDlq: outcomes.filter((o) => o.status === 'DLQ').length,
    dlqReasons,
    executions: executions.length,
    laterAttempts: executions.filter((e) => /--a\d+$/.test(e.name)).length,
    vendorCalls: journal.length,
    injected,
    taskRetries: executions.reduce((n, e) => n + e.history.filter((h) => h.type === 'TaskRetried').length, 0),
    lambdaCrashes:
      stack.crashes.crashes +
      stack.vendors.reduce((n, v) => n + (stack.lambdas.stats(vendorFunctionName(v))?.crashes ?? 0), 0),
    resources: resourcesTotal,
    createCallsThatTookEffect: createCalls,
  };
  return { outcomes, figures, dlq };
}

/** The newest execution of each request (a later attempt supersedes a failed one). */
export function latestExecutions(stack: LocalStack): Map<string, ExecutionRecord> {
  const latest = new Map<string, ExecutionRecord>();
  for (const execution of stack.stepFunctions.allExecutions()) {
    const requestId = requestIdOf(execution.input);
    if (!requestId) continue;
    const current = latest.get(requestId);
    if (!current || execution.startDate >= current.startDate) latest.set(requestId, execution);
  }
  return latest;
}

/** Reads every DLQ record and makes them visible again at once (a later read or redrive still finds them). */
export async function peekDeadLetterQueue(stack: LocalStack): Promise<DlqRecord[]> {
  const messages: Message[] = [];
  for (;;) {
    const received = await stack.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: stack.deadLetterQueueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 300,
        MessageAttributeNames: ['All'],
        WaitTimeSeconds: 0,
      }),
    );
    if (!received.Messages?.length) break;
    messages.push(...received.Messages);
  }
  for (let i = 0; i < messages.length; i += 10) {
    await stack.sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: stack.deadLetterQueueUrl,
        Entries: messages
          .slice(i, i + 10)
          .map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 })),
      }),
    );
  }
  return messages.map((m) => ({
    messageId: m.MessageId!,
    body: m.Body ?? '',
    attributes: Object.fromEntries(
      Object.entries(m.MessageAttributes ?? {}).flatMap(([key, value]) =>
        value.StringValue !== undefined ? [[key, value.StringValue]] : [],
      ),
    ),
  }));
}

/** Moves every DLQ record back to the ingress queue as it is (receive, send, delete), as `flowctl dlq redrive` does. */
export async function moveDeadLettersBack(stack: LocalStack): Promise<number> {
  let moved = 0;
  for (;;) {
    const received = await stack.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: stack.deadLetterQueueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 60,
        WaitTimeSeconds: 0,
      }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) return moved;
    for (const message of messages) {
      await stack.sqs.send(new SendMessageCommand({ QueueUrl: stack.ingressQueueUrl, MessageBody: message.Body! }));
    }
    await stack.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: stack.deadLetterQueueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
    moved += messages.length;
  }
}

export function requestIdOf(body: string): string | undefined {
  try {
    const value = JSON.parse(body) as { requestId?: unknown };
    return typeof value?.requestId === 'string' ? value.requestId : undefined;
  } catch {
    return undefined;
  }
}

/** Appends one JSON line per scenario to the file `RELIABILITY_REPORT` names (the figures of docs/reliability.md). */
export function report(scenario: string, figures: Figures, extra: Record<string, unknown> = {}): void {
  const file = process.env.RELIABILITY_REPORT;
  if (!file) return;
  appendFileSync(file, `${JSON.stringify({ scenario, scale: SCALE, ...figures, ...extra })}\n`);
}
