/**
 * `flowctl deprovision REQUEST_ID`: sends the deprovision request for a provisioned request (or `--flow-id` for a flow
 * by its vendor id), validated with the contract first; `--at TIME` schedules it instead, through the same one-time
 * EventBridge Scheduler schedule as `flowctl schedule create --at` (so `flowctl schedule list` shows it pending).
 */
import type { Command } from 'commander';
import { VENDOR_IDS } from '../../functions/domain/contract.ts';
import { parseMessage } from '../../functions/domain/lifecycle.ts';
import { atExpression } from '../../functions/domain/schedule-expression.ts';
import { createSchedule } from '../operations/schedule.ts';
import { EXIT, FlowctlError, runCommand } from '../output.ts';
import { addTargetOptions, type TargetOptions, withTarget } from '../target.ts';
import { submitRequests } from './submit.ts';

interface DeprovisionOptions extends TargetOptions {
  vendor?: string;
  flowRegion?: string;
  flowId?: string;
  at?: string;
  tz?: string;
  id?: string;
}

/** The deprovision request's own id: the provision's with a suffix, within the contract's 80 characters. */
export function deprovisionRequestId(target: string): string {
  const suffix = '-deprovision';
  return `${target.slice(0, 80 - suffix.length)}${suffix}`.replace(/[^A-Za-z0-9_-]/g, '-');
}

/** Builds and validates the deprovision message (every problem listed, as the dispatcher would). */
export function deprovisionMessage(requestId: string, options: DeprovisionOptions): Record<string, unknown> {
  const message = {
    schemaVersion: 1,
    requestId: options.id ?? deprovisionRequestId(options.flowId ?? requestId),
    action: 'deprovision',
    vendor: options.vendor,
    region: options.flowRegion,
    target: options.flowId ? { flowId: options.flowId } : { requestId },
  };
  const parsed = parseMessage(message);
  if (!parsed.ok) {
    throw new FlowctlError(
      `the deprovision request is invalid:\n${parsed.issues.map((i) => `  ${i}`).join('\n')}`,
      EXIT.USAGE,
      `give --vendor (${VENDOR_IDS.join(', ')}) and --flow-region as the provision request had them`,
    );
  }
  return message;
}

export function registerDeprovision(program: Command): void {
  addTargetOptions(
    program
      .command('deprovision')
      .description('tear a flow down: stop it, wait until stopped, delete it (now, or --at a time)')
      .argument('<requestId>', "the provision request's requestId (or any id with --flow-id)")
      .requiredOption('--vendor <vendor>', `the flow's vendor: ${VENDOR_IDS.join(', ')}`)
      .requiredOption(
        '--flow-region <region>',
        "the flow's region, as in the provision request (--region is the stack's)",
      )
      .option('--flow-id <id>', "target the vendor's flow id instead of a provision request")
      .option(
        '--at <iso8601>',
        'schedule the deprovision at this time (a one-time schedule; see flowctl schedule list)',
      )
      .option('--tz <zone>', 'IANA time zone for --at without offset (default UTC)')
      .option('--id <requestId>', "the deprovision request's own id (default: <requestId>-deprovision)"),
  )
    .addHelpText(
      'after',
      `
A deprovision is idempotent: a target already gone succeeds with alreadyGone: true, and a repeat changes nothing.
Sent before the provision's startAt, it cancels the pending start. CAMS cannot delete a published flow: the result
says DEPRECATED (the flow stays listed, serving nothing).

Examples:
  flowctl deprovision --local final-2026 --vendor aws-mediaconnect --flow-region us-east-1
  flowctl deprovision --stack FlowProvisioner-prod final-2026 --vendor huawei-live --flow-region cn-north-4 --at 2026-03-22T23:00:00Z`,
    )
    .action(async (requestId: string, options: DeprovisionOptions) => {
      await runCommand(options, async (out) => {
        const message = deprovisionMessage(requestId, options);
        return withTarget(options, out, async (target) => {
          if (options.at) {
            if (target.embedded) {
              throw new FlowctlError(
                'a scheduled deprovision needs a local stack that outlives this command',
                EXIT.TARGET,
                'start `flowctl local --serve` in another terminal, then run this again with --local',
              );
            }
            const at = (() => {
              try {
                return atExpression(options.at!, options.tz);
              } catch (error) {
                throw new FlowctlError((error as Error).message, EXIT.USAGE);
              }
            })();
            const created = await createSchedule(target, {
              request: message,
              expression: at.expression,
              timezone: at.zone,
              description: `deprovision ${requestId}`,
            });
            out.result({
              target: target.description,
              scheduled: true,
              name: created.input.Name,
              scheduleArn: created.scheduleArn,
              expression: created.input.ScheduleExpression,
              requestId: created.firstRequestId,
            });
            return EXIT.OK;
          }
          const result = await submitRequests(target, [JSON.stringify(message)], out);
          if (target.embedded && result.accepted.length > 0) await target.embedded.waitForDrain();
          out.result({ scheduled: false, ...result });
          return result.rejected.length > 0 ? EXIT.INCOMPLETE : EXIT.OK;
        });
      });
    });
}
