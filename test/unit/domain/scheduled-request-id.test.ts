import { describe, expect, it } from 'vitest';
import { parseRequestBody } from '../../../functions/domain/contract.ts';
import { executionName } from '../../../functions/domain/execution-name.ts';
import {
  canonicalRequestBody,
  canonicalRequestId,
  compactScheduledTime,
  SCHEDULED_TIME_PLACEHOLDER,
  scheduledRequestId,
  scheduledRequestIdTemplate,
  substituteSchedulerContext,
} from '../../../functions/domain/scheduled-request-id.ts';
import { aRequest } from '../../helpers/factories.ts';

describe('scheduled request ids', () => {
  it('rewrites the time Scheduler substitutes into the ISO 8601 basic form', () => {
    expect(compactScheduledTime('2026-03-22T18:59:43Z')).toBe('20260322T185943Z');
    expect(compactScheduledTime(new Date('2026-03-22T18:59:43.512Z'))).toBe('20260322T185943Z');
    expect(canonicalRequestId('nightly-2026-03-22T18:59:43Z')).toBe('nightly-20260322T185943Z');
    expect(canonicalRequestId('nightly-2026-03-22T18:59:43.250Z')).toBe('nightly-20260322T185943Z');
    expect(() => compactScheduledTime('2026-03-22 18:59')).toThrow(/not a UTC time/);
  });

  it('never changes a request id that is already valid, nor a body without a scheduled time', () => {
    for (const id of ['evt-1', '20260322T185943Z', 'a_b-c', 'x-2026-03-22']) expect(canonicalRequestId(id)).toBe(id);
    const body = JSON.stringify(aRequest('aws-mediaconnect', { requestId: 'evt-1' }));
    expect(canonicalRequestBody(body)).toBe(body);
    expect(canonicalRequestBody('{not json: 1')).toBe('{not json: 1');
    expect(canonicalRequestBody('["2026-03-22T18:59:43Z"]')).toBe('["2026-03-22T18:59:43Z"]');
  });

  it('turns what a schedule delivers into a valid request with a valid, stable execution name', () => {
    const template = JSON.stringify(aRequest('aws-mediaconnect', { requestId: scheduledRequestIdTemplate('nightly') }));
    expect(template).toContain(`"nightly-${SCHEDULED_TIME_PLACEHOLDER}"`);
    const scheduledTime = new Date('2026-03-22T06:00:00Z');
    const delivered = substituteSchedulerContext(template, {
      scheduledTime,
      scheduleArn: 'arn:aws:scheduler:us-east-1:123456789012:schedule/g/n',
      executionId: 'd32c5kddcf5bb8c3',
      attemptNumber: 2,
    });
    // What Scheduler sends is not valid as it is: colons are outside the charset.
    expect(parseRequestBody(delivered).ok).toBe(false);
    const parsed = parseRequestBody(canonicalRequestBody(delivered));
    expect(parsed.ok && parsed.request.requestId).toBe('nightly-20260322T060000Z');
    expect(scheduledRequestId('nightly', scheduledTime)).toBe('nightly-20260322T060000Z');
    expect(executionName('nightly-20260322T060000Z')).toBe('nightly-20260322T060000Z');
    // A retry (another attempt number, another delivery id) is the same request.
    const retried = substituteSchedulerContext(template, {
      scheduledTime,
      scheduleArn: 'arn:aws:scheduler:us-east-1:123456789012:schedule/g/n',
      executionId: 'ffffffffffffffff',
      attemptNumber: 3,
    });
    expect(canonicalRequestBody(retried)).toBe(canonicalRequestBody(delivered));
  });
});
