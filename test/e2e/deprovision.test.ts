/**
 * Deprovision requests through the embedded stack, on every vendor, judged by the emulators' own state: a provisioned
 * flow is torn down by a deprovision naming its requestId (delivered three times: one execution, one delete), a
 * deprovision of a request never made succeeds with `alreadyGone`, and a published CAMS flow ends DEPRECATED, the one
 * thing CAMS allows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VendorId } from '../../functions/domain/contract.ts';
import { requestsFor } from '../../local/batch/demo-batch.ts';
import { deliverWithDuplicates } from '../../local/batch/duplicates.ts';
import { type BatchReport, runBatch } from '../../local/batch/run-batch.ts';
import type { RunningAwsMediaConnectEmulator } from '../../local/emulators/aws-mediaconnect.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { vendorResources } from '../helpers/vendor-state.ts';

const deprovision = (vendor: VendorId, region: string, requestId: string, target: string) => ({
  schemaVersion: 1,
  requestId,
  action: 'deprovision',
  vendor,
  region,
  target: { requestId: target },
});

describe('deprovision requests on every vendor', () => {
  let stack: LocalStack;
  let provisioned: BatchReport;
  let deprovisioned: BatchReport;
  const provisions = new Map<VendorId, Record<string, unknown>>();

  beforeAll(async () => {
    stack = await startLocalStack({ waitOverrideMs: 20, retryOverrideMs: 100 });
    for (const vendor of stack.vendors) provisions.set(vendor, requestsFor(vendor, 1, 'life')[0]!);
    provisioned = await runBatch(
      stack,
      [...provisions.values()].map((r) => JSON.stringify(r)),
      { timeoutMs: 120_000 },
    );
    const bodies = [...provisions.entries()].flatMap(([vendor, request]) => [
      JSON.stringify(deprovision(vendor, request.region as string, `down-${vendor}`, request.requestId as string)),
      JSON.stringify(deprovision(vendor, request.region as string, `down-none-${vendor}`, `never-made-${vendor}`)),
    ]);
    deprovisioned = await runBatch(stack, bodies, {
      timeoutMs: 120_000,
      deliver: (s, b) => deliverWithDuplicates(s, b, { copies: 3, spreadMs: 300 }),
    });
  }, 300_000);
  afterAll(async () => stack?.stop());

  const outputOf = (requestId: string) => {
    const executions = stack.stepFunctions.allExecutions().filter((e) => e.name === requestId);
    expect(executions).toHaveLength(1);
    expect(executions[0]!.status).toBe('SUCCEEDED');
    return JSON.parse(executions[0]!.output ?? '{}') as { outcome: string; alreadyGone: boolean };
  };

  it('provisions first, then tears every flow down once, leaving no live resource at any vendor', () => {
    expect(provisioned.results.map((r) => r.status)).toEqual(stack.vendors.map(() => 'PROVISIONED'));
    expect(deprovisioned.unresolved).toEqual([]);
    for (const vendor of stack.vendors) {
      const output = outputOf(`down-${vendor}`);
      expect(output.alreadyGone).toBe(false);
      expect(output.outcome).toBe(vendor === 'alibaba-cams' ? 'DEPRECATED' : 'DELETED');
      const left = vendorResources(vendor, stack.emulators[vendor]!, [provisions.get(vendor) as never]);
      if (vendor === 'alibaba-cams') expect(left.filter((r) => r.running)).toEqual([]);
      else expect(left).toEqual([]);
    }
  });

  it('deletes once although each deprovision was delivered three times', () => {
    const aws = stack.emulators['aws-mediaconnect'] as RunningAwsMediaConnectEmulator | undefined;
    if (!aws) return;
    const deletes = aws.journal.entries.filter((e) => e.operation === 'DeleteFlow' && e.status === 202);
    expect(deletes).toHaveLength(1);
  });

  it('answers alreadyGone for a target that was never created', () => {
    for (const vendor of stack.vendors) {
      expect(outputOf(`down-none-${vendor}`)).toMatchObject({ outcome: 'ALREADY_GONE', alreadyGone: true });
    }
  });
});

describe('a deprovision before startAt', () => {
  let stack: LocalStack;
  afterAll(async () => stack?.stop());

  it('cancels the pending start, removes the flow, and a redelivered provision does not bring it back', async () => {
    stack = await startLocalStack({ vendors: ['aws-mediaconnect'], waitOverrideMs: 20, retryOverrideMs: 100 });
    const aws = stack.emulators['aws-mediaconnect'] as RunningAwsMediaConnectEmulator;
    const startAt = new Date(Date.now() + 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const request: Record<string, unknown> = { ...requestsFor('aws-mediaconnect', 1, 'early')[0]!, startAt };
    await stack.send([JSON.stringify(request)]);
    const provision = () => stack.stepFunctions.allExecutions().find((e) => e.name === request.requestId);
    for (let i = 0; i < 200 && !provision()?.history.some((h) => h.stateName === 'WaitForStartAt'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(aws.flows().map((f) => f.status)).toEqual(['STANDBY']);

    const down = deprovision('aws-mediaconnect', request.region as string, 'early-down', request.requestId as string);
    await runBatch(stack, [JSON.stringify(down)], { timeoutMs: 60_000 });
    expect(provision()).toMatchObject({ status: 'ABORTED', error: 'Deprovisioned' });
    expect(aws.flows()).toEqual([]);
    expect(aws.journal.entries.filter((e) => e.operation === 'StartFlow')).toEqual([]);

    await runBatch(stack, [JSON.stringify(request)], { timeoutMs: 60_000 });
    expect(
      stack.stepFunctions.allExecutions().filter((e) => e.name.startsWith(String(request.requestId))),
    ).toHaveLength(1);
    expect(aws.flows()).toEqual([]);
  }, 120_000);
});
