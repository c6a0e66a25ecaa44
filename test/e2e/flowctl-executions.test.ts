/**
 * `flowctl executions list|show|redrive --local` end to end, with the failed-execution capture: a request that failed
 * for good (refused redrive: ADR 0003), and one whose execution was aborted mid-step (captured on the DLQ with reason
 * Aborted and announced as FlowProvisioningFailed on the local bus, then redriven with RedriveExecution, resuming at the step it stopped in and adopting the flow it had made).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DlqRecord, RedriveResult } from '../../cli/operations/dlq.ts';
import type { ExecutionSummary, ExecutionView, RedriveOutcome } from '../../cli/operations/executions.ts';
import { parseEntry } from '../../functions/domain/flow-event.ts';
import { requestsFor } from '../../local/batch/demo-batch.ts';
import type { RunningAwsMediaConnectEmulator } from '../../local/emulators/aws-mediaconnect.ts';
import { eventually, type ServedStack, startServedStack } from '../helpers/flowctl-e2e.ts';

const REQUEST_TAG = 'flow-provisioner:request-id';

describe('flowctl executions --local', () => {
  let served: ServedStack;
  let emulator: RunningAwsMediaConnectEmulator;
  const [failed, aborted] = requestsFor('aws-mediaconnect', 2, 'exec').map((r) => ({
    ...r,
    requestId: String(r.requestId),
  }));
  const abortedArn = () =>
    `${served.stack.stateMachineArns['aws-mediaconnect']!.replace(':stateMachine:', ':execution:')}:${aborted!.requestId}`;

  beforeAll(async () => {
    served = await startServedStack({ retryOverrideMs: 20, waitOverrideMs: 20 });
    const { stack } = served;
    emulator = stack.emulators['aws-mediaconnect'] as RunningAwsMediaConnectEmulator;

    emulator.setFaults({ errorRate: 1 });
    await stack.send([JSON.stringify(failed)]);
    await stack.waitForDrain({ timeoutMs: 30_000 });

    // A slow vendor holds CreateFlow; on-call stops the execution meanwhile (StopExecution → ABORTED).
    emulator.setFaults({ latencyMs: [2500, 2500] });
    await stack.send([JSON.stringify(aborted)]);
    await eventually(
      () =>
        stack.stepFunctions
          .allExecutions()
          .some((e) => e.name === aborted!.requestId && e.history.some((h) => h.stateName === 'CreateFlow')),
      20_000,
      'the execution to enter CreateFlow',
    );
    stack.stepFunctions.stopExecution(abortedArn(), 'OperatorStopped', 'stopped by on-call during the test');
    await stack.waitForDrain({ timeoutMs: 30_000 });
    emulator.setFaults({});
  });
  afterAll(async () => served?.stop());

  it('lists executions by status', async () => {
    const run = await served.flowctl('executions', 'list', '--local', '--json', '--status', 'FAILED', '--since', '10m');
    expect(run.code).toBe(0);
    const list = run.json<{ executions: ExecutionSummary[] }>().executions;
    expect(list).toEqual([
      expect.objectContaining({
        name: failed!.requestId,
        vendor: 'aws-mediaconnect',
        status: 'FAILED',
        redriveCount: 0,
      }),
    ]);
  });

  it('shows the failed state, error, cause and request of a failed execution, and refuses to redrive it', async () => {
    const shown = await served.flowctl('executions', 'show', '--local', '--json', failed!.requestId);
    expect(shown.code).toBe(0);
    const view = shown.json<ExecutionView>();
    expect(view).toMatchObject({
      status: 'FAILED',
      failedState: 'CreateFlow',
      error: 'VendorUnavailable',
      failureRecorded: true,
      requestId: failed!.requestId,
      request: failed,
    });
    expect(view.causeMessage).toBeTruthy();
    expect(view.nextStep).toContain(`flowctl dlq redrive --filter requestId=${failed!.requestId}`);

    const refused = await served.flowctl('executions', 'redrive', '--local', failed!.requestId);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/refused .*FAILED[\s\S]*re-run that Fail state.*ADR 0003/);
    expect(served.stack.stepFunctions.describeExecution(view.executionArn).redriveCount).toBe(0);
  });

  it('captures the aborted execution on the DLQ with reason Aborted and the state it stopped in', async () => {
    const run = await served.flowctl('dlq', 'list', '--local', '--json');
    const records = run.json<{ messages: DlqRecord[] }>().messages;
    expect(records.find((r) => r.requestId === aborted!.requestId)).toMatchObject({
      reason: 'Aborted',
      failedState: 'CreateFlow',
      executionArn: abortedArn(),
      vendor: 'aws-mediaconnect',
    });
  });

  it('announces the aborted execution once on the local bus as FlowProvisioningFailed, failureRecord Aborted', () => {
    const announced = served.stack.eventBus.entries
      .filter((e) => e.DetailType === 'FlowProvisioningFailed')
      .map((e) => parseEntry(e).detail)
      .filter((d) => d.requestId === aborted!.requestId);
    expect(announced).toEqual([
      expect.objectContaining({
        eventId: `${abortedArn()}#FlowProvisioningFailed`,
        executionArn: abortedArn(),
        vendor: 'aws-mediaconnect',
        attempt: 1,
        failedState: 'CreateFlow',
        rolledBack: false,
        failureRecord: { queue: 'dlq', reason: 'Aborted' },
      }),
    ]);
  });

  it('redrives the aborted execution: it resumes at CreateFlow, adopts the flow it made, and succeeds', async () => {
    const dry = await served.flowctl('executions', 'redrive', '--local', '--all-failed', '--dry-run', '--json');
    expect(dry.code).toBe(1);
    const planned = dry.json<{ outcomes: RedriveOutcome[] }>().outcomes;
    expect(planned.map((o) => [o.name, o.result]).sort()).toEqual(
      [
        [aborted!.requestId, 'redriven'],
        [failed!.requestId, 'refused'],
      ].sort(),
    );

    const run = await served.flowctl('executions', 'redrive', '--local', '--json', aborted!.requestId);
    expect(run.code).toBe(0);
    expect(run.json<{ outcomes: RedriveOutcome[] }>().outcomes).toEqual([
      { name: aborted!.requestId, executionArn: abortedArn(), status: 'ABORTED', result: 'redriven', reason: null },
    ]);
    await served.stack.waitForDrain({ timeoutMs: 30_000 });
    const execution = served.stack.stepFunctions.describeExecution(abortedArn());
    expect(execution).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(emulator.flows().filter((f) => f.tags[REQUEST_TAG] === aborted!.requestId)).toHaveLength(1);

    // Its DLQ record, redriven too, is a duplicate for the dispatcher: no new execution, no second flow.
    const moved = await served.flowctl(
      'dlq',
      'redrive',
      '--local',
      '--json',
      '--filter',
      'reason=Aborted',
      '--rate',
      '10',
    );
    expect(moved.json<RedriveResult>()).toMatchObject({ matched: 1, failed: [] });
    await served.stack.waitForDrain({ timeoutMs: 30_000 });
    expect(
      served.stack.stepFunctions.allExecutions().filter((e) => e.name.startsWith(aborted!.requestId)),
    ).toHaveLength(1);
    expect(emulator.flows().filter((f) => f.tags[REQUEST_TAG] === aborted!.requestId)).toHaveLength(1);
  });

  it('exits 4 for an execution that does not exist', async () => {
    const run = await served.flowctl('executions', 'show', '--local', 'no-such-request');
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/no execution named no-such-request[\s\S]*next: /);
  });
});
