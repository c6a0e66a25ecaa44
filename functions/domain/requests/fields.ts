/**
 * The fields every vendor's request shares, and the value shapes several vendors use (docs/architecture.md, "The
 * request contract"). Each vendor's schema is in `./<vendor>.ts`; the union is `../contract.ts`.
 */
import { z } from 'zod';
import { LIMITS } from '../config.ts';

/** Printable text without control characters: names and descriptions end up in vendor consoles and logs. */
export const text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');

/** A resource name the vendors accept: letters, digits, `-` and `_`, starting with a letter or digit. */
export const resourceName = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'must be letters, digits, "-" or "_", starting with a letter or digit');

export const ipv4Cidr = z
  .string()
  .regex(
    /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/,
    'must be an IPv4 CIDR such as 203.0.113.0/24',
  );

export const tags = z
  .record(z.string().min(1).max(128), z.string().max(256))
  .refine((t) => Object.keys(t).length <= LIMITS.maxTags, `at most ${LIMITS.maxTags} tags`);

export const common = {
  schemaVersion: z.literal(1),
  /** Idempotency key: the execution name derives from it, never from the SQS message id. */
  requestId: z
    .string()
    .min(1)
    .max(80)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be 1–80 characters of A-Z, a-z, 0-9, "_" or "-"'),
  region: z
    .string()
    .min(2)
    .max(32)
    .regex(/^[a-z0-9-]+$/, 'must be a region id such as us-east-1'),
  /** Whether to start the flow after creating it. */
  start: z.boolean().default(true),
  /** `keep` leaves what was created for a redrive; `rollback` deletes it when a later step fails for good. */
  onFailure: z.enum(['keep', 'rollback']).default('keep'),
};
