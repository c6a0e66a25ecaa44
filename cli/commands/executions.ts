/** `flowctl executions`: the command wiring and printing over `../operations/executions.ts`. */
import type { ExecutionStatus } from '@aws-sdk/client-sfn';
import type { Command } from 'commander';
import {
  type ExecutionSummary,
  type ExecutionView,
  listExecutions,
  type RedriveOutcome,
  redriveExecution,
  STATUSES,
  showExecution,
} from '../operations/executions.ts';
import {
  clip,
  EXIT,
  FlowctlError,
  formatAge,
  type Output,
  parseDuration,
  positiveInteger,
  runCommand,
  showResult,
  table,
} from '../output.ts';
import { addTargetOptions, type Target, type TargetOptions, withTarget } from '../target.ts';

interface ListOptions extends TargetOptions {
  status?: string;
  since?: string;
  vendor?: string;
  limit?: string;
}
interface ShowOptions extends TargetOptions {
  request?: boolean;
}
interface RedriveOptions extends TargetOptions {
  allFailed?: boolean;
  since?: string;
  vendor?: string;
  dryRun?: boolean;
}

export function registerExecutions(program: Command): void {
  const executions = program
    .command('executions')
    .description('list, show and redrive provision-flow executions (Step Functions)');

  addTargetOptions(
    executions
      .command('list')
      .description('executions of the provision-flow state machines, newest first')
      .option('--status <status>', `only this status: ${STATUSES.join(', ')}`)
      .option('--since <duration>', 'only executions started within this duration, e.g. 30m, 6h, 7d')
      .option('--vendor <vendor>', "only this vendor's state machine")
      .option('--limit <n>', 'at most N executions (default 100)'),
  ).action(async (options: ListOptions) => {
    await runCommand(options, async (out) =>
      withTarget(options, out, async (target) => {
        const status = parseStatus(options.status);
        const list = await listExecutions(target, {
          ...(status ? { status } : {}),
          ...(options.since ? { sinceMs: parseDuration(options.since) } : {}),
          ...(options.vendor ? { vendor: options.vendor } : {}),
          limit: positiveInteger(options.limit ?? '100', '--limit'),
        });
        out.result({ target: target.description, count: list.length, executions: list });
        if (!out.json) {
          const now = Date.now();
          for (const line of table(
            ['STARTED', 'STATUS', 'VENDOR', 'NAME', 'REDRIVES', 'DURATION'],
            list.map((e) => [
              e.startDate ? `${formatAge(now - Date.parse(e.startDate))} ago` : '-',
              e.status,
              e.vendor,
              e.name,
              String(e.redriveCount),
              e.startDate && e.stopDate ? formatAge(Date.parse(e.stopDate) - Date.parse(e.startDate)) : '-',
            ]),
          )) {
            out.info(line);
          }
          out.info(`${list.length} execution(s)`);
        }
        return EXIT.OK;
      }),
    );
  });

  addTargetOptions(
    executions
      .command('show')
      .description('one execution: status, the failed state, error and cause, the request, and what to do next')
      .argument('<name-or-arn>', 'execution name, ARN, or request id (then its latest attempt)')
      .option(
        '--request',
        'print only the request JSON (to resubmit it: … --request > r.json && flowctl submit r.json)',
      ),
  ).action(async (nameOrArn: string, options: ShowOptions) => {
    await runCommand(options, async (out) =>
      withTarget(options, out, async (target) => {
        const view = await showExecution(target, nameOrArn);
        if (options.request) {
          process.stdout.write(`${JSON.stringify(view.request, null, 2)}\n`);
          return EXIT.OK;
        }
        return showResult(out, view, printView);
      }),
    );
  });

  addTargetOptions(
    executions
      .command('redrive')
      .description('RedriveExecution where it helps (TIMED_OUT, ABORTED); explains where it does not and what to do')
      .argument('[name-or-arn]', 'execution name, ARN, or request id (its latest attempt)')
      .option('--all-failed', 'every FAILED, TIMED_OUT and ABORTED execution (with --since, --vendor)')
      .option('--since <duration>', 'with --all-failed: only executions started within this duration')
      .option('--vendor <vendor>', "with --all-failed: only this vendor's state machine")
      .option('--dry-run', 'say what would be redriven; redrive nothing'),
  )
    .addHelpText(
      'after',
      `
A FAILED execution of provision-flow ended in its Fail state after writing its failure record to the DLQ: redriving it
would re-run only that Fail state (ADR 0003). flowctl refuses and names the DLQ redrive that resumes the request.
Exit status: 0 when every execution asked for was redriven, 1 when any was refused or failed, 4 when it does not exist.`,
    )
    .action(async (nameOrArn: string | undefined, options: RedriveOptions) => {
      await runCommand(options, async (out) =>
        withTarget(options, out, async (target) => {
          if (Boolean(nameOrArn) === Boolean(options.allFailed)) {
            throw new FlowctlError(
              'name one execution, or pass --all-failed',
              EXIT.USAGE,
              '`flowctl executions list --status FAILED` shows the candidates',
            );
          }
          const views = nameOrArn ? [await showExecution(target, nameOrArn)] : await failedViews(target, options, out);
          const outcomes: RedriveOutcome[] = [];
          for (const view of views) outcomes.push(await redriveExecution(target, view, Boolean(options.dryRun)));
          out.result({ target: target.description, dryRun: Boolean(options.dryRun), outcomes });
          if (!out.json) {
            if (outcomes.length === 0) out.info('no FAILED, TIMED_OUT or ABORTED execution found');
            for (const o of outcomes) {
              out.info(`${o.result.padEnd(8)} ${o.name} (${o.status})${o.reason ? `\n         ${o.reason}` : ''}`);
            }
          }
          return outcomes.every((o) => o.result === 'redriven') ? EXIT.OK : EXIT.INCOMPLETE;
        }),
      );
    });
}

async function failedViews(target: Target, options: RedriveOptions, out: Output): Promise<ExecutionView[]> {
  const found: ExecutionSummary[] = [];
  for (const status of ['FAILED', 'TIMED_OUT', 'ABORTED'] as const) {
    found.push(
      ...(await listExecutions(target, {
        status,
        ...(options.since ? { sinceMs: parseDuration(options.since) } : {}),
        ...(options.vendor ? { vendor: options.vendor } : {}),
        limit: 1000,
      })),
    );
  }
  const views: ExecutionView[] = [];
  for (const [i, summary] of found.entries()) {
    if (found.length > 20 && i % 20 === 0) out.progress(`reading executions ${i + 1}/${found.length}`);
    views.push(await showExecution(target, summary.executionArn));
  }
  return views;
}

function printView(view: ExecutionView, out: Output): void {
  const rows: [string, string | null][] = [
    ['execution', view.name],
    ['vendor', view.vendor],
    ['status', `${view.status}${view.redriveCount > 0 ? ` (redriven ${view.redriveCount}×)` : ''}`],
    ['started', view.startDate],
    ['stopped', view.stopDate],
    ['request id', view.requestId],
    ['flow id', view.flowId],
    ['failed state', view.failedState],
    ['stopped in', view.stoppedIn && view.stoppedIn !== view.failedState ? view.stoppedIn : null],
    ['error', view.error],
    ['cause', view.causeMessage ? clip(view.causeMessage, 400) : null],
    ['DLQ record', view.failureRecorded === null ? null : view.failureRecorded ? 'written' : 'NOT written'],
    [
      'redrive',
      view.redriveStatus
        ? `${view.redriveStatus}${view.redriveStatusReason ? ` (${view.redriveStatusReason})` : ''}`
        : null,
    ],
    ['next', view.nextStep],
    ['arn', view.executionArn],
  ];
  for (const [label, value] of rows) if (value) out.info(`${label.padEnd(12)} ${value}`);
  out.info('request:');
  out.info(JSON.stringify(view.request, null, 2));
}

function parseStatus(text: string | undefined): ExecutionStatus | undefined {
  if (text === undefined) return undefined;
  const upper = text.toUpperCase();
  if (!(STATUSES as readonly string[]).includes(upper)) {
    throw new FlowctlError(`--status ${text}: not a status`, EXIT.USAGE, `use one of ${STATUSES.join(', ')}`);
  }
  return upper as ExecutionStatus;
}
