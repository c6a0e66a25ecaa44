/**
 * Request ids of scheduled requests (`flowctl schedule create`). A recurring schedule sends the same request again and
 * again, so each occurrence needs its own idempotency key, and that key must be the *scheduled* time (stable across
 * Scheduler's retries and a flexible window), never a delivery id. EventBridge Scheduler can write only one form of it
 * into the target input: the context attribute `<aws.scheduler.scheduled-time>` becomes ISO 8601 with colons,
 * `2026-03-22T18:59:43Z`, and Scheduler offers no way to format it. Colons are outside the contract's requestId
 * charset (`[A-Za-z0-9_-]`) and outside the characters Step Functions allows in an execution name.
 *
 * So the pipeline accepts exactly that substituted form and rewrites it before validation: every
 * `YYYY-MM-DDTHH:MM:SS[.fff]Z` inside a requestId becomes the ISO 8601 *basic* form `YYYYMMDDTHHMMSSZ`
 * (`nightly-cams-2026-03-22T18:59:43Z` → `nightly-cams-20260322T185943Z`). A requestId that is already valid never
 * contains a colon, so the rewrite cannot change one; and it is a pure function of the id, so a duplicate delivery or
 * a DLQ redrive of the same occurrence (original body) maps to the same id and the same execution name.
 */

/** What EventBridge Scheduler replaces with the scheduled time of the occurrence. */
export const SCHEDULED_TIME_PLACEHOLDER = '<aws.scheduler.scheduled-time>';

/** Scheduler's substituted form (seconds; fractions tolerated), anywhere inside a request id. */
const SCHEDULER_TIME = /(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?Z/g;

/** `2026-03-22T18:59:43Z` (or a `Date`) → `20260322T185943Z`, the form the pipeline keeps. */
export function compactScheduledTime(time: string | Date): string {
  const iso = typeof time === 'string' ? time : `${time.toISOString().slice(0, 19)}Z`;
  const compact = iso.replace(SCHEDULER_TIME, '$1$2$3T$4$5$6Z');
  if (!/^\d{8}T\d{6}Z$/.test(compact)) throw new Error(`not a UTC time of the form 2026-03-22T18:59:43Z: ${iso}`);
  return compact;
}

/** The request id the pipeline uses for `requestId`: Scheduler's times rewritten to the basic form, nothing else. */
export function canonicalRequestId(requestId: string): string {
  return requestId.replace(SCHEDULER_TIME, '$1$2$3T$4$5$6Z');
}

/**
 * The body the pipeline works with: unchanged unless it is a JSON object whose `requestId` carries a time in
 * Scheduler's form, in which case that id is rewritten (and the body re-serialized). Anything else — not JSON, no
 * requestId — is returned as it came, for the contract to judge.
 */
export function canonicalRequestBody(body: string): string {
  if (!body.includes(':')) return body;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return body;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return body;
  const requestId = (value as { requestId?: unknown }).requestId;
  if (typeof requestId !== 'string') return body;
  const canonical = canonicalRequestId(requestId);
  return canonical === requestId ? body : JSON.stringify({ ...value, requestId: canonical });
}

/** The requestId template a schedule sends: `<base>-<aws.scheduler.scheduled-time>`. */
export function scheduledRequestIdTemplate(base: string): string {
  return `${base}-${SCHEDULED_TIME_PLACEHOLDER}`;
}

/** The id the pipeline will use for the occurrence scheduled at `time`: `<base>-YYYYMMDDTHHMMSSZ`. */
export function scheduledRequestId(base: string, time: Date): string {
  return `${base}-${compactScheduledTime(time)}`;
}

/** Replaces every Scheduler context attribute of an input the way Scheduler does (the local scheduler uses it). */
export function substituteSchedulerContext(
  input: string,
  context: { scheduledTime: Date; scheduleArn: string; executionId: string; attemptNumber: number },
): string {
  return input
    .replaceAll(SCHEDULED_TIME_PLACEHOLDER, `${context.scheduledTime.toISOString().slice(0, 19)}Z`)
    .replaceAll('<aws.scheduler.schedule-arn>', context.scheduleArn)
    .replaceAll('<aws.scheduler.execution-id>', context.executionId)
    .replaceAll('<aws.scheduler.attempt-number>', String(context.attemptNumber));
}
