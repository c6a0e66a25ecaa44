/**
 * A vendor outage, then a DLQ redrive (docs/architecture.md, "Exactly-once effects", ADR 0003): requests that failed at
 * any step during the outage go to the DLQ; once the vendor is back, `flowctl dlq redrive` (its core, against the local
 * stack, whose SQS has no move API: receive → send → delete) brings every request to PROVISIONED with exactly one flow
 * at the vendor — the dispatcher starts a next attempt for each FAILED execution, and that attempt adopts whatever the
 * failed one made.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peekDeadLetterQueue, redriveDeadLetters } from '../../cli/operations/dlq.ts';
import { recordingOutput } from '../../cli/output.ts';
import { targetOfLocalStack } from '../../cli/target.ts';
import { requestsFor } from '../../local/batch/demo-batch.ts';
import type { RunningAwsMediaConnectEmulator } from '../../local/emulators/aws-mediaconnect.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { eventually } from '../helpers/flowctl-e2e.ts';

const REQUEST_TAG = 'flow-provisioner:request-id';

describe('vendor outage → DLQ → redrive', () => {
  let stack: LocalStack;
  let emulator: RunningAwsMediaConnectEmulator;
  // Distinct flow names per group: a flow name taken by another request is a VendorConflict, as it should be.
  const named = (prefix: string) =>
    requestsFor('aws-mediaconnect', 5, prefix).map((r, i) => ({
      ...r,
      requestId: String(r.requestId),
      flow: { ...(r.flow as object), name: `${prefix}-${i + 1}` },
    }));
  const early = named('outage-early');
  const late = named('outage-late');
  const all = [...early, ...late];
  const createdOk = () => emulator.journal.count((e) => e.operation === 'CreateFlow' && e.status < 300 && !e.injected);

  beforeAll(async () => {
    stack = await startLocalStack({ vendors: ['aws-mediaconnect'], retryOverrideMs: 500, waitOverrideMs: 20 });
    emulator = stack.emulators['aws-mediaconnect'] as RunningAwsMediaConnectEmulator;

    // The vendor is down before the first group arrives: those fail at CreateFlow, nothing is created.
    emulator.setFaults({ errorRate: 1 });
    await stack.send(early.map((r) => JSON.stringify(r)));
    await stack.waitForDrain({ timeoutMs: 60_000 });

    // The second group gets its flows created, then the vendor goes down: those fail at a later step.
    emulator.setFaults({});
    await stack.send(late.map((r) => JSON.stringify(r)));
    await eventually(() => createdOk() >= late.length, 30_000, 'the late group to create its flows');
    emulator.setFaults({ errorRate: 1 });
    await stack.waitForDrain({ timeoutMs: 60_000 });
  });
  afterAll(async () => stack?.stop());

  it('puts every request that failed during the outage on the DLQ, whatever step failed', async () => {
    const records = await peekDeadLetterQueue(stack.sqs, stack.deadLetterQueueUrl);
    const failed = stack.stepFunctions.allExecutions().filter((e) => e.status === 'FAILED');
    expect(records.length).toBe(failed.length);
    expect(records.every((r) => r.reason === 'WorkflowFailed' && r.error === 'VendorUnavailable')).toBe(true);
    expect(
      new Set(records.filter((r) => early.some((e) => e.requestId === r.requestId)).map((r) => r.failedState)),
    ).toEqual(new Set(['CreateFlow']));
    const lateStates = records.filter((r) => late.some((e) => e.requestId === r.requestId)).map((r) => r.failedState);
    expect(lateStates.length).toBeGreaterThan(0);
    expect(lateStates).not.toContain('CreateFlow');
    expect(emulator.flows().length).toBe(late.length);
  });

  it('after the outage, a redrive provisions every request with exactly one flow each', async () => {
    emulator.setFaults({});
    const creates = createdOk();
    const inDlq = (await peekDeadLetterQueue(stack.sqs, stack.deadLetterQueueUrl)).length;
    const out = recordingOutput();
    const result = await redriveDeadLetters(
      targetOfLocalStack(stack, { embedded: false }),
      { all: true, rate: 5 },
      out,
    );
    expect(result).toMatchObject({ mode: 'receive-send-delete', failed: [], skipped: 0, arrivedDuring: 0 });
    expect(result.mode === 'receive-send-delete' && result.moved.length).toBe(inDlq);
    await stack.waitForDrain({ timeoutMs: 60_000 });

    // Every request's newest execution succeeded; nothing is left on the DLQ.
    for (const request of all) {
      const executions = stack.stepFunctions
        .allExecutions()
        .filter((e) => e.name === request.requestId || e.name.startsWith(`${request.requestId}--a`))
        .sort((a, b) => b.startDate - a.startDate);
      expect(executions[0]?.status, String(request.requestId)).toBe('SUCCEEDED');
    }
    expect(await peekDeadLetterQueue(stack.sqs, stack.deadLetterQueueUrl)).toEqual([]);

    // Exactly one flow per request at the vendor, running: the late group's flows were adopted, not created again.
    const flows = emulator.flows();
    expect(flows.map((f) => f.tags[REQUEST_TAG]).sort()).toEqual(all.map((r) => String(r.requestId)).sort());
    for (const flow of flows) expect(flow.status).toBe('ACTIVE');
    expect(createdOk()).toBe(creates + early.length);
    expect(createdOk()).toBe(all.length);
    expect(emulator.journal.count((e) => e.throttled)).toBe(0);
  });
});
