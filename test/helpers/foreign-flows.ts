/**
 * A flow someone else made (a console user, another system): it carries no flow-provisioner request identity, and is
 * running where the vendor lets it run, so a teardown that wrongly acted on it would show. Made at the emulator the
 * way its vendor allows: MediaConnect through its own API (CreateFlow without our tag, then StartFlow), the others
 * through the emulators' out-of-band helpers.
 */
import { CreateFlowCommand, MediaConnectClient, StartFlowCommand } from '@aws-sdk/client-mediaconnect';
import type { VendorId } from '../../functions/domain/contract.ts';
import type { RunningAlibabaEmulator } from '../../local/emulators/alibaba.ts';
import type { RunningAwsMediaConnectEmulator } from '../../local/emulators/aws-mediaconnect.ts';
import type { RunningEmulator } from '../../local/emulators/common.ts';
import type { RunningHuaweiLiveEmulator } from '../../local/emulators/huawei-live.ts';
import type { RunningVolcengineLiveEmulator } from '../../local/emulators/volcengine-live.ts';

export interface ForeignFlow {
  readonly flowId: string;
  /** The vendor's status of the flow now, `undefined` once it is gone. */
  status(): string | undefined;
}

export interface ForeignFlowOptions {
  readonly region: string;
  /** Credentials the emulator accepts (the registry's `credentialsEnv`): MediaConnect's flow is made through its API. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** CAMS: the space the flow lives in. */
  readonly custSpaceId?: string;
}

export async function addForeignFlow(
  vendor: VendorId,
  emulator: RunningEmulator,
  { region, env, custSpaceId }: ForeignFlowOptions,
): Promise<ForeignFlow> {
  switch (vendor) {
    case 'aws-mediaconnect': {
      const aws = emulator as RunningAwsMediaConnectEmulator;
      const sdk = new MediaConnectClient({
        region,
        endpoint: aws.url,
        maxAttempts: 1,
        credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! },
      });
      try {
        const source = {
          Name: 'cam',
          Protocol: 'srt-listener' as const,
          IngestPort: 5000,
          WhitelistCidr: '10.0.0.0/16',
        };
        const created = await sdk.send(new CreateFlowCommand({ Name: 'someone-elses-feed', Source: source }));
        const flowArn = created.Flow!.FlowArn!;
        await sdk.send(new StartFlowCommand({ FlowArn: flowArn }));
        return { flowId: flowArn, status: () => aws.flows().find((f) => f.flowArn === flowArn)?.status };
      } finally {
        sdk.destroy();
      }
    }
    case 'alibaba-ice': {
      const alibaba = emulator as RunningAlibabaEmulator;
      const flowId = alibaba.seedIceFlow({ name: 'studio1', region, status: 'online' });
      return { flowId, status: () => alibaba.iceFlows().find((f) => f.flowId === flowId)?.status };
    }
    case 'alibaba-cams': {
      const alibaba = emulator as RunningAlibabaEmulator;
      const flowId = alibaba.seedCamsFlow({
        name: 'support',
        status: 'PUBLISHED',
        ...(custSpaceId ? { custSpaceId } : {}),
      });
      return { flowId, status: () => alibaba.camsFlows().find((f) => f.flowId === flowId)?.status };
    }
    case 'huawei-live': {
      const huawei = emulator as RunningHuaweiLiveEmulator;
      const sources = [{ name: 'cam', protocol: 'srt-listener', description: 'made in the console' }];
      const flowId = huawei.addFlow({ name: 'studio1', region, sources });
      return { flowId, status: () => huawei.flows().find((f) => f.flowId === flowId)?.status };
    }
    case 'volcengine-live': {
      const volc = emulator as RunningVolcengineLiveEmulator;
      volc.addGroup({ name: 'studio1', tags: [{ Key: 'team', Value: 'news' }] });
      const taskId = volc.addTask({ groupName: 'studio1', title: 'studio1' });
      return { flowId: `studio1:${taskId}`, status: () => volc.tasks().find((t) => t.taskId === taskId)?.status };
    }
  }
}
