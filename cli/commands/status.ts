/** `flowctl status REQUEST_ID`: the command-line wiring and printing of `../operations/status.ts`. */
import type { Command } from 'commander';
import { describeConnection } from '../connection-summary.ts';
import { type RequestStatusReport, requestStatus, STATUS_EXIT } from '../operations/status.ts';
import { type Output, runCommand, table } from '../output.ts';
import { addTargetOptions, type TargetOptions, withTarget } from '../target.ts';

interface StatusOptions extends TargetOptions {
  dlq?: boolean;
}

export function registerStatus(program: Command): void {
  addTargetOptions(
    program
      .command('status')
      .description(
        'where one request is: every attempt (status, state, times), the last outcome event, the DLQ record, the flow',
      )
      .argument('<request-id>', 'the request id')
      .option('--no-dlq', 'never read the DLQ (a request with no execution is then reported UNKNOWN)')
      .addHelpText(
        'after',
        `
Exit status: 0 provisioned, 1 failed or rejected, 4 unknown, 5 in progress (2 and 3 as for every command).
Nothing is consumed: executions are read with DescribeExecution and GetExecutionHistory; a workflow's failure record is
read from its history. Only a request without any execution is looked for on the DLQ, the way \`flowctl dlq list\` reads
it (received briefly, made visible again at once; --no-dlq skips it).`,
      ),
  ).action(async (requestId: string, options: StatusOptions) => {
    await runCommand(options, async (out) =>
      withTarget(options, out, async (target) => {
        const report = await requestStatus(target, requestId, { readDlq: options.dlq !== false });
        out.result({ target: target.description, ...report });
        if (!out.json) print(out, report);
        return STATUS_EXIT[report.state];
      }),
    );
  });
}

function print(out: Output, report: RequestStatusReport): void {
  out.info(`${report.requestId}: ${report.state}${report.vendor ? ` (${report.vendor})` : ''}`);
  if (report.attempts.length > 0) {
    for (const line of table(
      ['ATTEMPT', 'EXECUTION', 'STATUS', 'STATE', 'STARTED', 'STOPPED', 'ERROR'],
      report.attempts.map((a) => [
        String(a.attempt),
        a.executionName,
        a.status,
        a.state ?? '-',
        a.startDate ?? '-',
        a.stopDate ?? '-',
        a.error ?? '-',
      ]),
    )) {
      out.info(`  ${line}`);
    }
  }
  if (report.flow) {
    out.info(`flow: ${report.flow.flowId}`);
    if (report.state === 'PROVISIONED') out.info(`where to connect: ${describeConnection(report.flow.connection)}`);
  }
  if (report.lastEvent) {
    out.info(
      `last event: ${report.lastEvent.detailType} ${report.lastEvent.put ? 'put' : 'NOT put (retries exhausted)'} (eventId ${report.lastEvent.eventId})`,
    );
  }
  if (report.dlqRecord) {
    const r = report.dlqRecord;
    out.info(
      `DLQ record: reason=${r.reason}${r.error ? ` error=${r.error}` : ''}${r.failedState ? ` failedState=${r.failedState}` : ''} (read from ${r.readFrom})`,
    );
    if (r.cause) out.info(`  cause: ${r.cause}`);
  }
  if (report.state === 'UNKNOWN') {
    out.info(
      report.dlqMessagesSeen > 0
        ? `no execution and no DLQ record among ${report.dlqMessagesSeen} message(s) read`
        : 'no execution of this request on any state machine',
    );
  }
}
