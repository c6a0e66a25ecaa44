/**
 * Volcengine pull-to-push tasks in our words: their statuses, and the flow id that names a task within its group
 * (docs/vendors/volcengine-live.md, "Operations").
 */
import { InvalidRequestError } from '../../domain/errors.ts';
import { clip } from '../http-call.ts';
import type { FlowState } from '../types.ts';

/** The task statuses ListPullToPushTask(V2) reports, as Chinese strings. */
export const TASK_STATUS = {
  stopped: '停用',
  notStarted: '未开始',
  active: '生效中',
  ended: '已结束',
} as const;

/**
 * A task's status in our words: 生效中 → ACTIVE; 未开始 → SCHEDULED while its StartTime is ahead, STARTING once it has
 * passed (the vendor flips it shortly); 停用 (stopped by someone) and 已结束 (past EndTime) → ERROR.
 */
export function volcengineTaskState(status: string, startTimeMs: number | undefined, nowMs: number): FlowState {
  switch (status) {
    case TASK_STATUS.active:
      return 'ACTIVE';
    case TASK_STATUS.notStarted:
      return startTimeMs !== undefined && startTimeMs > nowMs ? 'SCHEDULED' : 'STARTING';
    default:
      return 'ERROR';
  }
}

/** `<group>:<task id>`: group names are Chinese characters, letters and digits, so `:` cannot occur in them. */
export function volcengineFlowId(groupName: string, taskId: string): string {
  return `${groupName}:${taskId}`;
}

export function parseVolcengineFlowId(flowId: string): { groupName: string; taskId: string } {
  const at = flowId.indexOf(':');
  if (at <= 0 || at === flowId.length - 1) {
    throw new InvalidRequestError([
      `flowId: "${clip(flowId, 80)}" is not a volcengine-live flow id (<group>:<task id>)`,
    ]);
  }
  return { groupName: flowId.slice(0, at), taskId: flowId.slice(at + 1) };
}
