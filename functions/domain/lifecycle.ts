/**
 * The life of a flow beyond provisioning (contract v1, new fields optional so every v1 message stays valid):
 * `startAt` / `deprovisionAt` on a provision request, and the deprovision request that tears a flow down. The
 * mechanism behind the times is docs/adr/0006-flow-lifecycle-scheduling.md.
 */
import { z } from 'zod';
import {
  formatIssues,
  type ParseResult,
  type ProvisionRequest,
  parseBodyJson,
  parseRequest,
  VENDOR_IDS,
} from './contract.ts';

/**
 * How far ahead `startAt` and `deprovisionAt` may be: the provision execution waits for both (Wait states), and one
 * Standard execution lasts at most a year (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html);
 * 30 days keeps the execution's own timeout, and what an operator has to look after, modest.
 */
export const SCHEDULE_HORIZON_SECONDS = 30 * 24 * 3600;

/**
 * The StopExecution error of a provision execution a deprovision request cancelled: the dispatcher never redrives it
 * and the failure capture records nothing for it (the deprovision is its outcome).
 */
export const DEPROVISIONED_ERROR = 'Deprovisioned';

const requestId = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be 1–80 characters of A-Z, a-z, 0-9, "_" or "-"');

/** `{"requestId": …}` (the provision request's id) or `{"flowId": …}` (the vendor's id), exactly one. */
export const deprovisionTarget = z.union(
  [z.strictObject({ requestId }), z.strictObject({ flowId: z.string().min(1).max(512) })],
  { error: 'target needs exactly one of requestId (the provision request) or flowId (the vendor id)' },
);

export const deprovisionRequest = z.strictObject({
  schemaVersion: z.literal(1),
  /** This request's own id (its execution's name), not the provision's. */
  requestId,
  action: z.literal('deprovision'),
  vendor: z.enum(VENDOR_IDS),
  region: z
    .string()
    .min(2)
    .max(32)
    .regex(/^[a-z0-9-]+$/, 'must be a region id such as us-east-1'),
  target: deprovisionTarget,
});
export type DeprovisionRequest = z.output<typeof deprovisionRequest>;

export type MessageParseResult =
  | { ok: true; kind: 'provision'; request: ProvisionRequest }
  | { ok: true; kind: 'deprovision'; request: DeprovisionRequest }
  | { ok: false; issues: string[] };

/** True when the message asks for a deprovision (then only the deprovision schema applies). */
export function isDeprovisionMessage(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { action?: unknown }).action === 'deprovision';
}

/**
 * Validates a queued message of either kind. A provision request is also checked for its times: `deprovisionAt`
 * after `startAt` (or after now), neither beyond {@link SCHEDULE_HORIZON_SECONDS}.
 */
export function parseMessage(value: unknown, now: number = Date.now()): MessageParseResult {
  if (isDeprovisionMessage(value)) {
    const result = deprovisionRequest.safeParse(value);
    return result.success
      ? { ok: true, kind: 'deprovision', request: result.data }
      : { ok: false, issues: formatIssues(result.error) };
  }
  const parsed: ParseResult = parseRequest(value);
  if (!parsed.ok) return parsed;
  const issues = scheduleIssues(parsed.request, now);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, kind: 'provision', request: parsed.request };
}

/** A raw SQS body of either kind: size, JSON syntax, then {@link parseMessage}. */
export function parseMessageBody(body: string, now: number = Date.now()): MessageParseResult {
  const json = parseBodyJson(body);
  return json.ok ? parseMessage(json.value, now) : json;
}

/** What is wrong with a provision request's times, relative to `now` (empty when nothing is). */
export function scheduleIssues(request: ProvisionRequest, now: number): string[] {
  const issues: string[] = [];
  const horizon = now + SCHEDULE_HORIZON_SECONDS * 1000;
  const startAt = request.startAt === undefined ? undefined : Date.parse(request.startAt);
  const deprovisionAt = request.deprovisionAt === undefined ? undefined : Date.parse(request.deprovisionAt);
  const days = SCHEDULE_HORIZON_SECONDS / 86_400;
  if (startAt !== undefined && startAt > horizon) issues.push(`startAt: more than ${days} days ahead`);
  // `start: false` leaves the flow idle, so there would be nothing to do at `startAt`.
  if (startAt !== undefined && request.start === false) issues.push('startAt: cannot be combined with "start": false');
  if (deprovisionAt !== undefined && deprovisionAt > horizon) {
    issues.push(`deprovisionAt: more than ${days} days ahead`);
  }
  if (deprovisionAt !== undefined && deprovisionAt <= Math.max(startAt ?? now, now)) {
    issues.push(
      startAt !== undefined && startAt > now
        ? 'deprovisionAt: must be after startAt'
        : 'deprovisionAt: must be in the future',
    );
  }
  return issues;
}
