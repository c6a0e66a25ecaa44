/** `flowctl`: the operator's command line (docs/architecture.md, "flowctl"). Each subcommand lives in `./commands/`. */
import { Command, CommanderError } from 'commander';
import { registerDlq } from './commands/dlq.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerExecutions } from './commands/executions.ts';
import { registerLocal } from './commands/local.ts';
import { registerSchedule } from './commands/schedule.ts';
import { registerStatus } from './commands/status.ts';
import { registerSubmit } from './commands/submit.ts';
import { EXIT, EXIT_CODES_HELP } from './output.ts';

const program = new Command()
  .name('flowctl')
  .description('Provision live-video flows across vendors from queued requests; inspect and redrive failures.')
  .showHelpAfterError()
  // Usage errors exit 2 (not commander's 1), so that 1 keeps meaning "ran, but something was rejected".
  .exitOverride()
  .addHelpText(
    'after',
    `
Targets (submit, schedule, dlq, executions, status): --local (a running \`flowctl local --serve\`, else an embedded stack for
the one command), --stack NAME (a deployed stack's CloudFormation outputs; or $FLOWCTL_STACK), or --queue-url /
--dlq-url / --state-machine-arn, with the standard AWS credential chain (--region, --profile).
${EXIT_CODES_HELP}`,
  );

registerLocal(program);
registerSubmit(program);
registerSchedule(program);
registerDlq(program);
registerExecutions(program);
registerDoctor(program);
registerStatus(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // Commander printed the message (or the help) already.
    process.exitCode = error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    return;
  }
  process.stderr.write(`flowctl: ${(error as Error).message}\n`);
  process.exitCode = 2;
});
