/**
 * A deprovision request naming a flow that is not ours (`target.flowId` of a flow someone made in the console) through
 * the embedded stack: teardown refuses it with `VendorConflict`, which the workflow does not retry, so the execution
 * fails in `DeprovisioningFailed`, its failure record reaches the DLQ, `FlowDeprovisioningFailed` says why, and the
 * flow is still there, still running. Judged by the emulator's own state, the DLQ and the stage bus.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DlqRecordDetail, peekDeadLetterQueue } from '../../cli/operations/dlq.ts';
import { type FlowEvent, parseEntry } from '../../functions/domain/flow-event.ts';
import type { RunningAwsMediaConnectEmulator } from '../../local/emulators/aws-mediaconnect.ts';
import { LOCAL_VENDORS } from '../../local/emulators/registry.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { addForeignFlow, type ForeignFlow } from '../helpers/foreign-flows.ts';

const vendor = 'aws-mediaconnect';
const region = 'us-east-1';

describe('a deprovision of a flow that is not ours', () => {
  let stack: LocalStack;
  let foreign: ForeignFlow;
  let aws: RunningAwsMediaConnectEmulator;
  let records: DlqRecordDetail[];

  beforeAll(async () => {
    stack = await startLocalStack({ vendors: [vendor], waitOverrideMs: 20, retryOverrideMs: 100 });
    aws = stack.emulators[vendor] as RunningAwsMediaConnectEmulator;
    const env = LOCAL_VENDORS.find((v) => v.vendor === vendor)!.credentialsEnv;
    foreign = await addForeignFlow(vendor, aws, { region, env });
    for (let i = 0; i < 100 && foreign.status() !== 'ACTIVE'; i++) await new Promise((r) => setTimeout(r, 20));
    const request = { schemaVersion: 1, requestId: 'down-foreign', action: 'deprovision', vendor, region };
    await stack.send([JSON.stringify({ ...request, target: { flowId: foreign.flowId } })]);
    await stack.waitForDrain({ timeoutMs: 60_000 });
    records = await peekDeadLetterQueue(stack.sqs, stack.deadLetterQueueUrl);
  }, 120_000);
  afterAll(async () => stack?.stop());

  it('fails the execution in DeprovisioningFailed after one refused teardown, never retried', () => {
    const executions = stack.stepFunctions.allExecutions().filter((e) => e.name === 'down-foreign');
    expect(executions).toHaveLength(1);
    expect(executions[0]).toMatchObject({ status: 'FAILED', error: 'DeprovisioningFailed' });
    // One attempt: the ASL's Retry lists of the teardown states never name VendorConflict.
    const attempts = executions[0]!.history.filter((h) => h.stateName === 'TeardownTarget' && h.type === 'TaskFailed');
    expect(attempts.map((h) => (h as { error?: string }).error)).toEqual(['VendorConflict']);
  });

  it('leaves the flow as it was: running, never stopped or deleted', () => {
    expect(foreign.status()).toBe('ACTIVE');
    const changes = aws.journal.entries.filter((e) => e.operation === 'StopFlow' || e.operation === 'DeleteFlow');
    expect(changes).toEqual([]);
  });

  it('puts the failure record on the DLQ, naming the flow and the conflict', () => {
    const mine = records.filter((r) => r.requestId === 'down-foreign');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ vendor, error: 'VendorConflict', failedState: 'TeardownTarget' });
    expect(mine[0]!.attributes).toMatchObject({ flowId: foreign.flowId, rolledBack: 'false' });
    expect(mine[0]!.causeMessage).toContain("does not carry flow-provisioner's request identity");
  });

  it('announces FlowDeprovisioningFailed with error VendorConflict, once', () => {
    const events = stack.eventBus.entries.map((entry) => parseEntry(entry)) as FlowEvent[];
    const failed = events.filter((e) => e['detail-type'] === 'FlowDeprovisioningFailed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.detail).toMatchObject({
      requestId: 'down-foreign',
      vendor,
      flowId: foreign.flowId,
      error: 'VendorConflict',
      failedState: 'TeardownTarget',
    });
    expect(events.filter((e) => e['detail-type'] === 'FlowDeprovisioned')).toEqual([]);
  });
});
