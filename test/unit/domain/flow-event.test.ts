import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rejectionEntry } from '../../../functions/dispatcher/events.ts';
import { MAX_ATTEMPTS } from '../../../functions/domain/execution-name.ts';
import {
  DETAIL_TYPES,
  eventIdOf,
  flowEvent,
  flowEventJsonSchema,
  hostPortOf,
  parseEntry,
  safeUrl,
} from '../../../functions/domain/flow-event.ts';
import { asReceived, schemaErrors } from '../../helpers/flow-events.ts';

const examplesDir = new URL('../../../examples/events/', import.meta.url);
const examples = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({
    file: f,
    event: JSON.parse(readFileSync(new URL(f, examplesDir), 'utf8')) as Record<string, unknown>,
  }));

describe('outcome event contract v1', () => {
  it('is the committed schemas/flow-event.v1.json (run `npm run schema` after changing the contract)', () => {
    const committed = JSON.parse(readFileSync(new URL('../../../schemas/flow-event.v1.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(flowEventJsonSchema());
  });

  it('has one example per detail-type in examples/events/, each valid against the JSON Schema and the zod source', () => {
    expect(examples.map((e) => e.event['detail-type']).sort()).toEqual([...DETAIL_TYPES].sort());
    for (const { file, event } of examples) {
      expect(schemaErrors(event), file).toEqual([]);
      expect(flowEvent.safeParse(event).success, file).toBe(true);
    }
  });

  it('refuses an event the contract does not describe (the schema can fail)', () => {
    const provisioned = examples.find((e) => e.event['detail-type'] === 'FlowProvisioned')!.event;
    const detail = provisioned.detail as Record<string, unknown>;
    expect(schemaErrors({ ...provisioned, detail: { ...detail, eventId: 'no-detail-type-suffix' } })).not.toEqual([]);
    expect(schemaErrors({ ...provisioned, detail: { ...detail, passphrase: 'x' } })).not.toEqual([]);
    expect(schemaErrors({ ...provisioned, 'detail-type': 'FlowExploded' })).not.toEqual([]);
    const { connection: _c, ...withoutConnection } = detail;
    expect(schemaErrors({ ...provisioned, detail: withoutConnection })).not.toEqual([]);
  });

  it('keys event ids by execution and type: stable, and distinct per type', () => {
    const arn = 'arn:aws:states:us-east-1:111122223333:execution:provision-flow-alibaba-ice:req-1';
    expect(eventIdOf(arn, 'FlowProvisioned')).toBe(eventIdOf(arn, 'FlowProvisioned'));
    expect(eventIdOf(arn, 'FlowProvisioned')).not.toBe(eventIdOf(arn, 'FlowProvisioningFailed'));
    expect(eventIdOf(arn, 'FlowProvisioned')).not.toBe(eventIdOf(`${arn}--a2`, 'FlowProvisioned'));
  });
});

describe('safeUrl', () => {
  it('drops user info and every query parameter that may carry a credential, and keeps the rest', () => {
    expect(safeUrl('srt://1.2.3.4:1025?passphrase=hunter2hunter2&latency=200')).toBe('srt://1.2.3.4:1025?latency=200');
    expect(safeUrl('rtmp://user:pw@push.example.com/live/s?auth_key=1-0-0-abc&volcSecret=x&volcTime=1&sign=y')).toBe(
      'rtmp://push.example.com/live/s',
    );
    expect(safeUrl('rtmp://push.example.com/live/stream')).toBe('rtmp://push.example.com/live/stream');
    expect(safeUrl('not a url')).toBe('not a url');
  });

  it('reads host and port from a stream URL', () => {
    expect(hostPortOf('srt://203.0.113.9:9001')).toEqual({ host: '203.0.113.9', port: 9001 });
    expect(hostPortOf('rtmp://push.example.com/live/s')).toEqual({ host: 'push.example.com' });
    expect(hostPortOf(undefined)).toEqual({});
  });
});

describe('RequestRejected (the dispatcher)', () => {
  it('keys the id by the message body, so every delivery of the same message carries the same id', () => {
    const body = JSON.stringify({ schemaVersion: 1, requestId: 'bad-1', vendor: 'acme-cloud', region: 'x' });
    const entry = (messageId: string) =>
      rejectionEntry({ body, messageId, reason: 'InvalidRequest', issues: ['vendor: unknown'], busName: 'bus' });
    const first = parseEntry(entry('m-1'));
    const again = parseEntry(entry('m-2'));
    expect(first.detail.eventId).toBe(again.detail.eventId);
    expect(first.detail).toMatchObject({ requestId: 'bad-1', vendor: 'acme-cloud', reason: 'InvalidRequest' });
    expect(schemaErrors(asReceived(entry('m-1')))).toEqual([]);
  });

  it('carries only what fits the schema of a body that is not a request (not JSON, overlong id)', () => {
    const notJson = parseEntry(
      rejectionEntry({
        body: '{"requestId": ',
        messageId: 'm',
        reason: 'InvalidRequest',
        issues: ['(body): not JSON'],
        busName: 'b',
      }),
    );
    expect(notJson.detail).not.toHaveProperty('requestId');
    const long = parseEntry(
      rejectionEntry({
        body: JSON.stringify({ requestId: 'x'.repeat(200) }),
        messageId: 'm',
        reason: 'InvalidRequest',
        issues: Array.from({ length: 5000 }, (_, i) => `flow.entitlements.${i}: ${'y'.repeat(40)}`),
        busName: 'b',
      }),
    );
    expect(long.detail).not.toHaveProperty('requestId');
    expect(JSON.stringify(long.detail).length).toBeLessThan(100 * 1024);
  });
});

describe('the workflow knows every attempt the dispatcher may start', () => {
  it('matches `--a2` … `--a<max>` in IsLaterAttempt', () => {
    for (const file of ['provision-flow.asl.json', 'provision-flow-queued.asl.json']) {
      const asl = JSON.parse(readFileSync(new URL(`../../../workflows/${file}`, import.meta.url), 'utf8'));
      const rules = asl.States.IsLaterAttempt.Choices[0].Or as { StringMatches: string }[];
      const expected = Array.from({ length: MAX_ATTEMPTS - 1 }, (_, i) => `*--a${i + 2}`);
      expect(rules.map((r) => r.StringMatches)).toEqual(expected);
    }
  });
});
