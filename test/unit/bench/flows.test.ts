/**
 * The bench's flow arithmetic (`bench/flows.ts`): calls per flow by operation, the ideal rate the documented scopes
 * allow and which scope binds, flows per second, and the per-second series the compliance charts draw.
 */
import { describe, expect, it } from 'vitest';
import {
  callsPerFlowByOperation,
  callsPerSecondByScope,
  flowsOverIdeal,
  flowsPerSecond,
  idealFlowsPerSecond,
  type ScopeLimit,
  scopeCallsPerFlow,
} from '../../../bench/flows.ts';

const perOperation = (ops: readonly string[]): ScopeLimit[] =>
  ops.map((op) => ({ name: op, operations: [op], limit: 5, windowSeconds: 1 }));

describe('calls per flow by operation', () => {
  it('counts every journaled call per operation and divides by the flows', () => {
    const calls = ['CreateFlow', 'StartFlow', 'GetFlow', 'GetFlow', 'CreateFlow', 'StartFlow'].map((operation) => ({
      operation,
    }));
    expect(callsPerFlowByOperation(calls, 2)).toEqual({ CreateFlow: 1, GetFlow: 1, StartFlow: 1 });
  });

  it('is empty when no flow was provisioned', () => {
    expect(callsPerFlowByOperation([{ operation: 'CreateFlow' }], 0)).toEqual({});
  });
});

describe('the ideal rate', () => {
  it('is limit ÷ calls per flow for one vendor-wide scope', () => {
    const scopes: ScopeLimit[] = [{ name: 'account', operations: '*', limit: 5, windowSeconds: 1 }];
    const ideal = idealFlowsPerSecond(scopes, { CreateFlow: 1, StartFlow: 1, DescribeFlow: 1 });
    expect(ideal.flowsPerSecond).toBeCloseTo(5 / 3);
    expect(ideal.binding).toBe('account');
  });

  it('is the least rate over per-operation scopes: the operation called most often binds', () => {
    const scopes = perOperation(['CreateFlow', 'StartFlow', 'GetFlow']);
    const ideal = idealFlowsPerSecond(scopes, { CreateFlow: 1, StartFlow: 1, GetFlow: 2 });
    expect(ideal.flowsPerSecond).toBeCloseTo(2.5);
    expect(ideal.binding).toBe('GetFlow');
  });

  it('converts a per-minute window into a per-second rate', () => {
    const scopes: ScopeLimit[] = [{ name: 'user', operations: '*', limit: 80, windowSeconds: 60 }];
    expect(idealFlowsPerSecond(scopes, { create: 1, start: 1 }).flowsPerSecond).toBeCloseTo(80 / 60 / 2);
  });

  it('ignores a scope the flow does not call and sums the operations a scope covers', () => {
    const scopes: ScopeLimit[] = [
      { name: 'writes', operations: ['CreateGroup', 'CreateTask'], limit: 10, windowSeconds: 1 },
      { name: 'lists', operations: ['ListTasks'], limit: 15, windowSeconds: 1 },
    ];
    expect(scopeCallsPerFlow(scopes[0]!, { CreateGroup: 1, CreateTask: 1 })).toBe(2);
    const ideal = idealFlowsPerSecond(scopes, { CreateGroup: 1, CreateTask: 1 });
    expect(ideal.flowsPerSecond).toBeCloseTo(5);
    expect(ideal.binding).toBe('writes');
  });

  it('refuses a scope without a positive limit', () => {
    expect(() => idealFlowsPerSecond([{ name: 'x', operations: '*', limit: 0, windowSeconds: 1 }], { a: 1 })).toThrow(
      /limit and window/,
    );
  });

  it('has no ratio without an ideal', () => {
    expect(flowsOverIdeal(1, Number.POSITIVE_INFINITY)).toBeNaN();
    expect(flowsOverIdeal(4.5, 5)).toBeCloseTo(0.9);
  });
});

describe('flows per second', () => {
  it('is flows over the span from the first request to the last flow', () => {
    expect(flowsPerSecond(300, 1_000, 61_000)).toBeCloseTo(5);
    expect(flowsPerSecond(0, 0, 10_000)).toBe(0);
    expect(flowsPerSecond(3, 5_000, 5_000)).toBe(0);
  });
});

describe('calls per second by scope', () => {
  const scopes: ScopeLimit[] = [
    { name: 'writes', operations: ['Create'], limit: 10, windowSeconds: 1 },
    { name: 'all', operations: '*', limit: 15, windowSeconds: 1 },
  ];
  const calls = [
    { at: 1_000, operation: 'Create', throttled: false },
    { at: 1_400, operation: 'List', throttled: false },
    { at: 3_100, operation: 'Create', throttled: true },
  ];

  it('buckets each scope’s calls per whole second, throttled calls included, empty seconds as 0', () => {
    expect(callsPerSecondByScope(calls, scopes, 1_000)).toEqual([
      { second: 0, scope: 'writes', calls: 1 },
      { second: 1, scope: 'writes', calls: 0 },
      { second: 2, scope: 'writes', calls: 1 },
      { second: 0, scope: 'all', calls: 2 },
      { second: 1, scope: 'all', calls: 0 },
      { second: 2, scope: 'all', calls: 1 },
    ]);
  });

  it('counts a compressed run per real second', () => {
    // At time scale 0.5 a real second lasts 500 ms of the run.
    const points = callsPerSecondByScope(calls, [scopes[1]!], 1_000, 0.5);
    expect(points.map((p) => p.calls)).toEqual([2, 0, 0, 0, 1]);
  });
});
