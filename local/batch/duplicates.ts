/**
 * At-least-once delivery, made visible (`flowctl local --duplicates N`, the reliability suite): every message is
 * delivered `copies` times. Each extra copy picks its moment at random: soon after the first (before its execution
 * starts, or while it runs) or once everything has settled (after its execution finished). The pipeline must turn all
 * of them into one provisioning.
 */
import type { LocalStack } from '../stack.ts';

export interface DuplicateOptions {
  /** How many times each message is delivered in all (≥ 1). */
  readonly copies: number;
  /** Extra copies sent "soon" arrive within this many ms of the first. @default 2000 */
  readonly spreadMs?: number;
  /** @default Math.random */
  readonly random?: () => number;
  /** How long to wait for the first deliveries to settle before the late copies. @default 600000 */
  readonly timeoutMs?: number;
  /** First copies per second, spread evenly (traffic as it arrives rather than one burst). @default all at once */
  readonly ratePerSecond?: number;
}

/** When the copies of a request found its execution (counted at send time, from the Step Functions records). */
export interface DeliveryStats {
  sent: number;
  /** Copies sent before the request had an execution (or of messages that never get one). */
  beforeStart: number;
  whileRunning: number;
  afterFinished: number;
}

/**
 * Sends every body `copies` times and resolves once every copy is on the queue (the caller then waits for the stack
 * to drain). Late copies are sent after the stack has drained once, so their executions have finished.
 */
export async function deliverWithDuplicates(
  stack: LocalStack,
  bodies: readonly string[],
  options: DuplicateOptions,
): Promise<DeliveryStats> {
  const copies = Math.floor(options.copies);
  if (!(copies >= 1)) throw new Error(`duplicates: copies must be ≥ 1, got ${options.copies}`);
  const random = options.random ?? Math.random;
  const spreadMs = options.spreadMs ?? 2000;
  const stats: DeliveryStats = { sent: 0, beforeStart: 0, whileRunning: 0, afterFinished: 0 };

  const rate = options.ratePerSecond;
  const firstAt = (index: number) => (rate !== undefined && rate > 0 ? (index * 1000) / rate : 0);
  const scheduled: { body: string; atMs: number }[] = bodies.map((body, i) => ({ body, atMs: firstAt(i) }));
  const late: string[] = [];
  bodies.forEach((body, i) => {
    for (let copy = 2; copy <= copies; copy++) {
      if (random() < 0.5) scheduled.push({ body, atMs: firstAt(i) + random() * spreadMs });
      else late.push(body);
    }
  });
  const send = async (batch: readonly string[]) => {
    for (const body of batch) classify(stack, body, stats);
    await stack.send(batch);
    stats.sent += batch.length;
  };

  // Sent in 50 ms slices, in time order: the first copies at the given rate, the early copies among them.
  scheduled.sort((a, b) => a.atMs - b.atMs);
  const started = Date.now();
  for (let next = 0; next < scheduled.length; ) {
    const due = Date.now() - started;
    const batch: string[] = [];
    while (next < scheduled.length && scheduled[next]!.atMs <= due) batch.push(scheduled[next++]!.body);
    if (batch.length > 0) await send(batch);
    else await new Promise((resolve) => setTimeout(resolve, Math.min(50, scheduled[next]!.atMs - due)));
  }
  if (late.length > 0) {
    await stack.waitForDrain({ timeoutMs: options.timeoutMs ?? 600_000 });
    // Shuffled, so the late copies do not arrive in the order of the originals.
    for (let i = late.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [late[i], late[j]] = [late[j]!, late[i]!];
    }
    await send(late);
  }
  return stats;
}

/** The request id of each execution's input, parsed once per execution record. */
const executionRequestIds = new WeakMap<object, string | undefined>();

function classify(stack: LocalStack, body: string, stats: DeliveryStats): void {
  const requestId = requestIdOf(body);
  const executions = requestId
    ? stack.stepFunctions.allExecutions().filter((e) => {
        if (!executionRequestIds.has(e)) executionRequestIds.set(e, requestIdOf(e.input));
        return executionRequestIds.get(e) === requestId;
      })
    : [];
  if (executions.length === 0) stats.beforeStart++;
  else if (executions.some((e) => e.status === 'RUNNING')) stats.whileRunning++;
  else stats.afterFinished++;
}

function requestIdOf(body: string): string | undefined {
  try {
    const value = JSON.parse(body) as { requestId?: unknown };
    return typeof value?.requestId === 'string' ? value.requestId : undefined;
  } catch {
    return undefined;
  }
}
