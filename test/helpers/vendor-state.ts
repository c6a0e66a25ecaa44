/**
 * The vendors' own view of what exists: every resource an emulator holds, with the request it belongs to as the
 * vendor can tell it (tag, name or description marker). Reliability and get-or-create tests judge by this, never by
 * what the pipeline believes it made.
 */
import type { VendorId } from '../../functions/domain/contract.ts';
import { vendorFlowName } from '../../functions/vendors/alibaba/flow-name.ts';
import { huaweiIdentityMarker } from '../../functions/vendors/huawei-live/client.ts';
import { REQUEST_ID_TAG } from '../../functions/vendors/types.ts';
import type { RunningAlibabaEmulator } from '../../local/emulators/alibaba.ts';
import type { RunningAwsMediaConnectEmulator } from '../../local/emulators/aws-mediaconnect.ts';
import type { RunningEmulator } from '../../local/emulators/common.ts';
import type { RunningHuaweiLiveEmulator } from '../../local/emulators/huawei-live.ts';
import type { RunningVolcengineLiveEmulator } from '../../local/emulators/volcengine-live.ts';

/** One flow (or the vendor's nearest thing) as the emulator holds it. */
export interface VendorResource {
  readonly vendor: VendorId;
  /** The vendor's id (ARN, flow id, group name). */
  readonly id: string;
  /** The requestId the resource carries, `undefined` when it carries none we know. */
  readonly owner: string | undefined;
  /** Running as the vendor reports it (ACTIVE, online, PUBLISHED, 生效中). */
  readonly running: boolean;
  /** Entitlements or outputs on it. */
  readonly shares: number;
  /** Whether all its parts exist (ICE: the input; Volcengine: exactly one task in the group). */
  readonly complete: boolean;
}

/** The part of a request the vendor-side identity derives from. */
export interface RequestIdentity {
  readonly requestId: string;
  readonly flow: { readonly name: string };
}

export function vendorResources(
  vendor: VendorId,
  emulator: RunningEmulator,
  requests: readonly RequestIdentity[] = [],
): VendorResource[] {
  // Vendors whose identity is in the name: the name → requestId map of the requests we know.
  const byName = new Map(requests.map((r) => [vendorFlowName(r.flow.name, r.requestId), r.requestId]));
  switch (vendor) {
    case 'aws-mediaconnect':
      return (emulator as RunningAwsMediaConnectEmulator).flows().map((f) => ({
        vendor,
        id: f.flowArn,
        owner: f.tags[REQUEST_ID_TAG],
        running: f.status === 'ACTIVE',
        shares: f.entitlements.length,
        complete: true,
      }));
    case 'alibaba-ice':
      return (emulator as RunningAlibabaEmulator).iceFlows().map((f) => ({
        vendor,
        id: f.flowId,
        owner: byName.get(f.name),
        running: f.status === 'online',
        shares: f.outputs.length,
        complete: f.input !== undefined,
      }));
    case 'alibaba-cams':
      return (emulator as RunningAlibabaEmulator).camsFlows().map((f) => ({
        vendor,
        id: f.flowId,
        owner: byName.get(f.name),
        running: f.status === 'PUBLISHED',
        shares: 0,
        complete: true,
      }));
    case 'huawei-live':
      return (emulator as RunningHuaweiLiveEmulator).flows().map((f) => {
        const owner = byName.get(f.name);
        const marked =
          owner !== undefined &&
          f.sources.some((s) => String(s.description ?? '').includes(huaweiIdentityMarker(owner)));
        return {
          vendor,
          id: f.flowId,
          owner: marked ? owner : undefined,
          running: f.status === 'ACTIVE',
          shares: f.outputs.length,
          complete: true,
        };
      });
    case 'volcengine-live': {
      const running = emulator as RunningVolcengineLiveEmulator;
      const tasks = running.tasks();
      return running.groups().map((g) => {
        const own = tasks.filter((t) => t.groupName === g.name);
        return {
          vendor,
          id: g.name,
          owner: g.tags.find((t) => t.Key === REQUEST_ID_TAG)?.Value,
          running: own.some((t) => t.status === '生效中'),
          shares: 0,
          complete: own.length === 1,
        };
      });
    }
  }
}

/** Resources grouped by the request they belong to (`undefined`: carries no identity we know). */
export function resourcesByOwner(resources: readonly VendorResource[]): Map<string | undefined, VendorResource[]> {
  const grouped = new Map<string | undefined, VendorResource[]>();
  for (const resource of resources) {
    const list = grouped.get(resource.owner) ?? [];
    list.push(resource);
    grouped.set(resource.owner, list);
  }
  return grouped;
}
