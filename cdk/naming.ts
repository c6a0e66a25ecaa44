/** Names shared by the constructs, the stack and the tests. */
import type { VendorId } from '../functions/domain/contract.ts';

/** `FlowProvisioner-<stage>`: the stack of one stage (`cdk deploy -c stage=…`, `flowctl --stack`). */
export function stackName(stage: string): string {
  return `FlowProvisioner-${stage}`;
}

/** `aws-mediaconnect` → `AwsMediaconnect`: a vendor id as a PascalCase construct id. */
export function constructIdOf(vendor: VendorId): string {
  return vendor
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/**
 * `provision-flow-<vendor>`: a vendor's state machine locally; deployed, with the stage after it
 * (`cdk/physical-names.ts`).
 */
export function stateMachineName(vendor: VendorId): string {
  return `provision-flow-${vendor}`;
}

/**
 * `vendor-tasks-<vendor>`: the vendor's task queue in queue mode (deployed, with the stage and creation id after it);
 * a lane after the first adds its suffix (`laneSuffix` in `functions/domain/config.ts`: `-<lane>`).
 */
export function taskQueueName(vendor: VendorId, laneSuffix = ''): string {
  return `vendor-tasks-${vendor}${laneSuffix}`;
}

/** `vendor-tasks-<vendor>[-<lane>]-dlq`: work items the vendor λ could not answer the workflow for. */
export function taskDeadLetterQueueName(vendor: VendorId, laneSuffix = ''): string {
  return `${taskQueueName(vendor, laneSuffix)}-dlq`;
}

/** `flow-provisioner-<stage>`: the stage's custom event bus, where the outcome events go (the local stack: `local`). */
export function eventBusName(stage: string): string {
  return `flow-provisioner-${stage}`;
}
