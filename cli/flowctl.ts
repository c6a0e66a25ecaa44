/** `flowctl`: the operator's command line (DESIGN §8). Each subcommand lives in `./commands/`. */
import { Command } from 'commander';
import { registerLocal } from './commands/local.ts';

const program = new Command()
  .name('flowctl')
  .description('Provision live-video flows across vendors from queued requests; inspect and redrive failures.')
  .showHelpAfterError();

registerLocal(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`flowctl: ${(error as Error).message}\n`);
  process.exitCode = 2;
});
