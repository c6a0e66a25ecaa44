/**
 * The Huawei Cloud Live StreamConnect request (docs/vendors/huawei-live.md, "Operations"): the vendor's documented
 * parameters, our names.
 */
import { z } from 'zod';
import {
  HUAWEI_MAX_OUTPUTS,
  huaweiName,
  huaweiRegion,
  huaweiSourceKeyType,
} from '../../vendors/huawei-live/constraints.ts';
import { LIMITS } from '../config.ts';
import { common, ipv4Cidr, text } from './fields.ts';

/** Huawei reserves these two ports for itself (FlowSource `source_listener_port`: "2077/2088不可选"). */
const huaweiPort = z
  .number()
  .int()
  .min(1)
  .max(65535)
  .refine((port) => port !== 2077 && port !== 2088, 'ports 2077 and 2088 are reserved by Huawei');

/** FlowSourceDecryption, also used as an output's encryption. */
const huaweiEncryption = z.strictObject({
  keyType: z.enum(['speke', 'static-key', 'srt-password']),
  passphrase: z.string().min(1).max(256).optional(),
  algorithm: z.enum(['aes128', 'aes192', 'aes256']).optional(),
});
const huaweiSourceDecryption = huaweiEncryption.extend({ keyType: huaweiSourceKeyType });

/** Output latency bounds as documented (min 10, max 15000 ms, default 2000); applied to sources too. */
const huaweiLatency = z.number().int().min(10).max(15_000);

/** Huawei keeps at most 20 CIDRs per allow-list (FlowsOutput `cidr_whitelist`). */
const huaweiCidrs = z.array(ipv4Cidr).min(1).max(20);

const huaweiSource = z
  .strictObject({
    name: huaweiName('source', 64),
    protocol: z.enum(['srt-caller', 'srt-listener']),
    /** Where an `srt-caller` source pulls from (`source_listener_address`). */
    sourceListenerAddress: text(255).optional(),
    sourceListenerPort: huaweiPort.optional(),
    /** SRT stream id for pulling (`stream_id`). */
    streamId: text(512).optional(),
    minLatency: huaweiLatency.optional(),
    /** Who may push to an `srt-listener` source (`cidr_whitelist`). */
    cidrWhitelist: huaweiCidrs.optional(),
    description: text(128).optional(),
    decryption: huaweiSourceDecryption.optional(),
  })
  .superRefine((source, ctx) => {
    if (source.protocol !== 'srt-caller') return;
    for (const field of ['sourceListenerAddress', 'sourceListenerPort'] as const) {
      if (source[field] === undefined)
        ctx.addIssue({ code: 'custom', path: [field], message: 'required for srt-caller' });
    }
  });

/** What Huawei offers instead of entitlements: a flow output (CreateFlowOutput, AddFlowOutputsRequest). */
const huaweiOutput = z
  .strictObject({
    name: huaweiName('output', 64),
    protocol: z.enum(['srt-listener', 'srt-caller']),
    /** Push target of an `srt-caller` output, IP or domain, at most 64 characters. */
    destination: z.string().min(1).max(64).optional(),
    port: huaweiPort.optional(),
    cidrWhitelist: huaweiCidrs.optional(),
    encryption: huaweiEncryption.optional(),
    outputStatus: z.enum(['ENABLED', 'DISABLED']).optional(),
    streamId: text(512).optional(),
    description: text(256).optional(),
    minLatency: huaweiLatency.optional(),
  })
  .superRefine((output, ctx) => {
    if (output.protocol !== 'srt-caller') return;
    for (const field of ['destination', 'port'] as const) {
      if (output[field] === undefined)
        ctx.addIssue({ code: 'custom', path: [field], message: 'required for srt-caller' });
    }
  });

/** Adds an issue for every repeated `name` in a list. */
function uniqueNames(what: string) {
  return (items: readonly { name: string }[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      if (seen.has(item.name))
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `${what} names must be unique` });
      seen.add(item.name);
    });
  };
}

export const huaweiLiveRequest = z.strictObject({
  ...common,
  vendor: z.literal('huawei-live'),
  region: huaweiRegion,
  flow: z.strictObject({
    /** Our name; the Huawei flow name adds the request identity (`functions/vendors/alibaba/flow-name.ts`). */
    name: huaweiName('flow', LIMITS.maxFlowNameLength),
    /** CreateFlows `sources` (at least one; two for failover). */
    sources: z.array(huaweiSource).min(1).max(2).superRefine(uniqueNames('source')),
  }),
  /** Huawei outputs (POST .../flows/outputs): Huawei Live has no entitlement API, an output is how a consumer gets the stream. */
  entitlements: z
    .array(huaweiOutput)
    .max(HUAWEI_MAX_OUTPUTS, `a Huawei flow has at most ${HUAWEI_MAX_OUTPUTS} outputs`)
    .default([])
    .superRefine(uniqueNames('output')),
});
