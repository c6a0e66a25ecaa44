/** The lifecycle fields of contract v1: deprovision requests, and the times a provision request may carry. */
import { describe, expect, it } from 'vitest';
import { parseMessage, parseMessageBody, SCHEDULE_HORIZON_SECONDS } from '../../../functions/domain/lifecycle.ts';
import { aRequest } from '../../helpers/factories.ts';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const at = (secondsFromNow: number) => new Date(NOW + secondsFromNow * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const deprovision = (target: unknown) => ({
  schemaVersion: 1,
  requestId: 'down-1',
  action: 'deprovision',
  vendor: 'aws-mediaconnect',
  region: 'us-east-1',
  target,
});

describe('deprovision request', () => {
  it('accepts a target by requestId or by flowId', () => {
    expect(parseMessage(deprovision({ requestId: 'final-2026' }), NOW)).toMatchObject({
      ok: true,
      kind: 'deprovision',
    });
    expect(parseMessage(deprovision({ flowId: 'arn:aws:mediaconnect:x' }), NOW)).toMatchObject({ ok: true });
  });

  it.each([
    ['neither target', {}],
    ['both targets', { requestId: 'a', flowId: 'b' }],
    ['no target at all', undefined],
  ])('refuses %s, saying what a target is', (_label, target) => {
    const result = parseMessage(deprovision(target), NOW);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).toContain('target');
  });

  it('refuses provision fields on a deprovision (strict), and lists the problems of a bad body', () => {
    expect(parseMessage({ ...deprovision({ requestId: 'a' }), flow: {} }, NOW).ok).toBe(false);
    expect(parseMessageBody('{', NOW)).toMatchObject({ ok: false, issues: [expect.stringContaining('not JSON')] });
  });
});

describe('startAt and deprovisionAt', () => {
  const provision = (extra: Record<string, unknown>) => ({ ...aRequest('aws-mediaconnect'), ...extra });

  it('keeps v1 requests without them valid, and accepts a start ahead with a teardown after it', () => {
    expect(parseMessage(provision({}), NOW)).toMatchObject({ ok: true, kind: 'provision' });
    expect(parseMessage(provision({ startAt: at(60), deprovisionAt: at(3600) }), NOW)).toMatchObject({ ok: true });
    expect(parseMessage(provision({ action: 'provision', startAt: at(-60) }), NOW)).toMatchObject({ ok: true });
  });

  it.each([
    [
      'deprovisionAt before startAt',
      { startAt: at(3600), deprovisionAt: at(60) },
      'deprovisionAt: must be after startAt',
    ],
    ['deprovisionAt in the past', { deprovisionAt: at(-1) }, 'deprovisionAt: must be in the future'],
    ['startAt with start: false', { startAt: at(60), start: false }, 'startAt: cannot be combined with "start": false'],
    ['startAt past the horizon', { startAt: at(SCHEDULE_HORIZON_SECONDS + 60) }, 'startAt: more than 30 days ahead'],
    [
      'deprovisionAt past the horizon',
      { deprovisionAt: at(SCHEDULE_HORIZON_SECONDS + 60) },
      'deprovisionAt: more than 30 days ahead',
    ],
    ['a time that is not ISO-8601 UTC', { startAt: '2026-12-07 18:00' }, 'startAt: must be an ISO-8601 UTC time'],
  ])('refuses %s', (_label, extra, issue) => {
    const result = parseMessage(provision(extra), NOW);
    expect(result.ok).toBe(false);
    expect((result as { issues: string[] }).issues.join('\n')).toContain(issue);
  });
});
