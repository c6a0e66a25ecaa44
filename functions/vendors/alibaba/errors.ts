/**
 * The error codes of Alibaba's POP gateway (common to every RPC product) and of CAMS, by taxonomy class
 * (docs/vendors/alibaba-ice.md and docs/vendors/alibaba-cams.md, "Errors"; Alibaba's common OpenAPI client error
 * tables). Product envelopes (`RetCode` for ICE) are judged by each client.
 */
import { VendorAuthFailedError, VendorThrottledError, VendorUnavailableError } from '../../domain/errors.ts';
import type { ErrorTable } from '../common/error-table.ts';

export const ALIBABA_ERRORS: ErrorTable = {
  codes: {
    Throttling: VendorThrottledError,
    'Throttling.User': VendorThrottledError,
    'Throttling.Api': VendorThrottledError,
    'Throttling.Tps': VendorThrottledError,
    // CAMS: "system is under flow control", answered with HTTP 400.
    'System.LimitControl': VendorThrottledError,
    SignatureDoesNotMatch: VendorAuthFailedError,
    IncompleteSignature: VendorAuthFailedError,
    InvalidSignatureMethod: VendorAuthFailedError,
    InvalidAccessKeyId: VendorAuthFailedError,
    'InvalidAccessKeyId.NotFound': VendorAuthFailedError,
    'InvalidAccessKeyId.Inactive': VendorAuthFailedError,
    'InvalidSecurityToken.Expired': VendorAuthFailedError,
    'InvalidSecurityToken.Malformed': VendorAuthFailedError,
    'InvalidSecurityToken.MismatchWithAccessKey': VendorAuthFailedError,
    // The request's clock is more than 15 minutes off: a signing problem no retry cures until the clock is fixed.
    'InvalidTimeStamp.Expired': VendorAuthFailedError,
    Forbidden: VendorAuthFailedError,
    'Forbidden.RAM': VendorAuthFailedError,
    'Forbidden.NotSupportRAM': VendorAuthFailedError,
    'Forbidden.RiskControl': VendorAuthFailedError,
    'Forbidden.AccessKeyDisabled': VendorAuthFailedError,
    'Forbidden.UserVerification': VendorAuthFailedError,
    ActionUnauthorized: VendorAuthFailedError,
    NoPermission: VendorAuthFailedError,
    // CAMS.
    'Ram.PermissionDeny': VendorAuthFailedError,
    'Product.Unsubscript': VendorAuthFailedError,
    InternalError: VendorUnavailableError,
    InternalFailure: VendorUnavailableError,
    ServiceUnavailable: VendorUnavailableError,
    ServiceUnavailableTemporary: VendorUnavailableError,
    ServiceTimeout: VendorUnavailableError,
    // Alibaba: "retry with a fresh nonce"; every attempt signs with a new one, so a bounded retry cures it.
    SignatureNonceUsed: VendorUnavailableError,
  },
  prefixes: [
    ['Throttling.', VendorThrottledError],
    ['Forbidden.', VendorAuthFailedError],
    ['InvalidAccessKeyId.', VendorAuthFailedError],
    ['InvalidSecurityToken.', VendorAuthFailedError],
  ],
};
