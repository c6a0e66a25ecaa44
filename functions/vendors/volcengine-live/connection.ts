/**
 * Volcengine's answers → where to connect. CreatePullToPushTask answers only `TaskId`; ListPullToPushTask answers each
 * task's `SrcAddr` (where Volcengine pulls the stream from) and `DstAddr` (where it pushes it), so the connection
 * comes from that read (docs/vendors/volcengine-live.md). Push URLs of
 * a CDN often carry an auth key in the query: `safeUrl` removes it.
 */
import { z } from 'zod';
import { type ConnectionOutput, compact, type FlowConnection, hostPortOf, safeUrl } from '../../domain/flow-event.ts';

export const volcengineTaskAddresses = z.object({
  TaskId: z.string().min(1),
  GroupName: z.string().optional(),
  SrcAddr: z.string().optional(),
  DstAddr: z.string().optional(),
  DstAddrType: z.number().int().optional(),
  VodSrcAddrs: z.array(z.object({ SrcAddr: z.string() })).nullish(),
});

const schemeOf = (url: string | undefined) =>
  url ? /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase() : undefined;

/** The task's connection from one ListPullToPushTask item. */
export function volcengineConnection(item: unknown, groupName: string): FlowConnection {
  const task = volcengineTaskAddresses.parse(item);
  const src = task.SrcAddr ?? task.VodSrcAddrs?.[0]?.SrcAddr;
  const source = src ? safeUrl(src) : undefined;
  const destination = task.DstAddr ? safeUrl(task.DstAddr) : undefined;
  const output: ConnectionOutput | undefined = destination
    ? {
        name: 'destination',
        ...compact({
          protocol: schemeOf(destination),
          url: destination,
          ...hostPortOf(destination),
          mode: 'push',
        } as const),
      }
    : undefined;
  return {
    ...(source
      ? { ingest: compact({ protocol: schemeOf(source), url: source, ...hostPortOf(source), mode: 'pull' } as const) }
      : {}),
    outputs: output ? [output] : [],
    vendorDetail: compact({ taskId: task.TaskId, groupName, dstAddrType: task.DstAddrType }),
  };
}
