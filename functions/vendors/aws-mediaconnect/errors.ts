/**
 * AWS Elemental MediaConnect's errors by taxonomy class (docs/vendors/aws-mediaconnect.md, "Errors"): what an SDK call
 * threw, mapped by the error name *and* the HTTP status (HTTP 420 is a quota, never a throttle), transport failures
 * as `VendorUnavailable`, and anything else returned unchanged.
 */
import {
  errorForHttpStatus,
  isTaxonomyError,
  type TaxonomyError,
  VendorAuthFailedError,
  type VendorErrorDetails,
  VendorQuotaExceededError,
  VendorRejectedError,
  VendorThrottledError,
  VendorUnavailableError,
} from '../../domain/errors.ts';

const VENDOR = 'aws-mediaconnect';

type Make = (message: string, details: VendorErrorDetails) => TaxonomyError;
const quota: Make = (m, d) => new VendorQuotaExceededError(m, d);
const throttled: Make = (m, d) => new VendorThrottledError(m, d);
const unavailable: Make = (m, d) => new VendorUnavailableError(m, d);
const authFailed: Make = (m, d) => new VendorAuthFailedError(m, d);
const rejected: Make = (m, d) => new VendorRejectedError(m, d);

/**
 * Vendor error names (`x-amzn-ErrorType`) and the statuses they come with. A name counts only with one of its statuses
 * (a mismatch falls back to the status rules): the name says what happened, the status confirms it came from the
 * service and not from something in between.
 */
const KNOWN_ERRORS: Readonly<Record<string, { readonly make: Make; readonly statuses: readonly number[] }>> = {
  // Documented MediaConnect errors (docs/vendors/aws-mediaconnect.md, "Errors").
  CreateFlow420Exception: { make: quota, statuses: [420] },
  GrantFlowEntitlements420Exception: { make: quota, statuses: [420] },
  AddFlowOutputs420Exception: { make: quota, statuses: [420] },
  TooManyRequestsException: { make: throttled, statuses: [429] },
  InternalServerErrorException: { make: unavailable, statuses: [500, 502, 503, 504] },
  ServiceUnavailableException: { make: unavailable, statuses: [500, 502, 503, 504] },
  ForbiddenException: { make: authFailed, statuses: [403] },
  BadRequestException: { make: rejected, statuses: [400] },
  NotFoundException: { make: rejected, statuses: [404] },
  // Errors of the AWS front end shared by every service (authentication, throttling).
  ThrottlingException: { make: throttled, statuses: [400, 429] },
  InvalidSignatureException: { make: authFailed, statuses: [400, 403] },
  UnrecognizedClientException: { make: authFailed, statuses: [400, 403] },
  IncompleteSignatureException: { make: authFailed, statuses: [400, 403] },
  MissingAuthenticationTokenException: { make: authFailed, statuses: [403] },
  AccessDeniedException: { make: authFailed, statuses: [403] },
  ExpiredTokenException: { make: authFailed, statuses: [400, 403] },
  InvalidClientTokenId: { make: authFailed, statuses: [403] },
  SignatureDoesNotMatch: { make: authFailed, statuses: [403] },
};

/** Network failures that mean "no answer": the request may or may not have taken effect. */
const TRANSPORT_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $response?: { statusCode?: number; headers?: Record<string, string | undefined> };
}

/**
 * Maps whatever an SDK call threw to the taxonomy. Errors that are not a vendor answer or a transport failure (a bug
 * of ours, a serialization error) are returned unchanged so they are not mistaken for a vendor's verdict.
 */
export function toVendorError(error: unknown, operation: string, context: { timeoutMs?: number } = {}): Error {
  if (isTaxonomyError(error)) return error;
  if (!(error instanceof Error)) return new Error(`MediaConnect ${operation} failed: ${String(error)}`);
  const e = error as Error & SdkErrorShape;
  const status = httpStatusOf(e);
  const headers = e.$response?.headers ?? {};
  const vendorRequestId = e.$metadata?.requestId ?? headers['x-amzn-requestid'];
  const deserializationFailed = e.name === 'SyntaxError' || '$responseBodyText' in e;
  const vendorCode = deserializationFailed
    ? headers['x-amzn-errortype']?.split(':')[0]
    : status === undefined && e.code
      ? e.code
      : e.name;
  const details = compactDetails({ vendor: VENDOR, operation, httpStatus: status, vendorCode, vendorRequestId });
  const text = sanitize(e.message);

  if (status === undefined) {
    if (e.name === 'TimeoutError' || e.name === 'AbortError') {
      const limit = context.timeoutMs !== undefined ? ` within ${context.timeoutMs} ms` : '';
      return new VendorUnavailableError(`MediaConnect ${operation}: no answer${limit} (${text})`, details);
    }
    if (e.code !== undefined && TRANSPORT_ERROR_CODES.has(e.code)) {
      return new VendorUnavailableError(`MediaConnect ${operation}: connection failed (${e.code}: ${text})`, details);
    }
    if (e.name === 'CredentialsProviderError') {
      return new VendorAuthFailedError(
        `MediaConnect ${operation}: no AWS credentials could be loaded (${text})`,
        details,
      );
    }
    const known = KNOWN_ERRORS[e.name];
    if (known) return known.make(`MediaConnect ${operation} failed: ${e.name}: ${text}`, details);
    return error;
  }

  const label = `MediaConnect ${operation} failed: HTTP ${status}${vendorCode ? ` ${vendorCode}` : ''}`;
  if (deserializationFailed) {
    if (status >= 200 && status < 300) {
      return new VendorUnavailableError(`${label}: the response body is not JSON`, details);
    }
    return errorForHttpStatus(status, `${label}: non-JSON error body`, details);
  }
  const known = vendorCode !== undefined ? KNOWN_ERRORS[vendorCode] : undefined;
  if (known?.statuses.includes(status)) return known.make(`${label}: ${text}`, details);
  return errorForHttpStatus(status, `${label}: ${text}`, details);
}

function httpStatusOf(error: SdkErrorShape): number | undefined {
  const fromMetadata = error.$metadata?.httpStatusCode;
  if (typeof fromMetadata === 'number') return fromMetadata;
  // A body the SDK could not parse leaves the status only on the hidden `$response`.
  const fromResponse = error.$response?.statusCode;
  return typeof fromResponse === 'number' && fromResponse > 0 ? fromResponse : undefined;
}

/** One line, bounded, with anything signature-like removed (vendor messages may quote the request they rejected). */
function sanitize(message: string | undefined): string {
  return (message ?? '')
    .split('\n  Deserialization error')[0]!
    .replace(/Signature=[0-9a-fA-F]+/g, 'Signature=[redacted]')
    .replace(/Credential=[^,\s]+/g, 'Credential=[redacted]')
    .replace(/(X-Amz-Security-Token=)[^&\s]+/gi, '$1[redacted]')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

export function compactDetails(details: VendorErrorDetails): VendorErrorDetails {
  return Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined)) as VendorErrorDetails;
}

/** MediaConnect refused the call for the flow's state or an existing name (HTTP 400). */
export function isBadRequest(error: unknown): error is VendorRejectedError {
  return error instanceof VendorRejectedError && error.details.vendorCode === 'BadRequestException';
}

/** No such flow (HTTP 404). */
export function isNotFound(error: unknown): boolean {
  return error instanceof VendorRejectedError && error.details.vendorCode === 'NotFoundException';
}
