/**
 * `startAt` and `deprovisionAt` through the embedded stack on every vendor, judged by the emulators' journals and
 * state: no start call reaches a vendor before `startAt`, the flow runs after it, and at `deprovisionAt` the execution
 * tears its flow down itself, so nothing of these requests is left live at any vendor when the batch ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VendorId } from '../../functions/domain/contract.ts';
import { parseEntry } from '../../functions/domain/flow-event.ts';
import { requestsFor } from '../../local/batch/demo-batch.ts';
import { type BatchReport, runBatch } from '../../local/batch/run-batch.ts';
import type { RunningEmulator } from '../../local/emulators/common.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { vendorResources } from '../helpers/vendor-state.ts';

/** The call that starts a flow, per vendor (Volcengine has none: its task starts itself at StartTime). */
const START_CALL: Partial<Record<VendorId, (operation: string) => boolean>> = {
  'aws-mediaconnect': (op) => op === 'StartFlow',
  'alibaba-ice': (op) => op === 'UpdateMediaConnectFlowStatus',
  'alibaba-cams': (op) => op === 'PublishFlow',
  'huawei-live': (op) => op === 'ModifyFlowStart',
};

const iso = (ms: number) => new Date(Math.ceil(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('startAt and deprovisionAt on every vendor', () => {
  let stack: LocalStack;
  let report: BatchReport;
  let startAt: number;
  const requests: Record<string, unknown>[] = [];

  beforeAll(async () => {
    stack = await startLocalStack({ waitOverrideMs: 20, retryOverrideMs: 100 });
    startAt = Date.now() + 5000;
    const deprovisionAt = startAt + 5000;
    for (const vendor of stack.vendors) {
      const request = requestsFor(vendor, 1, 'timed')[0]!;
      requests.push({ ...request, startAt: iso(startAt), deprovisionAt: iso(deprovisionAt), onFailure: 'rollback' });
    }
    startAt = Date.parse(iso(startAt));
    report = await runBatch(
      stack,
      requests.map((r) => JSON.stringify(r)),
      { timeoutMs: 120_000 },
    );
  }, 180_000);
  afterAll(async () => stack?.stop());

  it('ends every request after its teardown, provisioned and then deprovisioned', () => {
    expect(report.unresolved).toEqual([]);
    expect(report.results.map((r) => [r.vendor, r.status])).toEqual(stack.vendors.map((v) => [v, 'DEPROVISIONED']));
    for (const execution of stack.stepFunctions.allExecutions()) {
      const output = JSON.parse(execution.output ?? '{}') as { teardown?: { outcome: string } };
      const vendor = JSON.parse(execution.input).vendor as VendorId;
      expect(output.teardown?.outcome).toBe(vendor === 'alibaba-cams' ? 'DEPRECATED' : 'DELETED');
    }
  });

  it('sends no start call to any vendor before startAt, and reads the flow running after it', () => {
    for (const vendor of stack.vendors) {
      const isStart = START_CALL[vendor];
      const journal = (
        stack.emulators[vendor] as RunningEmulator & { journal: { entries: { at: number; operation: string }[] } }
      ).journal.entries;
      if (isStart) {
        const starts = journal.filter((e) => isStart(e.operation));
        expect(starts.length, vendor).toBeGreaterThan(0);
        expect(Math.min(...starts.map((e) => e.at)), vendor).toBeGreaterThanOrEqual(startAt);
      }
    }
    for (const execution of stack.stepFunctions.allExecutions()) {
      const entered = execution.history.find((h) => h.type.endsWith('StateEntered') && h.stateName === 'ReadFlowState');
      expect(entered?.timestamp).toBeGreaterThanOrEqual(startAt);
      // Shared and announced before the start; FlowStarted only once the vendor reports the flow running after it.
      const enteredAt = (name: string) =>
        execution.history.find((h) => h.type.endsWith('StateEntered') && h.stateName === name)?.timestamp;
      expect(enteredAt('PublishProvisioned')).toBeLessThan(startAt);
      expect(enteredAt('PublishStarted')).toBeGreaterThanOrEqual(startAt);
    }
  });

  it('announces each flow provisioned before startAt, started after it, then deprovisioned', () => {
    for (const execution of stack.stepFunctions.allExecutions()) {
      const events = stack.eventBus.entries
        .map((entry) => parseEntry(entry))
        .filter((e) => 'executionArn' in e.detail && e.detail.executionArn === execution.executionArn)
        .map((e) => e['detail-type']);
      expect(events).toEqual(['FlowProvisioned', 'FlowStarted', 'FlowDeprovisioned']);
    }
  });

  it('leaves no live resource of these requests at any vendor', () => {
    for (const vendor of stack.vendors) {
      const left = vendorResources(vendor, stack.emulators[vendor]!, requests as never);
      expect(
        left.filter((r) => r.running),
        vendor,
      ).toEqual([]);
      if (vendor !== 'alibaba-cams') expect(left, vendor).toEqual([]);
    }
  });
});
