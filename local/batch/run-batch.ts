/**
 * Runs a batch of raw messages through a local stack and reports what became of each request, from the stack's own
 * records: executions (Step Functions), failure and rejection records (DLQ), calls and throttles (emulator journals).
 */
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { VendorId } from '../../functions/domain/contract.ts';
import type { FlowConnection } from '../../functions/domain/flow-event.ts';
import { requestIdentity } from '../../functions/domain/request-identity.ts';
import type { LocalStack } from '../stack.ts';

export type RequestStatus = 'PROVISIONED' | 'FAILED' | 'REJECTED';

/** One line of `flowctl local --json`: one per distinct requestId, and one per message that has none. */
export interface RequestResult {
  readonly requestId: string | null;
  readonly vendor: string | null;
  readonly status: RequestStatus;
  readonly flowId: string | null;
  readonly executionName: string | null;
  readonly error: string | null;
  /** Where to connect (the workflow's output, as in the `FlowProvisioned` event); null unless provisioned. */
  readonly connection: FlowConnection | null;
}

export interface VendorSummary {
  readonly vendor: string;
  requested: number;
  provisioned: number;
  failed: number;
  rejected: number;
  /** Reasons of failures and rejections, with counts. */
  readonly reasons: Record<string, number>;
  vendorCalls: number;
  throttlesAnswered: number;
}

export interface BatchReport {
  readonly results: RequestResult[];
  readonly summary: VendorSummary[];
  /** Requests that reached none of the terminal states (the exit status is non-zero when there are any). */
  readonly unresolved: string[];
  readonly durationMs: number;
}

export interface DlqRecord {
  readonly messageId: string;
  readonly body: string;
  readonly attributes: Record<string, string>;
}

/** Reads every message on the DLQ without deleting it (each stays invisible for `visibilitySeconds`). */
export async function readDeadLetterQueue(stack: LocalStack, visibilitySeconds = 60): Promise<DlqRecord[]> {
  const records: DlqRecord[] = [];
  for (;;) {
    const received = await stack.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: stack.deadLetterQueueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: visibilitySeconds,
        MessageAttributeNames: ['All'],
        WaitTimeSeconds: 0,
      }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) return records;
    for (const m of messages) {
      const attributes: Record<string, string> = {};
      for (const [key, value] of Object.entries(m.MessageAttributes ?? {})) {
        if (value.StringValue !== undefined) attributes[key] = value.StringValue;
      }
      records.push({ messageId: m.MessageId!, body: m.Body ?? '', attributes });
    }
  }
}

/** Sends the bodies, waits until the stack drains, and builds the report. */
export async function runBatch(
  stack: LocalStack,
  bodies: readonly string[],
  options: {
    onProgress?: (line: string) => void;
    progressEveryMs?: number;
    timeoutMs?: number;
    /** Puts the bodies on the ingress queue (default: each once; `local/batch/duplicates.ts` delivers each N times). */
    deliver?: (stack: LocalStack, bodies: readonly string[]) => Promise<unknown>;
  } = {},
): Promise<BatchReport> {
  const started = Date.now();
  const progress = options.onProgress
    ? setInterval(
        () => options.onProgress?.(progressLine(stack, bodies.length, started)),
        options.progressEveryMs ?? 2000,
      )
    : undefined;
  try {
    await (options.deliver ? options.deliver(stack, bodies) : stack.send(bodies));
    await stack.waitForDrain(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {});
  } finally {
    if (progress) clearInterval(progress);
  }
  return buildReport(stack, bodies, await readDeadLetterQueue(stack), Date.now() - started);
}

function progressLine(stack: LocalStack, sent: number, started: number): string {
  const executions = stack.stepFunctions.allExecutions();
  const count = (status: string) => executions.filter((e) => e.status === status).length;
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  return `[${seconds}s] ${sent} messages sent · executions: ${count('RUNNING')} running, ${count('SUCCEEDED')} succeeded, ${count('FAILED')} failed`;
}

export function buildReport(
  stack: LocalStack,
  bodies: readonly string[],
  dlq: readonly DlqRecord[],
  durationMs: number,
): BatchReport {
  // The newest execution of each request decides its outcome (a later attempt supersedes a failed one).
  const latest = new Map<string, ReturnType<LocalStack['stepFunctions']['allExecutions']>[number]>();
  for (const execution of stack.stepFunctions.allExecutions()) {
    const { requestId } = requestIdentity(execution.input);
    if (!requestId) continue;
    const current = latest.get(requestId);
    if (!current || execution.startDate >= current.startDate) latest.set(requestId, execution);
  }
  const rejectedByRequest = new Map<string, DlqRecord>();
  const anonymousRejections: DlqRecord[] = [];
  const workflowFailures = new Map<string, DlqRecord>();
  for (const record of dlq) {
    const requestId = record.attributes.requestId ?? requestIdentity(record.body).requestId;
    if (record.attributes.reason === 'WorkflowFailed' && requestId) workflowFailures.set(requestId, record);
    else if (requestId) rejectedByRequest.set(requestId, record);
    else anonymousRejections.push(record);
  }

  const results: RequestResult[] = [];
  const unresolved: string[] = [];
  const seen = new Set<string>();
  for (const body of bodies) {
    const { requestId, vendor } = requestIdentity(body);
    if (requestId === null) continue;
    if (seen.has(requestId)) continue;
    seen.add(requestId);
    const execution = latest.get(requestId);
    if (execution?.status === 'SUCCEEDED') {
      const output = JSON.parse(execution.output ?? '{}') as { flowId?: string; connection?: FlowConnection };
      results.push({
        requestId,
        vendor,
        status: 'PROVISIONED',
        flowId: output.flowId ?? null,
        executionName: execution.name,
        error: null,
        connection: output.connection ?? null,
      });
    } else if (execution && execution.status !== 'RUNNING') {
      const record = workflowFailures.get(requestId);
      const error = record
        ? `${record.attributes.error}: ${causeMessage(record.attributes.cause)}`
        : `${execution.error ?? execution.status}`;
      results.push({
        requestId,
        vendor,
        status: 'FAILED',
        flowId: null,
        executionName: execution.name,
        error,
        connection: null,
      });
    } else if (rejectedByRequest.has(requestId)) {
      const record = rejectedByRequest.get(requestId)!;
      const status: RequestStatus = record.attributes.reason === 'InvalidRequest' ? 'REJECTED' : 'FAILED';
      results.push({
        requestId,
        vendor,
        status,
        flowId: null,
        executionName: null,
        error: dlqReason(record),
        connection: null,
      });
    } else {
      unresolved.push(requestId);
    }
  }
  for (const record of anonymousRejections) {
    const { vendor } = requestIdentity(record.body);
    results.push({
      requestId: null,
      vendor,
      status: 'REJECTED',
      flowId: null,
      executionName: null,
      error: dlqReason(record),
      connection: null,
    });
  }

  return { results, summary: summarize(stack, results), unresolved, durationMs };
}

function dlqReason(record: DlqRecord): string {
  const reason = record.attributes.reason ?? 'MaxReceiveCountExceeded';
  const cause = record.attributes.cause;
  if (!cause) return reason;
  try {
    const issues = JSON.parse(cause) as unknown;
    return Array.isArray(issues) ? `${reason}: ${issues.join('; ')}` : `${reason}: ${cause}`;
  } catch {
    return `${reason}: ${cause}`;
  }
}

/** The human part of a Lambda error Cause (`{"errorType","errorMessage",...}` on AWS and locally). */
export function causeMessage(cause: string | undefined): string {
  if (!cause) return '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    return parsed.errorMessage ?? cause;
  } catch {
    return cause;
  }
}

function summarize(stack: LocalStack, results: readonly RequestResult[]): VendorSummary[] {
  const byVendor = new Map<string, VendorSummary>();
  const row = (vendor: string) => {
    let summary = byVendor.get(vendor);
    if (!summary) {
      summary = {
        vendor,
        requested: 0,
        provisioned: 0,
        failed: 0,
        rejected: 0,
        reasons: {},
        vendorCalls: 0,
        throttlesAnswered: 0,
      };
      byVendor.set(vendor, summary);
    }
    return summary;
  };
  for (const vendor of stack.vendors) row(vendor);
  for (const result of results) {
    const summary = row(
      result.vendor && stack.vendors.includes(result.vendor as VendorId) ? result.vendor : '(invalid)',
    );
    summary.requested++;
    if (result.status === 'PROVISIONED') summary.provisioned++;
    if (result.status === 'FAILED') summary.failed++;
    if (result.status === 'REJECTED') summary.rejected++;
    if (result.error) {
      const reason = result.error.split(':')[0]!;
      summary.reasons[reason] = (summary.reasons[reason] ?? 0) + 1;
    }
  }
  for (const vendor of stack.vendors) {
    const journal = stack.emulators[vendor]?.journal;
    if (!journal) continue;
    const summary = row(vendor);
    summary.vendorCalls = journal.count();
    summary.throttlesAnswered = journal.count((e) => e.throttled);
  }
  return [...byVendor.values()];
}
