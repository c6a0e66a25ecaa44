/**
 * Volcengine Live pull-to-push emulator (`docs/vendors/volcengine-live.md`): the RPC API (`Action`/`Version` in
 * the query, JSON bodies, `{ ResponseMetadata, Result }` envelopes) of groups and tasks, behind a front that does what
 * Volcengine's OpenAPI gateway does:
 *
 * - verifies HMAC-SHA256 (unknown key → 401 `InvalidAccessKey`, `X-Date` more than 15 minutes off → 400
 *   `InvalidTimestamp`, wrong scope, body hash or signature → 401 `SignatureDoesNotMatch`);
 * - enforces the documented per-user limits in sliding one-second windows: 10/s over the write actions and 15/s over
 *   the list actions (two budgets, journaled as such) → 429 `FlowLimitExceeded`;
 * - journals every request, and injects faults: 5xx (`InternalError`, `InternalServiceError`,
 *   `InternalServiceTimeout`) or **HTTP 200 `CommonErr`**, throttles, lost answers.
 *
 * State: group names are unique → **HTTP 429 `RequestLimitExceeded.Exist`** for a duplicate (the vendor's odd
 * "already exists"). A task is 未开始 until its StartTime (plus `activationDelayMs`), then 生效中, 已结束 after EndTime,
 * 停用 when stopped. Lists report StartTime/EndTime as RFC 3339 strings in UTC+8, as the vendor does, although create
 * takes unix seconds.
 */
import { randomBytes } from 'node:crypto';
import { formatCompactUtc, parseRawQuery } from '../../functions/vendors/hmac-signing.ts';
import {
  type FaultSettings,
  flattenHeaders,
  type RawRequest,
  type RawResponse,
  type RunningEmulator,
  SlidingWindowLimiter,
} from './common.ts';
import { type Exchange, startEmulator } from './pipeline.ts';
import {
  fail,
  type Reply,
  VOLCENGINE_REGION,
  VOLCENGINE_SERVICE,
  VOLCENGINE_VERSION,
  verifyVolcengineSignature,
} from './volcengine-gateway.ts';

/** The documented per-user limits: 10/s for writes, 15/s for lists. */
export const VOLCENGINE_RATE_LIMITS = { writes: 10, lists: 15, windowMs: 1000 } as const;
export const VOLCENGINE_MAX_CLOCK_SKEW_MS = 15 * 60_000;
const MAX_TASK_SECONDS = 7 * 24 * 3600;
const NAME = /^[\p{Script=Han}A-Za-z0-9]{1,20}$/u;

type Budget = 'writes' | 'lists';

/** Every action the emulator serves: its HTTP method and budget (ListPullToPushTask is the one GET). */
const ACTIONS: Readonly<Record<string, { method: 'GET' | 'POST'; budget: Budget }>> = {
  CreatePullToPushGroup: { method: 'POST', budget: 'writes' },
  DeletePullToPushGroup: { method: 'POST', budget: 'writes' },
  ListPullToPushGroup: { method: 'POST', budget: 'lists' },
  CreatePullToPushTask: { method: 'POST', budget: 'writes' },
  StopPullToPushTask: { method: 'POST', budget: 'writes' },
  RestartPullToPushTask: { method: 'POST', budget: 'writes' },
  DeletePullToPushTask: { method: 'POST', budget: 'writes' },
  ListPullToPushTask: { method: 'GET', budget: 'lists' },
  ListPullToPushTaskV2: { method: 'POST', budget: 'lists' },
};

export interface VolcengineLiveEmulatorOptions {
  /** The one key pair the emulator accepts. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly faults?: FaultSettings;
  /** Of the injected errors, the share answered as HTTP 200 `CommonErr` rather than a 5xx. @default 0.5 */
  readonly commonErrShare?: number;
  /** Answer 429 FlowLimitExceeded past the limits (default true; the bench turns it off). */
  readonly enforceRateLimit?: boolean;
  /** @default VOLCENGINE_RATE_LIMITS */
  readonly rateLimits?: { readonly writes: number; readonly lists: number; readonly windowMs: number };
  /** @default VOLCENGINE_MAX_CLOCK_SKEW_MS (15 minutes) */
  readonly maxClockSkewMs?: number;
  /** How long after its StartTime a task still reports 未开始. @default 0 */
  readonly activationDelayMs?: number;
}

export interface EmulatedGroup {
  readonly name: string;
  readonly projectName: string;
  readonly tags: ReadonlyArray<{ Key: string; Value: string; Category?: string }>;
}

export interface EmulatedTask {
  readonly taskId: string;
  readonly groupName: string;
  readonly title: string;
  /** The status string the vendor would report now. */
  readonly status: string;
  readonly startTime: number;
  readonly endTime: number;
  readonly body: Readonly<Record<string, unknown>>;
}

export interface RunningVolcengineLiveEmulator extends RunningEmulator {
  groups(): EmulatedGroup[];
  tasks(): EmulatedTask[];
  /** Puts a group in place as if someone else had created it (conflict tests). */
  addGroup(group: { name: string; projectName?: string; tags?: Array<{ Key: string; Value: string }> }): void;
  /**
   * Puts a running task in a group as if someone else had created it (teardown's "not ours" tests). Starts now, ends
   * in an hour unless told. Returns its id.
   */
  addTask(task: { groupName: string; title: string; startTime?: number; endTime?: number }): string;
}

interface GroupRecord {
  readonly name: string;
  readonly projectName: string;
  readonly tags: Array<{ Key: string; Value: string; Category?: string }>;
}

interface TaskRecord {
  readonly taskId: string;
  readonly groupName: string;
  readonly title: string;
  readonly startTime: number;
  readonly endTime: number;
  stopped: boolean;
  readonly body: Record<string, unknown>;
}

const invalidParam = (message: string) => fail(400, 'InvalidParam', message);
const notFound = (message: string) => fail(404, 'ResourceNotFound', message);

// --- helpers -------------------------------------------------------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 3339 in UTC+8, as the task list reports times (`2022-04-01T00:00:00+08:00`). */
export function formatBeijingTime(unixSeconds: number): string {
  return `${new Date((unixSeconds + 8 * 3600) * 1000).toISOString().slice(0, 19)}+08:00`;
}

const isInt = (value: unknown): value is number => Number.isInteger(value);

/** The CreatePullToPushTask rules the docs state; `undefined` when the body is acceptable. */
const INT32_MAX = 2 ** 31 - 1;

function taskProblem(body: Record<string, unknown>): string | undefined {
  if (body.Title !== undefined && (typeof body.Title !== 'string' || !NAME.test(body.Title))) {
    return 'Title must be 1-20 Chinese characters, letters or digits';
  }
  if (body.Type !== 0 && body.Type !== 1) return 'Type must be 0 (live) or 1 (VOD)';
  if (body.Type === 0 && (typeof body.SrcAddr !== 'string' || body.SrcAddr === '' || body.SrcAddr.length > 1000)) {
    return 'SrcAddr is required for Type 0 (at most 1000 characters)';
  }
  if (body.Type === 1) {
    const vod = body.VodSrcAddrs ?? body.SrcAddrS;
    if (!Array.isArray(vod) || vod.length === 0 || vod.length > 30) return 'Type 1 needs 1-30 VOD source addresses';
  }
  const hasDst = typeof body.DstAddr === 'string' && body.DstAddr !== '';
  const hasParts = [body.Domain, body.App, body.Stream].every((p) => typeof p === 'string' && p !== '');
  if (!hasDst && !hasParts) return 'DstAddr, or Domain, App and Stream, are required';
  if (!isInt(body.StartTime) || !isInt(body.EndTime)) return 'StartTime and EndTime are required unix seconds';
  // 32-bit second counts (docs/vendors/volcengine-live.md, "Constraints").
  if (body.StartTime > INT32_MAX || body.EndTime > INT32_MAX) return 'StartTime and EndTime must fit in an int32';
  if (body.EndTime <= body.StartTime) return 'EndTime must be after StartTime';
  if (body.EndTime - body.StartTime > MAX_TASK_SECONDS) return 'a task lasts at most 7 days';
  return undefined;
}

// --- the service ---------------------------------------------------------------------------------------------------

export async function startVolcengineLiveEmulator(
  options: VolcengineLiveEmulatorOptions,
): Promise<RunningVolcengineLiveEmulator> {
  const commonErrShare = options.commonErrShare ?? 0.5;
  const rates = options.rateLimits ?? VOLCENGINE_RATE_LIMITS;
  const limiters: Record<Budget, SlidingWindowLimiter> = {
    writes: new SlidingWindowLimiter(rates.writes, rates.windowMs),
    lists: new SlidingWindowLimiter(rates.lists, rates.windowMs),
  };
  const maxClockSkewMs = options.maxClockSkewMs ?? VOLCENGINE_MAX_CLOCK_SKEW_MS;
  const activationDelayMs = options.activationDelayMs ?? 0;
  const groups = new Map<string, GroupRecord>();
  const tasks = new Map<string, TaskRecord>();

  const statusOf = (task: TaskRecord, now: number): string => {
    if (task.stopped) return '停用';
    if (now >= task.endTime * 1000) return '已结束';
    if (now >= task.startTime * 1000 + activationDelayMs) return '生效中';
    return '未开始';
  };
  const listItem = (task: TaskRecord, now: number) => ({
    ...task.body,
    // The list answers the push address Volcengine uses, composed from Domain/App/Stream when no DstAddr was given.
    ...(typeof task.body.DstAddr !== 'string' && task.body.Domain
      ? { DstAddr: `rtmp://${task.body.Domain}/${task.body.App}/${task.body.Stream}` }
      : {}),
    TaskId: task.taskId,
    GroupName: task.groupName,
    Title: task.title,
    StartTime: formatBeijingTime(task.startTime),
    EndTime: formatBeijingTime(task.endTime),
    Status: statusOf(task, now),
  });
  const taskFor = (body: Record<string, unknown>): TaskRecord | Reply => {
    if (typeof body.TaskId !== 'string' || body.TaskId === '') return invalidParam('TaskId is required');
    const task = tasks.get(body.TaskId);
    if (!task || (body.GroupName !== undefined && body.GroupName !== task.groupName)) {
      return notFound(`task ${body.TaskId} not found`);
    }
    return task;
  };

  const operations: Record<
    string,
    (body: Record<string, unknown>, query: Record<string, string>, now: number) => Reply
  > = {
    CreatePullToPushGroup(body) {
      if (typeof body.Name !== 'string' || !NAME.test(body.Name)) {
        return invalidParam('Name must be 1-20 Chinese characters, letters or digits');
      }
      if (body.ProjectName !== undefined && typeof body.ProjectName !== 'string')
        return invalidParam('ProjectName must be a string');
      const tags = body.Tags ?? [];
      if (
        !Array.isArray(tags) ||
        !tags.every((t) => isRecord(t) && typeof t.Key === 'string' && typeof t.Value === 'string')
      ) {
        return fail(400, 'InvalidParam.BindError', 'Request parameter error, please check input data');
      }
      if (groups.has(body.Name)) {
        return fail(
          429,
          'RequestLimitExceeded.Exist',
          'the resource requested to be created already exists, please rename it',
        );
      }
      groups.set(body.Name, {
        name: body.Name,
        projectName: (body.ProjectName as string | undefined) ?? 'default',
        tags: structuredClone(tags) as GroupRecord['tags'],
      });
      return { status: 200 };
    },
    DeletePullToPushGroup(body) {
      if (typeof body.Name !== 'string') return invalidParam('Name is required');
      if (!groups.has(body.Name)) return notFound(`group ${body.Name} not found`);
      if ([...tasks.values()].some((t) => t.groupName === body.Name))
        return invalidParam(`group ${body.Name} still has tasks`);
      groups.delete(body.Name);
      return { status: 200 };
    },
    ListPullToPushGroup(body) {
      const pageNum = body.PageNum ?? 1;
      const pageSize = body.PageSize ?? 10;
      if (!isInt(pageNum) || pageNum < 1 || !isInt(pageSize) || pageSize < 1 || pageSize > 1000) {
        return invalidParam('PageNum and PageSize must be in [1,1000]');
      }
      const all = [...groups.values()];
      return {
        status: 200,
        result: {
          List: all
            .slice((pageNum - 1) * pageSize, pageNum * pageSize)
            .map((g) => ({ Name: g.name, ProjectName: g.projectName, Tags: g.tags, Status: 0 })),
          Total: all.length,
        },
      };
    },
    CreatePullToPushTask(body, _query, now) {
      const groupName = typeof body.GroupName === 'string' && body.GroupName !== '' ? body.GroupName : 'default';
      if (!groups.has(groupName)) {
        if (groupName !== 'default') return notFound(`group ${groupName} not found`);
        groups.set('default', { name: 'default', projectName: 'default', tags: [] });
      }
      const problem = taskProblem(body);
      if (problem) return invalidParam(problem);
      const taskId = randomBytes(12).toString('hex');
      const { GroupName: _g, Title, StartTime, EndTime, ...rest } = body;
      tasks.set(taskId, {
        taskId,
        groupName,
        title: (Title as string | undefined) ?? taskId,
        startTime: StartTime as number,
        endTime: EndTime as number,
        stopped: false,
        body: structuredClone(rest),
      });
      void now;
      return { status: 200, result: { TaskId: taskId } };
    },
    StopPullToPushTask(body, _query, now) {
      const task = taskFor(body);
      if (!('taskId' in task)) return task;
      const status = statusOf(task, now);
      if (status !== '未开始' && status !== '生效中')
        return invalidParam(`task ${task.taskId} is ${status}, it cannot be stopped`);
      task.stopped = true;
      return { status: 200 };
    },
    RestartPullToPushTask(body) {
      const task = taskFor(body);
      if (!('taskId' in task)) return task;
      if (!task.stopped) return invalidParam(`task ${task.taskId} is not stopped`);
      task.stopped = false;
      return { status: 200 };
    },
    DeletePullToPushTask(body) {
      const task = taskFor(body);
      if (!('taskId' in task)) return task;
      tasks.delete(task.taskId);
      return { status: 200 };
    },
    // The official SDK no longer sends `GroupName` with ListPullToPushTask (docs/vendors/volcengine-live.md,
    // "Operations"): whether the API still filters by it is unknown, so the emulator does not, and a client relying on
    // it sees every group's tasks. ListPullToPushTaskV2 filters by `GroupNames`.
    ListPullToPushTask(_body, query, now) {
      return listTasks(
        {
          groupNames: undefined,
          title: query.Title,
          page: query.Page === undefined ? 1 : Number(query.Page),
          size: query.Size === undefined ? 20 : Number(query.Size),
        },
        now,
      );
    },
    ListPullToPushTaskV2(body, _query, now) {
      return listTasks(
        {
          groupNames: Array.isArray(body.GroupNames) ? (body.GroupNames as string[]) : undefined,
          title: typeof body.Title === 'string' ? body.Title : undefined,
          page: (body.Page as number | undefined) ?? 1,
          size: (body.Size as number | undefined) ?? 20,
        },
        now,
      );
    },
  };

  function listTasks(
    filter: { groupNames: string[] | undefined; title: string | undefined; page: number; size: number },
    now: number,
  ): Reply {
    if (!isInt(filter.page) || filter.page < 1 || !isInt(filter.size) || filter.size < 1 || filter.size > 500) {
      return invalidParam('Page must be ≥ 1 and Size in [1,500]');
    }
    const title = filter.title?.toLowerCase();
    const matching = [...tasks.values()].filter(
      (t) =>
        (filter.groupNames === undefined || filter.groupNames.includes(t.groupName)) &&
        (title === undefined || t.title.toLowerCase().includes(title)),
    );
    return {
      status: 200,
      result: {
        List: matching.slice((filter.page - 1) * filter.size, filter.page * filter.size).map((t) => listItem(t, now)),
        Pagination: {
          PageCur: filter.page,
          PageSize: filter.size,
          PageTotal: Math.ceil(matching.length / filter.size),
          TotalCount: matching.length,
        },
      },
    };
  }

  const open = (req: RawRequest, at: number): Exchange<Reply> => {
    const requestId = `${formatCompactUtc(at).replace(/\D/g, '')}${randomBytes(8).toString('hex').toUpperCase()}`;
    const queryAt = req.rawUrl.indexOf('?');
    const rawPath = queryAt < 0 ? req.rawUrl : req.rawUrl.slice(0, queryAt);
    let query: Record<string, string> = {};
    try {
      query = parseRawQuery(queryAt < 0 ? '' : req.rawUrl.slice(queryAt + 1));
    } catch {
      // An undecodable query is answered below as a missing Action.
    }
    const action = query.Action ?? 'unknown';
    const spec = ACTIONS[action];
    const budget: Budget = spec?.budget ?? 'writes';
    const encode = (reply: Reply): RawResponse => {
      const metadata = {
        RequestId: requestId,
        Action: action,
        Version: query.Version ?? '',
        Service: VOLCENGINE_SERVICE,
        Region: VOLCENGINE_REGION,
        ...(reply.error
          ? {
              Error: {
                ...(reply.error.codeN !== undefined ? { CodeN: reply.error.codeN } : {}),
                Code: reply.error.code,
                Message: reply.error.message,
              },
            }
          : {}),
      };
      return {
        status: reply.status,
        body: JSON.stringify({
          ResponseMetadata: metadata,
          ...(reply.result !== undefined ? { Result: reply.result } : {}),
        }),
      };
    };
    const admit = () => {
      const headers = flattenHeaders(req.headers);
      const bodyText = req.body.toString('utf8');
      const auth = verifyVolcengineSignature(
        { method: req.method, path: decodeURIComponent(rawPath) || '/', query, headers, body: bodyText },
        options.credentials,
        at,
        maxClockSkewMs,
      );
      if (!auth.ok) return { refused: auth.reply };
      if (!spec || query.Version !== VOLCENGINE_VERSION || req.method !== spec.method || rawPath !== '/') {
        const message = `Could not find operation ${action} for version ${query.Version ?? ''}`;
        return { refused: fail(404, 'InvalidActionOrVersion', message, 100008) };
      }
      const serve = (now: number): Reply => {
        let body: Record<string, unknown> = {};
        if (spec.method === 'POST') {
          let json: unknown;
          try {
            json = bodyText === '' ? {} : JSON.parse(bodyText);
          } catch {
            return fail(400, 'InvalidParam.BindError', 'Request parameter error, please check input data');
          }
          if (!isRecord(json))
            return fail(400, 'InvalidParam.BindError', 'Request parameter error, please check input data');
          body = json;
        }
        return operations[action]!(body, query, now);
      };
      return { call: { limiter: limiters[budget], throttle: flowLimit, serve } };
    };
    return { operation: spec ? action : 'unknown', budget, admit, encode };
  };

  const emulator = await startEmulator<Reply>({
    ...options,
    open,
    describe: (reply) => ({ status: reply.status, code: reply.error?.code }),
    unavailable: (random) =>
      random() < commonErrShare
        ? fail(200, 'CommonErr', 'unclassified error, please retry')
        : [
            fail(500, 'InternalError', 'an internal error occurred, please contact the administrator.'),
            fail(502, 'InternalServiceError', 'an internal error occurred, please contact the administrator.'),
            fail(504, 'InternalServiceTimeout', 'Internal Service is timeout. please contact the administrator.'),
          ][Math.floor(random() * 3)]!,
  });
  return {
    ...emulator,
    groups: () =>
      [...groups.values()].map((g) => ({ name: g.name, projectName: g.projectName, tags: structuredClone(g.tags) })),
    tasks: () => {
      const now = Date.now();
      return [...tasks.values()].map((t) => ({
        taskId: t.taskId,
        groupName: t.groupName,
        title: t.title,
        status: statusOf(t, now),
        startTime: t.startTime,
        endTime: t.endTime,
        body: structuredClone(t.body),
      }));
    },
    addGroup: (group) => {
      groups.set(group.name, { name: group.name, projectName: group.projectName ?? 'default', tags: group.tags ?? [] });
    },
    addTask: ({ groupName, title, startTime, endTime }) => {
      if (!groups.has(groupName)) throw new Error(`addTask: no group ${groupName}`);
      const taskId = randomBytes(12).toString('hex');
      const start = startTime ?? Math.floor(Date.now() / 1000);
      const body = { Type: 0, SrcAddr: 'rtmp://origin.example.com/live/other', DstAddr: 'rtmp://push.example.com/x' };
      tasks.set(taskId, {
        taskId,
        groupName,
        title,
        startTime: start,
        endTime: endTime ?? start + 3600,
        stopped: false,
        body,
      });
      return taskId;
    },
  };
}

function flowLimit(): Reply {
  return fail(429, 'FlowLimitExceeded', 'The request rate exceeds the limit of this API for this user.', 100018);
}
