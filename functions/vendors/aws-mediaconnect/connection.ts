/**
 * MediaConnect's answers → where to connect. CreateFlow and DescribeFlow answer the flow's `Source` with the ingest IP
 * MediaConnect assigned, the port and the allow-list; GrantFlowEntitlements answers each entitlement's ARN and
 * subscribers (https://docs.aws.amazon.com/mediaconnect/latest/api/v1-flows.html,
 * https://docs.aws.amazon.com/mediaconnect/latest/api/v1-flows-flowarn-entitlements.html). Nothing here is a secret:
 * a source's decryption settings are never read.
 */
import { z } from 'zod';
import { type ConnectionIngest, type ConnectionOutput, compact, type FlowConnection } from '../../domain/flow-event.ts';

/** Protocols where MediaConnect fetches the stream from the sender instead of listening for it. */
const PULL_PROTOCOLS = new Set(['srt-caller', 'zixi-pull']);

const source = z.object({
  SourceArn: z.string().optional(),
  EntitlementArn: z.string().optional(),
  IngestIp: z.string().optional(),
  IngestPort: z.number().int().optional(),
  WhitelistCidr: z.string().optional(),
  Transport: z
    .object({
      Protocol: z.string().optional(),
      SourceListenerAddress: z.string().optional(),
      SourceListenerPort: z.number().int().optional(),
    })
    .optional(),
});
const entitlement = z.object({
  EntitlementArn: z.string().min(1),
  Name: z.string().min(1),
  Subscribers: z.array(z.string()).optional(),
});
const flow = z.object({
  Source: source.optional(),
  Entitlements: z.array(entitlement).optional(),
  EgressIp: z.string().optional(),
  AvailabilityZone: z.string().optional(),
});
const flowAnswer = z.object({ Flow: flow });

/** The flow's connection from a CreateFlow or DescribeFlow answer; `undefined` when the answer has no `Flow`. */
export function awsFlowConnection(answer: unknown): FlowConnection | undefined {
  const parsed = flowAnswer.safeParse(answer);
  if (!parsed.success) return undefined;
  const { Source, Entitlements, EgressIp, AvailabilityZone } = parsed.data.Flow;
  return compact({
    ingest: Source ? awsIngest(Source) : undefined,
    outputs: (Entitlements ?? []).map(awsEntitlementOutput),
    vendorDetail: compact({
      sourceArn: Source?.SourceArn,
      sourceEntitlementArn: Source?.EntitlementArn,
      egressIp: EgressIp,
      availabilityZone: AvailabilityZone,
    }),
  });
}

function awsIngest(s: z.output<typeof source>): ConnectionIngest | undefined {
  if (s.EntitlementArn && !s.IngestIp) return undefined; // an entitled source: the video comes from another flow
  const protocol = s.Transport?.Protocol;
  const pull = protocol !== undefined && PULL_PROTOCOLS.has(protocol);
  return compact({
    protocol,
    host: pull ? s.Transport?.SourceListenerAddress : s.IngestIp,
    port: pull ? s.Transport?.SourceListenerPort : s.IngestPort,
    allowedCidrs: s.WhitelistCidr ? [s.WhitelistCidr] : undefined,
    mode: protocol === undefined ? undefined : pull ? ('pull' as const) : ('push' as const),
  });
}

/** One granted entitlement as an output: the ARN a subscriber's flow names as its source, and who may. */
export function awsEntitlementOutput(e: z.input<typeof entitlement>): ConnectionOutput {
  return {
    name: e.Name,
    ...compact({
      entitlementArn: e.EntitlementArn,
      subscribers: e.Subscribers && e.Subscribers.length > 0 ? e.Subscribers : undefined,
    }),
  };
}
