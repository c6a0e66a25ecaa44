/**
 * `flowctl schedule create|list|delete --local` end to end: the local scheduler fires at() and rate() schedules into
 * the ingress queue with Scheduler's `<aws.scheduler.scheduled-time>` substitution; the dispatcher keeps each
 * occurrence as `<requestId>-YYYYMMDDTHHMMSSZ`. Schedule time runs 200× faster here (rate(1 minute) every 300 ms);
 * the substituted times stay the nominal ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScheduleInfo } from '../../cli/operations/schedule.ts';
import { requestsFor } from '../../local/batch/demo-batch.ts';
import type { RunningAwsMediaConnectEmulator } from '../../local/emulators/aws-mediaconnect.ts';
import { eventually, type ServedStack, startServedStack } from '../helpers/flowctl-e2e.ts';

const OCCURRENCE = /^(.+)-(\d{8}T\d{6}Z)$/;

describe('flowctl schedule --local', () => {
  let served: ServedStack;
  const request = (id: string, flowName: string) => {
    const [base] = requestsFor('aws-mediaconnect', 1, 'sched');
    return JSON.stringify({ ...base, requestId: id, flow: { ...(base!.flow as object), name: flowName } });
  };
  const succeeded = (prefix: string) =>
    served.stack.stepFunctions.allExecutions().filter((e) => e.name.startsWith(prefix) && e.status === 'SUCCEEDED');

  beforeAll(async () => {
    served = await startServedStack({ waitOverrideMs: 20, schedulerTimeScale: 0.005 });
  });
  afterAll(async () => served?.stop());

  it('runs a rate() schedule: one request per occurrence, named after its scheduled time, until its end date', async () => {
    const file = served.file('every-minute.json', request('every-minute', 'every-minute'));
    // Occurrences at +1 and +2 minutes; the end date (+2.5 minutes) stops it after those two.
    const end = new Date(Date.now() + 150_000).toISOString();
    const created = await served.flowctl(
      'schedule',
      'create',
      '--local',
      '--json',
      '--rate',
      '1 minute',
      '--end',
      end,
      file,
    );
    expect(created.code).toBe(0);
    expect(created.json()).toMatchObject({
      name: 'every-minute',
      groupName: 'flow-provisioner',
      scheduleArn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/flow-provisioner/every-minute',
      expression: 'rate(1 minute)',
      actionAfterCompletion: 'NONE',
      requestIdTemplate: 'every-minute-<aws.scheduler.scheduled-time>',
      firstRequestId: null,
    });
    const listed = await served.flowctl('schedule', 'list', '--local', '--json');
    expect(listed.json<{ schedules: ScheduleInfo[] }>().schedules).toEqual([
      expect.objectContaining({
        name: 'every-minute',
        state: 'ENABLED',
        expression: 'rate(1 minute)',
        vendor: 'aws-mediaconnect',
      }),
    ]);
    await eventually(() => served.stack.scheduler.firings.length >= 2, 20_000, 'two occurrences');
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(served.stack.scheduler.firings.filter((f) => f.schedule === 'every-minute')).toHaveLength(2);
    const deleted = await served.flowctl('schedule', 'delete', '--local', 'every-minute');
    expect(deleted.code).toBe(0);
    const fired = served.stack.scheduler.firings.filter((f) => f.schedule === 'every-minute').length;
    await served.stack.waitForDrain({ timeoutMs: 60_000 });

    // Each occurrence became its own request, named after its scheduled time, one minute apart.
    const names = succeeded('every-minute-').map((e) => e.name);
    expect(fired).toBe(2);
    expect(names).toHaveLength(fired);
    const times = names.map((n) => OCCURRENCE.exec(n)![2]!).sort();
    expect(new Set(times).size).toBe(fired);
    const ms = times.map((t) => Date.parse(t.replace(/(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z/, '$1-$2-$3T$4:$5:$6Z')));
    for (let i = 1; i < ms.length; i++) expect(ms[i]! - ms[i - 1]!).toBe(60_000);
    const flows = (served.stack.emulators['aws-mediaconnect'] as RunningAwsMediaConnectEmulator).flows();
    expect(flows.filter((f) => f.tags['flow-provisioner:request-id']?.startsWith('every-minute-'))).toHaveLength(fired);
  });

  it('runs an at() schedule once under the request id it announced, then the schedule is gone', async () => {
    const at = new Date(Date.now() + 10 * 60_000);
    const file = served.file('once.json', request('once', 'once'));
    const created = await served.flowctl('schedule', 'create', '--local', '--json', '--at', at.toISOString(), file);
    expect(created.code).toBe(0);
    const { firstRequestId, actionAfterCompletion } = created.json<{
      firstRequestId: string;
      actionAfterCompletion: string;
    }>();
    expect(actionAfterCompletion).toBe('DELETE');
    expect(firstRequestId).toMatch(/^once-\d{8}T\d{6}Z$/);
    await eventually(() => succeeded(firstRequestId).length === 1, 30_000, 'the one-time request to be provisioned');
    const listed = await served.flowctl('schedule', 'list', '--local', '--json');
    expect(listed.json<{ schedules: ScheduleInfo[] }>().schedules.map((s) => s.name)).not.toContain('once');
  });

  it('explains what it cannot do with exit codes: cron locally (2), a name taken (1), an unknown schedule (4)', async () => {
    const file = served.file('cron.json', request('cron-job', 'cron-job'));
    const cron = await served.flowctl('schedule', 'create', '--local', '--cron', '0 6 * * ? *', file);
    expect(cron.code).toBe(2);
    expect(cron.stderr).toMatch(/does not run cron\(\) schedules/);

    const taken = served.file('taken.json', request('taken', 'taken'));
    expect((await served.flowctl('schedule', 'create', '--local', '--rate', '1 day', taken)).code).toBe(0);
    const again = await served.flowctl('schedule', 'create', '--local', '--rate', '2 days', taken);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/a schedule named taken already exists[\s\S]*flowctl schedule delete taken/);

    const missing = await served.flowctl('schedule', 'delete', '--local', 'no-such-schedule');
    expect(missing.code).toBe(4);
  });
});
