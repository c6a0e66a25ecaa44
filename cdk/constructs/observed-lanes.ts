/**
 * The vendor lanes the alarms and the dashboard watch (docs/adr/0007-lanes.md): each lane's λ and, in queue mode, its
 * task queue and DLQ, in the order of the vendor's `budget.lanes`. The maps come as `VendorFunctions` exposes them
 * (`laneFunctions`, `laneTaskQueues`); this module checks them against the config and names each lane once, so that
 * every alarm and widget names it the same way.
 */
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { laneSuffix, type VendorConfig, type VendorLane, vendorLanes } from '../../functions/domain/config.ts';
import type { VendorId } from '../../functions/domain/contract.ts';
import { taskDeadLetterQueueName, taskQueueName } from '../naming.ts';

/** A lane's task queue and its DLQ, as the alarms and widgets watch them (`VendorTaskQueue` is one). */
export interface WatchedTaskQueue {
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
}

/** Every lane's λ by vendor and lane name (`VendorFunctions.laneFunctions`). */
export type LaneFunctions = Readonly<Partial<Record<VendorId, Readonly<Record<string, IFunction>>>>>;

/** Every lane's task queue by vendor and lane name (`VendorFunctions.laneTaskQueues`). */
export type LaneTaskQueues = Readonly<Partial<Record<VendorId, Readonly<Record<string, WatchedTaskQueue>>>>>;

/** One lane as the alarms and widgets see it. */
export interface ObservedLane {
  readonly vendor: VendorId;
  readonly lane: VendorLane;
  /** Whether it is the vendor's first lane, which keeps the vendor's own names and alarm ids. */
  readonly first: boolean;
  /**
   * Whether it is the only lane watched of its vendor (a vendor without lanes, or invoke mode): descriptions and
   * labels then name the vendor alone.
   */
  readonly only: boolean;
  /** `''` for the first lane, `-<lane>` for the others (`laneSuffix`): what the lane adds to names. */
  readonly suffix: string;
  /** What the alarm names add after the kind: `<vendor>` for the first lane, `<vendor>-<lane>` for the others. */
  readonly subject: string;
  /** The λ's line on the dashboard: the vendor, with the lane's name when the vendor has more than one. */
  readonly label: string;
  readonly fn: IFunction;
  /** Queue mode only. */
  readonly tasks?: WatchedTaskQueue & { readonly queueName: string; readonly deadLetterQueueName: string };
}

/**
 * The lanes of `vendors` present in `functions` (every lane in queue mode, the first in invoke mode), in config order.
 * Throws on a lane name the vendor does not declare, on a vendor without its first lane's λ, and on a queued vendor
 * whose λs and task queues are not of the same lanes.
 */
export function observedLanes(
  vendors: readonly VendorConfig[],
  functions: LaneFunctions,
  taskQueues: LaneTaskQueues | undefined,
): ObservedLane[] {
  return vendors.flatMap(({ vendor, budget }) => {
    const declared = vendorLanes(budget);
    const fns = functions[vendor] ?? {};
    const queues = taskQueues?.[vendor];
    const unknown = [...Object.keys(fns), ...Object.keys(queues ?? {})].filter(
      (name) => !declared.some((l) => l.name === name),
    );
    if (unknown.length > 0) {
      throw new Error(`Observability: ${vendor} declares no lane ${[...new Set(unknown)].join(', ')}`);
    }
    if (fns[declared[0]!.name] === undefined) {
      throw new Error(`Observability: no λ for the first lane (${declared[0]!.name}) of ${vendor}`);
    }
    const present = declared.filter((l) => fns[l.name] !== undefined);
    if (queues !== undefined) {
      const mismatched = declared.filter((l) => (fns[l.name] === undefined) !== (queues[l.name] === undefined));
      if (mismatched.length > 0) {
        throw new Error(
          `Observability: ${vendor} lanes ${mismatched.map((l) => l.name).join(', ')} have a λ or a task queue, not both`,
        );
      }
    }
    return present.map((lane, index): ObservedLane => {
      const suffix = laneSuffix(budget, lane.name);
      const tasks = queues?.[lane.name];
      return {
        vendor,
        lane,
        first: index === 0,
        only: present.length === 1,
        suffix,
        subject: `${vendor}${suffix}`,
        label: present.length === 1 ? vendor : `${vendor} ${lane.name}`,
        fn: fns[lane.name]!,
        ...(tasks
          ? {
              tasks: {
                ...tasks,
                queueName: taskQueueName(vendor, suffix),
                deadLetterQueueName: taskDeadLetterQueueName(vendor, suffix),
              },
            }
          : {}),
      };
    });
  });
}
