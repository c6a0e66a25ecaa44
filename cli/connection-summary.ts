/**
 * One line per provisioned flow saying where to connect, for `flowctl local`'s summary and `flowctl status`: the
 * ingest address, each output or entitlement, and what only the vendor's own words describe.
 */
import type { ConnectionIngest, ConnectionOutput, FlowConnection } from '../functions/domain/flow-event.ts';

export function describeConnection(connection: FlowConnection | null | undefined): string {
  if (!connection) return 'no connection details';
  const parts: string[] = [];
  if (connection.ingest) parts.push(`ingest ${endpoint(connection.ingest)}`);
  for (const output of connection.outputs ?? []) parts.push(`output ${output.name} ${endpoint(output)}`);
  const detail = Object.entries(connection.vendorDetail ?? {}).map(([key, value]) => `${key}=${String(value)}`);
  if (detail.length > 0) parts.push(detail.join(' '));
  if (connection.unavailable) parts.push(`(addresses unavailable: ${connection.unavailable})`);
  return parts.length > 0 ? parts.join('; ') : 'no connection details';
}

function endpoint(side: ConnectionIngest | ConnectionOutput): string {
  const where =
    side.url ?? (side.host ? `${side.host}${side.port !== undefined ? `:${side.port}` : ''}` : undefined) ?? '';
  const bits = [
    side.mode ? `${side.mode}` : undefined,
    side.protocol,
    where || undefined,
    side.allowedCidrs ? `from ${side.allowedCidrs.join(',')}` : undefined,
    'entitlementArn' in side && side.entitlementArn ? side.entitlementArn : undefined,
    'subscribers' in side && side.subscribers ? `for ${side.subscribers.join(',')}` : undefined,
  ].filter((b): b is string => b !== undefined);
  return bits.join(' ');
}
