import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { listPending, pendingActions } from '../../../cli/operations/pending.ts';
import { anAwsTarget, MACHINE_ARN } from '../../helpers/flowctl.ts';

const sfn = mockClient(SFNClient);
afterEach(() => sfn.reset());

const now = Date.parse('2026-12-20T12:00:00Z');
const timed = (requestId: string, startAt?: string, deprovisionAt?: string) => ({
  schemaVersion: 1,
  requestId,
  vendor: 'aws-mediaconnect',
  ...(startAt ? { startAt } : {}),
  ...(deprovisionAt ? { deprovisionAt } : {}),
});

describe('pending starts and teardowns', () => {
  it('lists only what is still to come, by time when no history is read', () => {
    expect(pendingActions(timed('a', '2026-12-20T18:00:00Z', '2026-12-20T21:00:00Z'), { now })).toEqual([
      { action: 'start', at: '2026-12-20T18:00:00Z', state: 'later' },
      { action: 'deprovision', at: '2026-12-20T21:00:00Z', state: 'later' },
    ]);
    expect(pendingActions(timed('b', '2026-12-20T10:00:00Z', '2026-12-20T21:00:00Z'), { now })).toEqual([
      { action: 'deprovision', at: '2026-12-20T21:00:00Z', state: 'later' },
    ]);
    expect(pendingActions(timed('c'), { now })).toEqual([]);
    expect(pendingActions({ ...timed('d', '2026-12-21T00:00:00Z'), action: 'deprovision' }, { now })).toEqual([]);
  });

  it('reads the running executions of every state machine and sorts them soonest first', async () => {
    const exec = (name: string) => ({
      executionArn: `${MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${name}`,
      stateMachineArn: MACHINE_ARN,
      name,
      status: 'RUNNING' as const,
      startDate: new Date(now),
    });
    sfn
      .on(ListExecutionsCommand, { stateMachineArn: MACHINE_ARN, statusFilter: 'RUNNING' })
      .resolvesOnce({ executions: [exec('late'), exec('none')], nextToken: 'p2' })
      .resolvesOnce({ executions: [exec('soon')] });
    const inputs: Record<string, unknown> = {
      late: timed('late', undefined, '2026-12-22T00:00:00Z'),
      none: timed('none'),
      soon: timed('soon', '2026-12-20T13:00:00Z'),
    };
    sfn.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) => ({
      input: JSON.stringify(inputs[input.executionArn.split(':').at(-1)!]),
    }));
    const pending = await listPending(anAwsTarget(), now);
    expect(pending.map((p) => [p.requestId, p.pending.map((a) => a.action)])).toEqual([
      ['soon', ['start']],
      ['late', ['deprovision']],
    ]);
    expect(sfn.commandCalls(ListExecutionsCommand)).toHaveLength(2);
  });
});
