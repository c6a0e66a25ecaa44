/**
 * One shape for a vendor's error-code table and one lookup (docs/architecture.md, "Errors"): a vendor's documented
 * codes, exact first, then code families by prefix, each naming the taxonomy class the workflow reacts to. Each
 * vendor's table is its `../<vendor>/errors.ts`, sourced from its docs/vendors/<vendor>.md, "Errors".
 */
import {
  errorForHttpStatus,
  type TaxonomyError,
  type VendorErrorDetails,
  VendorUnavailableError,
} from '../../domain/errors.ts';

/** A taxonomy error class, as a table names it. */
export type ErrorClass = new (message: string, details: VendorErrorDetails) => TaxonomyError;

export interface ErrorTable {
  /** Documented codes, exactly as the vendor sends them. */
  readonly codes: Readonly<Record<string, ErrorClass>>;
  /** Code families (`Throttling.`, `InvalidParam`…), tried in order when no exact code matches. */
  readonly prefixes?: ReadonlyArray<readonly [prefix: string, ErrorClass]>;
}

/** The taxonomy error the table names for `code`, or `undefined` when the code is not in it. */
export function errorFromTable(
  table: ErrorTable,
  code: string | undefined,
  message: string,
  details: VendorErrorDetails,
): TaxonomyError | undefined {
  if (!code) return undefined;
  const make = Object.hasOwn(table.codes, code)
    ? table.codes[code]
    : table.prefixes?.find(([prefix]) => code.startsWith(prefix))?.[1];
  return make ? new make(message, details) : undefined;
}

/**
 * One error answer of a vendor whose code decides (Huawei, Volcengine): the table's class for the code; for a code
 * nobody documented, a 2xx that carries an error is retried (`VendorUnavailable`), any other status is read as HTTP.
 */
export function errorFromCode(
  table: ErrorTable,
  status: number,
  code: string | undefined,
  message: string,
  details: VendorErrorDetails,
): TaxonomyError {
  const full = { ...details, httpStatus: status, ...(code ? { vendorCode: code } : {}) };
  const known = errorFromTable(table, code, message, full);
  if (known) return known;
  if (status >= 200 && status < 300) return new VendorUnavailableError(message, full);
  return errorForHttpStatus(status, message, full);
}
