/**
 * What a deprovision request's workflow needs before it can tear anything down: the flow id, and where the flow lives.
 * Step Functions is the record of what a provision made: the provision's executions are named after its requestId
 * (`executionName`), their input is the provision request (region, CAMS space) and their history holds CreateFlow's
 * answer (the flow id), whether the execution succeeded, failed, or is still waiting for `startAt`.
 *
 * A provision execution still running is stopped first, with the error `Deprovisioned`: that cancels a pending start
 * (or a pending `deprovisionAt`), and the dispatcher never redrives an execution stopped that way.
 */
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type SFNClient,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { executionName } from '../domain/execution-name.ts';
import { DEPROVISIONED_ERROR, type DeprovisionRequest } from '../domain/lifecycle.ts';
import type { TeardownTarget } from '../vendors/types.ts';

export { DEPROVISIONED_ERROR } from '../domain/lifecycle.ts';

/** What the dispatcher adds to a deprovision request's execution input, as `resolved`. */
export interface ResolvedDeprovision {
  readonly target: TeardownTarget;
  /** Absent when no provision of the target got as far as a flow: the workflow answers `alreadyGone`. */
  readonly flowId?: string;
  /** Names of the provision executions this deprovision stopped (a pending start or teardown cancelled). */
  readonly cancelled: string[];
}

/** History events per page while looking for CreateFlow's answer. */
const HISTORY_PAGE = 100;

export async function resolveDeprovision(
  request: DeprovisionRequest,
  stateMachineArn: string,
  sfn: SFNClient,
  maxAttempts: number,
): Promise<ResolvedDeprovision> {
  const base: TeardownTarget = { vendor: request.vendor, region: request.region };
  if ('flowId' in request.target) return { target: base, flowId: request.target.flowId, cancelled: [] };

  const provisionId = request.target.requestId;
  let target: TeardownTarget = { ...base, requestId: provisionId };
  let flowId: string | undefined;
  const cancelled: string[] = [];
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const name = executionName(provisionId, attempt);
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    let execution: Awaited<ReturnType<typeof describe>>;
    try {
      execution = await describe(sfn, executionArn);
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist || (error as Error).name === 'ExecutionDoesNotExist') break;
      throw error;
    }
    if (execution.status === 'RUNNING') {
      await sfn.send(
        new StopExecutionCommand({
          executionArn,
          error: DEPROVISIONED_ERROR,
          cause: `cancelled by deprovision request ${request.requestId}`,
        }),
      );
      cancelled.push(name);
    }
    const provision = parseObject(execution.input);
    if (typeof provision?.region === 'string') target = { ...target, region: provision.region };
    const space = (provision?.flow as { custSpaceId?: unknown } | undefined)?.custSpaceId;
    if (typeof space === 'string') target = { ...target, custSpaceId: space };
    flowId = (await createdFlowId(sfn, executionArn)) ?? flowId;
  }
  return { target, ...(flowId ? { flowId } : {}), cancelled };
}

function describe(sfn: SFNClient, executionArn: string) {
  return sfn.send(new DescribeExecutionCommand({ executionArn }));
}

/**
 * The flow id CreateFlow answered in that execution, if it got that far. CreateFlow is among the first states, so the
 * first page almost always holds it; later pages are read only while it has not been found (retries add events).
 */
async function createdFlowId(sfn: SFNClient, executionArn: string): Promise<string | undefined> {
  let nextToken: string | undefined;
  do {
    const history = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: HISTORY_PAGE, nextToken }),
    );
    for (const event of history.events ?? []) {
      const exited = event.stateExitedEventDetails;
      if (exited?.name !== 'CreateFlow') continue;
      const flow = parseObject(exited.output)?.flow as { flowId?: unknown } | undefined;
      if (typeof flow?.flowId === 'string') return flow.flowId;
    }
    nextToken = history.nextToken;
  } while (nextToken);
  return undefined;
}

function parseObject(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
