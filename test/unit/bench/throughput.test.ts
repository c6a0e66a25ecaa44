/**
 * The local-throughput measurement (`bench/throughput.ts`): both sides of its ratio must provision every request, or
 * the figure compares a working stack with a harness that fails (a bare interpreter missing what the local service
 * gives the workflow answered 0 flows and a ratio of Infinity). Outcomes only; the speed itself is the bench's.
 */
import { describe, expect, it } from 'vitest';
import { measureThroughput } from '../../../bench/throughput.ts';

describe('measureThroughput', () => {
  it('provisions every request on the local stack and on the bare interpreter', async () => {
    const report = await measureThroughput('aws-mediaconnect', 4, 'queue');
    expect(report.stack.provisioned).toBe(4);
    expect(report.bare.provisioned).toBe(4);
    expect(Number.isFinite(report.ratio) && report.ratio > 0).toBe(true);
    // A queued flow enters at least its create, start, read and grant states (each a Task and its choices).
    expect(report.stackTransitionsPerFlow).toBeGreaterThan(4);
  }, 120_000);
});
