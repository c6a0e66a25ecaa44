/** `flowctl doctor --stack S`: the checks of `cli/operations/doctor.ts`, one line each; exit 1 if any fails. */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { MediaConnectClient } from '@aws-sdk/client-mediaconnect';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Command } from 'commander';
import { type CheckResult, type DoctorClients, runDoctor } from '../operations/doctor.ts';
import { EXIT, FlowctlError, type Output, runCommand } from '../output.ts';
import { readStackOutputs } from '../target.ts';

interface DoctorOptions {
  stack?: string;
  region?: string;
  profile?: string;
  json?: boolean;
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      'check a deployed stage and its account: concurrency, MediaConnect quota, secrets, queues, machines, schedule role, alarms',
    )
    .option('--stack <name>', 'the deployed stack (default: $FLOWCTL_STACK), e.g. FlowProvisioner-prod')
    .option('--region <region>', 'AWS region of the stack')
    .option('--profile <profile>', 'AWS profile')
    .option('--json', 'one JSON document: every check with ok, detail and fix')
    .addHelpText(
      'after',
      `
Exit status: 0 when every check passes, 1 when any fails (each failure prints its fix), 3 when the stack cannot be read.

Example:
  flowctl doctor --stack FlowProvisioner-prod --region eu-west-1`,
    )
    .action(async (options: DoctorOptions) => {
      await runCommand(options, async (out) => {
        const stackName = options.stack ?? process.env.FLOWCTL_STACK;
        if (!stackName) {
          throw new FlowctlError('no stack to check', EXIT.USAGE, 'pass --stack NAME (or set FLOWCTL_STACK)');
        }
        const config = {
          ...(options.region ? { region: options.region } : {}),
          ...(options.profile ? { profile: options.profile } : {}),
        };
        const clients: DoctorClients = {
          cloudFormation: new CloudFormationClient(config),
          lambda: new LambdaClient(config),
          mediaConnect: new MediaConnectClient(config),
          secrets: new SecretsManagerClient(config),
          sqs: new SQSClient(config),
          sfn: new SFNClient(config),
        };
        try {
          const outputs = await readStackOutputs(clients.cloudFormation, stackName, options.region);
          const results = await runDoctor(clients, stackName, outputs);
          report(results, out);
          return results.every((r) => r.ok) ? EXIT.OK : EXIT.INCOMPLETE;
        } finally {
          for (const client of Object.values(clients)) client.destroy();
        }
      });
    });
}

/** One line per check, the fix under each failure; with `--json`, the results as one document. */
export function report(results: readonly CheckResult[], out: Output): void {
  for (const r of results) {
    out.info(`${r.ok ? 'ok  ' : 'FAIL'} ${r.check}: ${r.detail}`);
    if (!r.ok && r.fix) out.info(`     fix: ${r.fix}`);
  }
  out.result({ ok: results.every((r) => r.ok), checks: results });
}
