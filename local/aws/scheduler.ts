/**
 * A local EventBridge Scheduler: enough of the Scheduler API over HTTP (REST-JSON, as `@aws-sdk/client-scheduler`
 * speaks it) for CreateSchedule, GetSchedule, ListSchedules and DeleteSchedule, and a timer that fires `at()` and
 * `rate()` schedules into the local SQS queues with the same context-attribute substitution Scheduler does
 * (`<aws.scheduler.scheduled-time>` and friends), so `flowctl schedule` works against the embedded stack as on AWS.
 *
 * What it does as Scheduler documents it: schedule names unique per group, `ConflictException` for a second one
 * (unless the ClientToken is the same: idempotent), `ResourceNotFoundException` for an unknown schedule or group,
 * flexible time windows (a uniformly drawn delay within the window), time zones for `at()`, StartDate/EndDate for
 * `rate()`, `ActionAfterCompletion: DELETE` after a one-time schedule fired, DISABLED schedules never fire, and a
 * failed delivery goes to the target's dead-letter queue with Scheduler's attributes (ERROR_CODE, ERROR_MESSAGE,
 * EXECUTION_ID, SCHEDULE_ARN, TARGET_ARN, RETRY_ATTEMPTS).
 *
 * What it does not: `cron()` is refused with a ValidationException that says so (evaluating cron faithfully — day of
 * week vs day of month, `L`, `W`, `#`, DST in the schedule's zone — is more than a stand-in should guess at); targets
 * other than the stack's SQS queues are refused; the first `rate()` occurrence is one interval after creation (or
 * after StartDate); scheduled times have second precision.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type MessageAttributeValue,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { checkTimeZone, parseScheduleExpression, wallTimeToUtc } from '../../functions/domain/schedule-expression.ts';
import { substituteSchedulerContext } from '../../functions/domain/scheduled-request-id.ts';
import { readBody } from '../emulators/common.ts';
import { listenOnLoopback } from '../loopback.ts';
import { ACCOUNT, REGION } from './step-functions-model.ts';

/** The schedule group of the local stack (the CDK stack's is the same name). */
export const LOCAL_SCHEDULE_GROUP = 'flow-provisioner';
export const LOCAL_SCHEDULE_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/flow-provisioner-scheduler`;
export const LOCAL_SCHEDULE_DLQ_NAME = 'provision-delivery-dlq';

/** A schedule as CreateSchedule received it (the API's own member names). */
export interface ScheduleDefinition {
  Name: string;
  GroupName: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  FlexibleTimeWindow: { Mode: 'OFF' | 'FLEXIBLE'; MaximumWindowInMinutes?: number };
  Target: {
    Arn: string;
    RoleArn: string;
    Input?: string;
    DeadLetterConfig?: { Arn?: string };
    RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
    SqsParameters?: { MessageGroupId?: string };
  };
  State: 'ENABLED' | 'DISABLED';
  ActionAfterCompletion: 'NONE' | 'DELETE';
  Description?: string;
  StartDate?: number;
  EndDate?: number;
  ClientToken?: string;
}

/** One firing, as the tests and `flowctl local --serve` logs read it. */
export interface Firing {
  readonly schedule: string;
  readonly groupName: string;
  /** The nominal scheduled time (what `<aws.scheduler.scheduled-time>` became). */
  readonly scheduledTime: Date;
  readonly firedAt: number;
  readonly messageId?: string;
  readonly error?: string;
  /** True when the delivery failed and the event went to the schedule's dead-letter queue. */
  readonly deadLettered: boolean;
}

export interface LocalSchedulerOptions {
  readonly sqs: SQSClient;
  /** SQS queue ARN → queue URL: the targets (and dead-letter queues) a schedule may name. */
  readonly queues: Readonly<Record<string, string>>;
  /** Schedule groups that exist (`default` always does). */
  readonly groups?: readonly string[];
  /**
   * Test knob: each schedule's timeline, from its creation, runs this much faster (0.01 runs `rate(1 minute)` every
   * 600 ms, an `at()` ten minutes ahead after 6 s). The substituted scheduled times, StartDate and EndDate stay
   * nominal, so request ids are what they would be on AWS.
   * @default 1
   */
  readonly timeScale?: number;
  readonly clock?: () => number;
  readonly random?: () => number;
  readonly log?: (line: string) => void;
}

export interface RunningLocalScheduler {
  readonly url: string;
  readonly groupName: string;
  readonly roleArn: string;
  /** The dead-letter queue for schedule deliveries (`provision-delivery-dlq`, as in the CDK stack). */
  readonly deadLetterQueueArn: string;
  readonly deadLetterQueueUrl: string;
  /** Every firing so far, oldest first. */
  readonly firings: readonly Firing[];
  /** The schedules that exist now. */
  schedules(): ScheduleDefinition[];
  close(): Promise<void>;
}

class SchedulerApiError extends Error {
  constructor(
    override readonly name: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface StoredSchedule {
  readonly definition: ScheduleDefinition;
  readonly arn: string;
  readonly createdAt: number;
  timer?: NodeJS.Timeout;
}

/**
 * Creates the schedule dead-letter queue and starts the local scheduler targeting the stack's ingress queue. What
 * the local stack calls; tests may call {@link startLocalScheduler} with their own queues.
 */
export async function startLocalScheduling(params: {
  sqs: SQSClient;
  ingressQueueUrl: string;
  timeScale?: number;
  log?: (line: string) => void;
}): Promise<RunningLocalScheduler> {
  const dlq = await params.sqs.send(new CreateQueueCommand({ QueueName: LOCAL_SCHEDULE_DLQ_NAME }));
  const arnOf = async (queueUrl: string) =>
    (await params.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] })))
      .Attributes?.QueueArn ?? '';
  const [ingressArn, dlqArn] = await Promise.all([arnOf(params.ingressQueueUrl), arnOf(dlq.QueueUrl!)]);
  return startLocalScheduler({
    sqs: params.sqs,
    queues: { [ingressArn]: params.ingressQueueUrl, [dlqArn]: dlq.QueueUrl! },
    groups: [LOCAL_SCHEDULE_GROUP],
    ...(params.timeScale !== undefined ? { timeScale: params.timeScale } : {}),
    ...(params.log ? { log: params.log } : {}),
  }).then((scheduler) => ({ ...scheduler, deadLetterQueueArn: dlqArn, deadLetterQueueUrl: dlq.QueueUrl! }));
}

export async function startLocalScheduler(options: LocalSchedulerOptions): Promise<RunningLocalScheduler> {
  const now = options.clock ?? Date.now;
  const random = options.random ?? Math.random;
  const timeScale = options.timeScale ?? 1;
  const log = options.log ?? (() => undefined);
  const groups = new Set(['default', ...(options.groups ?? [])]);
  const schedules = new Map<string, StoredSchedule>();
  const firings: Firing[] = [];
  let closed = false;
  const keyOf = (group: string, name: string) => `${group}/${name}`;

  const remove = (stored: StoredSchedule) => {
    if (stored.timer) clearTimeout(stored.timer);
    schedules.delete(keyOf(stored.definition.GroupName, stored.definition.Name));
  };

  /**
   * Runs `fire` at the nominal time `nominal` (plus a draw within the flexible window). With a `timeScale`, each
   * schedule's own timeline is compressed from the moment it was created: the wait from creation is scaled, the
   * nominal times (and so the substituted scheduled times) are not.
   */
  const arm = (stored: StoredSchedule, nominal: number, fire: () => Promise<void>) => {
    const windowMs =
      stored.definition.FlexibleTimeWindow.Mode === 'FLEXIBLE'
        ? random() * (stored.definition.FlexibleTimeWindow.MaximumWindowInMinutes ?? 0) * 60_000
        : 0;
    const realDelay = Math.max(0, stored.createdAt + (nominal + windowMs - stored.createdAt) * timeScale - now());
    stored.timer = setTimeout(
      () => {
        if (closed || !schedules.has(keyOf(stored.definition.GroupName, stored.definition.Name))) return;
        void fire();
      },
      Math.min(realDelay, 2 ** 31 - 1),
    );
    stored.timer.unref();
  };

  const deliver = async (stored: StoredSchedule, scheduledTime: Date): Promise<void> => {
    const { definition } = stored;
    const executionId = randomBytes(8).toString('hex');
    const maxAttempts = 1 + Math.min(definition.Target.RetryPolicy?.MaximumRetryAttempts ?? 185, 2);
    let lastError: Error | undefined;
    for (let attempt = 1; attempt <= maxAttempts && !closed; attempt++) {
      const body = substituteSchedulerContext(definition.Target.Input ?? '{}', {
        scheduledTime,
        scheduleArn: stored.arn,
        executionId,
        attemptNumber: attempt,
      });
      try {
        const queueUrl = options.queues[definition.Target.Arn];
        if (!queueUrl) throw new Error(`target ${definition.Target.Arn} is not a queue of this stack`);
        const sent = await options.sqs.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: body,
            ...(definition.Target.SqsParameters?.MessageGroupId
              ? { MessageGroupId: definition.Target.SqsParameters.MessageGroupId }
              : {}),
          }),
        );
        firings.push({
          schedule: definition.Name,
          groupName: definition.GroupName,
          scheduledTime,
          firedAt: now(),
          ...(sent.MessageId ? { messageId: sent.MessageId } : {}),
          deadLettered: false,
        });
        log(`scheduler: ${definition.Name} fired for ${scheduledTime.toISOString()}`);
        return;
      } catch (error) {
        lastError = error as Error;
        if (attempt < maxAttempts) await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
    const dlqUrl = definition.Target.DeadLetterConfig?.Arn
      ? options.queues[definition.Target.DeadLetterConfig.Arn]
      : undefined;
    let deadLettered = false;
    if (dlqUrl) {
      const attribute = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
      await options.sqs
        .send(
          new SendMessageCommand({
            QueueUrl: dlqUrl,
            MessageBody: definition.Target.Input ?? '{}',
            MessageAttributes: {
              ERROR_CODE: attribute(lastError?.name ?? 'Error'),
              ERROR_MESSAGE: attribute(lastError?.message ?? 'delivery failed'),
              EXECUTION_ID: attribute(executionId),
              SCHEDULE_ARN: attribute(stored.arn),
              TARGET_ARN: attribute(definition.Target.Arn),
              RETRY_ATTEMPTS: attribute(String(maxAttempts - 1)),
            },
          }),
        )
        .then(() => {
          deadLettered = true;
        })
        .catch(() => undefined);
    }
    firings.push({
      schedule: definition.Name,
      groupName: definition.GroupName,
      scheduledTime,
      firedAt: now(),
      error: lastError?.message ?? 'delivery failed',
      deadLettered,
    });
    log(`scheduler: ${definition.Name} could not deliver (${lastError?.message}); dead-lettered: ${deadLettered}`);
  };

  const start = (stored: StoredSchedule) => {
    const { definition } = stored;
    if (definition.State === 'DISABLED') return;
    const parsed = parseScheduleExpression(definition.ScheduleExpression);
    if (parsed.kind === 'at') {
      const instant = wallTimeToUtc(parsed.wallTime, definition.ScheduleExpressionTimezone ?? 'UTC');
      arm(stored, instant.getTime(), async () => {
        await deliver(stored, instant);
        if (definition.ActionAfterCompletion === 'DELETE') remove(stored);
      });
      return;
    }
    if (parsed.kind !== 'rate') return;
    const begin = Math.max(stored.createdAt, definition.StartDate !== undefined ? definition.StartDate * 1000 : 0);
    // Whole seconds, as the scheduled-time attribute has them; each occurrence one interval after the previous.
    const occurrence = (nominal: number) => {
      if (definition.EndDate !== undefined && nominal > definition.EndDate * 1000) {
        if (definition.ActionAfterCompletion === 'DELETE') remove(stored);
        return;
      }
      arm(stored, nominal, async () => {
        await deliver(stored, new Date(nominal));
        occurrence(nominal + parsed.intervalMs);
      });
    };
    occurrence(Math.floor((begin + parsed.intervalMs) / 1000) * 1000);
  };

  const create = (name: string, body: Record<string, unknown>): { ScheduleArn: string } => {
    checkName(name);
    const groupName = typeof body.GroupName === 'string' && body.GroupName !== '' ? body.GroupName : 'default';
    if (!groups.has(groupName)) {
      throw new SchedulerApiError('ResourceNotFoundException', 404, `Schedule group ${groupName} does not exist.`);
    }
    const definition = validateDefinition(name, groupName, body, options.queues);
    const existing = schedules.get(keyOf(groupName, name));
    if (existing) {
      if (definition.ClientToken && existing.definition.ClientToken === definition.ClientToken) {
        return { ScheduleArn: existing.arn };
      }
      throw new SchedulerApiError('ConflictException', 409, `Schedule ${name} already exists.`);
    }
    const stored: StoredSchedule = {
      definition,
      arn: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/${groupName}/${name}`,
      createdAt: now(),
    };
    schedules.set(keyOf(groupName, name), stored);
    start(stored);
    return { ScheduleArn: stored.arn };
  };

  const seconds = (ms: number) => ms / 1000;
  const describe = (stored: StoredSchedule) => {
    const { ClientToken: _token, ...definition } = stored.definition;
    return {
      ...definition,
      Arn: stored.arn,
      CreationDate: seconds(stored.createdAt),
      LastModificationDate: seconds(stored.createdAt),
    };
  };
  const find = (name: string, groupName: string | null): StoredSchedule => {
    const stored = schedules.get(keyOf(groupName || 'default', name));
    if (!stored) throw new SchedulerApiError('ResourceNotFoundException', 404, `Schedule ${name} does not exist.`);
    return stored;
  };

  const handle = async (req: IncomingMessage): Promise<unknown> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const one = /^\/schedules\/([^/]+)$/.exec(url.pathname);
    if (one) {
      const name = decodeURIComponent(one[1]!);
      if (method === 'POST') {
        const text = (await readBody(req)).toString('utf8');
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(text || '{}') as Record<string, unknown>;
        } catch {
          throw new SchedulerApiError('ValidationException', 400, 'The request body is not JSON.');
        }
        return create(name, body);
      }
      if (method === 'GET') return describe(find(name, url.searchParams.get('groupName')));
      if (method === 'DELETE') {
        remove(find(name, url.searchParams.get('groupName')));
        return {};
      }
    }
    if (url.pathname === '/schedules' && method === 'GET') {
      const group = url.searchParams.get('ScheduleGroup');
      if (group && !groups.has(group)) {
        throw new SchedulerApiError('ResourceNotFoundException', 404, `Schedule group ${group} does not exist.`);
      }
      const prefix = url.searchParams.get('NamePrefix') ?? '';
      const state = url.searchParams.get('State');
      const all = [...schedules.values()]
        .filter((s) => !group || s.definition.GroupName === group)
        .filter((s) => s.definition.Name.startsWith(prefix))
        .filter((s) => !state || s.definition.State === state)
        .sort((a, b) => a.definition.Name.localeCompare(b.definition.Name));
      const offset = Number(url.searchParams.get('NextToken') ?? 0);
      const max = Number(url.searchParams.get('MaxResults') ?? 100) || 100;
      const page = all.slice(offset, offset + max);
      return {
        Schedules: page.map((s) => ({
          Arn: s.arn,
          Name: s.definition.Name,
          GroupName: s.definition.GroupName,
          State: s.definition.State,
          CreationDate: seconds(s.createdAt),
          LastModificationDate: seconds(s.createdAt),
          Target: { Arn: s.definition.Target.Arn },
        })),
        ...(offset + max < all.length ? { NextToken: String(offset + max) } : {}),
      };
    }
    throw new SchedulerApiError(
      'ValidationException',
      400,
      `${method} ${url.pathname} is not served by the local scheduler (it serves CreateSchedule, GetSchedule, ListSchedules, DeleteSchedule)`,
    );
  };

  const server: Server = createServer((req, res: ServerResponse) => {
    handle(req)
      .then((result) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(result));
      })
      .catch((error: Error) => {
        const known = error instanceof SchedulerApiError;
        const type = known ? error.name : 'InternalServerException';
        res.writeHead(known ? error.status : 500, { 'content-type': 'application/json', 'x-amzn-errortype': type });
        res.end(JSON.stringify({ Message: error.message }));
      });
  });
  const { url } = await listenOnLoopback(server);
  const dlqArn = Object.keys(options.queues).find((arn) => arn.endsWith(`:${LOCAL_SCHEDULE_DLQ_NAME}`)) ?? '';
  return {
    url,
    groupName: options.groups?.[0] ?? 'default',
    roleArn: LOCAL_SCHEDULE_ROLE_ARN,
    deadLetterQueueArn: dlqArn,
    deadLetterQueueUrl: options.queues[dlqArn] ?? '',
    firings,
    schedules: () => [...schedules.values()].map((s) => ({ ...s.definition })),
    close: async () => {
      closed = true;
      for (const stored of schedules.values()) if (stored.timer) clearTimeout(stored.timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function checkName(name: string): void {
  if (!/^[0-9a-zA-Z\-_.]{1,64}$/.test(name)) {
    throw new SchedulerApiError(
      'ValidationException',
      400,
      `Schedule name "${name}" must be 1–64 characters of letters, digits, ".", "-" and "_".`,
    );
  }
}

function validateDefinition(
  name: string,
  groupName: string,
  body: Record<string, unknown>,
  queues: Readonly<Record<string, string>>,
): ScheduleDefinition {
  const invalid = (message: string) => new SchedulerApiError('ValidationException', 400, message);
  const expression = body.ScheduleExpression;
  if (typeof expression !== 'string') throw invalid('ScheduleExpression is required.');
  let parsed: ReturnType<typeof parseScheduleExpression>;
  try {
    parsed = parseScheduleExpression(expression);
  } catch (error) {
    throw invalid(`Invalid Schedule Expression ${expression}: ${(error as Error).message}`);
  }
  if (parsed.kind === 'cron') {
    throw invalid(
      `The local scheduler does not run cron() schedules (${expression}): use rate() or at() against the local stack, and try cron() against AWS (flowctl schedule create --stack NAME).`,
    );
  }
  const zone = typeof body.ScheduleExpressionTimezone === 'string' ? body.ScheduleExpressionTimezone : undefined;
  if (zone) {
    try {
      checkTimeZone(zone);
    } catch {
      throw invalid(`Invalid ScheduleExpressionTimezone ${zone}.`);
    }
  }
  const window = body.FlexibleTimeWindow as ScheduleDefinition['FlexibleTimeWindow'] | undefined;
  if (!window || (window.Mode !== 'OFF' && window.Mode !== 'FLEXIBLE')) {
    throw invalid('FlexibleTimeWindow.Mode must be OFF or FLEXIBLE.');
  }
  if (window.Mode === 'FLEXIBLE') {
    const minutes = window.MaximumWindowInMinutes;
    if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
      throw invalid('FlexibleTimeWindow.MaximumWindowInMinutes must be 1–1440 when Mode is FLEXIBLE.');
    }
  }
  const target = body.Target as ScheduleDefinition['Target'] | undefined;
  if (!target || typeof target.Arn !== 'string' || typeof target.RoleArn !== 'string') {
    throw invalid('Target.Arn and Target.RoleArn are required.');
  }
  if (!queues[target.Arn]) {
    throw invalid(
      `Target ${target.Arn} is not a queue of the local stack; the local scheduler targets its SQS queues.`,
    );
  }
  if (target.DeadLetterConfig?.Arn && !queues[target.DeadLetterConfig.Arn]) {
    throw invalid(`DeadLetterConfig ${target.DeadLetterConfig.Arn} is not a queue of the local stack.`);
  }
  const action = body.ActionAfterCompletion ?? 'NONE';
  if (action !== 'NONE' && action !== 'DELETE') throw invalid('ActionAfterCompletion must be NONE or DELETE.');
  const state = body.State ?? 'ENABLED';
  if (state !== 'ENABLED' && state !== 'DISABLED') throw invalid('State must be ENABLED or DISABLED.');
  return {
    Name: name,
    GroupName: groupName,
    ScheduleExpression: parsed.expression,
    ...(zone ? { ScheduleExpressionTimezone: zone } : {}),
    FlexibleTimeWindow: window,
    Target: target,
    State: state,
    ActionAfterCompletion: action,
    ...(typeof body.Description === 'string' ? { Description: body.Description } : {}),
    ...(typeof body.StartDate === 'number' ? { StartDate: body.StartDate } : {}),
    ...(typeof body.EndDate === 'number' ? { EndDate: body.EndDate } : {}),
    ...(typeof body.ClientToken === 'string' ? { ClientToken: body.ClientToken } : {}),
  };
}
