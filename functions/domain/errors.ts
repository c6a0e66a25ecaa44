/**
 * The error taxonomy (docs/architecture.md, "Errors"). Each class name is the `ErrorEquals` string the workflow is
 * written against, so every class sets `this.name` to a literal: minifiers rename classes, and the ASL must keep
 * matching.
 *
 * Vendor clients map every vendor answer to exactly one of these; handlers let them propagate unchanged.
 */

/** What every taxonomy error carries besides its message: where it came from, for logs and failure records. */
export interface VendorErrorDetails {
  /** Vendor id (`aws-mediaconnect`, ...). */
  vendor?: string;
  /** Vendor operation that failed (`CreateFlow`, ...). */
  operation?: string;
  /** HTTP status the vendor answered, when there was an answer. */
  httpStatus?: number;
  /** The vendor's own error code (`TooManyRequestsException`, `System.LimitControl`, ...). */
  vendorCode?: string;
  /** The vendor's request id, for support tickets. */
  vendorRequestId?: string;
}

abstract class ProvisioningError extends Error {
  readonly details: VendorErrorDetails;
  /** Whether the workflow retries it (documentation and tests; the ASL is the authority). */
  abstract readonly retryable: boolean;

  constructor(message: string, details: VendorErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.details = details;
  }
}

/** Vendor rate or flow-control error (HTTP 429, CAMS `System.LimitControl`, ...): retried with full jitter. */
export class VendorThrottledError extends ProvisioningError {
  override readonly name = 'VendorThrottled';
  readonly retryable = true;
}

/** 5xx, timeout, connection reset, a 200 that says "try again": retried with jitter, bounded. */
export class VendorUnavailableError extends ProvisioningError {
  override readonly name = 'VendorUnavailable';
  readonly retryable = true;
}

/** The resource already exists and is not ours (ours is adopted by the client and never surfaces). */
export class VendorConflictError extends ProvisioningError {
  override readonly name = 'VendorConflict';
  readonly retryable = false;
}

/** Account quota reached (AWS MediaConnect HTTP 420: 20 flows per region). Not a throttle: never retried. */
export class VendorQuotaExceededError extends ProvisioningError {
  override readonly name = 'VendorQuotaExceeded';
  readonly retryable = false;
}

/** Bad credentials, signature mismatch, permission denied. */
export class VendorAuthFailedError extends ProvisioningError {
  override readonly name = 'VendorAuthFailed';
  readonly retryable = false;
}

/** Any other 4xx: the request itself is wrong. */
export class VendorRejectedError extends ProvisioningError {
  override readonly name = 'VendorRejected';
  readonly retryable = false;
}

/** The request failed validation: never reaches a vendor, goes to the DLQ with every problem listed. */
export class InvalidRequestError extends ProvisioningError {
  override readonly name = 'InvalidRequest';
  readonly retryable = false;
  readonly issues: readonly string[];

  constructor(issues: readonly string[]) {
    super(`invalid request: ${issues.join('; ')}`);
    this.issues = issues;
  }
}

/**
 * The same step of the same execution is still running in another invocation (its idempotency record is in progress):
 * a retry overtook an invocation that crashed or timed out before its lock expired. Retried until the lock expires
 * (at most the λ timeout), when the step runs again and the vendor-side get-or-create takes over.
 */
export class StepInProgressError extends Error {
  override readonly name = 'StepInProgress';
  readonly retryable = true;
}

/** The idempotency store (DynamoDB) could not be read or written: retried, like any transient fault. */
export class StepStoreUnavailableError extends Error {
  override readonly name = 'StepStoreUnavailable';
  readonly retryable = true;
}

/**
 * Raised by the workflow itself (a Fail path, not a Lambda) when a started flow never reports running: the vendor
 * answered a terminal state, or the bounded poll ran out.
 */
export const FLOW_NOT_RUNNING = 'FlowNotRunning';

/** Every error name the workflow may match, by reaction. */
export const ERROR_NAMES = {
  throttled: 'VendorThrottled',
  unavailable: 'VendorUnavailable',
  conflict: 'VendorConflict',
  quotaExceeded: 'VendorQuotaExceeded',
  authFailed: 'VendorAuthFailed',
  rejected: 'VendorRejected',
  invalidRequest: 'InvalidRequest',
  flowNotRunning: FLOW_NOT_RUNNING,
} as const;

export type ErrorName = (typeof ERROR_NAMES)[keyof typeof ERROR_NAMES];

/** Names of the Lambda service errors Step Functions surfaces for a task; retried by the ASL. */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.Unknown',
] as const;

export type TaxonomyError =
  | VendorThrottledError
  | VendorUnavailableError
  | VendorConflictError
  | VendorQuotaExceededError
  | VendorAuthFailedError
  | VendorRejectedError;

/** Maps a plain HTTP status to the taxonomy when the vendor has nothing more specific to say. */
export function errorForHttpStatus(status: number, message: string, details: VendorErrorDetails): TaxonomyError {
  if (status === 429) return new VendorThrottledError(message, { ...details, httpStatus: status });
  if (status === 420) return new VendorQuotaExceededError(message, { ...details, httpStatus: status });
  if (status === 401 || status === 403) return new VendorAuthFailedError(message, { ...details, httpStatus: status });
  if (status >= 500 || status === 408) return new VendorUnavailableError(message, { ...details, httpStatus: status });
  return new VendorRejectedError(message, { ...details, httpStatus: status });
}

/** True for an error of the taxonomy (by name, so it survives bundling and structured clones). */
export function isTaxonomyError(error: unknown): error is TaxonomyError {
  return (
    error instanceof Error &&
    (Object.values(ERROR_NAMES) as string[]).includes(error.name) &&
    error.name !== ERROR_NAMES.invalidRequest &&
    error.name !== ERROR_NAMES.flowNotRunning
  );
}
