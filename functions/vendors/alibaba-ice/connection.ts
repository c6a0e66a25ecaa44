/**
 * ICE's answers → where to connect. AddMediaConnectFlowInput answers the input's `InputUrl` and
 * AddMediaConnectFlowOutput each output's `OutputUrl`
 * (https://www.alibabacloud.com/help/en/ims/developer-reference/api-ice-2020-11-09-addmediaconnectflowinput,
 * https://www.alibabacloud.com/help/en/ims/developer-reference/api-ice-2020-11-09-addmediaconnectflowoutput,
 * docs/vendors/alibaba-ice.md); GetMediaConnectFlowInput
 * answers the same input for a flow whose create answer is gone. SRT passphrases are request fields and never copied;
 * the URLs pass `safeUrl`, which drops any credential a URL may carry.
 */
import { z } from 'zod';
import type { AlibabaIceRequest } from '../../domain/contract.ts';
import { type ConnectionIngest, type ConnectionOutput, compact, hostPortOf, safeUrl } from '../../domain/flow-event.ts';

/** Where the flow listens (the sender or consumer connects to the URL) versus where it fetches or sends. */
const LISTENING = new Set(['RTMP-PUSH', 'SRT-Listener']);
const CALLING_INPUT = new Set(['RTMP-PULL', 'SRT-Caller']);
const PULL_OUTPUT = new Set(['RTMP-PULL', 'SRT-Listener']);

export const iceUrlAnswer = z.object({
  InputUrl: z.string().min(1).optional(),
  OutputUrl: z.string().min(1).optional(),
});
export const iceInputAnswer = z.object({
  InputName: z.string().min(1),
  InputProtocol: z.string().min(1).optional(),
  InputUrl: z.string().min(1).optional(),
});

/** The ingest side from the input's protocol and the URL ICE answered. */
export function iceIngest(
  input: Pick<AlibabaIceRequest['flow']['input'], 'cidrs'> & { protocol: string },
  inputUrl: string | undefined,
): ConnectionIngest {
  const url = inputUrl ? safeUrl(inputUrl) : undefined;
  return compact({
    protocol: input.protocol,
    url,
    ...hostPortOf(url),
    allowedCidrs: input.cidrs && input.cidrs.length > 0 ? input.cidrs : undefined,
    mode: LISTENING.has(input.protocol) ? 'push' : CALLING_INPUT.has(input.protocol) ? 'pull' : undefined,
  } as const);
}

/** One output as a consumer reaches it. */
export function iceOutput(
  output: Pick<AlibabaIceRequest['entitlements'][number], 'name' | 'protocol' | 'cidrs'>,
  outputUrl: string | undefined,
): ConnectionOutput {
  const url = outputUrl ? safeUrl(outputUrl) : undefined;
  return {
    name: output.name,
    ...compact({
      protocol: output.protocol,
      url,
      ...hostPortOf(url),
      allowedCidrs: output.cidrs && output.cidrs.length > 0 ? output.cidrs : undefined,
      mode: PULL_OUTPUT.has(output.protocol) ? 'pull' : output.protocol === 'Flow' ? undefined : 'push',
    } as const),
  };
}
