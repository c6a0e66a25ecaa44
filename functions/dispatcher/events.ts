/**
 * The dispatcher's outcome event: a message that never becomes a workflow is announced as `RequestRejected` on the
 * stage's bus (`../domain/flow-event.ts`), with what could be read of it and every problem found. The event id is keyed
 * by the message body, so every delivery of the same message announces the same id and a consumer drops repeats.
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  EVENT_SOURCE,
  eventIdOf,
  messageKeyOf,
  type PutEventsEntry,
  type RequestRejectedDetail,
  requestRejectedDetail,
} from '../domain/flow-event.ts';

export interface DispatcherEvents {
  readonly client: EventBridgeClient;
  /** The stage's bus (`EVENT_BUS_NAME`). */
  readonly busName: string;
}

/** PutEvents counts 256 KiB for a whole call; issue lists are cut well below it. */
const MAX_ISSUES_CHARS = 64 * 1024;

export function rejectionEntry(params: {
  readonly body: string;
  readonly messageId: string;
  readonly reason: RequestRejectedDetail['reason'];
  readonly issues: readonly string[];
  readonly busName: string;
}): PutEventsEntry {
  const known = readable(params.body);
  const issues: string[] = [];
  let chars = 0;
  for (const issue of params.issues) {
    chars += issue.length;
    if (chars > MAX_ISSUES_CHARS) {
      issues.push(`… ${params.issues.length - issues.length} more`);
      break;
    }
    issues.push(issue);
  }
  const detail = requestRejectedDetail.parse({
    schemaVersion: 1,
    eventId: eventIdOf(messageKeyOf(params.body), 'RequestRejected'),
    ...known,
    reason: params.reason,
    issues,
    sourceMessageId: params.messageId,
    failureRecord: { queue: 'dlq', reason: params.reason },
  });
  return {
    EventBusName: params.busName,
    Source: EVENT_SOURCE,
    DetailType: 'RequestRejected',
    Detail: JSON.stringify(detail),
  };
}

/** Puts the entry; a refused entry is an error, so the record fails and SQS delivers it again. */
export async function putRejection(events: DispatcherEvents, entry: PutEventsEntry): Promise<void> {
  const { Time: _time, ...sent } = entry;
  const result = await events.client.send(new PutEventsCommand({ Entries: [sent] }));
  const failed = result.Entries?.find((e) => e.ErrorCode);
  if ((result.FailedEntryCount ?? 0) > 0 || failed) {
    throw new Error(`PutEvents refused the RequestRejected event: ${failed?.ErrorCode}: ${failed?.ErrorMessage}`);
  }
}

/** requestId, vendor and region of a rejected body when they are strings the event schema can carry. */
function readable(body: string): { requestId?: string; vendor?: string; region?: string } {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return {};
  }
  if (typeof value !== 'object' || value === null) return {};
  const pick = (key: string, max: number) => {
    const v = (value as Record<string, unknown>)[key];
    return typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined;
  };
  const requestId = pick('requestId', 80);
  const vendor = pick('vendor', 80);
  const region = pick('region', 32);
  return { ...(requestId ? { requestId } : {}), ...(vendor ? { vendor } : {}), ...(region ? { region } : {}) };
}
