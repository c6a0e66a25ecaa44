/**
 * The MediaConnect emulator's model: the service's quotas, request schemas, flow records, reply shape and routes
 * (https://docs.aws.amazon.com/mediaconnect/latest/api/resources.html). The service itself is `./aws-mediaconnect.ts`.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { type RawResponse, safeDecode } from './common.ts';

export const FLOW_QUOTA = 20;
export const ENTITLEMENTS_PER_FLOW = 50;
export const OUTPUTS_PER_FLOW = 50;
export const LIST_DEFAULT_PAGE = 10;
export const SERVICE = 'mediaconnect';

export const PROTOCOLS = [
  'zixi-push',
  'rtp-fec',
  'rtp',
  'zixi-pull',
  'rist',
  'st2110-jpegxs',
  'cdi',
  'srt-listener',
  'srt-caller',
  'fujitsu-qos',
  'udp',
  'ndi-speed-hq',
] as const;

export const sourceRequest = z.object({
  name: z.string().min(1).optional(),
  protocol: z.enum(PROTOCOLS).optional(),
  ingestPort: z.number().int().min(1).max(65535).optional(),
  whitelistCidr: z.string().optional(),
  maxBitrate: z.number().int().optional(),
  maxLatency: z.number().int().optional(),
  minLatency: z.number().int().optional(),
  streamId: z.string().optional(),
  sourceListenerAddress: z.string().optional(),
  sourceListenerPort: z.number().int().optional(),
  senderIpAddress: z.string().optional(),
  senderControlPort: z.number().int().optional(),
  description: z.string().optional(),
  entitlementArn: z.string().optional(),
  vpcInterfaceName: z.string().optional(),
});
export type SourceRequest = z.infer<typeof sourceRequest>;

export const grantRequest = z.object({
  subscribers: z.array(z.string()).min(1),
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  entitlementStatus: z.enum(['ENABLED', 'DISABLED']).optional(),
  dataTransferSubscriberFeePercent: z.number().int().min(0).max(100).optional(),
  encryption: z.looseObject({ roleArn: z.string() }).optional(),
});
export type GrantRequest = z.infer<typeof grantRequest>;

/** 50 tags per resource, `aws:` keys reserved (docs/vendors/aws-mediaconnect.md, "Constraints"). */
export const TAGS_PER_RESOURCE = 50;
export const tagMap = z
  .record(z.string().min(1).max(128), z.string().max(256))
  .refine((tags) => Object.keys(tags).length <= TAGS_PER_RESOURCE, `A resource has at most ${TAGS_PER_RESOURCE} tags.`)
  .refine(
    (tags) => !Object.keys(tags).some((k) => k.toLowerCase().startsWith('aws:')),
    'Tag keys starting with aws: are reserved.',
  );

export const createFlowRequest = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  availabilityZone: z.string().optional(),
  source: sourceRequest.optional(),
  sources: z.array(sourceRequest).min(1).max(2).optional(),
  outputs: z.array(z.unknown()).max(OUTPUTS_PER_FLOW).optional(),
  entitlements: z.array(grantRequest).max(ENTITLEMENTS_PER_FLOW).optional(),
  flowSize: z.enum(['MEDIUM', 'LARGE', 'LARGE_4X']).optional(),
  flowTags: tagMap.optional(),
});

export const grantFlowEntitlementsRequest = z.object({ entitlements: z.array(grantRequest).min(1) });
export const tagResourceRequest = z.object({ tags: tagMap });

export type FlowStatusValue = 'STANDBY' | 'STARTING' | 'ACTIVE' | 'STOPPING';

export interface EntitlementRecord {
  readonly entitlementArn: string;
  readonly name: string;
  readonly subscribers: string[];
  readonly description?: string;
  readonly entitlementStatus: 'ENABLED' | 'DISABLED';
  readonly dataTransferSubscriberFeePercent?: number;
  readonly encryption?: Record<string, unknown>;
}

export interface FlowRecord {
  readonly flowArn: string;
  readonly name: string;
  readonly region: string;
  readonly description?: string;
  readonly availabilityZone: string;
  readonly flowSize?: string;
  readonly egressIp: string;
  readonly sources: Record<string, unknown>[];
  readonly outputs: unknown[];
  readonly entitlements: EntitlementRecord[];
  readonly tags: Record<string, string>;
  status: FlowStatusValue;
  /** When STARTING becomes ACTIVE, or STOPPING becomes STANDBY. */
  settlesAt: number;
}

/** One answer of the service before it becomes HTTP. */
export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  /** Set on errors: the `x-amzn-ErrorType`. */
  readonly code?: string;
}

export const ok = (status: number, body?: unknown): Reply => ({ status, body });
export const fail = (status: number, code: string, message: string): Reply => ({ status, code, body: { message } });

export type Route =
  | { readonly operation: 'CreateFlow' | 'ListFlows' }
  | {
      readonly operation:
        | 'StartFlow'
        | 'StopFlow'
        | 'DescribeFlow'
        | 'DeleteFlow'
        | 'GrantFlowEntitlements'
        | 'TagResource'
        | 'ListTagsForResource'
        | 'UntagResource';
      readonly arn: string;
    };

/** Maps method + raw path to the operation; ARN segments are percent-decoded. */
export function matchRoute(method: string, path: string): Route | undefined {
  const segments = path.split('/').slice(1);
  const decoded = (s: string | undefined) => (s === undefined || s === '' ? undefined : safeDecode(s));
  if (segments[0] === 'v1' && segments[1] === 'flows') {
    const rest = segments.slice(2);
    if (rest.length === 0 || (rest.length === 1 && rest[0] === '')) {
      if (method === 'POST') return { operation: 'CreateFlow' };
      if (method === 'GET') return { operation: 'ListFlows' };
      return undefined;
    }
    if (rest.length === 2 && method === 'POST' && (rest[0] === 'start' || rest[0] === 'stop')) {
      const arn = decoded(rest[1]);
      return arn ? { operation: rest[0] === 'start' ? 'StartFlow' : 'StopFlow', arn } : undefined;
    }
    if (rest.length === 1) {
      const arn = decoded(rest[0]);
      if (!arn) return undefined;
      if (method === 'GET') return { operation: 'DescribeFlow', arn };
      if (method === 'DELETE') return { operation: 'DeleteFlow', arn };
      return undefined;
    }
    if (rest.length === 2 && rest[1] === 'entitlements' && method === 'POST') {
      const arn = decoded(rest[0]);
      return arn ? { operation: 'GrantFlowEntitlements', arn } : undefined;
    }
    return undefined;
  }
  if (segments[0] === 'tags' && segments.length === 2) {
    const arn = decoded(segments[1]);
    if (!arn) return undefined;
    if (method === 'POST') return { operation: 'TagResource', arn };
    if (method === 'GET') return { operation: 'ListTagsForResource', arn };
    if (method === 'DELETE') return { operation: 'UntagResource', arn };
  }
  return undefined;
}

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export function randomAlnum(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALNUM[byte % ALNUM.length];
  return out;
}

export function randomTestNetIp(): string {
  return `203.0.113.${1 + (randomBytes(1)[0]! % 254)}`;
}

export function zodMessage(error: z.ZodError): string {
  return error.issues
    .map((i) => (i.path.length > 0 ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}

export function toHttp(reply: Reply, requestId: string): RawResponse {
  const headers: Record<string, string> = { 'x-amzn-RequestId': requestId };
  if (reply.code !== undefined) headers['x-amzn-ErrorType'] = reply.code;
  return {
    status: reply.status,
    headers,
    ...(reply.body !== undefined ? { body: JSON.stringify(reply.body) } : {}),
  };
}
