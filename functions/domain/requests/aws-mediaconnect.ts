/**
 * The AWS Elemental MediaConnect request (docs/vendors/aws-mediaconnect.md, "Operations"): the vendor's documented
 * parameters, our names.
 */
import { z } from 'zod';
import {
  AWS_MAX_ENTITLEMENTS,
  awsFlowTags,
  uniqueEntitlementNames,
} from '../../vendors/aws-mediaconnect/constraints.ts';
import { LIMITS } from '../config.ts';
import { common, ipv4Cidr, resourceName, text } from './fields.ts';

const awsSource = z.strictObject({
  name: resourceName(64),
  protocol: z.enum([
    'zixi-push',
    'rtp-fec',
    'rtp',
    'zixi-pull',
    'rist',
    'st2110-jpegxs',
    'cdi',
    'srt-listener',
    'srt-caller',
    'udp',
    'ndi-speed-hq',
  ]),
  ingestPort: z.number().int().min(1).max(65535).optional(),
  whitelistCidr: ipv4Cidr.optional(),
  maxBitrate: z.number().int().positive().optional(),
  maxLatency: z.number().int().min(0).max(60000).optional(),
  minLatency: z.number().int().min(0).max(60000).optional(),
  streamId: text(128).optional(),
  sourceListenerAddress: text(255).optional(),
  sourceListenerPort: z.number().int().min(1).max(65535).optional(),
  description: text(256).optional(),
});

const awsEntitlement = z.strictObject({
  name: resourceName(64),
  /** AWS account ids allowed to build a flow from this content. */
  subscribers: z
    .array(z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'))
    .min(1)
    .max(LIMITS.maxSubscribers),
  description: text(256).optional(),
  dataTransferSubscriberFeePercent: z.number().int().min(0).max(100).optional(),
  entitlementStatus: z.enum(['ENABLED', 'DISABLED']).optional(),
});

export const awsMediaConnectRequest = z.strictObject({
  ...common,
  vendor: z.literal('aws-mediaconnect'),
  flow: z.strictObject({
    name: resourceName(LIMITS.maxFlowNameLength),
    source: awsSource,
    availabilityZone: z
      .string()
      .regex(/^[a-z0-9-]+[a-z]$/)
      .optional(),
    flowSize: z.enum(['MEDIUM', 'LARGE', 'LARGE_4X']).optional(),
    tags: awsFlowTags.optional(),
  }),
  entitlements: z
    .array(awsEntitlement)
    .max(AWS_MAX_ENTITLEMENTS, `MediaConnect allows at most ${AWS_MAX_ENTITLEMENTS} entitlements per flow`)
    .default([])
    .superRefine(uniqueEntitlementNames),
});
