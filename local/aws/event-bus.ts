/**
 * A local EventBridge bus: records what the workflow (`arn:aws:states:::events:putEvents`) and the dispatcher (the
 * EventBridge SDK client, over `listen()`) would put on the stage's bus, and refuses what PutEvents refuses
 * (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html):
 *
 * - 1 to 10 entries per call, else the whole call fails (`ValidationException`);
 * - the entries together under 256 KiB, counted as EventBridge counts them (the UTF-8 bytes of Source, DetailType,
 *   Detail and each Resources ARN, plus 14 bytes for a Time:
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html), else the whole call fails;
 * - per entry: Source and DetailType are required, Detail must be a JSON object ("a valid JSON object"), Source may
 *   not start with `aws.`, and the bus must exist. Such an entry fails alone (`FailedEntryCount`), as on AWS.
 *
 * The Step Functions integration fails the task with `EventBridge.FailedEntry` when any entry failed
 * (https://docs.aws.amazon.com/step-functions/latest/dg/connect-eventbridge.html), so a Retry sees it.
 */
import { createServer, type Server } from 'node:http';
import type { PutEventsEntry } from '../../functions/domain/flow-event.ts';
import { readBody } from '../emulators/common.ts';
import { type LoopbackListener, listenOnLoopback } from '../loopback.ts';
import type { TaskResourceHandler } from './step-functions-model.ts';

export const PUT_EVENTS_RESOURCE = 'arn:aws:states:::events:putEvents';
export const MAX_ENTRIES = 10;
export const MAX_TOTAL_BYTES = 256 * 1024;
/** What a Time costs in the size count. */
const TIME_BYTES = 14;

/** One accepted entry, as the bus recorded it (`Time` is when it was put unless the entry gave one). */
export interface RecordedEntry extends PutEventsEntry {
  readonly EventBusName: string;
  readonly Time: string;
  /** The id EventBridge gives the event (not ours: ours is `detail.eventId`). */
  readonly Id: string;
}

export interface PutEventsResult {
  readonly FailedEntryCount: number;
  readonly Entries: ({ EventId: string } | { ErrorCode: string; ErrorMessage: string })[];
}

/** A whole-call refusal, with the EventBridge error name. */
export class EventBusApiError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

interface RawEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  EventBusName?: unknown;
  Time?: unknown;
  Resources?: unknown;
}

export class LocalEventBus {
  readonly entries: RecordedEntry[] = [];
  private readonly listeners = new Set<(entry: RecordedEntry) => void>();
  private counter = 0;

  constructor(
    /** The bus name (CDK: `flow-provisioner-<stage>`); entries naming another bus fail. */
    readonly name: string,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Called with every accepted entry (`flowctl local --events` streams them). */
  onPut(listener: (entry: RecordedEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  putEvents(entries: unknown): PutEventsResult {
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES) {
      throw new EventBusApiError(
        'ValidationException',
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`,
      );
    }
    const raw = entries as RawEntry[];
    const total = raw.reduce((sum, entry) => sum + entrySize(entry), 0);
    if (total >= MAX_TOTAL_BYTES) {
      throw new EventBusApiError(
        'ValidationException',
        `Total size of the entries in the request is over the limit (${total} bytes, limit ${MAX_TOTAL_BYTES})`,
      );
    }
    const results = raw.map((entry) => this.accept(entry));
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  }

  /** The `events:putEvents` service integration: the Detail object is sent as its JSON string, as Step Functions does. */
  taskHandler(): TaskResourceHandler {
    return async (input) => {
      const { Entries } = (input ?? {}) as { Entries?: unknown };
      const entries = Array.isArray(Entries)
        ? Entries.map((e: RawEntry) => ({
            ...e,
            ...(e.Detail !== undefined && typeof e.Detail !== 'string' ? { Detail: JSON.stringify(e.Detail) } : {}),
          }))
        : Entries;
      let result: PutEventsResult;
      try {
        result = this.putEvents(entries);
      } catch (error) {
        const failure = new Error((error as Error).message);
        failure.name = `EventBridge.${(error as Error).name}`;
        throw failure;
      }
      if (result.FailedEntryCount > 0) {
        const failure = new Error(JSON.stringify(result));
        failure.name = 'EventBridge.FailedEntry';
        throw failure;
      }
      return result;
    };
  }

  private accept(entry: RawEntry): PutEventsResult['Entries'][number] {
    const fail = (ErrorCode: string, ErrorMessage: string) => ({ ErrorCode, ErrorMessage });
    if (typeof entry.Source !== 'string' || entry.Source === '') {
      return fail('InvalidArgument', 'Parameter Source is not valid. Reason: Source is a required argument.');
    }
    if (typeof entry.DetailType !== 'string' || entry.DetailType === '') {
      return fail('InvalidArgument', 'Parameter DetailType is not valid. Reason: DetailType is a required argument.');
    }
    if (entry.Source.startsWith('aws.')) {
      return fail('NotAuthorizedForSourceException', `Not authorized for the source ${entry.Source}.`);
    }
    if (typeof entry.Detail !== 'string' || !isJsonObject(entry.Detail)) {
      return fail('MalformedDetail', 'Detail is malformed: it must be a JSON object.');
    }
    const bus = typeof entry.EventBusName === 'string' && entry.EventBusName !== '' ? entry.EventBusName : 'default';
    const busName = bus.startsWith('arn:') ? bus.split('/').pop()! : bus;
    if (busName !== this.name) return fail('ResourceNotFoundException', `Event bus ${bus} does not exist.`);
    const recorded: RecordedEntry = {
      Source: entry.Source,
      DetailType: entry.DetailType,
      Detail: entry.Detail,
      EventBusName: busName,
      Time: typeof entry.Time === 'string' ? entry.Time : new Date(this.clock()).toISOString(),
      Id: `local-${++this.counter}`,
    };
    this.entries.push(recorded);
    for (const listener of this.listeners) listener(recorded);
    return { EventId: recorded.Id };
  }

  /** Serves PutEvents (AWS JSON 1.1) on 127.0.0.1 and a free port, for the EventBridge SDK client. */
  async listen(): Promise<LoopbackListener> {
    const server: Server = createServer(async (req, res) => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const reply = (status: number, body: unknown, type?: string) => {
        res.writeHead(status, {
          'content-type': 'application/x-amz-json-1.1',
          ...(type ? { 'x-amzn-errortype': type } : {}),
        });
        res.end(JSON.stringify(body));
      };
      try {
        if (target !== 'AWSEvents.PutEvents') {
          reply(
            400,
            { __type: 'UnknownOperationException', message: `${target} is not served locally` },
            'UnknownOperationException',
          );
          return;
        }
        const body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as { Entries?: unknown };
        reply(200, this.putEvents(body.Entries));
      } catch (error) {
        const e = error as Error;
        const type = e instanceof EventBusApiError ? e.name : 'InternalException';
        reply(e instanceof EventBusApiError ? 400 : 500, { __type: type, message: e.message }, type);
      }
    });
    return listenOnLoopback(server);
  }
}

/** The size EventBridge counts for one entry. */
export function entrySize(entry: RawEntry): number {
  const bytes = (value: unknown) => (typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0);
  const resources = Array.isArray(entry.Resources) ? entry.Resources.reduce((n: number, r) => n + bytes(r), 0) : 0;
  return (
    (entry.Time !== undefined ? TIME_BYTES : 0) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    resources
  );
}

function isJsonObject(text: string): boolean {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
