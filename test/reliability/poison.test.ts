/**
 * Poison messages mixed into good traffic: a fast-check corpus (bad JSON, wrong types, unknown vendors, oversize
 * bodies, missing fields, hostile strings). Each lands in the DLQ at once, body untouched, with every problem listed;
 * none starts an execution or spends a retry (one receive, one DLQ record); the good traffic is unaffected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverWithDuplicates } from '../../local/batch/duplicates.ts';
import type { DlqRecord } from '../../local/batch/run-batch.ts';
import { DISPATCHER_FUNCTION, type LocalStack } from '../../local/stack.ts';
import {
  checkInvariant,
  type Figures,
  peekDeadLetterQueue,
  REQUESTS_PER_SECOND,
  report,
  SCALE,
  sized,
  startReliabilityStack,
  timeoutFor,
  workload,
} from './harness.ts';
import { POISON_KINDS, type PoisonMessage, poisonCorpus } from './poison-corpus.ts';

const good = workload(sized(500), 'good');
const poison = poisonCorpus(Math.max(POISON_KINDS.length * 6, Math.round(240 * SCALE)));

/** Good and poison interleaved at random (seeded, so a failure replays). */
function mixed(): string[] {
  const bodies = [...good.map((r) => JSON.stringify(r)), ...poison.map((p) => p.body)];
  let state = 7;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  for (let i = bodies.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [bodies[i], bodies[j]] = [bodies[j]!, bodies[i]!];
  }
  return bodies;
}

describe(`${poison.length} poison messages mixed into ${good.length} good requests`, () => {
  let stack: LocalStack;
  let figures: Figures;
  let dlq: DlqRecord[];

  beforeAll(
    async () => {
      stack = await startReliabilityStack();
      await deliverWithDuplicates(stack, mixed(), { copies: 1, ratePerSecond: REQUESTS_PER_SECOND });
      await stack.waitForDrain({ timeoutMs: timeoutFor(good.length + poison.length) });
      dlq = await peekDeadLetterQueue(stack);
      ({ figures } = await checkInvariant(stack, good, {
        messagesSent: good.length + poison.length,
        dlq: dlq.filter((r) => !poison.some((p) => p.body === r.body)),
      }));
      report('poison', figures, { poison: poison.length, poisonKinds: POISON_KINDS.length });
    },
    timeoutFor(good.length + poison.length) * 1.5,
  );
  afterAll(async () => stack?.stop());

  it('puts every poison message in the DLQ once, body untouched, rejected with its reasons', () => {
    const byBody = new Map<string, DlqRecord[]>();
    for (const record of dlq) byBody.set(record.body, [...(byBody.get(record.body) ?? []), record]);
    const problems: string[] = [];
    for (const message of poison) {
      const records = byBody.get(message.body) ?? [];
      if (records.length !== 1) {
        problems.push(`${message.kind}: ${records.length} DLQ record(s) for ${message.body.slice(0, 60)}`);
        continue;
      }
      const { attributes } = records[0]!;
      const reasons = JSON.parse(attributes.cause ?? '[]') as unknown;
      if (attributes.reason !== 'InvalidRequest' || attributes.failedState !== 'Dispatcher') {
        problems.push(`${message.kind}: reason ${attributes.reason} at ${attributes.failedState}`);
      }
      if (!Array.isArray(reasons) || reasons.length === 0 || !reasons.every((r) => typeof r === 'string' && r !== '')) {
        problems.push(`${message.kind}: no reasons listed (${attributes.cause})`);
      }
    }
    expect(problems, problems.slice(0, 10).join('\n')).toEqual([]);
  });

  it('spent no retry on poison: one receive each (one DLQ record per source message), no execution', () => {
    const poisonRecords = dlq.filter((r) => r.attributes.reason === 'InvalidRequest');
    const sources = poisonRecords.map((r) => r.attributes.sourceMessageId);
    expect(poisonRecords).toHaveLength(poison.length);
    expect(new Set(sources).size).toBe(poison.length);
    // Nothing reached the DLQ by the redrive policy (that would mean receives until maxReceiveCount).
    expect(dlq.filter((r) => r.attributes.reason === undefined)).toEqual([]);
    expect(stack.lambdas.stats(DISPATCHER_FUNCTION)?.errors).toBe(0);
    const goodIds = new Set(good.map((r) => r.requestId));
    const strays = stack.stepFunctions
      .allExecutions()
      .map((e) => (JSON.parse(e.input) as { requestId?: string }).requestId)
      .filter((id) => !goodIds.has(id!));
    expect(strays).toEqual([]);
  });

  it('provisions the good traffic exactly once, unaffected (the invariant holds)', () => {
    expect(figures.provisioned).toBe(good.length);
    expect(figures.executions).toBe(good.length);
    expect(figures.resources).toBe(good.length);
  });

  it('covered every kind of poison', () => {
    const kinds = new Set(poison.map((p: PoisonMessage) => p.kind));
    expect([...kinds].sort()).toEqual([...POISON_KINDS].sort());
  });
});
