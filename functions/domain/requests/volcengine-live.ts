/**
 * The Volcengine Live pull-to-push request (docs/vendors/volcengine-live.md, "Operations"): the vendor's documented
 * parameters, our names.
 */
import { z } from 'zod';
import { REQUEST_ID_TAG } from '../../vendors/types.ts';
import { checkVolcengineEnd, volcengineSeconds } from '../../vendors/volcengine-live/constraints.ts';
import { LIMITS } from '../config.ts';
import { common, text } from './fields.ts';

/** Volcengine Live has one API region (the signing scope of every pull-to-push action). */
export const VOLCENGINE_REGION = 'cn-north-1';
/** A task may run for at most 7 days. */
export const VOLCENGINE_MAX_TASK_SECONDS = 7 * 24 * 3600;

/** Group names and task titles: Chinese characters, letters and digits only, 1–`max` characters. */
const volcengineName = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(
      /^[\p{Script=Han}A-Za-z0-9]+$/u,
      'must be Chinese characters, letters or digits only (no spaces, "-" or "_")',
    );

const volcengineTag = z.strictObject({
  key: z
    .string()
    .min(1)
    .max(128)
    .refine((key) => key !== REQUEST_ID_TAG, `"${REQUEST_ID_TAG}" is set by the provisioner`),
  value: z.string().max(256),
  category: z.enum(['System', 'Custom']).default('Custom'),
});

/** CreatePullToPushTask, except `GroupName` (the group is the flow: {@link volcengineLiveRequest} `flow.name`). */
const volcengineTask = z
  .strictObject({
    /** `Title`; defaults to the group name. */
    title: volcengineName(20).optional(),
    /** `Type`: 0 pulls a live stream (`srcAddr`), 1 plays VOD files (`vodSrcAddrs`). */
    type: z.union([z.literal(0), z.literal(1)]),
    srcAddr: text(1000).optional(),
    vodSrcAddrs: z
      .array(
        z.strictObject({
          srcAddr: text(1000),
          startOffset: z.number().min(0).optional(),
          endOffset: z.number().min(0).optional(),
        }),
      )
      .min(1)
      .max(30)
      .optional(),
    /** Full push URL; or leave it out and give `domain`, `app` and `stream`. */
    dstAddr: text(1000).optional(),
    domain: text(253).optional(),
    app: text(255).optional(),
    stream: text(255).optional(),
    /** Unix seconds; default: when the task is created (it then starts at once). */
    startTime: volcengineSeconds.optional(),
    /** Unix seconds; give this or `durationSeconds`. */
    endTime: volcengineSeconds.optional(),
    /** Our convenience for `EndTime` = start + duration (static requests cannot know absolute times). */
    durationSeconds: z.number().int().min(1).max(VOLCENGINE_MAX_TASK_SECONDS).optional(),
    callbackUrl: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .max(512)
      .optional(),
    cycleMode: z.number().int().min(-1).optional(),
    playTimes: z.number().int().min(1).optional(),
    preDownload: z.union([z.literal(0), z.literal(1)]).optional(),
    continueStrategy: z.union([z.literal(0), z.literal(1)]).optional(),
    watermark: z
      .strictObject({
        picture: z.string().regex(/^data:image\/(png|jpe?g);base64,/, 'must be a PNG or JPEG data URL'),
        ratio: z.number().min(0),
        relativePosX: z.number().min(0),
        relativePosY: z.number().min(0),
      })
      .optional(),
  })
  .superRefine((task, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (task.type === 0 && task.srcAddr === undefined) issue('srcAddr', 'required for type 0 (live source)');
    if (task.type === 0 && task.vodSrcAddrs !== undefined) issue('vodSrcAddrs', 'only for type 1 (VOD files)');
    if (task.type === 1 && task.vodSrcAddrs === undefined) issue('vodSrcAddrs', 'required for type 1 (VOD files)');
    if (task.type === 1 && task.srcAddr !== undefined) issue('srcAddr', 'only for type 0 (live source)');
    const parts = [task.domain, task.app, task.stream].filter((p) => p !== undefined).length;
    if (task.dstAddr === undefined && parts !== 3) issue('dstAddr', 'give dstAddr, or all of domain, app and stream');
    if (task.dstAddr !== undefined && parts > 0) issue('dstAddr', 'give dstAddr or domain/app/stream, not both');
    if ((task.endTime === undefined) === (task.durationSeconds === undefined)) {
      issue('endTime', 'give exactly one of endTime and durationSeconds');
    }
    if (task.startTime !== undefined && task.endTime !== undefined) {
      if (task.endTime <= task.startTime) issue('endTime', 'must be after startTime');
      else if (task.endTime - task.startTime > VOLCENGINE_MAX_TASK_SECONDS)
        issue('endTime', 'a task runs at most 7 days');
    }
    checkVolcengineEnd(task, ctx);
  });

export const volcengineLiveRequest = z.strictObject({
  ...common,
  vendor: z.literal('volcengine-live'),
  region: z.literal(VOLCENGINE_REGION, { error: `Volcengine Live is only served in ${VOLCENGINE_REGION}` }),
  flow: z.strictObject({
    /** The pull-to-push group (CreatePullToPushGroup `Name`) that holds this request's one task. */
    name: volcengineName(20),
    /** IAM project the group is bound to (`ProjectName`). */
    projectName: text(64).default('default'),
    /** Group tags (`Tags`); the provisioner adds its request-identity tag. */
    tags: z
      .array(volcengineTag)
      .max(LIMITS.maxTags - 1)
      .default([]),
    task: volcengineTask,
  }),
  /** Volcengine has nothing to share: a task pushes to its destination (`dstAddr`). */
  entitlements: z
    .array(z.unknown())
    .max(
      0,
      'volcengine-live tasks cannot be shared: Volcengine has no entitlement or output API (a task pushes to its dstAddr); omit "entitlements" or send []',
    )
    .default([]),
});
