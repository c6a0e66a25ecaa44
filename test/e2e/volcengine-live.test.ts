/**
 * 100 Volcengine Live requests through the embedded stack at once (ingress queue, dispatcher, workflow, paced vendor
 * λ, emulator), judged by the emulator's own state and journal: every request provisioned exactly once, no one-second
 * window above the documented 10 calls, and no FlowLimitExceeded answered. Takes about 40 s: 300 calls (group, task,
 * read) at the paced 9.1 calls/s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VENDORS } from '../../functions/domain/config.ts';
import { requestsFor } from '../../local/batch/demo-batch.ts';
import { type BatchReport, runBatch } from '../../local/batch/run-batch.ts';
import type { RunningVolcengineLiveEmulator } from '../../local/emulators/volcengine-live.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';

const COUNT = 100;

describe(`local run: ${COUNT} volcengine-live requests at once`, () => {
  let stack: LocalStack;
  let report: BatchReport;
  const requests = requestsFor('volcengine-live', COUNT, 'e2e');

  beforeAll(async () => {
    stack = await startLocalStack({ vendors: ['volcengine-live'], waitOverrideMs: 200 });
    report = await runBatch(
      stack,
      requests.map((r) => JSON.stringify(r)),
      { timeoutMs: 240_000 },
    );
  }, 300_000);
  afterAll(async () => stack?.stop());

  it('provisions every request exactly once: one group and one active task each', () => {
    expect(report.results.filter((r) => r.status === 'PROVISIONED')).toHaveLength(COUNT);
    expect(report.unresolved).toEqual([]);
    const emulator = stack.emulators['volcengine-live'] as RunningVolcengineLiveEmulator;
    expect(
      emulator
        .groups()
        .map((g) => g.name)
        .sort(),
    ).toEqual(requests.map((r) => (r.flow as { name: string }).name).sort());
    const tasks = emulator.tasks();
    expect(tasks).toHaveLength(COUNT);
    expect(tasks.every((t) => t.status === '生效中')).toBe(true);
  });

  it('never exceeds a documented scope in any second at the vendor and is never throttled', () => {
    const journal = stack.emulators['volcengine-live']!.journal;
    // Create group and task: two writes each, exactly. Then the read that confirms the task runs, which answers its
    // addresses too (no read for the event); one more when it comes before the task's StartTime second has passed:
    // the poll depends on the transition, not on a count.
    expect(journal.count((e) => e.budget === 'writes' && !e.throttled)).toBe(COUNT * 2);
    const lists = journal.count((e) => e.budget === 'lists' && !e.throttled);
    expect(lists).toBeGreaterThanOrEqual(COUNT);
    expect(lists).toBeLessThan(COUNT * 2);
    const limits = Object.fromEntries(VENDORS['volcengine-live'].budget.scopes.map((s) => [s.name, s.documentedLimit]));
    expect(limits).toEqual({ writes: 10, lists: 15 });
    expect(journal.maxInWindow(1000, 'writes')).toBeLessThanOrEqual(10);
    expect(journal.maxInWindow(1000, 'lists')).toBeLessThanOrEqual(15);
    expect(journal.count((e) => e.throttled)).toBe(0);
    expect(journal.count((e) => e.status !== 200)).toBe(0);
  });
});
