/**
 * `flowctl submit FILE|-`: validates every request with the contract first (each problem listed with its path), then
 * sends the valid ones to the ingress queue, ten per SendMessageBatch (and never over SQS's 256 KiB per batch). A
 * request the contract rejects is not sent: the dispatcher would only put it on the DLQ.
 */
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import type { Command } from 'commander';
import { parseRequestBody } from '../../functions/domain/contract.ts';
import { requestIdentity } from '../../functions/domain/request-identity.ts';
import { EXIT, FlowctlError, type Output, runCommand } from '../output.ts';
import { readRequestFile } from '../read-requests.ts';
import { addTargetOptions, requireIngressQueue, type Target, type TargetOptions, withTarget } from '../target.ts';

/** SQS's limits for one SendMessageBatch call. */
const MAX_BATCH_ENTRIES = 10;
const MAX_BATCH_BYTES = 256 * 1024;
const SEND_ATTEMPTS = 3;

export interface AcceptedRequest {
  /** 1-based position in the file. */
  readonly index: number;
  readonly requestId: string;
  readonly vendor: string;
  /** The SQS message id; `null` in a dry run (validated, not sent). */
  readonly messageId: string | null;
}

export interface RejectedRequest {
  readonly index: number;
  readonly requestId: string | null;
  readonly vendor: string | null;
  /** `validation`: the contract (or the target) refused it, nothing was sent; `send`: SQS refused it. */
  readonly stage: 'validation' | 'send';
  readonly issues: readonly string[];
}

export interface SubmitResult {
  readonly target: string;
  readonly accepted: AcceptedRequest[];
  readonly rejected: RejectedRequest[];
}

interface SubmitOptions extends TargetOptions {
  dryRun?: boolean;
}

export function registerSubmit(program: Command): void {
  addTargetOptions(
    program
      .command('submit')
      .description(
        'validate provision requests with the contract, then send the valid ones to the ingress queue (10 per batch)',
      )
      .argument('<file>', 'JSON object, JSON array or NDJSON of requests; - for stdin')
      .option('--dry-run', 'validate only; send nothing'),
  )
    .addHelpText(
      'after',
      `
Every request is validated locally first, with every problem listed by path; a rejected request is not sent.
Exit status: 0 when every request was accepted, 1 when any was rejected (the others were still sent).

Examples:
  flowctl submit --local examples/aws-mediaconnect.json
  flowctl submit --stack FlowProvisioner-prod --json batch.ndjson
  cat batch.ndjson | flowctl submit --queue-url https://sqs.eu-west-1.amazonaws.com/123456789012/provision-requests -`,
    )
    .action(async (file: string, options: SubmitOptions) => {
      await runCommand(options, async (out) => {
        let bodies: string[];
        try {
          bodies = readRequestFile(file);
        } catch (error) {
          throw new FlowctlError(
            `cannot read ${file === '-' ? 'standard input' : file}: ${(error as Error).message}`,
            EXIT.USAGE,
            'pass a readable JSON, JSON array or NDJSON file, or - for stdin',
          );
        }
        if (bodies.length === 0) {
          throw new FlowctlError(
            `${file} holds no request`,
            EXIT.USAGE,
            'put one JSON request per line, or a JSON array',
          );
        }
        return withTarget(options, out, async (target) => {
          const result = await submitRequests(target, bodies, out, { dryRun: Boolean(options.dryRun) });
          report(result, out, Boolean(options.dryRun));
          if (target.embedded && !options.dryRun && result.accepted.length > 0) {
            out.progress('waiting for the embedded stack to process what was sent…');
            await target.embedded.waitForDrain();
          }
          return result.rejected.length > 0 ? EXIT.INCOMPLETE : EXIT.OK;
        });
      });
    });
}

/** Validates and sends; returns what was accepted and rejected, in file order. */
export async function submitRequests(
  target: Target,
  bodies: readonly string[],
  out: Output,
  options: { dryRun?: boolean } = {},
): Promise<SubmitResult> {
  const queueUrl = options.dryRun ? (target.ingressQueueUrl ?? '') : requireIngressQueue(target);
  const vendors = Object.keys(target.stateMachineArns);
  const rejected: RejectedRequest[] = [];
  const valid: { index: number; body: string; requestId: string; vendor: string }[] = [];
  bodies.forEach((body, i) => {
    const parsed = parseRequestBody(body);
    if (!parsed.ok) {
      rejected.push({ index: i + 1, ...requestIdentity(body), stage: 'validation', issues: parsed.issues });
      return;
    }
    const { requestId, vendor } = parsed.request;
    if (vendors.length > 0 && !vendors.includes(vendor)) {
      rejected.push({
        index: i + 1,
        requestId,
        vendor,
        stage: 'validation',
        issues: [`vendor: "${vendor}" has no workflow in ${target.description} (it has: ${vendors.join(', ')})`],
      });
      return;
    }
    valid.push({ index: i + 1, body, requestId, vendor });
  });

  const accepted: AcceptedRequest[] = [];
  if (options.dryRun) {
    for (const r of valid) accepted.push({ index: r.index, requestId: r.requestId, vendor: r.vendor, messageId: null });
    return { target: target.description, accepted, rejected };
  }

  let sent = 0;
  let lastProgress = Date.now();
  for (const batch of batches(valid)) {
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const response = await target.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: pending.map((r): SendMessageBatchRequestEntry => ({ Id: String(r.index), MessageBody: r.body })),
        }),
      );
      for (const success of response.Successful ?? []) {
        const request = pending.find((r) => String(r.index) === success.Id)!;
        accepted.push({
          index: request.index,
          requestId: request.requestId,
          vendor: request.vendor,
          messageId: success.MessageId ?? '',
        });
      }
      const retry: typeof pending = [];
      for (const failure of response.Failed ?? []) {
        const request = pending.find((r) => String(r.index) === failure.Id)!;
        // A sender fault (the entry itself is wrong) will not get better; a service fault may.
        if (!failure.SenderFault && attempt < SEND_ATTEMPTS) {
          retry.push(request);
          continue;
        }
        rejected.push({
          index: request.index,
          requestId: request.requestId,
          vendor: request.vendor,
          stage: 'send',
          issues: [`SQS ${failure.Code ?? 'error'}: ${failure.Message ?? 'not sent'}`],
        });
      }
      pending = retry;
      if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
    sent += batch.length;
    if (Date.now() - lastProgress >= 1000 && sent < valid.length) {
      out.progress(`sent ${sent}/${valid.length}`);
      lastProgress = Date.now();
    }
  }
  accepted.sort((a, b) => a.index - b.index);
  rejected.sort((a, b) => a.index - b.index);
  return { target: target.description, accepted, rejected };
}

/** Batches of at most 10 entries and 256 KiB. */
function* batches<T extends { body: string }>(items: readonly T[]): Generator<T[]> {
  let batch: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = Buffer.byteLength(item.body, 'utf8');
    if (batch.length > 0 && (batch.length === MAX_BATCH_ENTRIES || bytes + size > MAX_BATCH_BYTES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}

function report(result: SubmitResult, out: Output, dryRun: boolean): void {
  out.result(result);
  if (out.json) return;
  if (dryRun) {
    out.info(
      `dry run against ${result.target}: ${result.accepted.length} valid, ${result.rejected.length} rejected; nothing sent`,
    );
  } else {
    out.info(`${result.target}: ${result.accepted.length} accepted, ${result.rejected.length} rejected`);
    for (const a of result.accepted)
      out.info(`  accepted  #${a.index} ${a.requestId} (${a.vendor}) message ${a.messageId}`);
  }
  for (const r of result.rejected) {
    out.info(`  rejected  #${r.index} ${r.requestId ?? '(no requestId)'}${r.vendor ? ` (${r.vendor})` : ''}:`);
    for (const issue of r.issues) out.info(`      ${issue}`);
  }
  if (result.rejected.some((r) => r.stage === 'validation')) {
    out.info('fix the listed fields and submit the rejected requests again; the accepted ones need nothing');
  }
}
