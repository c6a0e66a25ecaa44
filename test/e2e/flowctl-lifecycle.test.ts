/**
 * The lifecycle through the real command line: `flowctl local --requests F --json --events E` with a startAt and a
 * deprovisionAt on every vendor, plus a deprovision request of a target that was never made. The command exits only
 * when every request has reached its last state (its teardown included), and each flow is announced provisioned,
 * started after its startAt, then deprovisioned. The emulators' own records (no start before startAt, nothing live at
 * the end) are checked in-process by scheduled-lifecycle.test.ts.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { VENDOR_IDS } from '../../functions/domain/contract.ts';
import { type FlowEvent, type PutEventsEntry, parseEntry } from '../../functions/domain/flow-event.ts';
import { requestsFor } from '../../local/batch/demo-batch.ts';
import type { RequestResult } from '../../local/batch/run-batch.ts';
import { type FlowctlRun, runFlowctl } from '../helpers/flowctl-e2e.ts';

const iso = (ms: number) => new Date(Math.ceil(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('flowctl local: requests with startAt and deprovisionAt on all five vendors', () => {
  let run: FlowctlRun;
  let results: RequestResult[];
  let events: (FlowEvent & { time: string })[];
  let startAt: string;
  const timed: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowctl-lifecycle-'));
    // Far enough ahead for the process to start and create every flow before the start is due.
    startAt = iso(Date.now() + 12_000);
    const deprovisionAt = iso(Date.parse(startAt) + 4_000);
    for (const vendor of VENDOR_IDS) timed.push({ ...requestsFor(vendor, 1, 'life')[0]!, startAt, deprovisionAt });
    const never = {
      schemaVersion: 1,
      requestId: 'life-teardown-never-made',
      action: 'deprovision',
      vendor: 'huawei-live',
      region: 'cn-north-4',
      target: { requestId: 'life-never-made' },
    };
    const requests = join(dir, 'requests.ndjson');
    writeFileSync(requests, [...timed, never].map((r) => JSON.stringify(r)).join('\n'));
    const eventsFile = join(dir, 'events.ndjson');
    run = await runFlowctl(['local', '--requests', requests, '--json', '--events', eventsFile]);
    results = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as RequestResult);
    events = readFileSync(eventsFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => {
        const entry = JSON.parse(line) as PutEventsEntry;
        return { ...parseEntry(entry), time: entry.Time ?? '' };
      });
  }, 120_000);

  it('exits 0 once every request has reached its last state, its teardown included', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(results.map((r) => [r.requestId, r.status]).sort()).toEqual(
      [...timed.map((r) => [r.requestId, 'DEPROVISIONED']), ['life-teardown-never-made', 'DEPROVISIONED']].sort(),
    );
  });

  it('announces each flow provisioned before startAt, started at or after it, then deprovisioned', () => {
    for (const request of timed) {
      const mine = events.filter((e) => e.detail.requestId === request.requestId);
      expect(
        mine.map((e) => e['detail-type']),
        String(request.requestId),
      ).toEqual(['FlowProvisioned', 'FlowStarted', 'FlowDeprovisioned']);
      expect(Date.parse(mine[0]!.time)).toBeLessThan(Date.parse(startAt));
      expect(Date.parse(mine[1]!.time)).toBeGreaterThanOrEqual(Date.parse(startAt));
      expect(mine[2]!.detail).toMatchObject({ trigger: 'deprovisionAt', alreadyGone: false });
    }
  });

  it('answers a deprovision of a target never made with alreadyGone', () => {
    const [event] = events.filter((e) => e.detail.requestId === 'life-teardown-never-made');
    expect(event).toMatchObject({
      'detail-type': 'FlowDeprovisioned',
      detail: { trigger: 'request', outcome: 'ALREADY_GONE', alreadyGone: true },
    });
  });
});
