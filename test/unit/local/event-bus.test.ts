import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entrySize, LocalEventBus, MAX_TOTAL_BYTES } from '../../../local/aws/event-bus.ts';

const entry = (detail: unknown = { a: 1 }, extra: Record<string, unknown> = {}) => ({
  EventBusName: 'flow-provisioner-test',
  Source: 'flow-provisioner',
  DetailType: 'FlowProvisioned',
  Detail: typeof detail === 'string' ? detail : JSON.stringify(detail),
  ...extra,
});

describe('local event bus: PutEvents rules', () => {
  it('records accepted entries in the PutEvents entry shape, with a Time', () => {
    const bus = new LocalEventBus('flow-provisioner-test', () => Date.UTC(2026, 11, 7, 12));
    const result = bus.putEvents([entry({ requestId: 'r-1' })]);
    expect(result.FailedEntryCount).toBe(0);
    expect(bus.entries).toEqual([
      expect.objectContaining({
        Source: 'flow-provisioner',
        DetailType: 'FlowProvisioned',
        Detail: '{"requestId":"r-1"}',
        EventBusName: 'flow-provisioner-test',
        Time: '2026-12-07T12:00:00.000Z',
      }),
    ]);
  });

  it('refuses a call of 0 or more than 10 entries whole', () => {
    const bus = new LocalEventBus('flow-provisioner-test');
    expect(() => bus.putEvents([])).toThrow(expect.objectContaining({ name: 'ValidationException' }));
    expect(() => bus.putEvents(Array.from({ length: 11 }, () => entry()))).toThrow(
      expect.objectContaining({ name: 'ValidationException' }),
    );
    expect(bus.putEvents(Array.from({ length: 10 }, () => entry())).FailedEntryCount).toBe(0);
  });

  it('refuses a call whose entries reach 256 KiB, counted as EventBridge counts them', () => {
    const bus = new LocalEventBus('flow-provisioner-test');
    const overhead = entrySize(entry({ p: '' }));
    const fits = entry({ p: 'x'.repeat(MAX_TOTAL_BYTES - overhead - 1) });
    expect(entrySize(fits)).toBe(MAX_TOTAL_BYTES - 1);
    expect(bus.putEvents([fits]).FailedEntryCount).toBe(0);
    const tooBig = entry({ p: 'x'.repeat(MAX_TOTAL_BYTES - overhead) });
    expect(() => bus.putEvents([tooBig])).toThrow(expect.objectContaining({ name: 'ValidationException' }));
    // A Time counts 14 bytes; UTF-8 bytes count, not characters.
    expect(entrySize({ ...fits, Time: '2026-12-07T12:00:00Z' })).toBe(MAX_TOTAL_BYTES + 13);
    expect(entrySize(entry('{"p":"é"}'))).toBe(entrySize(entry('{"p":"e"}')) + 1);
  });

  it('fails an entry alone when its Detail is not a JSON object, or Source or DetailType is missing', () => {
    const bus = new LocalEventBus('flow-provisioner-test');
    const result = bus.putEvents([
      entry('[1,2]'),
      entry('not json'),
      entry({ ok: true }),
      entry({}, { Source: undefined }),
      entry({}, { DetailType: '' }),
      entry({}, { Source: 'aws.states' }),
      entry({}, { EventBusName: 'another-bus' }),
    ]);
    expect(result.FailedEntryCount).toBe(6);
    expect(result.Entries.map((e) => ('ErrorCode' in e ? e.ErrorCode : 'ok'))).toEqual([
      'MalformedDetail',
      'MalformedDetail',
      'ok',
      'InvalidArgument',
      'InvalidArgument',
      'NotAuthorizedForSourceException',
      'ResourceNotFoundException',
    ]);
    expect(bus.entries).toHaveLength(1);
  });

  it('fails the Step Functions task with EventBridge.FailedEntry when an entry failed, and sends Detail as JSON', async () => {
    const bus = new LocalEventBus('flow-provisioner-test');
    const task = bus.taskHandler();
    await expect(task({ Entries: [{ ...entry(), Detail: { requestId: 'r-2' } }] })).resolves.toMatchObject({
      FailedEntryCount: 0,
    });
    expect(bus.entries[0]?.Detail).toBe('{"requestId":"r-2"}');
    await expect(task({ Entries: [{ ...entry(), Detail: [1] }] })).rejects.toMatchObject({
      name: 'EventBridge.FailedEntry',
    });
    await expect(task({ Entries: [] })).rejects.toMatchObject({ name: 'EventBridge.ValidationException' });
  });
});

describe('local event bus over HTTP (the EventBridge SDK client)', () => {
  const bus = new LocalEventBus('flow-provisioner-test');
  let server: { url: string; close(): Promise<void> };
  let client: EventBridgeClient;
  beforeAll(async () => {
    server = await bus.listen();
    client = new EventBridgeClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    client?.destroy();
    await server?.close();
  });

  it('accepts PutEvents and answers per-entry failures', async () => {
    const result = await client.send(new PutEventsCommand({ Entries: [entry({ n: 1 }), entry('[]')] }));
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries?.[1]).toMatchObject({ ErrorCode: 'MalformedDetail' });
    expect(bus.entries.map((e) => e.Detail)).toContain('{"n":1}');
  });

  it('answers ValidationException for more than 10 entries', async () => {
    await expect(
      client.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry()) })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
