/**
 * ICE's two-call create end to end (ingress queue → dispatcher → workflow → paced vendor λ → emulator), with a fault
 * between the two calls: CreateMediaConnectFlow answers the flow id, which the workflow holds before
 * AddMediaConnectFlowInput (the CompleteFlow step) can fail. Judged by the emulator's state and journal and the DLQ.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iceFlowName } from '../../functions/vendors/alibaba-ice/client.ts';
import { runBatch } from '../../local/batch/run-batch.ts';
import type { RunningAlibabaEmulator } from '../../local/emulators/alibaba.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { iceRequest } from '../helpers/alibaba.ts';

/** Fault draws played in order, then none. */
const rolls =
  (...values: number[]) =>
  () =>
    values.shift() ?? 0.999;

describe('ICE: a fault between CreateMediaConnectFlow and AddMediaConnectFlowInput, end to end', () => {
  let stack: LocalStack;
  let emulator: RunningAlibabaEmulator;

  beforeAll(async () => {
    stack = await startLocalStack({
      vendors: ['alibaba-ice'],
      waitOverrideMs: 50,
      retryOverrideMs: 100,
      callTimeoutMs: 1_000,
    });
    emulator = stack.emulators['alibaba-ice'] as RunningAlibabaEmulator;
  }, 60_000);
  afterAll(async () => stack?.stop());

  it('the answer of AddMediaConnectFlowInput is lost: CompleteFlow is retried, finds the input, adds none', async () => {
    const request = iceRequest({ requestId: 'e2e-ice-lost-input', entitlements: [] });
    // CreateMediaConnectFlow and GetMediaConnectFlowInput served; AddMediaConnectFlowInput served, its answer lost.
    emulator.setFaults({ timeoutRate: 0.5, random: rolls(0.9, 0.9, 0.1) });
    const report = await runBatch(stack, [JSON.stringify(request)], { timeoutMs: 60_000 });
    emulator.setFaults({});

    expect(report.results).toEqual([expect.objectContaining({ requestId: request.requestId, status: 'PROVISIONED' })]);
    const flows = emulator.iceFlows().filter((f) => f.name === iceFlowName(request));
    expect(flows).toEqual([
      expect.objectContaining({ status: 'online', input: { name: 'arena-encoder', protocol: 'SRT-Listener' } }),
    ]);
    expect(report.results[0]!.flowId).toBe(flows[0]!.flowId);
    const mine = emulator.journal.entries.filter((e) => e.operation === 'AddMediaConnectFlowInput');
    expect(mine).toHaveLength(1);
  }, 90_000);

  it('the input fails for good: the workflow holds the flow id, so rollback deletes the flow', async () => {
    const request = iceRequest({ requestId: 'e2e-ice-rollback', entitlements: [], onFailure: 'rollback' });
    // CreateMediaConnectFlow served; then every call of CompleteFlow (1 + 5 retries) answers a 5xx.
    const before = emulator.journal.count();
    emulator.setFaults({ errorRate: 0.5, random: rolls(0.9, ...Array(12).fill(0.1)) });
    const report = await runBatch(stack, [JSON.stringify(request)], { timeoutMs: 60_000 });
    emulator.setFaults({});

    expect(report.results).toEqual([
      expect.objectContaining({
        requestId: request.requestId,
        status: 'FAILED',
        error: expect.stringMatching(/^VendorUnavailable/),
      }),
    ]);
    const calls = emulator.journal.entries.slice(before);
    expect(calls.filter((e) => e.operation === 'CreateMediaConnectFlow')).toHaveLength(1);
    // The first try adds at once (the flow is new), the retries read first: no input was ever added.
    expect(calls.filter((e) => e.operation === 'AddMediaConnectFlowInput' && !e.injected)).toHaveLength(0);
    // Rollback (StopFlowForRollback, DeleteFlowForRollback) on the id CreateMediaConnectFlow answered.
    expect(calls.filter((e) => e.operation === 'DeleteMediaConnectFlow' && e.errorCode === undefined)).toHaveLength(1);
    expect(emulator.iceFlows().filter((f) => f.name === iceFlowName(request))).toEqual([]);
  }, 90_000);

  it('a redrive of a failed request adopts the half-made flow by the id its first attempt recorded', async () => {
    const request = iceRequest({ requestId: 'e2e-ice-redrive', entitlements: [] });
    // First attempt: CreateMediaConnectFlow served, then CompleteFlow fails for good; onFailure keep.
    emulator.setFaults({ errorRate: 0.5, random: rolls(0.9, ...Array(12).fill(0.1)) });
    const first = await runBatch(stack, [JSON.stringify(request)], { timeoutMs: 60_000 });
    emulator.setFaults({});
    expect(first.results).toEqual([expect.objectContaining({ status: 'FAILED' })]);
    const [kept] = emulator.iceFlows().filter((f) => f.name === iceFlowName(request));
    expect(kept!.input).toBeUndefined();

    // The DLQ redrive moves the original body back: the next attempt (`--a2`) adopts and completes the same flow.
    const before = emulator.journal.count();
    const second = await runBatch(stack, [JSON.stringify(request)], { timeoutMs: 60_000 });
    expect(second.results).toEqual([
      expect.objectContaining({ status: 'PROVISIONED', flowId: kept!.flowId, executionName: 'e2e-ice-redrive--a2' }),
    ]);
    expect(emulator.iceFlows().filter((f) => f.name === iceFlowName(request))).toEqual([
      expect.objectContaining({
        flowId: kept!.flowId,
        status: 'online',
        input: { name: 'arena-encoder', protocol: 'SRT-Listener' },
      }),
    ]);
    const calls = emulator.journal.entries.slice(before);
    expect(calls.filter((e) => e.operation === 'CreateMediaConnectFlow')).toEqual([]);
    expect(calls.filter((e) => e.operation === 'AddMediaConnectFlowInput')).toHaveLength(1);
  }, 120_000);
});
