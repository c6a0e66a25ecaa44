import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  ExecutionLimitExceeded,
  ExecutionNotRedrivable,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  analyzeExecution,
  findExecution,
  listExecutions,
  planRedrive,
  redriveExecution,
  showExecution,
} from '../../../cli/operations/executions.ts';
import { aRequest } from '../../helpers/factories.ts';
import { anAwsTarget, MACHINE_ARN } from '../../helpers/flowctl.ts';

const sfn = mockClient(SFNClient);
const arnOf = (name: string) => `${MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${name}`;
const request = aRequest('aws-mediaconnect', { requestId: 'evt-1' });
const cause = JSON.stringify({ errorType: 'VendorAuthFailed', errorMessage: 'signature mismatch (HTTP 403)' });

let id = 0;
const event = (type: string, details: Partial<HistoryEvent> = {}): HistoryEvent => ({
  id: ++id,
  timestamp: new Date(),
  type: type as HistoryEvent['type'],
  ...details,
});
const entered = (type: string, name: string, input: unknown) =>
  event(`${type}StateEntered`, { stateEnteredEventDetails: { name, input: JSON.stringify(input) } });
const exited = (type: string, name: string, output: unknown = {}) =>
  event(`${type}StateExited`, { stateExitedEventDetails: { name, output: JSON.stringify(output) } });

/** The history of an execution whose CreateFlow failed for good and went through Catch → RecordFailure → Fail. */
function caughtFailure(recordError = false): HistoryEvent[] {
  const failure = { state: 'CreateFlow', error: 'VendorAuthFailed', cause };
  const failedInput = {
    request,
    error: { Error: 'VendorAuthFailed', Cause: cause },
    failure,
    ...(recordError ? { recordError: { Error: 'SQS.AccessDenied' } } : {}),
  };
  return [
    event('ExecutionStarted'),
    entered('Pass', 'Prepare', request),
    exited('Pass', 'Prepare', { request }),
    entered('Task', 'CreateFlow', { request }),
    event('TaskFailed', {
      taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error: 'VendorAuthFailed', cause },
    }),
    exited('Task', 'CreateFlow', { request, error: { Error: 'VendorAuthFailed', Cause: cause } }),
    entered('Pass', 'CreateFlowFailed', { request }),
    exited('Pass', 'CreateFlowFailed', failedInput),
    entered('Task', 'RecordFailure', failedInput),
    exited('Task', 'RecordFailure', failedInput),
    entered('Fail', 'ProvisioningFailed', failedInput),
    event('ExecutionFailed', { executionFailedEventDetails: { error: 'VendorAuthFailed', cause } }),
  ];
}

/** The history of an execution that was stopped while it polled the flow state. */
function stoppedWhilePolling(): HistoryEvent[] {
  return [
    event('ExecutionStarted'),
    entered('Task', 'CreateFlow', { request }),
    exited('Task', 'CreateFlow', {
      request,
      flow: { flowId: 'arn:aws:mediaconnect:eu-west-1:123456789012:flow:1-abc:evt-1' },
    }),
    entered('Task', 'PollFlowState', {
      request,
      flow: { flowId: 'arn:aws:mediaconnect:eu-west-1:123456789012:flow:1-abc:evt-1' },
    }),
    event('ExecutionAborted'),
  ];
}

const described = (name: string, status: string, extra: Record<string, unknown> = {}) =>
  ({
    executionArn: arnOf(name),
    stateMachineArn: MACHINE_ARN,
    name,
    status,
    startDate: new Date('2026-03-22T10:00:00Z'),
    stopDate: new Date('2026-03-22T10:01:00Z'),
    input: JSON.stringify(request),
    redriveCount: 0,
    redriveStatus: 'REDRIVABLE',
    ...extra,
  }) as never;

beforeEach(() => sfn.reset());

describe('executions show', () => {
  it('names the failed step, error and cause, the request, and the DLQ redrive as the next step', async () => {
    sfn.on(DescribeExecutionCommand).resolves(described('evt-1', 'FAILED', { error: 'VendorAuthFailed', cause }));
    sfn.on(GetExecutionHistoryCommand).resolves({ events: caughtFailure() });
    const view = await showExecution(anAwsTarget(), arnOf('evt-1'));
    expect(view).toMatchObject({
      name: 'evt-1',
      vendor: 'aws-mediaconnect',
      status: 'FAILED',
      requestId: 'evt-1',
      failedState: 'CreateFlow',
      stoppedIn: 'ProvisioningFailed',
      error: 'VendorAuthFailed',
      causeMessage: 'signature mismatch (HTTP 403)',
      failureRecorded: true,
      request,
    });
    expect(view.nextStep).toMatch(/flowctl dlq redrive --filter requestId=evt-1.*ADR 0003/);
  });

  it('says when the failure record never reached the DLQ, and how to resubmit', () => {
    const view = analyzeExecution(described('evt-1', 'FAILED'), caughtFailure(true));
    expect(view.failureRecorded).toBe(false);
    expect(view.nextStep).toMatch(/did not reach the DLQ.*--request > request.json && flowctl submit request.json/);
  });

  it('for an aborted execution names the state it stopped in and the flow it had made', () => {
    const view = analyzeExecution(described('evt-1', 'ABORTED'), stoppedWhilePolling());
    expect(view).toMatchObject({
      stoppedIn: 'PollFlowState',
      failedState: 'PollFlowState',
      flowId: expect.stringContaining(':flow:'),
    });
    expect(view.nextStep).toMatch(/flowctl executions redrive evt-1` resumes it at PollFlowState/);
  });

  it('finds the latest attempt of a request id', async () => {
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'no', $metadata: {} }));
    sfn.on(DescribeExecutionCommand, { executionArn: arnOf('evt-1') }).resolves(described('evt-1', 'FAILED'));
    sfn
      .on(DescribeExecutionCommand, { executionArn: arnOf('evt-1--a2') })
      .resolves(described('evt-1--a2', 'SUCCEEDED'));
    const found = await findExecution(anAwsTarget(), 'evt-1');
    expect(found.name).toBe('evt-1--a2');
    const missing = await findExecution(anAwsTarget(), 'nope').catch((e) => e);
    expect(missing.exitCode).toBe(4);
    expect(missing.hint).toMatch(/executions list/);
  });
});

describe('executions redrive', () => {
  it('redrives a TIMED_OUT or ABORTED execution (RedriveExecution)', async () => {
    sfn.on(RedriveExecutionCommand).resolves({ redriveDate: new Date() });
    const view = analyzeExecution(described('evt-1', 'ABORTED'), stoppedWhilePolling());
    expect(planRedrive(view)).toEqual({ action: 'redrive' });
    const outcome = await redriveExecution(anAwsTarget(), view);
    expect(outcome).toMatchObject({ result: 'redriven', reason: null });
    expect(sfn.commandCalls(RedriveExecutionCommand)[0]!.args[0].input).toEqual({ executionArn: arnOf('evt-1') });
  });

  it('refuses a FAILED execution of the workflow without calling RedriveExecution, and says what to do instead', async () => {
    const view = analyzeExecution(described('evt-1', 'FAILED'), caughtFailure());
    const outcome = await redriveExecution(anAwsTarget(), view);
    expect(outcome.result).toBe('refused');
    expect(outcome.reason).toMatch(/re-run that Fail state.*ADR 0003.*flowctl dlq redrive --filter requestId=evt-1/);
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
    for (const status of ['RUNNING', 'SUCCEEDED']) {
      expect(planRedrive(analyzeExecution(described('evt-1', status), []))).toMatchObject({ action: 'refuse' });
    }
  });

  it('explains the errors RedriveExecution answers', async () => {
    const view = analyzeExecution(described('evt-1', 'TIMED_OUT'), stoppedWhilePolling());
    sfn
      .on(RedriveExecutionCommand)
      .rejectsOnce(new ExecutionNotRedrivable({ message: 'Execution redrivable period exceeded.', $metadata: {} }))
      .rejectsOnce(new ExecutionLimitExceeded({ message: 'limit', $metadata: {} }));
    const expired = await redriveExecution(anAwsTarget(), view);
    expect(expired).toMatchObject({ result: 'failed' });
    expect(expired.reason).toMatch(/past the 14-day redrive window.*flowctl dlq redrive --filter requestId=evt-1/);
    const limited = await redriveExecution(anAwsTarget(), view);
    expect(limited.reason).toMatch(/retry in a few minutes/);
  });
});

describe('executions list', () => {
  it('filters by status, stops paging past --since, and sorts newest first', async () => {
    const now = Date.parse('2026-03-22T12:00:00Z');
    const item = (name: string, minutesAgo: number) => ({
      executionArn: arnOf(name),
      stateMachineArn: MACHINE_ARN,
      name,
      status: 'FAILED' as const,
      startDate: new Date(now - minutesAgo * 60_000),
    });
    sfn
      .on(ListExecutionsCommand)
      .resolvesOnce({ executions: [item('a', 1), item('b', 20)], nextToken: 'p2' })
      .resolvesOnce({ executions: [item('c', 50), item('d', 90)], nextToken: 'p3' })
      .resolves({ executions: [item('e', 200)] });
    const list = await listExecutions(anAwsTarget(), { status: 'FAILED', sinceMs: 60 * 60_000, now });
    expect(list.map((e) => e.name)).toEqual(['a', 'b', 'c']);
    expect(sfn.commandCalls(ListExecutionsCommand)).toHaveLength(2);
    expect(sfn.commandCalls(ListExecutionsCommand)[0]!.args[0].input).toMatchObject({
      stateMachineArn: MACHINE_ARN,
      statusFilter: 'FAILED',
    });
  });
});
