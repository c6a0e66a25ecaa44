import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { deprovisionMessage, deprovisionRequestId } from '../../../cli/commands/deprovision.ts';
import { createSchedule } from '../../../cli/operations/schedule.ts';
import { parseMessage } from '../../../functions/domain/lifecycle.ts';
import { atExpression } from '../../../functions/domain/schedule-expression.ts';
import { anAwsTarget, INGRESS_ARN, INGRESS_URL } from '../../helpers/flowctl.ts';

const scheduler = mockClient(SchedulerClient);
const sqs = mockClient(SQSClient);
beforeEach(() => {
  scheduler.reset();
  sqs.reset();
  sqs.on(GetQueueAttributesCommand, { QueueUrl: INGRESS_URL }).resolves({ Attributes: { QueueArn: INGRESS_ARN } });
});

describe('flowctl deprovision: the message it sends', () => {
  it('targets the provision request by default, or the vendor flow id, and is a valid deprovision request', () => {
    const byRequest = deprovisionMessage('final-2026', { vendor: 'huawei-live', flowRegion: 'cn-north-4' });
    expect(byRequest).toEqual({
      schemaVersion: 1,
      requestId: 'final-2026-deprovision',
      action: 'deprovision',
      vendor: 'huawei-live',
      region: 'cn-north-4',
      target: { requestId: 'final-2026' },
    });
    const byFlow = deprovisionMessage('x', {
      vendor: 'aws-mediaconnect',
      flowRegion: 'us-east-1',
      flowId: 'arn:aws:mediaconnect:us-east-1:1:flow:1-abc:final',
      id: 'teardown-by-hand-1',
    });
    expect(byFlow).toMatchObject({
      requestId: 'teardown-by-hand-1',
      target: { flowId: 'arn:aws:mediaconnect:us-east-1:1:flow:1-abc:final' },
    });
    for (const message of [byRequest, byFlow]) expect(parseMessage(message)).toMatchObject({ ok: true });
  });

  it('keeps its own id within the contract for the longest provision ids', () => {
    const id = deprovisionRequestId('r'.repeat(80));
    expect(id).toHaveLength(80);
    expect(id.endsWith('-deprovision')).toBe(true);
  });

  it('refuses a vendor or region the contract refuses, naming both options', () => {
    expect(() => deprovisionMessage('final-2026', { vendor: 'acme', flowRegion: 'us-east-1' })).toThrow(
      /deprovision request is invalid/,
    );
    expect(() => deprovisionMessage('final-2026', { vendor: 'huawei-live' })).toThrow(/region/);
  });

  it('schedules it with --at on a deployed stack: a one-time schedule that sends the message to the ingress queue', async () => {
    scheduler
      .on(CreateScheduleCommand)
      .resolves({ ScheduleArn: 'arn:aws:scheduler:eu-west-1:123456789012:schedule/flow-provisioner/final-2026' });
    const message = deprovisionMessage('final-2026', { vendor: 'aws-mediaconnect', flowRegion: 'us-east-1' });
    const at = atExpression('2026-03-22T23:00:00Z', undefined);
    const created = await createSchedule(
      anAwsTarget(),
      { request: message, expression: at.expression, timezone: at.zone },
      { now: new Date('2026-03-01T00:00:00Z') },
    );
    const sent = scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input;
    expect(sent.ScheduleExpression).toBe('at(2026-03-22T23:00:00)');
    expect(sent.Target?.Arn).toBe(INGRESS_ARN);
    expect(JSON.parse(sent.Target?.Input ?? '{}')).toMatchObject({
      action: 'deprovision',
      target: { requestId: 'final-2026' },
    });
    expect(created.firstRequestId).toMatch(/^final-2026-deprovision-20260322T230000Z$/);
  });
});
