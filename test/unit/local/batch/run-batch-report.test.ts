/**
 * The `flowctl local` batch report over a stack's records: a message the dispatcher rejected without a usable request
 * id is one anonymous REJECTED result, never an unresolved request (which would make `flowctl local` exit 1).
 */
import { describe, expect, it } from 'vitest';
import { buildReport, type DlqRecord } from '../../../../local/batch/run-batch.ts';
import type { LocalStack } from '../../../../local/stack.ts';

/** A stack that ran no execution: every message of the batch was rejected at the dispatcher. */
const idleStack = {
  vendors: ['huawei-live'],
  emulators: {},
  stepFunctions: { allExecutions: () => [] },
} as unknown as LocalStack;

function rejection(body: string, attributes: Record<string, string> = {}): DlqRecord {
  return {
    messageId: `m-${body.length}`,
    body,
    attributes: { reason: 'InvalidRequest', cause: '["requestId: too short"]', ...attributes },
  };
}

describe('buildReport', () => {
  it('reports a message with "requestId": "" as rejected, not unresolved', () => {
    const body = JSON.stringify({ schemaVersion: 1, requestId: '', vendor: 'huawei-live' });
    const report = buildReport(idleStack, [body], [rejection(body, { vendor: 'huawei-live' })], 5);

    expect(report.unresolved).toEqual([]);
    expect(report.results).toEqual([
      {
        requestId: null,
        vendor: 'huawei-live',
        status: 'REJECTED',
        flowId: null,
        executionName: null,
        error: 'InvalidRequest: requestId: too short',
        connection: null,
      },
    ]);
    expect(report.summary.find((s) => s.vendor === 'huawei-live')).toMatchObject({ requested: 1, rejected: 1 });
  });

  it('still reports a named request that reached no terminal state as unresolved', () => {
    const body = JSON.stringify({ schemaVersion: 1, requestId: 'r-lost', vendor: 'huawei-live' });
    const report = buildReport(idleStack, [body], [], 5);
    expect(report.unresolved).toEqual(['r-lost']);
    expect(report.results).toEqual([]);
  });
});
