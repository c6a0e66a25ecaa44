/**
 * `flowctl schedule create|list|delete`: EventBridge Scheduler schedules in the stack's schedule group that send one
 * request to the ingress queue (target = the SQS queue, role = the stack's schedule role, the stack's schedule DLQ).
 *
 * Each occurrence is its own request: the target input's requestId is `<requestId>-<aws.scheduler.scheduled-time>`.
 * Scheduler writes the *scheduled* time there (the same on its retries and within a flexible window, unlike a
 * delivery id), as `2026-03-22T18:00:00Z`; the dispatcher rewrites that to `20260322T180000Z` before validation
 * (functions/domain/scheduled-request-id.ts), so the id the pipeline keeps is `<requestId>-20260322T180000Z`.
 * `create` validates the request with a sample time substituted exactly that way before it creates anything.
 */
import { createHash } from 'node:crypto';
import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  ListSchedulesCommand,
  type ScheduleSummary,
} from '@aws-sdk/client-scheduler';
import { parseRequestBody } from '../../functions/domain/contract.ts';
import { atExpression, checkTimeZone, parseScheduleExpression } from '../../functions/domain/schedule-expression.ts';
import {
  canonicalRequestBody,
  scheduledRequestId,
  scheduledRequestIdTemplate,
  substituteSchedulerContext,
} from '../../functions/domain/scheduled-request-id.ts';
import { EXIT, FlowctlError } from '../output.ts';
import { queueArnOf, requireIngressQueue, requireSchedule, type ScheduleSettings, type Target } from '../target.ts';

/** The time suffix a scheduled request id gets: `-YYYYMMDDTHHMMSSZ`. */
const TIME_SUFFIX_LENGTH = '-20260322T180000Z'.length;

export interface ScheduleSpec {
  /** The request as it would be submitted; its requestId is the base of every occurrence's id. */
  readonly request: Record<string, unknown>;
  /** `at(...)`, `rate(...)` or `cron(...)`. */
  readonly expression: string;
  readonly timezone?: string;
  /** Flexible time window in minutes (1–1440); none when absent. */
  readonly windowMinutes?: number;
  readonly name?: string;
  readonly description?: string;
  readonly startDate?: Date;
  readonly endDate?: Date;
}

export interface ScheduleInfo {
  readonly name: string;
  readonly groupName: string;
  readonly arn: string | null;
  readonly state: string | null;
  readonly expression: string | null;
  readonly timezone: string | null;
  readonly windowMinutes: number | null;
  readonly actionAfterCompletion: string | null;
  /** The requestId the target input carries (with Scheduler's placeholder). */
  readonly requestIdTemplate: string | null;
  readonly vendor: string | null;
  readonly createdAt: string | null;
}

/** A schedule name from a request id: Scheduler allows 1–64 of `[0-9A-Za-z._-]`. */
export function scheduleNameFor(requestId: string): string {
  return requestId.replace(/[^0-9A-Za-z._-]/g, '-').slice(0, 64);
}

/**
 * Builds the CreateSchedule input, after validating the request exactly as the pipeline will see an occurrence:
 * Scheduler's substitution, then the dispatcher's rewrite, then the contract.
 */
export function buildCreateSchedule(
  spec: ScheduleSpec,
  settings: ScheduleSettings,
  ingressQueueArn: string,
  sampleTime: Date,
): CreateScheduleCommandInput {
  const parsed = parseScheduleExpression(spec.expression);
  const baseId = spec.request.requestId;
  if (typeof baseId !== 'string' || baseId === '') {
    throw new FlowctlError(
      'the request has no requestId',
      EXIT.USAGE,
      'give it one: it is the base of every occurrence id',
    );
  }
  if (baseId.length + TIME_SUFFIX_LENGTH > 80) {
    throw new FlowctlError(
      `requestId "${baseId}" is ${baseId.length} characters; a scheduled one gets "${'-20260322T180000Z'}" appended and must stay ≤ 80`,
      EXIT.USAGE,
      `shorten it to ≤ ${80 - TIME_SUFFIX_LENGTH} characters`,
    );
  }
  const input = JSON.stringify({ ...spec.request, requestId: scheduledRequestIdTemplate(baseId) });
  const occurrence = canonicalRequestBody(
    substituteSchedulerContext(input, {
      scheduledTime: sampleTime,
      scheduleArn: 'arn:aws:scheduler:region:000000000000:schedule/group/name',
      executionId: 'sample',
      attemptNumber: 1,
    }),
  );
  const check = parseRequestBody(occurrence);
  if (!check.ok) {
    throw new FlowctlError(
      `the request is invalid:\n${check.issues.map((i) => `  ${i}`).join('\n')}`,
      EXIT.USAGE,
      'fix the listed fields (`flowctl submit --dry-run FILE` checks a request the same way)',
    );
  }
  if (check.request.requestId !== scheduledRequestId(baseId, sampleTime)) {
    throw new Error(`scheduled request id ${check.request.requestId} is not the expected form`);
  }
  if (spec.timezone) checkTimeZone(spec.timezone);
  const window = spec.windowMinutes;
  if (window !== undefined && (!Number.isInteger(window) || window < 1 || window > 1440)) {
    throw new FlowctlError(`--window ${window}: must be 1–1440 minutes`, EXIT.USAGE);
  }
  const name = spec.name ?? scheduleNameFor(baseId);
  if (!/^[0-9A-Za-z._-]{1,64}$/.test(name)) {
    throw new FlowctlError(`--name ${name}: 1–64 characters of letters, digits, ".", "-", "_"`, EXIT.USAGE);
  }
  const body: CreateScheduleCommandInput = {
    Name: name,
    GroupName: settings.groupName,
    ScheduleExpression: parsed.expression,
    ...(spec.timezone ? { ScheduleExpressionTimezone: spec.timezone } : {}),
    FlexibleTimeWindow: window ? { Mode: 'FLEXIBLE', MaximumWindowInMinutes: window } : { Mode: 'OFF' },
    Target: {
      Arn: ingressQueueArn,
      RoleArn: settings.roleArn,
      Input: input,
      ...(settings.deadLetterQueueArn ? { DeadLetterConfig: { Arn: settings.deadLetterQueueArn } } : {}),
    },
    // A one-time schedule has nothing left to do once it fired: Scheduler deletes it.
    ActionAfterCompletion: parsed.kind === 'at' ? 'DELETE' : 'NONE',
    State: 'ENABLED',
    ...(spec.description ? { Description: spec.description } : {}),
    ...(spec.startDate && parsed.kind !== 'at' ? { StartDate: spec.startDate } : {}),
    ...(spec.endDate && parsed.kind !== 'at' ? { EndDate: spec.endDate } : {}),
  };
  // Same schedule asked twice (a retried command) → the same token → Scheduler answers the first one.
  body.ClientToken = createHash('sha256')
    .update(JSON.stringify({ ...body, StartDate: spec.startDate?.toISOString(), EndDate: spec.endDate?.toISOString() }))
    .digest('hex')
    .slice(0, 64);
  return body;
}

export async function createSchedule(
  target: Target,
  spec: ScheduleSpec,
  options: { now?: Date; dryRun?: boolean } = {},
): Promise<{ input: CreateScheduleCommandInput; scheduleArn: string | null; firstRequestId: string | null }> {
  const settings = requireSchedule(target);
  const ingressArn = await queueArnOf(target.sqs, requireIngressQueue(target));
  const parsed = parseScheduleExpression(spec.expression);
  const now = options.now ?? new Date();
  let sample = now;
  let firstRequestId: string | null = null;
  if (parsed.kind === 'at') {
    const { instant } = atExpression(parsed.wallTime, spec.timezone ?? 'UTC');
    if (instant.getTime() <= now.getTime()) {
      throw new FlowctlError(
        `--at ${parsed.wallTime} (${spec.timezone ?? 'UTC'}) is in the past`,
        EXIT.USAGE,
        'give a future time, or submit the request now with `flowctl submit`',
      );
    }
    sample = instant;
    firstRequestId = scheduledRequestId(String(spec.request.requestId), instant);
  }
  const input = buildCreateSchedule(spec, settings, ingressArn, sample);
  if (options.dryRun) return { input, scheduleArn: null, firstRequestId };
  try {
    const created = await target.scheduler.send(new CreateScheduleCommand(input));
    return { input, scheduleArn: created.ScheduleArn ?? null, firstRequestId };
  } catch (error) {
    throw explainSchedulerError(error as Error, input.Name!, settings.groupName);
  }
}

export async function listSchedules(target: Target): Promise<ScheduleInfo[]> {
  const settings = requireSchedule(target);
  const summaries: ScheduleSummary[] = [];
  let nextToken: string | undefined;
  do {
    const page = await target.scheduler
      .send(new ListSchedulesCommand({ GroupName: settings.groupName, MaxResults: 100, NextToken: nextToken }))
      .catch((error: Error) => {
        throw explainSchedulerError(error, '', settings.groupName);
      });
    summaries.push(...(page.Schedules ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  const infos: ScheduleInfo[] = [];
  // A few at a time: Scheduler's GetSchedule is throttled per account.
  for (let i = 0; i < summaries.length; i += 5) {
    const chunk = summaries.slice(i, i + 5);
    infos.push(
      ...(await Promise.all(
        chunk.map(async (summary) => {
          const detail = await target.scheduler
            .send(new GetScheduleCommand({ Name: summary.Name!, GroupName: settings.groupName }))
            .catch((error: Error) => (error.name === 'ResourceNotFoundException' ? undefined : Promise.reject(error)));
          return toInfo(summary, detail, settings.groupName);
        }),
      )),
    );
  }
  return infos;
}

function toInfo(
  summary: ScheduleSummary,
  detail: GetScheduleCommandOutput | undefined,
  groupName: string,
): ScheduleInfo {
  let request: Record<string, unknown> | null = null;
  try {
    request = JSON.parse(detail?.Target?.Input ?? 'null') as Record<string, unknown> | null;
  } catch {
    request = null;
  }
  return {
    name: summary.Name ?? '',
    groupName: summary.GroupName ?? groupName,
    arn: summary.Arn ?? null,
    state: summary.State ?? null,
    expression: detail?.ScheduleExpression ?? null,
    timezone: detail?.ScheduleExpressionTimezone ?? null,
    windowMinutes: detail?.FlexibleTimeWindow?.MaximumWindowInMinutes ?? null,
    actionAfterCompletion: detail?.ActionAfterCompletion ?? null,
    requestIdTemplate: typeof request?.requestId === 'string' ? request.requestId : null,
    vendor: typeof request?.vendor === 'string' ? request.vendor : null,
    createdAt: summary.CreationDate ? summary.CreationDate.toISOString() : null,
  };
}

export async function deleteSchedule(target: Target, name: string): Promise<void> {
  const settings = requireSchedule(target);
  try {
    await target.scheduler.send(new DeleteScheduleCommand({ Name: name, GroupName: settings.groupName }));
  } catch (error) {
    throw explainSchedulerError(error as Error, name, settings.groupName);
  }
}

/** Scheduler's errors, in words, with the next step. */
export function explainSchedulerError(error: Error, name: string, groupName: string): Error {
  switch (error.name) {
    case 'ConflictException':
      return new FlowctlError(
        `a schedule named ${name} already exists in group ${groupName}`,
        EXIT.INCOMPLETE,
        `choose another --name, or replace it: \`flowctl schedule delete ${name}\` first`,
      );
    case 'ResourceNotFoundException':
      return new FlowctlError(
        name ? `no schedule ${name} in group ${groupName}` : `schedule group ${groupName} does not exist`,
        EXIT.NOT_FOUND,
        name
          ? '`flowctl schedule list` shows the names'
          : 'deploy the stack from this repository (it creates the group)',
      );
    case 'ValidationException':
      return new FlowctlError(
        `Scheduler refused it: ${error.message}`,
        EXIT.USAGE,
        'fix the expression or options named above',
      );
    case 'ServiceQuotaExceededException':
      return new FlowctlError(
        `Scheduler quota reached: ${error.message}`,
        EXIT.INCOMPLETE,
        'delete schedules that are no longer needed (`flowctl schedule list`), or ask for a higher quota',
      );
    default:
      return error;
  }
}
