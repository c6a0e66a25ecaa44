/**
 * Huawei Cloud Live's error codes and the gateway's own, by taxonomy class (docs/vendors/huawei-live.md, "Errors").
 * `APIG.0308` throttles whatever the HTTP status; the status decides only for a code not listed here.
 */
import {
  VendorAuthFailedError,
  VendorConflictError,
  VendorRejectedError,
  VendorThrottledError,
  VendorUnavailableError,
} from '../../domain/errors.ts';
import type { ErrorTable } from '../common/error-table.ts';

/** Huawei's "the resource already exists". */
export const HUAWEI_ALREADY_EXISTS = 'LIVE.103011018';
/** Huawei's "operation not allowed in the current state". */
export const HUAWEI_STATE_CONFLICT = 'LIVE.103011022';

export const HUAWEI_ERRORS: ErrorTable = {
  codes: {
    'LIVE.100011001': VendorRejectedError, // invalid parameter
    [HUAWEI_ALREADY_EXISTS]: VendorConflictError,
    'LIVE.100011004': VendorRejectedError, // HTTP instead of HTTPS
    'LIVE.100011006': VendorUnavailableError, // API unsupported in this version: retry later
    'LIVE.100011008': VendorUnavailableError, // under maintenance: retry later
    'LIVE.100011013': VendorRejectedError, // real-name authentication not done
    'LIVE.103011021': VendorUnavailableError, // database access failed
    [HUAWEI_STATE_CONFLICT]: VendorRejectedError, // not allowed in the current state
    'LIVE.100011003': VendorAuthFailedError, // no permission (typically a signature error)
    'APIG.0301': VendorAuthFailedError, // IAM authentication failed (bad AK/SK, stale date)
    'APIGW.0301': VendorAuthFailedError,
    'APIG.0303': VendorAuthFailedError, // app authentication failed
    'APIGW.0303': VendorAuthFailedError,
    'APIG.0308': VendorThrottledError, // "The throttling threshold has been reached"
    'APIGW.0308': VendorThrottledError,
    'APIG.0101': VendorRejectedError, // API does not exist
    'APIGW.0101': VendorRejectedError,
    'APIG.0201': VendorRejectedError, // API request error
    'APIGW.0201': VendorRejectedError,
  },
};

/** True when Huawei refused an operation because of the flow's current state. */
export function isStateConflict(error: unknown): boolean {
  return error instanceof VendorRejectedError && error.details.vendorCode === HUAWEI_STATE_CONFLICT;
}

/** A Live-service 404 (no such flow). A gateway 404 (`APIG.*`/`APIGW.*`) means the API itself is missing. */
export function isFlowNotFound(error: unknown): boolean {
  if (!(error instanceof VendorRejectedError) || error.details.httpStatus !== 404) return false;
  return !/^APIGW?\./.test(error.details.vendorCode ?? '');
}
