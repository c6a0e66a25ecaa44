/**
 * Request contract v1 (docs/architecture.md, "The request contract"): one JSON message asks for one flow on one vendor.
 *
 * The zod schemas here are the single source: the dispatcher validates with them, the vendor tasks re-parse with
 * them (defaults applied), and `npm run schema` exports `schemas/provision-request.v1.json` for upstream teams.
 * Vendor-specific parts are a discriminated union on `vendor`; each mirrors the vendor's documented parameters with
 * our camelCase names.
 */
import { z } from 'zod';
import { LIMITS } from './config.ts';
import { alibabaCamsRequest } from './requests/alibaba-cams.ts';
import { alibabaIceRequest } from './requests/alibaba-ice.ts';
import { awsMediaConnectRequest } from './requests/aws-mediaconnect.ts';
import { huaweiLiveRequest } from './requests/huawei-live.ts';
import { volcengineLiveRequest } from './requests/volcengine-live.ts';

export { alibabaCamsRequest, alibabaIceRequest, awsMediaConnectRequest, huaweiLiveRequest, volcengineLiveRequest };

/** The five vendors this project knows. */
export const VENDOR_IDS = [
  'aws-mediaconnect',
  'alibaba-ice',
  'alibaba-cams',
  'huawei-live',
  'volcengine-live',
] as const;
export type VendorId = (typeof VENDOR_IDS)[number];

// --- the union ----------------------------------------------------------------------------------------------------

/**
 * The v1 request. Vendors whose pipeline has not landed yet are not members, so a request for them is rejected at
 * the dispatcher with a clear message instead of failing at a vendor.
 */
export const provisionRequest = z.discriminatedUnion('vendor', [
  awsMediaConnectRequest,
  alibabaIceRequest,
  alibabaCamsRequest,
  huaweiLiveRequest,
  volcengineLiveRequest,
]);

export type ProvisionRequest = z.output<typeof provisionRequest>;
export type ProvisionRequestInput = z.input<typeof provisionRequest>;
export type AwsMediaConnectRequest = z.output<typeof awsMediaConnectRequest>;
export type HuaweiLiveRequest = z.output<typeof huaweiLiveRequest>;
export type VolcengineLiveRequest = z.output<typeof volcengineLiveRequest>;
export type AlibabaIceRequest = z.output<typeof alibabaIceRequest>;
export type AlibabaCamsRequest = z.output<typeof alibabaCamsRequest>;

/** Vendors the pipeline accepts today (the union's members). */
export const SUPPORTED_VENDORS: readonly VendorId[] = provisionRequest.options.map((o) => o.shape.vendor.value);

export type ParseResult = { ok: true; request: ProvisionRequest } | { ok: false; issues: string[] };

/**
 * Parses a raw SQS body: size, JSON syntax, then the schema. Every problem is listed with its path, so an upstream
 * team can fix a message from the DLQ record alone.
 */
export function parseRequestBody(body: string): ParseResult {
  const json = parseBodyJson(body);
  return json.ok ? parseRequest(json.value) : json;
}

/** The size and JSON-syntax checks every queued message gets before its schema. */
export function parseBodyJson(body: string): { ok: true; value: unknown } | { ok: false; issues: string[] } {
  const size = Buffer.byteLength(body, 'utf8');
  if (size > LIMITS.maxMessageBytes) {
    return { ok: false, issues: [`message is ${size} bytes; the limit is ${LIMITS.maxMessageBytes}`] };
  }
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (error) {
    return { ok: false, issues: [`body is not JSON: ${(error as Error).message}`] };
  }
}

/** Validates an already-parsed JSON value against the contract. */
export function parseRequest(value: unknown): ParseResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, issues: ['body must be a JSON object'] };
  }
  const vendor = (value as Record<string, unknown>).vendor;
  if (typeof vendor === 'string' && !SUPPORTED_VENDORS.includes(vendor as VendorId)) {
    const known = (VENDOR_IDS as readonly string[]).includes(vendor);
    return {
      ok: false,
      issues: [
        known
          ? `vendor: "${vendor}" is not supported by this deployment yet (supported: ${SUPPORTED_VENDORS.join(', ')})`
          : `vendor: unknown vendor "${truncate(vendor, 40)}" (expected one of: ${SUPPORTED_VENDORS.join(', ')})`,
      ],
    };
  }
  const result = provisionRequest.safeParse(value);
  if (result.success) return { ok: true, request: result.data };
  return { ok: false, issues: formatIssues(result.error) };
}

/** `path: message` per issue, deterministic order, bounded so a hostile message cannot blow up a DLQ attribute. */
export function formatIssues(error: z.ZodError): string[] {
  const lines = error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
    return `${path}: ${issue.message}`;
  });
  return lines.length > 50 ? [...lines.slice(0, 50), `... and ${lines.length - 50} more`] : lines;
}

function truncate(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}
