/**
 * The Alibaba Cloud CAMS Flow request (docs/vendors/alibaba-cams.md, "Operations"): the vendor's documented
 * parameters, our names.
 */
import { z } from 'zod';
import { checkCamsPublish } from '../../vendors/alibaba-cams/constraints.ts';
import { LIMITS } from '../config.ts';
import { common, resourceName } from './fields.ts';

/**
 * WhatsApp Flow categories (CreateFlow `Categories`). The CAMS page enumerates WhatsApp's list (CUSTOMER_SUPPORT,
 * OTHER, ...); this is Meta's published list, which CAMS relays.
 */
export const CAMS_FLOW_CATEGORIES = [
  'SIGN_UP',
  'SIGN_IN',
  'APPOINTMENT_BOOKING',
  'LEAD_GENERATION',
  'CONTACT_US',
  'CUSTOMER_SUPPORT',
  'SURVEY',
  'OTHER',
] as const;

/** CAMS's Flow APIs are served from Singapore only (`cams.ap-southeast-1.aliyuncs.com`). */
export const CAMS_REGION = 'ap-southeast-1';

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048);

export const alibabaCamsRequest = z
  .strictObject({
    ...common,
    vendor: z.literal('alibaba-cams'),
    region: z.literal(CAMS_REGION, { error: `CAMS Flow APIs are only served in ${CAMS_REGION}` }),
    flow: z.strictObject({
      /** Our name; the vendor flow name adds the request identity (`functions/vendors/alibaba/flow-name.ts`). */
      name: resourceName(LIMITS.maxFlowNameLength),
      categories: z
        .array(z.enum(CAMS_FLOW_CATEGORIES))
        .min(1)
        .max(CAMS_FLOW_CATEGORIES.length)
        .refine((c) => new Set(c).size === c.length, 'categories must not repeat'),
      /** ISV sub-customer space (`CustSpaceId`), sent with every Flow call. */
      custSpaceId: resourceName(64).optional(),
      /** Data endpoint of the WhatsApp Flow (`EndpointUri`). */
      endpointUri: httpUrl.optional(),
      /** The flow definition to upload after creation (UpdateFlowJSONAsset `FilePath`). */
      jsonAsset: z.strictObject({ filePath: httpUrl }).optional(),
    }),
    /** CAMS has nothing to share: "start" publishes the flow, and access is through the sending WhatsApp number. */
    entitlements: z
      .array(z.unknown())
      .max(
        0,
        'alibaba-cams flows cannot be shared: CAMS has no entitlement or output API (access is through the WhatsApp business number that sends the flow); omit "entitlements" or send []',
      )
      .default([]),
  })
  .superRefine(checkCamsPublish);
