/**
 * `asl-validator` (the ASL's JSON schemas plus path and ARN checks), typed for the tests: the package ships no type
 * declarations, so it is loaded through `require` with the shape its README documents.
 */
import { createRequire } from 'node:module';

export interface AslValidation {
  readonly isValid: boolean;
  errorsText(separator?: string): string;
}

export const validateAsl = createRequire(import.meta.url)('asl-validator') as (definition: unknown) => AslValidation;
