import type { DescribeExecutionCommandOutput, HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { fromExecutions, STATUS_EXIT } from '../../../cli/operations/status.ts';

const machine = 'arn:aws:states:us-east-1:111122223333:stateMachine:provision-flow-huawei-live';
const arn = (name: string) => `${machine.replace(':stateMachine:', ':execution:')}:${name}`;
const request = { requestId: 'req-1', vendor: 'huawei-live' };

function described(name: string, status: string, startMs: number, extra: Partial<DescribeExecutionCommandOutput> = {}) {
  return {
    executionArn: arn(name),
    stateMachineArn: machine,
    name,
    status,
    startDate: new Date(startMs),
    input: JSON.stringify(request),
    $metadata: {},
    ...extra,
  } as DescribeExecutionCommandOutput;
}
let id = 0;
const entered = (name: string, input: unknown): HistoryEvent =>
  ({
    id: ++id,
    type: 'TaskStateEntered',
    timestamp: new Date(),
    stateEnteredEventDetails: { name, input: JSON.stringify(input) },
  }) as HistoryEvent;
const exited = (name: string, output: unknown): HistoryEvent =>
  ({
    id: ++id,
    type: 'TaskStateExited',
    timestamp: new Date(),
    stateExitedEventDetails: { name, output: JSON.stringify(output) },
  }) as HistoryEvent;

describe('flowctl status: the answer from executions and their histories', () => {
  it('is IN_PROGRESS (exit 5) in the state the latest attempt is in, after a failed attempt', () => {
    const failure = { state: 'GrantEntitlements', error: 'VendorRejected', cause: 'no such subscriber' };
    const first = {
      attempt: 1,
      described: described('req-1', 'FAILED', 1000, { stopDate: new Date(2000) }),
      events: [
        entered('CreateFlow', { request }),
        exited('CreateFlow', { request, flow: { flowId: 'f-1' } }),
        entered('RecordFailure', { request, flow: { flowId: 'f-1' }, failure }),
        exited('RecordFailure', { request, failure }),
        entered('PublishFailed', { request, failure }),
        exited('PublishFailed', { request, failure }),
        {
          id: ++id,
          type: 'FailStateEntered',
          timestamp: new Date(),
          stateEnteredEventDetails: {
            name: 'ProvisioningFailed',
            input: JSON.stringify({ request, failure, flow: { flowId: 'f-1' } }),
          },
        } as HistoryEvent,
      ],
    };
    const second = {
      attempt: 2,
      described: described('req-1--a2', 'RUNNING', 3000),
      events: [
        entered('CreateFlow', { request }),
        exited('CreateFlow', { flow: { flowId: 'f-1' } }),
        entered('PollFlowState', {}),
      ],
    };
    const report = fromExecutions('req-1', [second, first]);
    expect(report.state).toBe('IN_PROGRESS');
    expect(STATUS_EXIT[report.state]).toBe(5);
    expect(report.attempts.map((a) => [a.attempt, a.status, a.state])).toEqual([
      [1, 'FAILED', 'GrantEntitlements'],
      [2, 'RUNNING', 'PollFlowState'],
    ]);
    // The last event put was the first attempt's failure; the running attempt has put none yet.
    expect(report.lastEvent).toEqual({
      detailType: 'FlowProvisioningFailed',
      eventId: `${arn('req-1')}#FlowProvisioningFailed`,
      put: true,
    });
    expect(report.dlqRecord).toBeNull();
    expect(report.flow).toEqual({ flowId: 'f-1', connection: null });
  });

  it('is FAILED (exit 1) with the failure record as RecordFailure sent it, and says when the event was not put', () => {
    const failure = { state: 'CreateFlow', error: 'VendorQuotaExceeded', cause: 'CreateFlow420Exception' };
    const report = fromExecutions('req-1', [
      {
        attempt: 1,
        described: described('req-1', 'FAILED', 1000),
        events: [
          entered('RecordFailure', { request, failure }),
          exited('RecordFailure', { request, failure }),
          entered('PublishFailed', { request, failure }),
          exited('PublishFailed', { request, failure, publishError: { Error: 'EventBridge.FailedEntry' } }),
        ],
      },
    ]);
    expect(report.state).toBe('FAILED');
    expect(STATUS_EXIT[report.state]).toBe(1);
    expect(report.dlqRecord).toMatchObject({
      reason: 'WorkflowFailed',
      error: 'VendorQuotaExceeded',
      failedState: 'CreateFlow',
      readFrom: 'execution-history',
    });
    expect(report.lastEvent).toMatchObject({ detailType: 'FlowProvisioningFailed', put: false });
  });

  it('is PROVISIONED (exit 0) with the connection from the execution output', () => {
    const connection = { ingest: { protocol: 'srt-listener', port: 9000 }, outputs: [] };
    const report = fromExecutions('req-1', [
      {
        attempt: 1,
        described: described('req-1', 'SUCCEEDED', 1000, {
          output: JSON.stringify({ requestId: 'req-1', flowId: 'f-9', connection }),
        }),
        events: [entered('PublishProvisioned', {}), exited('PublishProvisioned', {})],
      },
    ]);
    expect(report).toMatchObject({ state: 'PROVISIONED', flow: { flowId: 'f-9', connection } });
    expect(STATUS_EXIT[report.state]).toBe(0);
  });
});
