/**
 * Volcengine Live pull-to-push (拉流转推, `docs/vendors/volcengine-live.md`): RPC over HTTPS, `Action`/`Version` in the
 * query, JSON bodies, signed with Volcengine HMAC-SHA256 (service `live`, region `cn-north-1`).
 *
 * - A flow is one **group** holding one **task**: create = CreatePullToPushGroup (`Name` = the request's `flow.name`,
 *   `ProjectName`, `Tags` with our request-identity tag) then CreatePullToPushTask in that group — two paced calls.
 *   The flow id is `<group name>:<task id>` (group names cannot contain `:`), so every later call knows both.
 * - Start: there is no start action. A task starts itself at `StartTime`; `startFlow` is a read, and the workflow polls
 *   until the task reports 生效中 (active). A future start is SCHEDULED, which the workflow counts as done.
 *   RestartPullToPushTask only re-enables a task someone stopped, and Volcengine has announced its retirement; a
 *   stopped task (停用) or an ended one (已结束) is ERROR and ends in a failure record instead.
 * - Read: there is no get-by-id; ListPullToPushTaskV2 (POST, `GroupNames`) paged to the end finds the task. The
 *   official SDK dropped `GroupName` from ListPullToPushTask's query, so only V2 is known to filter by group
 *   (docs/vendors/volcengine-live.md, "Operations"); a listed task of another group is never taken for ours.
 * - Share: none. The contract rejects a request with entitlements; `grantEntitlements` refuses any that slip through.
 * - Get-or-create: CreatePullToPushGroup answering **HTTP 429 `RequestLimitExceeded.Exist`** means "already exists"
 *   (never a throttle: throttling is `FlowLimitExceeded`). The client then lists groups and adopts the group only if
 *   it carries our request-identity tag (`./lookup.ts`), then adopts the task with our title in that group (or creates
 *   the missing one).
 * - Teardown (stop, delete the task, then the group, after the identity check) is `./teardown.ts`.
 * - Success means no `ResponseMetadata.Error`, whatever the HTTP status: `CommonErr` comes back as HTTP 200.
 */

import { z } from 'zod';
import type { ProvisionRequest, VolcengineLiveRequest } from '../../domain/contract.ts';
import type { TaxonomyError, VendorErrorDetails } from '../../domain/errors.ts';
import {
  InvalidRequestError,
  VendorConflictError,
  VendorRejectedError,
  VendorUnavailableError,
} from '../../domain/errors.ts';
import type { FlowConnection } from '../../domain/flow-event.ts';
import { credentialsFromEnv, endpointFromEnv } from '../common/environment.ts';
import { errorFromCode } from '../common/error-table.ts';
import { SignedHttpClient, type SignedHttpClientOptions } from '../common/signed-http-client.ts';
import { canonicalQueryString } from '../hmac-signing.ts';
import { clip, parseJson, sendHttp } from '../http-call.ts';
import type {
  CreatedFlow,
  FlowStatus,
  GrantedEntitlement,
  ReadFlowStatus,
  TeardownResult,
  TeardownTarget,
  VendorClient,
} from '../types.ts';
import { REQUEST_ID_TAG } from '../types.ts';
import { volcengineConnection } from './connection.ts';
import { volcengineLive } from './descriptor.ts';
import { ignoreNotFound, unexpectedAnswer, VOLCENGINE_ALREADY_EXISTS, VOLCENGINE_ERRORS } from './errors.ts';
import { assertOurGroup, GROUP_PAGE_SIZE, type LookupCalls } from './lookup.ts';
import { signVolcengineRequest, type VolcengineCredentials } from './signer.ts';
import { parseVolcengineFlowId, TASK_STATUS, volcengineFlowId, volcengineTaskState } from './tasks.ts';
import { type TeardownCalls, teardownFlow } from './teardown.ts';

const VENDOR = 'volcengine-live';
/** The documented host (one for every region). */
export const VOLCENGINE_DEFAULT_ENDPOINT = 'https://live.volcengineapi.com';
export const VOLCENGINE_API_VERSION = '2023-01-01';
export const VOLCENGINE_SERVICE = 'live';

/**
 * Maps a `ResponseMetadata.Error` to the taxonomy. The code decides — `RequestLimitExceeded.Exist` is a conflict even
 * though generic helpers treat every `RequestLimitExceeded*` as throttling — then its family (`InvalidParam*`,
 * `RequestForbidden*`, `Internal*`), and the HTTP status only for codes nobody documented.
 */
export function volcengineError(
  status: number,
  code: string | undefined,
  message: string,
  details: VendorErrorDetails,
): TaxonomyError {
  return errorFromCode(VOLCENGINE_ERRORS, status, code, message, details);
}

// --- response boundary -------------------------------------------------------------------------------------------

const responseMetadata = z.object({
  RequestId: z.string().optional(),
  Error: z.object({ Code: z.string().optional(), Message: z.string().optional() }).nullish(),
});
const envelope = z.object({ ResponseMetadata: responseMetadata, Result: z.unknown().optional() });
const createTaskResult = z.object({ TaskId: z.string().min(1) });
// Loose: the addresses (`./connection.ts`) are read from the same item.
const taskItem = z.looseObject({
  TaskId: z.string().min(1),
  Title: z.string().optional(),
  GroupName: z.string().optional(),
  Status: z.string().min(1),
  /** RFC 3339 (`2022-04-01T00:00:00+08:00`) although create takes unix seconds. */
  StartTime: z.string().optional(),
  EndTime: z.string().optional(),
});
const listTasksResult = z.object({
  List: z.array(taskItem).nullish(),
  Pagination: z
    .object({
      PageCur: z.number().int().optional(),
      PageTotal: z.number().int().optional(),
      TotalCount: z.number().int().optional(),
    })
    .optional(),
});

type TaskItem = z.output<typeof taskItem>;

const TASK_PAGE_SIZE = 500;

// --- the client ----------------------------------------------------------------------------------------------------

export interface VolcengineLiveClientOptions extends SignedHttpClientOptions {
  readonly credentials: VolcengineCredentials;
  /** Base URL (`VENDOR_ENDPOINT_VOLCENGINE_LIVE`). @default https://live.volcengineapi.com */
  readonly endpoint?: URL;
  /** Clock (epoch ms) for signing, default start times and SCHEDULED. @default Date.now */
  readonly now?: () => number;
  /** How many ListPullToPushGroup pages (1000 groups each) an adoption may read. @default 3 */
  readonly maxGroupPages?: number;
  /** How many ListPullToPushTaskV2 pages (500 tasks each) a lookup may read before it gives up. @default 5 */
  readonly maxTaskPages?: number;
}

export type VolcengineLiveFromEnvOptions = SignedHttpClientOptions;

interface Call {
  readonly action: string;
  readonly region: string;
  readonly method: 'GET' | 'POST';
  /** GET actions take their parameters in the query. */
  readonly query?: Readonly<Record<string, string>>;
  /** POST actions take a JSON body. */
  readonly body?: Readonly<Record<string, unknown>>;
}

export class VolcengineLiveClient extends SignedHttpClient implements VendorClient<VolcengineLiveRequest> {
  readonly vendor = VENDOR;
  private readonly credentials: VolcengineCredentials;
  private readonly endpoint: URL;
  private readonly maxGroupPages: number;
  private readonly maxTaskPages: number;
  /** The calls get-or-create's lookup and the teardown make, on this client's pacer and signer. */
  private readonly calls: LookupCalls & TeardownCalls = {
    listGroups: (region, page) =>
      this.call({
        action: 'ListPullToPushGroup',
        region,
        method: 'POST',
        body: { PageNum: page, PageSize: GROUP_PAGE_SIZE },
      }),
    listTasks: (region, groupName) => this.listTasks(region, groupName),
    stopTask: (region, groupName, taskId) => this.taskCall('StopPullToPushTask', region, groupName, taskId),
    deleteTask: (region, groupName, taskId) => this.taskCall('DeletePullToPushTask', region, groupName, taskId),
    deleteGroup: (region, groupName) =>
      this.call({ action: 'DeletePullToPushGroup', region, method: 'POST', body: { Name: groupName } }),
  };

  constructor(options: VolcengineLiveClientOptions) {
    super(volcengineLive, options);
    this.credentials = options.credentials;
    this.endpoint = options.endpoint ?? new URL(VOLCENGINE_DEFAULT_ENDPOINT);
    this.maxGroupPages = options.maxGroupPages ?? 3;
    this.maxTaskPages = options.maxTaskPages ?? 5;
  }

  /**
   * As the vendor λ builds it: `VOLCENGINE_ACCESS_KEY` and `VOLCENGINE_SECRET_KEY` (both required, every missing one
   * named) and the optional `VENDOR_ENDPOINT_VOLCENGINE_LIVE`.
   */
  static fromEnv(env: NodeJS.ProcessEnv, options: VolcengineLiveFromEnvOptions = {}): VolcengineLiveClient {
    const vars = credentialsFromEnv(env, volcengineLive.credentialKeys, 'Volcengine credentials');
    const endpoint = endpointFromEnv(env, volcengineLive.endpointEnv);
    return new VolcengineLiveClient({
      credentials: { accessKeyId: vars.VOLCENGINE_ACCESS_KEY, secretAccessKey: vars.VOLCENGINE_SECRET_KEY },
      ...(endpoint ? { endpoint } : {}),
      ...options,
    });
  }

  async createFlow(request: VolcengineLiveRequest): Promise<CreatedFlow> {
    const req = own(request);
    const group = req.flow.name;
    let adopted = false;
    try {
      await this.call({
        action: 'CreatePullToPushGroup',
        region: req.region,
        method: 'POST',
        body: {
          Name: group,
          ProjectName: req.flow.projectName,
          Tags: [
            { Key: REQUEST_ID_TAG, Value: req.requestId, Category: 'Custom' },
            ...req.flow.tags.map((tag) => ({ Key: tag.key, Value: tag.value, Category: tag.category })),
          ],
        },
      });
    } catch (error) {
      if (!(error instanceof VendorConflictError) || error.details.vendorCode !== VOLCENGINE_ALREADY_EXISTS)
        throw error;
      await assertOurGroup(this.calls, req, error, this.maxGroupPages);
      adopted = true;
    }

    const title = req.flow.task.title ?? group;
    if (adopted) {
      // The group is ours; a previous attempt may have created its task before losing the answer.
      const existing = (await this.listTasks(req.region, group)).find((task) => task.Title === title);
      if (existing) {
        const connection = volcengineConnection(existing, group);
        return { ...this.statusOf(group, existing), name: group, adopted: true, connection };
      }
    }

    // The task starts itself at StartTime: the request's startAt when the task names none, else now.
    const startAt = req.startAt === undefined ? undefined : Math.floor(Date.parse(req.startAt) / 1000);
    const startTime = req.flow.task.startTime ?? startAt ?? Math.floor(this.now() / 1000);
    const endTime = req.flow.task.endTime ?? startTime + (req.flow.task.durationSeconds ?? 0);
    const result = createTaskResult.safeParse(
      await this.call({
        action: 'CreatePullToPushTask',
        region: req.region,
        method: 'POST',
        body: taskBody(req, group, title, startTime, endTime),
      }),
    );
    if (!result.success) throw unexpectedAnswer('CreatePullToPushTask', 'Result.TaskId missing');
    const state = volcengineTaskState(TASK_STATUS.notStarted, startTime * 1000, this.now());
    return {
      flowId: volcengineFlowId(group, result.data.TaskId),
      state,
      vendorStatus: TASK_STATUS.notStarted,
      name: group,
      adopted,
    };
  }

  /** One ListPullToPushTask: CreatePullToPushTask answers only the id, the list answers the task's addresses. */
  async describeConnection(request: VolcengineLiveRequest, flowId: string): Promise<FlowConnection> {
    const { groupName, task } = await this.listedTask(request, flowId);
    return volcengineConnection(task, groupName);
  }

  /** No start action exists (the task starts at StartTime): a read, so the workflow can poll until 生效中. */
  async startFlow(request: VolcengineLiveRequest, flowId: string): Promise<FlowStatus> {
    return this.describeFlow(request, flowId);
  }

  /** One ListPullToPushTaskV2: the task's state, and its addresses with it (the event needs no further read). */
  async describeFlow(request: VolcengineLiveRequest, flowId: string): Promise<ReadFlowStatus> {
    const { groupName, task } = await this.listedTask(request, flowId);
    return { ...this.statusOf(groupName, task), connection: volcengineConnection(task, groupName) };
  }

  /** Our task as its group's list shows it; no get-by-id exists, so a task just created may not be listed yet. */
  private async listedTask(request: VolcengineLiveRequest, flowId: string) {
    const req = own(request);
    const { groupName, taskId } = parseVolcengineFlowId(flowId);
    const task = (await this.listTasks(req.region, groupName)).find((t) => t.TaskId === taskId);
    if (!task) {
      // Retried (VendorUnavailable), bounded by the workflow.
      throw new VendorUnavailableError(`volcengine-live: task ${taskId} is not (yet) listed in group ${groupName}`, {
        vendor: VENDOR,
        operation: 'ListPullToPushTaskV2',
      });
    }
    return { groupName, task };
  }

  /** Volcengine has nothing to share; the contract keeps entitlements out, this refuses any that slip through. */
  async grantEntitlements(request: VolcengineLiveRequest, _flowId: string): Promise<GrantedEntitlement[]> {
    const req = own(request);
    if (req.entitlements.length === 0) return [];
    throw new InvalidRequestError([
      'entitlements: volcengine-live has no entitlement or output API; a task pushes to its dstAddr',
    ]);
  }

  /**
   * Desired state: Volcengine refuses to stop a task that is not 未开始/生效中, which is what a retry after a lost answer
   * finds. The task is then read, and a stopped or ended one answered as it is.
   */
  async stopFlow(request: VolcengineLiveRequest, flowId: string): Promise<FlowStatus> {
    const req = own(request);
    const { groupName, taskId } = parseVolcengineFlowId(flowId);
    try {
      await this.calls.stopTask(req.region, groupName, taskId);
    } catch (error) {
      if (!(error instanceof VendorRejectedError)) throw error;
      const task = (await this.listTasks(req.region, groupName)).find((t) => t.TaskId === taskId);
      if (!task || task.Status === TASK_STATUS.notStarted || task.Status === TASK_STATUS.active) throw error;
      return this.statusOf(groupName, task);
    }
    return {
      flowId,
      state: volcengineTaskState(TASK_STATUS.stopped, undefined, this.now()),
      vendorStatus: TASK_STATUS.stopped,
    };
  }

  /** Deletes the task, then its group (the group exists for this request only). Already gone counts as deleted. */
  async deleteFlow(request: VolcengineLiveRequest, flowId: string): Promise<void> {
    const req = own(request);
    const { groupName, taskId } = parseVolcengineFlowId(flowId);
    await ignoreNotFound(this.calls.deleteTask(req.region, groupName, taskId));
    await ignoreNotFound(this.calls.deleteGroup(req.region, groupName));
  }

  /** StopPullToPushTask → DeletePullToPushTask → DeletePullToPushGroup, after the identity check (`./teardown.ts`). */
  async teardownFlow(target: TeardownTarget, flowId: string): Promise<TeardownResult> {
    return teardownFlow(this.calls, target, flowId, this.maxGroupPages);
  }

  /**
   * Every task of a group: ListPullToPushTaskV2 filtered by `GroupNames`, paged to the end. A task that names another
   * group is dropped whatever the filter did, so a title can only ever match within our group.
   */
  private async listTasks(region: string, groupName: string): Promise<TaskItem[]> {
    const found: TaskItem[] = [];
    for (let page = 1; page <= this.maxTaskPages; page++) {
      const result = listTasksResult.safeParse(
        await this.call({
          action: 'ListPullToPushTaskV2',
          region,
          method: 'POST',
          body: { GroupNames: [groupName], Page: page, Size: TASK_PAGE_SIZE },
        }),
      );
      if (!result.success) throw unexpectedAnswer('ListPullToPushTaskV2', 'Result.List missing');
      const list = result.data.List ?? [];
      found.push(...list.filter((task) => task.GroupName === undefined || task.GroupName === groupName));
      const pageTotal = result.data.Pagination?.PageTotal;
      if (list.length < TASK_PAGE_SIZE || (pageTotal !== undefined && page >= pageTotal)) return found;
    }
    throw new VendorUnavailableError(
      `volcengine-live: group ${groupName} lists more than ${this.maxTaskPages * TASK_PAGE_SIZE} tasks; raise maxTaskPages`,
      { vendor: VENDOR, operation: 'ListPullToPushTaskV2' },
    );
  }

  private statusOf(groupName: string, task: TaskItem): FlowStatus {
    const startTimeMs = task.StartTime ? Date.parse(task.StartTime) : Number.NaN;
    return {
      flowId: volcengineFlowId(groupName, task.TaskId),
      state: volcengineTaskState(task.Status, Number.isNaN(startTimeMs) ? undefined : startTimeMs, this.now()),
      vendorStatus: task.Status,
    };
  }

  /** A call on one task of a group (stop, delete). */
  private taskCall(action: string, region: string, groupName: string, taskId: string): Promise<unknown> {
    return this.call({ action, region, method: 'POST', body: { TaskId: taskId, GroupName: groupName } });
  }

  /** One paced, signed call; resolves with `Result` when there is no `ResponseMetadata.Error`. */
  private async call(call: Call): Promise<unknown> {
    const query = { Action: call.action, Version: VOLCENGINE_API_VERSION, ...call.query };
    const path = this.endpoint.pathname || '/';
    const url = `${this.endpoint.origin}${path}?${canonicalQueryString(query)}`;
    const body = call.body === undefined ? '' : JSON.stringify(call.body);
    const headers: Record<string, string> = { Host: this.endpoint.host };
    if (call.method === 'POST') headers['Content-Type'] = 'application/json';
    const details: VendorErrorDetails = { vendor: VENDOR, operation: call.action };

    const answer = await this.pace(
      () => {
        // Signed inside the paced call: X-Date is when the call really leaves, not when it was queued.
        const signed = signVolcengineRequest(
          { method: call.method, path, query, headers, body },
          this.credentials,
          { region: call.region, service: VOLCENGINE_SERVICE },
          this.now(),
        );
        return sendHttp(
          this.fetchFn,
          { url, method: call.method, headers: signed.headers, ...(call.method === 'POST' ? { body } : {}) },
          this.callTimeoutMs,
          details,
        );
      },
      { operation: call.action, region: call.region },
    );
    const parsed = envelope.safeParse(parseJson(answer.text));
    if (!parsed.success) {
      const message = `volcengine-live ${call.action}: HTTP ${answer.status} without a ResponseMetadata envelope`;
      throw volcengineError(answer.status, undefined, message, details);
    }
    const meta = parsed.data.ResponseMetadata;
    const withId = meta.RequestId ? { ...details, vendorRequestId: meta.RequestId } : details;
    if (meta.Error) {
      const code = meta.Error.Code;
      const message = `volcengine-live ${call.action}: HTTP ${answer.status}${code ? ` ${code}` : ''}${meta.Error.Message ? `: ${clip(meta.Error.Message)}` : ''}`;
      throw volcengineError(answer.status, code, message, withId);
    }
    if (answer.status < 200 || answer.status >= 300) {
      throw volcengineError(answer.status, undefined, `volcengine-live ${call.action}: HTTP ${answer.status}`, withId);
    }
    return parsed.data.Result;
  }
}

function taskBody(req: VolcengineLiveRequest, group: string, title: string, startTime: number, endTime: number) {
  const task = req.flow.task;
  return {
    GroupName: group,
    Title: title,
    Type: task.type,
    SrcAddr: task.srcAddr,
    VodSrcAddrs: task.vodSrcAddrs?.map((v) => ({
      SrcAddr: v.srcAddr,
      StartOffset: v.startOffset,
      EndOffset: v.endOffset,
    })),
    DstAddr: task.dstAddr,
    Domain: task.domain,
    App: task.app,
    Stream: task.stream,
    StartTime: startTime,
    EndTime: endTime,
    CallbackURL: task.callbackUrl,
    CycleMode: task.cycleMode,
    PlayTimes: task.playTimes,
    PreDownload: task.preDownload,
    ContinueStrategy: task.continueStrategy,
    Watermark: task.watermark
      ? {
          Picture: task.watermark.picture,
          Ratio: task.watermark.ratio,
          RelativePosX: task.watermark.relativePosX,
          RelativePosY: task.watermark.relativePosY,
        }
      : undefined,
  };
}

function own(request: ProvisionRequest): VolcengineLiveRequest {
  if (request.vendor !== VENDOR)
    throw new InvalidRequestError([`vendor: the ${VENDOR} client got a ${request.vendor} request`]);
  return request;
}
