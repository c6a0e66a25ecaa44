import { ConflictException, CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildCreateSchedule, createSchedule } from '../../../cli/operations/schedule.ts';
import { EXIT, FlowctlError } from '../../../cli/output.ts';
import { parseRequestBody } from '../../../functions/domain/contract.ts';
import {
  atExpression,
  parseScheduleExpression,
  rateExpression,
  wallTimeToUtc,
} from '../../../functions/domain/schedule-expression.ts';
import { canonicalRequestBody, substituteSchedulerContext } from '../../../functions/domain/scheduled-request-id.ts';
import { aRequest } from '../../helpers/factories.ts';
import { anAwsTarget, INGRESS_ARN, INGRESS_URL, SCHEDULE_DLQ_ARN, SCHEDULE_ROLE_ARN } from '../../helpers/flowctl.ts';

const scheduler = mockClient(SchedulerClient);
const sqs = mockClient(SQSClient);
const settings = { groupName: 'flow-provisioner', roleArn: SCHEDULE_ROLE_ARN, deadLetterQueueArn: SCHEDULE_DLQ_ARN };
const request = () => aRequest('aws-mediaconnect', { requestId: 'nightly-news' });

beforeEach(() => {
  scheduler.reset();
  sqs.reset();
  sqs.on(GetQueueAttributesCommand, { QueueUrl: INGRESS_URL }).resolves({ Attributes: { QueueArn: INGRESS_ARN } });
});

describe('schedule create: the CreateSchedule input', () => {
  it('targets the ingress queue with the stack role and DLQ, and puts the scheduled time in the request id', () => {
    const input = buildCreateSchedule(
      { request: request(), expression: 'cron(0 6 ? * MON-FRI *)', timezone: 'Europe/Paris', windowMinutes: 10 },
      settings,
      INGRESS_ARN,
      new Date('2026-03-23T05:00:00Z'),
    );
    expect(input).toMatchObject({
      Name: 'nightly-news',
      GroupName: 'flow-provisioner',
      ScheduleExpression: 'cron(0 6 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 10 },
      Target: { Arn: INGRESS_ARN, RoleArn: SCHEDULE_ROLE_ARN, DeadLetterConfig: { Arn: SCHEDULE_DLQ_ARN } },
      ActionAfterCompletion: 'NONE',
      State: 'ENABLED',
    });
    expect(input.ClientToken).toMatch(/^[0-9a-f]{64}$/);
    const sent = JSON.parse(input.Target!.Input!) as Record<string, unknown>;
    expect(sent).toEqual({ ...request(), requestId: 'nightly-news-<aws.scheduler.scheduled-time>' });
    // What Scheduler delivers for 06:00 Paris (05:00 UTC) becomes a valid request with a stable id.
    const delivered = substituteSchedulerContext(input.Target!.Input!, {
      scheduledTime: new Date('2026-03-23T05:00:00Z'),
      scheduleArn: 'arn',
      executionId: 'x',
      attemptNumber: 1,
    });
    const parsed = parseRequestBody(canonicalRequestBody(delivered));
    expect(parsed.ok && parsed.request.requestId).toBe('nightly-news-20260323T050000Z');
  });

  it('deletes a one-time schedule after it fired, and turns the window off without --window', () => {
    const input = buildCreateSchedule(
      { request: request(), expression: 'at(2026-03-22T19:00:00)' },
      settings,
      INGRESS_ARN,
      new Date('2026-03-22T19:00:00Z'),
    );
    expect(input).toMatchObject({ ActionAfterCompletion: 'DELETE', FlexibleTimeWindow: { Mode: 'OFF' } });
    expect(input.ScheduleExpressionTimezone).toBeUndefined();
    // Deterministic: the same schedule asked twice carries the same client token.
    expect(
      buildCreateSchedule(
        { request: request(), expression: 'at(2026-03-22T19:00:00)' },
        settings,
        INGRESS_ARN,
        new Date(),
      ).ClientToken,
    ).toBe(input.ClientToken);
  });

  it('validates the request as an occurrence before creating anything: every problem, and the id length', () => {
    const broken = { ...request(), region: 'Not A Region', start: 'yes' };
    const error = (() => {
      try {
        buildCreateSchedule({ request: broken, expression: 'rate(1 hour)' }, settings, INGRESS_ARN, new Date());
      } catch (e) {
        return e as FlowctlError;
      }
    })();
    expect(error?.exitCode).toBe(EXIT.USAGE);
    expect(error?.message).toMatch(/region: .*\n.*start: /s);
    expect(() =>
      buildCreateSchedule(
        { request: { ...request(), requestId: 'x'.repeat(70) }, expression: 'rate(1 hour)' },
        settings,
        INGRESS_ARN,
        new Date(),
      ),
    ).toThrow(/must stay ≤ 80/);
    expect(() =>
      buildCreateSchedule(
        { request: request(), expression: 'rate(1 hour)', windowMinutes: 2000 },
        settings,
        INGRESS_ARN,
        new Date(),
      ),
    ).toThrow(/1–1440/);
  });
});

describe('schedule create against Scheduler', () => {
  it('sends the input and returns the schedule ARN and, for --at, the request id the pipeline will use', async () => {
    scheduler
      .on(CreateScheduleCommand)
      .resolves({ ScheduleArn: 'arn:aws:scheduler:eu-west-1:123456789012:schedule/flow-provisioner/nightly-news' });
    const at = atExpression('2026-03-22T20:00:00+01:00', 'Europe/Paris');
    const created = await createSchedule(
      anAwsTarget(),
      { request: request(), expression: at.expression, timezone: at.zone },
      { now: new Date('2026-03-01T00:00:00Z') },
    );
    expect(created.scheduleArn).toMatch(/schedule\/flow-provisioner\/nightly-news$/);
    expect(created.firstRequestId).toBe('nightly-news-20260322T190000Z');
    expect(scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input).toEqual(created.input);
    expect(created.input.ScheduleExpression).toBe('at(2026-03-22T20:00:00)');
  });

  it('explains a name conflict and a time in the past', async () => {
    scheduler.on(CreateScheduleCommand).rejects(
      new ConflictException({
        message: 'Schedule nightly-news already exists.',
        $metadata: {},
        Message: 'Schedule nightly-news already exists.',
      }),
    );
    const conflict = await createSchedule(anAwsTarget(), { request: request(), expression: 'rate(1 day)' }).catch(
      (e) => e,
    );
    expect(conflict).toBeInstanceOf(FlowctlError);
    expect(conflict.message).toBe('a schedule named nightly-news already exists in group flow-provisioner');
    expect(conflict.hint).toMatch(/flowctl schedule delete nightly-news/);
    const past = await createSchedule(
      anAwsTarget(),
      { request: request(), expression: 'at(2020-01-01T00:00:00)' },
      { now: new Date('2026-01-01T00:00:00Z') },
    ).catch((e) => e);
    expect(past.message).toMatch(/in the past/);
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(1);
  });
});

describe('schedule expressions', () => {
  it('reads --at with an offset as an instant and without one as wall time in --tz', () => {
    expect(atExpression('2026-03-22T19:00:00Z')).toMatchObject({ expression: 'at(2026-03-22T19:00:00)', zone: 'UTC' });
    expect(atExpression('2026-07-01T12:00', 'Europe/Paris')).toMatchObject({
      expression: 'at(2026-07-01T12:00:00)',
      instant: new Date('2026-07-01T10:00:00Z'),
    });
    expect(atExpression('2026-07-01T12:00:00Z', 'America/New_York').expression).toBe('at(2026-07-01T08:00:00)');
    expect(wallTimeToUtc('2026-01-15T12:00:00', 'Europe/Paris').toISOString()).toBe('2026-01-15T11:00:00.000Z');
    expect(() => atExpression('tomorrow')).toThrow(/ISO 8601/);
    expect(() => atExpression('2026-07-01T12:00', 'Mars/Olympus')).toThrow(/IANA time zone/);
  });

  it('normalizes rates and checks cron fields', () => {
    expect(rateExpression('1 minutes')).toBe('rate(1 minute)');
    expect(rateExpression('15 minute')).toBe('rate(15 minutes)');
    expect(rateExpression('rate(2 hours)')).toBe('rate(2 hours)');
    expect(() => rateExpression('0 minutes')).toThrow(/positive/);
    expect(parseScheduleExpression('rate(2 days)')).toMatchObject({ kind: 'rate', intervalMs: 172_800_000 });
    expect(() => parseScheduleExpression('cron(0 6 * * *)')).toThrow(/6 fields/);
    expect(() => parseScheduleExpression('cron(0 6 * * MON *)')).toThrow(/"\?"/);
    expect(() => parseScheduleExpression('every day')).toThrow(/at\(.*rate\(.*cron\(/);
  });
});
