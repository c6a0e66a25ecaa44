/**
 * Execution names are a deterministic function of `requestId` (docs/architecture.md, "Exactly-once effects"), never of
 * the SQS message id, which changes on every redrive. Standard workflows refuse a reused name for 90 days, which is
 * what turns a duplicate delivery into `ExecutionAlreadyExists` instead of a second flow.
 */
import { createHash } from 'node:crypto';

/** Step Functions allows 80 characters; we keep room for an attempt suffix. */
const MAX_BASE_LENGTH = 72;

/** The name of attempt `attempt` (1-based) for a request. Attempt 1 is the request id itself when it fits. */
export function executionName(requestId: string, attempt = 1): string {
  if (!Number.isInteger(attempt) || attempt < 1 || attempt > 99)
    throw new Error(`attempt must be 1–99, got ${attempt}`);
  const base =
    requestId.length <= MAX_BASE_LENGTH
      ? requestId
      : `${requestId.slice(0, 55)}-${createHash('sha256').update(requestId).digest('hex').slice(0, 16)}`;
  return attempt === 1 ? base : `${base}--a${attempt}`;
}

/**
 * How many attempts (execution names) one request may use before the dispatcher gives up (`AttemptsExhausted`). The
 * workflow's `IsLaterAttempt` state matches every name up to it, and `flowctl status` looks for as many.
 */
export const MAX_ATTEMPTS = 10;
