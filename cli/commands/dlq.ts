/** `flowctl dlq`: the command wiring and printing over `../operations/dlq.ts`. */
import type { Command } from 'commander';
import {
  type DlqRecord,
  type DlqRecordDetail,
  NO_ATTRIBUTES_REASON,
  parseFilter,
  peekDeadLetterQueue,
  receiveWaitSeconds,
  redriveDeadLetters,
  redriveRateHelp,
} from '../operations/dlq.ts';
import {
  clip,
  EXIT,
  FlowctlError,
  formatAge,
  type Output,
  positiveInteger,
  runCommand,
  showResult,
  table,
} from '../output.ts';
import { addTargetOptions, requireDeadLetterQueue, type TargetOptions, withTarget } from '../target.ts';

interface ListOptions extends TargetOptions {
  limit?: string;
}
interface ShowOptions extends TargetOptions {}
interface RedriveCommandOptions extends TargetOptions {
  all?: boolean;
  filter?: string;
  rate?: string;
  wait?: boolean;
  max?: string;
  dryRun?: boolean;
}

export function registerDlq(program: Command): void {
  const dlq = program
    .command('dlq')
    .description('list, show and redrive the dead-letter queue (rejected requests and failure records)')
    .addHelpText(
      'after',
      `
Reasons: InvalidRequest, WorkflowFailed (error = the workflow error), AttemptsExhausted, TimedOut, Aborted;
${NO_ATTRIBUTES_REASON} for a message SQS moved without attributes. docs/runbook.md says what to do for each.`,
    );

  addTargetOptions(
    dlq
      .command('list')
      .description(
        'each DLQ message with request id, vendor, reason, error, failed state, execution and age; consumes nothing',
      )
      .option('--limit <n>', 'list at most N messages (default 100)'),
  ).action(async (options: ListOptions) => {
    await runCommand(options, async (out) =>
      withTarget(options, out, async (target) => {
        const limit = positiveInteger(options.limit ?? '100', '--limit');
        const records = await peekDeadLetterQueue(target.sqs, requireDeadLetterQueue(target), {
          limit,
          waitSeconds: receiveWaitSeconds(target),
        });
        const messages = records.map(
          ({ attributes: _a, body: _b, request: _r, causeMessage: _c, ...record }) => record,
        );
        out.result({ target: target.description, count: messages.length, messages });
        if (!out.json) {
          if (messages.length === 0) out.info(`${target.description}: the DLQ is empty`);
          else {
            const rows = records.map((r) => [
              r.ageSeconds === null ? '-' : formatAge(r.ageSeconds * 1000),
              r.reason,
              r.error && r.error !== r.reason ? r.error : '-',
              r.vendor ?? '-',
              r.requestId ?? '-',
              r.failedState ?? '-',
              r.executionArn?.split(':').pop() ?? '-',
              r.messageId,
              clip(r.causeMessage ?? '', 80),
            ]);
            for (const line of table(
              ['AGE', 'REASON', 'ERROR', 'VENDOR', 'REQUEST', 'FAILED STATE', 'EXECUTION', 'MESSAGE ID', 'CAUSE'],
              rows,
            )) {
              out.info(line);
            }
            out.info(
              `${messages.length} message(s)${messages.length === limit ? ` (limit ${limit}; --limit for more)` : ''}`,
            );
          }
        }
        return EXIT.OK;
      }),
    );
  });

  addTargetOptions(
    dlq
      .command('show')
      .description('the full record of one DLQ message: body, every attribute, the cause in words')
      .argument('<id>', 'the message id, or the request id'),
  ).action(async (id: string, options: ShowOptions) => {
    await runCommand(options, async (out) =>
      withTarget(options, out, async (target) => {
        const matches = (r: DlqRecord) => r.messageId === id || r.requestId === id;
        const records = await peekDeadLetterQueue(target.sqs, requireDeadLetterQueue(target), {
          stop: matches,
          waitSeconds: receiveWaitSeconds(target),
        });
        const found = records.filter(matches);
        if (found.length === 0) {
          throw new FlowctlError(
            `no DLQ message with message id or request id ${id} in ${target.description}`,
            EXIT.NOT_FOUND,
            '`flowctl dlq list` shows the ids',
          );
        }
        const record = found[found.length - 1]!;
        return showResult(out, record, printRecord);
      }),
    );
  });

  addTargetOptions(
    dlq
      .command('redrive')
      .description('move DLQ records back to the ingress queue; the dispatcher resumes each request without duplicates')
      .option('--all', 'every message (on AWS: one SQS message move task)')
      .option('--filter <KEY=VALUE,...>', 'only messages whose vendor, error, reason, requestId, failedState all match')
      .option('--rate <n>', redriveRateHelp())
      .option(
        '--wait',
        'follow the move task until it ends, with progress (receive → send → delete always runs to the end)',
      )
      .option('--max <n>', 'move at most N messages (receive → send → delete)')
      .option('--dry-run', 'list what would move; move nothing'),
  )
    .addHelpText(
      'after',
      `
Exit status: 0 when everything asked for was moved (or the move task was started, or completed with --wait), 1 when
some message could not be moved or the move task failed or was cancelled.

Examples:
  flowctl dlq redrive --stack FlowProvisioner-prod --all --wait
  flowctl dlq redrive --local --filter vendor=aws-mediaconnect,error=VendorUnavailable --rate 5
  flowctl dlq redrive --stack FlowProvisioner-prod --filter reason=TimedOut --dry-run`,
    )
    .action(async (options: RedriveCommandOptions) => {
      await runCommand(options, async (out) =>
        withTarget(options, out, async (target) => {
          const result = await redriveDeadLetters(
            target,
            {
              ...(options.all ? { all: true } : {}),
              ...(options.filter ? { filter: parseFilter(options.filter) } : {}),
              ...(options.rate ? { rate: positiveNumber(options.rate, '--rate') } : {}),
              ...(options.max ? { max: positiveInteger(options.max, '--max') } : {}),
              wait: Boolean(options.wait),
              dryRun: Boolean(options.dryRun),
            },
            out,
          );
          out.result({ target: target.description, ...result });
          if (result.mode === 'message-move-task') {
            if (!out.json) {
              out.info(
                result.moved === null
                  ? `move task ${result.taskHandle} started at ${result.rate} messages/s; follow it with \`flowctl dlq redrive --all --wait\``
                  : `move task ${result.status}: ${result.moved} of ${result.toMove} moved${result.failureReason ? ` — ${result.failureReason}` : ''}`,
              );
            }
            return result.status === 'RUNNING' || result.status === 'COMPLETED' ? EXIT.OK : EXIT.INCOMPLETE;
          }
          if (!out.json) {
            out.info(
              result.dryRun
                ? `dry run: ${result.matched} would move, ${result.skipped} would stay`
                : `moved ${result.moved.length} message(s) at ≤ ${result.rate}/s; ${result.skipped} left on the DLQ (not matching)` +
                    (result.arrivedDuring > 0
                      ? `; ${result.arrivedDuring} arrived while it ran (left for the next redrive: \`flowctl dlq list\`)`
                      : ''),
            );
            for (const f of result.failed) out.info(`  not moved ${f.messageId} ${f.requestId ?? ''}: ${f.error}`);
          }
          if (target.embedded && result.moved.length > 0) {
            out.progress('waiting for the embedded stack to process the redriven requests…');
            await target.embedded.waitForDrain();
          }
          return result.failed.length > 0 ? EXIT.INCOMPLETE : EXIT.OK;
        }),
      );
    });
}

function printRecord(record: DlqRecordDetail, out: Output): void {
  const lines: [string, string | null][] = [
    ['message id', record.messageId],
    ['request id', record.requestId],
    ['vendor', record.vendor],
    ['reason', record.reason],
    ['error', record.error],
    ['cause', record.causeMessage],
    ['failed state', record.failedState],
    ['execution', record.executionArn],
    ['sent', record.sentAt ? `${record.sentAt} (${formatAge((record.ageSeconds ?? 0) * 1000)} ago)` : null],
    ['receives', record.receiveCount === null ? null : String(record.receiveCount)],
  ];
  for (const [label, value] of lines) if (value) out.info(`${label.padEnd(13)} ${value}`);
  const other = Object.entries(record.attributes).filter(
    ([k]) => !['reason', 'error', 'cause', 'failedState', 'executionArn', 'requestId', 'vendor'].includes(k),
  );
  for (const [key, value] of other) out.info(`${`attr ${key}`.padEnd(13)} ${value}`);
  out.info('body:');
  out.info(record.request !== null ? JSON.stringify(record.request, null, 2) : record.body);
}

function positiveNumber(text: string, option: string): number {
  const value = Number(text);
  if (!(value > 0) || !Number.isFinite(value))
    throw new FlowctlError(`${option} ${text}: must be a number > 0`, EXIT.USAGE);
  return value;
}
