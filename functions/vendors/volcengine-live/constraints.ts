/**
 * What Volcengine refuses on CreatePullToPushGroup and CreatePullToPushTask that a request could carry, refused at
 * the door instead (docs/vendors/volcengine-live.md, "Constraints", which names the public source of each rule). The
 * contract (`../../domain/requests/volcengine-live.ts`) builds the volcengine-live request from these.
 */
import { z } from 'zod';

/** StartTime and EndTime are 32-bit signed second counts (the official SDK's int32 fields). */
export const VOLCENGINE_MAX_SECONDS = 2 ** 31 - 1;

/** A task time: unix seconds that fit Volcengine's 32-bit field. */
export const volcengineSeconds = z
  .number()
  .int()
  .min(1_000_000_000, 'must be unix seconds (10 digits), not milliseconds')
  .max(
    VOLCENGINE_MAX_SECONDS,
    `Volcengine takes StartTime and EndTime as 32-bit seconds: at most ${VOLCENGINE_MAX_SECONDS} (2038-01-19T03:14:07Z)`,
  );

/** `startTime + durationSeconds` becomes EndTime, which must fit the same 32-bit field. */
export function checkVolcengineEnd(
  task: { readonly startTime?: number | undefined; readonly durationSeconds?: number | undefined },
  ctx: z.RefinementCtx,
): void {
  const { startTime, durationSeconds } = task;
  if (startTime === undefined || durationSeconds === undefined) return;
  // A startTime past the limit has its own issue already; one reason per mistake.
  if (startTime <= VOLCENGINE_MAX_SECONDS && startTime + durationSeconds > VOLCENGINE_MAX_SECONDS) {
    ctx.addIssue({
      code: 'custom',
      path: ['durationSeconds'],
      message: `startTime + durationSeconds is EndTime, which Volcengine takes as 32-bit seconds: at most ${VOLCENGINE_MAX_SECONDS}`,
    });
  }
}
