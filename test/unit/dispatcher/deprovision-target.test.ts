import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  SFNClient,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveDeprovision } from '../../../functions/dispatcher/deprovision-target.ts';

const sfn = mockClient(SFNClient);
afterEach(() => sfn.reset());

const machine = 'arn:aws:states:us-east-1:111122223333:stateMachine:provision-flow-alibaba-cams';
const arn = (name: string) => `${machine.replace(':stateMachine:', ':execution:')}:${name}`;
const deprovision = {
  schemaVersion: 1 as const,
  requestId: 'teardown-1',
  action: 'deprovision' as const,
  vendor: 'alibaba-cams' as const,
  region: 'cn-shanghai',
  target: { requestId: 'match-1' },
};
const provisionInput = JSON.stringify({
  requestId: 'match-1',
  region: 'cn-hangzhou',
  flow: { custSpaceId: 'space-7' },
});
const exit = (name: string, output: unknown) => ({
  type: 'TaskStateExited' as const,
  timestamp: new Date(),
  id: 1,
  stateExitedEventDetails: { name, output: JSON.stringify(output) },
});

describe('resolveDeprovision', () => {
  it('finds the flow id on a later history page, stops a waiting attempt with Deprovisioned, and keeps the region and space', async () => {
    sfn
      .on(DescribeExecutionCommand, { executionArn: arn('match-1') })
      .resolves({ status: 'FAILED', input: provisionInput })
      .on(DescribeExecutionCommand, { executionArn: arn('match-1--a2') })
      .resolves({ status: 'RUNNING', input: provisionInput })
      .on(DescribeExecutionCommand, { executionArn: arn('match-1--a3') })
      .rejects(new ExecutionDoesNotExist({ message: 'no such execution', $metadata: {} }));
    sfn
      .on(GetExecutionHistoryCommand, { executionArn: arn('match-1') })
      .resolvesOnce({ events: [exit('Prepare', {})], nextToken: 'page-2' })
      .resolvesOnce({ events: [exit('CreateFlow', { flow: { flowId: 'cams-flow-1' } })] })
      .on(GetExecutionHistoryCommand, { executionArn: arn('match-1--a2') })
      .resolves({ events: [exit('Prepare', {})] });
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });

    const resolved = await resolveDeprovision(deprovision, machine, new SFNClient({}), 10);

    expect(resolved).toEqual({
      target: { vendor: 'alibaba-cams', region: 'cn-hangzhou', requestId: 'match-1', custSpaceId: 'space-7' },
      flowId: 'cams-flow-1',
      cancelled: ['match-1--a2'],
    });
    expect(sfn.commandCalls(StopExecutionCommand).map((c) => c.args[0].input)).toEqual([
      {
        executionArn: arn('match-1--a2'),
        error: 'Deprovisioned',
        cause: 'cancelled by deprovision request teardown-1',
      },
    ]);
  });

  it('answers no flow id for a target that was never provisioned, and stops nothing', async () => {
    sfn
      .on(DescribeExecutionCommand)
      .rejects(new ExecutionDoesNotExist({ message: 'no such execution', $metadata: {} }));
    const resolved = await resolveDeprovision(deprovision, machine, new SFNClient({}), 10);
    expect(resolved).toEqual({
      target: { vendor: 'alibaba-cams', region: 'cn-shanghai', requestId: 'match-1' },
      cancelled: [],
    });
    expect(sfn.commandCalls(StopExecutionCommand)).toHaveLength(0);
  });
});
