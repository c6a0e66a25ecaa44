/**
 * The Alibaba Cloud ICE MediaConnect request (docs/vendors/alibaba-ice.md, "Operations"): the vendor's documented
 * parameters, our names.
 */
import { z } from 'zod';
import { checkIceRtmpOutputs, iceRegion } from '../../vendors/alibaba-ice/constraints.ts';
import { LIMITS } from '../config.ts';
import { common, ipv4Cidr, resourceName, text } from './fields.ts';

/** MediaConnect input/output protocols (AddMediaConnectFlowInput/Output `InputProtocol`/`OutputProtocol`). */
export const ICE_PROTOCOLS = ['RTMP-PUSH', 'RTMP-PULL', 'SRT-Listener', 'SRT-Caller', 'Flow'] as const;
/** ICE allows at most 4 outputs per flow. */
export const ICE_MAX_OUTPUTS = 4;

const streamUrl = z
  .string()
  .max(1024)
  .regex(/^(rtmp|rtmps|srt):\/\/\S+$/, 'must be an rtmp://, rtmps:// or srt:// URL');

const srtOptions = {
  /** SRT latency in ms (`SrtLatency`). */
  srtLatency: z.number().int().min(0).max(60_000).optional(),
  /** SRT passphrase (`SrtPassphrase`); SRT requires 10–79 characters. */
  srtPassphrase: z.string().min(10).max(79).optional(),
  /** SRT key length (`SrtPbkeyLen`). */
  srtPbkeyLen: z.enum(['0', '16', '24', '32']).optional(),
};

/** Cross-field rules the ICE docs state per protocol; each problem names the field to fix. */
function checkIceEndpoint(
  value: { protocol: (typeof ICE_PROTOCOLS)[number]; pairFlowId?: string | undefined } & Record<string, unknown>,
  ctx: z.RefinementCtx,
  rules: { urlField: string; urlNeededFor: readonly string[]; pairNameField: string },
): void {
  if (rules.urlNeededFor.includes(value.protocol) && value[rules.urlField] === undefined) {
    ctx.addIssue({ code: 'custom', path: [rules.urlField], message: `required for protocol ${value.protocol}` });
  }
  if (value.protocol === 'Flow') {
    for (const field of ['pairFlowId', rules.pairNameField]) {
      if (value[field] === undefined)
        ctx.addIssue({ code: 'custom', path: [field], message: 'required for protocol Flow' });
    }
  }
  if (!value.protocol.startsWith('SRT-')) {
    for (const field of Object.keys(srtOptions)) {
      if (value[field] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `only applies to SRT protocols, not ${value.protocol}`,
        });
      }
    }
  }
}

const iceInput = z
  .strictObject({
    name: resourceName(64),
    protocol: z.enum(ICE_PROTOCOLS),
    /** Where the flow pulls from (`InputFromUrl`): needed for RTMP-PULL and SRT-Caller. */
    fromUrl: streamUrl.optional(),
    /** Allow-list of sources (`Cidrs`, sent comma-separated). */
    cidrs: z.array(ipv4Cidr).min(1).max(50).optional(),
    /** Bit/s (`MaxBitrate`). */
    maxBitrate: z.number().int().positive().optional(),
    /** `Flow` type: the upstream flow and its output (`PairFlowId`, `PairOutputName`). */
    pairFlowId: text(64).optional(),
    pairOutputName: resourceName(64).optional(),
    ...srtOptions,
  })
  .superRefine((input, ctx) =>
    checkIceEndpoint(input, ctx, {
      urlField: 'fromUrl',
      urlNeededFor: ['RTMP-PULL', 'SRT-Caller'],
      pairNameField: 'pairOutputName',
    }),
  );

/** What ICE offers instead of entitlements: an output (AddMediaConnectFlowOutput). */
const iceOutput = z
  .strictObject({
    name: resourceName(64),
    protocol: z.enum(ICE_PROTOCOLS),
    /** Where the flow pushes to (`OutputToUrl`): needed for RTMP-PUSH and SRT-Caller. */
    toUrl: streamUrl.optional(),
    /** `Flow` type: cascade into another flow's input (`PairFlowId`, `PairInputName`). */
    pairFlowId: text(64).optional(),
    pairInputName: resourceName(64).optional(),
    /** Concurrent viewers of a pull output (`PlayerLimit`); ICE serves at most five per output. */
    playerLimit: z.number().int().min(1).max(5).optional(),
    /** Allow-list of consumers (`Cidrs`, sent comma-separated). */
    cidrs: z.array(ipv4Cidr).min(1).max(50).optional(),
    ...srtOptions,
  })
  .superRefine((output, ctx) =>
    checkIceEndpoint(output, ctx, {
      urlField: 'toUrl',
      urlNeededFor: ['RTMP-PUSH', 'SRT-Caller'],
      pairNameField: 'pairInputName',
    }),
  );

export const alibabaIceRequest = z
  .strictObject({
    ...common,
    vendor: z.literal('alibaba-ice'),
    region: iceRegion,
    flow: z.strictObject({
      /** Our name; the vendor flow name adds the request identity (`functions/vendors/alibaba/flow-name.ts`). */
      name: resourceName(LIMITS.maxFlowNameLength),
      input: iceInput,
    }),
    /** ICE outputs: handed to consumers as pull URLs or cascades (ICE has no cross-account entitlement). */
    entitlements: z
      .array(iceOutput)
      .max(ICE_MAX_OUTPUTS, `an ICE flow has at most ${ICE_MAX_OUTPUTS} outputs`)
      .default([])
      .superRefine((outputs, ctx) => {
        const seen = new Set<string>();
        outputs.forEach((output, i) => {
          if (seen.has(output.name)) {
            ctx.addIssue({ code: 'custom', path: [i, 'name'], message: 'output names must be unique within a flow' });
          }
          seen.add(output.name);
        });
      }),
  })
  .superRefine(checkIceRtmpOutputs);
