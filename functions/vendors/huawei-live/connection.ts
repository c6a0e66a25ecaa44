/**
 * Huawei's answers → where to connect. CreateFlows and ShowFlowDetail answer the flow's `sources` (protocol, listener
 * address and port, allow-list); CreateFlowOutput answers every output of the flow with its `listener_address` and
 * `port` (docs/vendors/huawei-live.md). Sources and
 * outputs may echo their `decryption` / `encryption` settings: those carry the SRT passphrase and are never read.
 */
import { z } from 'zod';
import type { HuaweiLiveRequest } from '../../domain/contract.ts';
import { type ConnectionIngest, type ConnectionOutput, compact } from '../../domain/flow-event.ts';

const source = z.object({
  protocol: z.string().optional(),
  source_listener_address: z.string().optional(),
  source_listener_port: z.number().int().optional(),
  listener_address: z.string().optional(),
  cidr_whitelist: z.array(z.string()).optional(),
});
const output = z.object({
  name: z.string().min(1),
  protocol: z.string().optional(),
  listener_address: z.string().optional(),
  destination: z.string().optional(),
  port: z.number().int().optional(),
  cidr_whitelist: z.array(z.string()).optional(),
});
export const huaweiSourcesAnswer = z.object({ sources: z.array(source).optional() });
export const huaweiOutputsAnswer = z.object({ outputs: z.array(output).default([]) });

const cidrs = (list: string[] | undefined) => (list && list.length > 0 ? list : undefined);

/** The ingest side from the first source of a flow detail (`srt-caller`: the flow pulls from the address). */
export function huaweiIngest(detail: unknown): ConnectionIngest | undefined {
  const first = huaweiSourcesAnswer.safeParse(detail).data?.sources?.[0];
  if (!first) return undefined;
  const caller = first.protocol === 'srt-caller';
  const ingest = compact({
    protocol: first.protocol,
    host: caller ? first.source_listener_address : first.listener_address,
    port: first.source_listener_port,
    allowedCidrs: cidrs(first.cidr_whitelist),
    mode: first.protocol === undefined ? undefined : caller ? 'pull' : 'push',
  } as const);
  return Object.keys(ingest).length > 0 ? ingest : undefined;
}

/**
 * The request's outputs as a consumer reaches them, from the CreateFlowOutput answer when there is one (an
 * `srt-listener` output: the consumer pulls from `listener_address:port`; `srt-caller`: Huawei pushes to
 * `destination:port`), else from the request alone.
 */
export function huaweiOutputs(
  wanted: readonly HuaweiLiveRequest['entitlements'][number][],
  answer: unknown,
): ConnectionOutput[] {
  const answered = new Map((huaweiOutputsAnswer.safeParse(answer).data?.outputs ?? []).map((o) => [o.name, o]));
  return wanted.map((w) => {
    const a = answered.get(w.name);
    const listener = w.protocol === 'srt-listener';
    return {
      name: w.name,
      ...compact({
        protocol: w.protocol,
        host: listener ? a?.listener_address : (a?.destination ?? w.destination),
        port: a?.port ?? w.port,
        allowedCidrs: cidrs(a?.cidr_whitelist ?? w.cidrWhitelist),
        mode: listener ? 'pull' : 'push',
      } as const),
    };
  });
}
