/** `flowctl schedule`: the command wiring and printing over `../operations/schedule.ts`. */
import type { Command } from 'commander';
import {
  atExpression,
  checkTimeZone,
  parseScheduleExpression,
  rateExpression,
} from '../../functions/domain/schedule-expression.ts';
import { SCHEDULED_TIME_PLACEHOLDER, scheduledRequestIdTemplate } from '../../functions/domain/scheduled-request-id.ts';
import { createSchedule, deleteSchedule, listSchedules, type ScheduleSpec } from '../operations/schedule.ts';
import { EXIT, FlowctlError, runCommand, table } from '../output.ts';
import { readRequestFile } from '../read-requests.ts';
import { addTargetOptions, type Target, type TargetOptions, withTarget } from '../target.ts';

interface CreateOptions extends TargetOptions {
  at?: string;
  cron?: string;
  rate?: string;
  tz?: string;
  window?: string;
  name?: string;
  description?: string;
  start?: string;
  end?: string;
  dryRun?: boolean;
}

export function registerSchedule(program: Command): void {
  const schedule = program
    .command('schedule')
    .description("EventBridge Scheduler schedules in the stack's group that send a request to the ingress queue");

  addTargetOptions(
    schedule
      .command('create')
      .description('schedule one request: once (--at) or recurring (--cron, --rate)')
      .argument('<file>', 'one request (JSON); - for stdin')
      .option('--at <iso8601>', 'once, at this time: 2026-03-22T19:00:00Z, or 2026-03-22T19:00 in --tz')
      .option('--cron <expr>', 'recurring, 6-field cron: "0 6 * * ? *" (06:00 every day, in --tz); not run locally')
      .option('--rate <expr>', 'recurring, every "15 minutes", "1 hour", "2 days"')
      .option('--tz <zone>', 'IANA time zone for --at without offset and for --cron (default UTC)')
      .option('--window <minutes>', 'flexible time window: deliver within this many minutes (1–1440) of the time')
      .option('--name <name>', 'schedule name (default: the requestId)')
      .option('--description <text>', 'schedule description')
      .option('--start <iso8601>', 'recurring: first occurrence no earlier than this')
      .option('--end <iso8601>', 'recurring: no occurrence after this')
      .option('--dry-run', 'validate and print the CreateSchedule input; create nothing'),
  )
    .addHelpText(
      'after',
      `
Every occurrence is its own request, idempotent per scheduled time: its requestId is
"<requestId>-${SCHEDULED_TIME_PLACEHOLDER}", which Scheduler fills with the scheduled time (never a delivery id) and the
dispatcher keeps as "<requestId>-20260322T190000Z". A one-time (--at) schedule deletes itself after it fired.
Failed deliveries go to the stack's schedule DLQ (output ScheduleDlqArn). Locally, at() and rate() run; cron() is refused.

Examples:
  flowctl schedule create --local --at 2026-03-22T19:00:00Z examples/aws-mediaconnect.json
  flowctl schedule create --stack FlowProvisioner-prod --cron "0 6 ? * MON-FRI *" --tz Europe/Paris --window 10 req.json`,
    )
    .action(async (file: string, options: CreateOptions) => {
      await runCommand(options, async (out) => {
        const spec = specFromOptions(file, options);
        return withTarget(options, out, async (target) => {
          refuseEmbedded(target);
          const created = await createSchedule(target, spec, { dryRun: Boolean(options.dryRun) });
          out.result({
            target: target.description,
            dryRun: Boolean(options.dryRun),
            name: created.input.Name,
            groupName: created.input.GroupName,
            scheduleArn: created.scheduleArn,
            expression: created.input.ScheduleExpression,
            timezone: created.input.ScheduleExpressionTimezone ?? 'UTC',
            windowMinutes: created.input.FlexibleTimeWindow?.MaximumWindowInMinutes ?? null,
            actionAfterCompletion: created.input.ActionAfterCompletion,
            requestIdTemplate: scheduledRequestIdTemplate(String(spec.request.requestId)),
            firstRequestId: created.firstRequestId,
            ...(options.dryRun ? { createScheduleInput: created.input } : {}),
          });
          if (!out.json) {
            out.info(
              `${options.dryRun ? 'would create' : 'created'} schedule ${created.input.Name} in ${created.input.GroupName}: ` +
                `${created.input.ScheduleExpression}${created.input.ScheduleExpressionTimezone ? ` (${created.input.ScheduleExpressionTimezone})` : ''}` +
                `${created.input.FlexibleTimeWindow?.Mode === 'FLEXIBLE' ? `, within ${created.input.FlexibleTimeWindow.MaximumWindowInMinutes} min` : ''}`,
            );
            out.info(
              created.firstRequestId
                ? `its request will be ${created.firstRequestId}`
                : `each occurrence's request id: ${String(spec.request.requestId)}-YYYYMMDDTHHMMSSZ (the scheduled time)`,
            );
            if (options.dryRun) out.info(JSON.stringify(created.input, null, 2));
          }
          return EXIT.OK;
        });
      });
    });

  addTargetOptions(schedule.command('list').description("the schedules in the stack's schedule group")).action(
    async (options: TargetOptions) => {
      await runCommand(options, async (out) =>
        withTarget(options, out, async (target) => {
          refuseEmbedded(target);
          const schedules = await listSchedules(target);
          out.result({
            target: target.description,
            groupName: target.schedule?.groupName,
            count: schedules.length,
            schedules,
          });
          if (!out.json) {
            for (const line of table(
              ['NAME', 'STATE', 'EXPRESSION', 'TZ', 'WINDOW', 'VENDOR', 'REQUEST ID'],
              schedules.map((s) => [
                s.name,
                s.state ?? '-',
                s.expression ?? '-',
                s.timezone ?? 'UTC',
                s.windowMinutes ? `${s.windowMinutes}m` : 'off',
                s.vendor ?? '-',
                s.requestIdTemplate ?? '-',
              ]),
            )) {
              out.info(line);
            }
            out.info(`${schedules.length} schedule(s) in ${target.schedule?.groupName}`);
          }
          return EXIT.OK;
        }),
      );
    },
  );

  addTargetOptions(
    schedule.command('delete').description('delete one schedule').argument('<name>', 'the schedule name'),
  ).action(async (name: string, options: TargetOptions) => {
    await runCommand(options, async (out) =>
      withTarget(options, out, async (target) => {
        refuseEmbedded(target);
        await deleteSchedule(target, name);
        out.result({ target: target.description, deleted: name, groupName: target.schedule?.groupName });
        if (!out.json) out.info(`deleted schedule ${name}`);
        return EXIT.OK;
      }),
    );
  });
}

function specFromOptions(file: string, options: CreateOptions): ScheduleSpec {
  const given = [options.at, options.cron, options.rate].filter((v) => v !== undefined);
  if (given.length !== 1) {
    throw new FlowctlError('give exactly one of --at, --cron, --rate', EXIT.USAGE, 'e.g. --rate "15 minutes"');
  }
  let bodies: string[];
  try {
    bodies = readRequestFile(file);
  } catch (error) {
    throw new FlowctlError(`cannot read ${file}: ${(error as Error).message}`, EXIT.USAGE);
  }
  if (bodies.length !== 1) {
    throw new FlowctlError(
      `${file} holds ${bodies.length} requests; a schedule sends exactly one`,
      EXIT.USAGE,
      'split it, one schedule per request',
    );
  }
  let request: Record<string, unknown>;
  try {
    request = JSON.parse(bodies[0]!) as Record<string, unknown>;
  } catch (error) {
    throw new FlowctlError(`${file} is not JSON: ${(error as Error).message}`, EXIT.USAGE);
  }
  const usage = (fn: () => string) => {
    try {
      return fn();
    } catch (error) {
      throw error instanceof FlowctlError ? error : new FlowctlError((error as Error).message, EXIT.USAGE);
    }
  };
  const expression = usage(() => {
    if (options.at) return atExpression(options.at, options.tz).expression;
    if (options.rate) return rateExpression(options.rate);
    return parseScheduleExpression(`cron(${options.cron})`).expression;
  });
  if (options.tz) {
    const zone = options.tz;
    usage(() => {
      checkTimeZone(zone);
      return zone;
    });
  }
  const date = (text: string | undefined, option: string) => {
    if (text === undefined) return undefined;
    const value = new Date(text);
    if (Number.isNaN(value.getTime())) throw new FlowctlError(`${option} ${text}: not an ISO 8601 time`, EXIT.USAGE);
    return value;
  };
  const startDate = date(options.start, '--start');
  const endDate = date(options.end, '--end');
  return {
    request,
    expression,
    ...(options.at
      ? { timezone: atExpression(options.at, options.tz).zone }
      : options.tz
        ? { timezone: options.tz }
        : {}),
    ...(options.window !== undefined ? { windowMinutes: Number(options.window) } : {}),
    ...(options.name ? { name: options.name } : {}),
    ...(options.description ? { description: options.description } : {}),
    ...(startDate ? { startDate } : {}),
    ...(endDate ? { endDate } : {}),
  };
}

/** A schedule on a stack that stops with the command would never fire. */
function refuseEmbedded(target: Target): void {
  if (target.embedded) {
    throw new FlowctlError(
      'schedules need a local stack that outlives this command',
      EXIT.TARGET,
      'start `flowctl local --serve` in another terminal, then run this again with --local',
    );
  }
}
