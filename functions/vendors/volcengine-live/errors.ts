/**
 * Volcengine Live's error codes — the pull-to-push pages' table and the OpenAPI gateway's common codes — by taxonomy
 * class (docs/vendors/volcengine-live.md, "Errors"). The code decides: `RequestLimitExceeded.Exist` (HTTP 429) is a
 * conflict although generic helpers read every `RequestLimitExceeded*` as throttling; then the code's family; the
 * HTTP status only for codes nobody documented.
 */
import {
  VendorAuthFailedError,
  VendorConflictError,
  VendorRejectedError,
  VendorThrottledError,
  VendorUnavailableError,
} from '../../domain/errors.ts';
import type { ErrorTable } from '../common/error-table.ts';

/** "The resource requested to be created already exists" — sent with HTTP 429. */
export const VOLCENGINE_ALREADY_EXISTS = 'RequestLimitExceeded.Exist';

export const VOLCENGINE_ERRORS: ErrorTable = {
  codes: {
    [VOLCENGINE_ALREADY_EXISTS]: VendorConflictError,
    FlowLimitExceeded: VendorThrottledError,
    CommonErr: VendorUnavailableError, // HTTP 200: "unclassified, retry"
    InvalidParam: VendorRejectedError,
    'InvalidParam.BindError': VendorRejectedError,
    RequestForbidden: VendorAuthFailedError,
    'RequestForbidden.AccountIDNotAllow': VendorAuthFailedError,
    ResourceNotFound: VendorRejectedError,
    InternalError: VendorUnavailableError,
    'InternalError.DB': VendorUnavailableError,
    InternalServiceError: VendorUnavailableError,
    'InternalServiceError.BadResponse': VendorUnavailableError,
    InternalServiceTimeout: VendorUnavailableError,
    MissingParameter: VendorRejectedError,
    MissingRequestInfo: VendorRejectedError,
    ServiceNotFound: VendorRejectedError,
    InvalidActionOrVersion: VendorRejectedError,
    MissingAuthenticationToken: VendorAuthFailedError,
    MissingSignature: VendorAuthFailedError,
    InvalidTimestamp: VendorAuthFailedError, // expired or future X-Date: our clock, not the request
    InvalidAccessKey: VendorAuthFailedError,
    SignatureDoesNotMatch: VendorAuthFailedError,
    LackPolicy: VendorAuthFailedError,
    AccessDenied: VendorAuthFailedError,
  },
  prefixes: [
    ['InvalidParam', VendorRejectedError],
    ['RequestForbidden', VendorAuthFailedError],
    ['Internal', VendorUnavailableError],
  ],
};

/** A success answer without the fields the client reads: a broken answer, retried. */
export function unexpectedAnswer(action: string, what: string): VendorUnavailableError {
  return new VendorUnavailableError(`volcengine-live ${action}: unexpected answer (${what})`, {
    vendor: 'volcengine-live',
    operation: action,
  });
}

/** No such task or group. */
export function isResourceNotFound(error: unknown): boolean {
  return error instanceof VendorRejectedError && error.details.vendorCode === 'ResourceNotFound';
}

/** Awaits a delete; one whose target is already gone counts as done. */
export async function ignoreNotFound(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (!isResourceNotFound(error)) throw error;
  }
}
