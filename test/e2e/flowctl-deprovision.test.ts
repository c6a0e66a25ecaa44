/**
 * `flowctl deprovision` end to end against `flowctl local --serve`: the real command line, judged by the emulator's
 * state and the local scheduler's schedules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScheduleInfo } from '../../cli/operations/schedule.ts';
import { requestsFor } from '../../local/batch/demo-batch.ts';
import type { RunningAwsMediaConnectEmulator } from '../../local/emulators/aws-mediaconnect.ts';
import { eventually, type ServedStack, startServedStack } from '../helpers/flowctl-e2e.ts';

describe('flowctl deprovision --local', () => {
  let served: ServedStack;
  const [request] = requestsFor('aws-mediaconnect', 1, 'cli-down');
  const flows = () => (served.stack.emulators['aws-mediaconnect'] as RunningAwsMediaConnectEmulator).flows();
  beforeAll(async () => {
    served = await startServedStack({ waitOverrideMs: 50, retryOverrideMs: 100 });
    const submitted = await served.flowctl(
      'submit',
      '--local',
      '--json',
      served.file('req.json', JSON.stringify(request)),
    );
    expect(submitted.code).toBe(0);
    await eventually(() => flows().some((f) => f.status === 'ACTIVE'));
  });
  afterAll(async () => served?.stop());

  it('refuses a deprovision without its vendor and region, saying what to give', async () => {
    const run = await served.flowctl(
      'deprovision',
      '--local',
      String(request!.requestId),
      '--vendor',
      'nope',
      '--flow-region',
      'us-east-1',
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/vendor/);
  });

  it('schedules a deprovision with --at, visible in flowctl schedule list', async () => {
    const at = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const run = await served.flowctl(
      'deprovision',
      '--local',
      '--json',
      String(request!.requestId),
      '--vendor',
      'aws-mediaconnect',
      '--flow-region',
      String(request!.region),
      '--at',
      at,
      '--id',
      'later-down',
    );
    expect(run.code).toBe(0);
    const listed = await served.flowctl('schedule', 'list', '--local', '--json');
    expect(listed.json<{ schedules: ScheduleInfo[] }>().schedules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'later-down', expression: expect.stringMatching(/^at\(/) }),
      ]),
    );
  });

  it('tears the flow down now, and a repeat succeeds with nothing left to do', async () => {
    const args = ['deprovision', '--local', '--json', String(request!.requestId), '--vendor', 'aws-mediaconnect'];
    const run = await served.flowctl(...args, '--flow-region', String(request!.region));
    expect(run.code).toBe(0);
    await eventually(() => flows().length === 0);
    expect(flows()).toEqual([]);
    const again = await served.flowctl(...args, '--flow-region', String(request!.region), '--id', 'down-again');
    expect(again.code).toBe(0);
    const repeat = () => served.stack.stepFunctions.allExecutions().find((e) => e.name === 'down-again');
    await eventually(() => repeat()?.status === 'SUCCEEDED');
    expect(JSON.parse(repeat()?.output ?? '{}')).toMatchObject({ outcome: 'ALREADY_GONE', alreadyGone: true });
  });
});
