/**
 * Pacing (docs/architecture.md, "Pacing"). Reserved concurrency bounds calls in flight, not calls per second; a pacer
 * turns it into a rate bound. Each λ instance owns one pacer: successive vendor calls start at least `T` apart, and the
 * instance does not give its concurrency slot back until `T` has passed since its last call began — on success and on
 * error, which is why `release` runs in the handler's `finally`. With `C` instances, any window of `W` seconds then
 * holds at most `C × ceil(W / T)` calls, whatever the vendor's latency.
 */

/** Time source, injectable so tests can prove the rule with a fake clock. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class Pacer {
  private lastStart = Number.NEGATIVE_INFINITY;
  private warm = false;

  constructor(
    /** Minimum milliseconds between the starts of two calls made by this instance. */
    readonly intervalMs: number,
    private readonly clock: Clock = systemClock,
  ) {
    if (!(intervalMs >= 0)) throw new Error(`pacing interval must be ≥ 0, got ${intervalMs}`);
  }

  /**
   * Runs one vendor call, first waiting until the interval since the previous call's start has passed.
   *
   * The first call of an instance counts from when it settled instead: a cold client's first request leaves late
   * (module loading, the first `fetch`, connection set-up — measured locally at up to 150 ms, beyond any safety
   * margin), so a second call `T` after its start could reach the vendor less than `T` after it. Later calls leave at
   * once. The cost is one round trip per instance lifetime.
   */
  async call<T>(fn: () => Promise<T>): Promise<T> {
    await this.waitForTurn();
    this.lastStart = this.clock.now();
    if (this.warm) return fn();
    try {
      return await fn();
    } finally {
      this.warm = true;
      this.lastStart = Math.max(this.lastStart, this.clock.now());
    }
  }

  /** Holds the caller until the interval since the last call began has passed; call it before giving the slot back. */
  async release(): Promise<void> {
    await this.waitForTurn();
  }

  /** Milliseconds until the next call may start (0 when it may start now). */
  delayMs(): number {
    return Math.max(0, this.lastStart + this.intervalMs - this.clock.now());
  }

  private async waitForTurn(): Promise<void> {
    const delay = this.delayMs();
    if (delay > 0) await this.clock.sleep(delay);
  }
}

/** One key a call is paced under (`functions/domain/config.ts`, `paceKeys`): a rate scope, per operation or Region. */
export interface PaceKey {
  readonly key: string;
  readonly intervalMs: number;
}

/**
 * A λ instance's pacing of every documented scope of its vendor (docs/adr/0002-pacing.md): for each key, successive
 * calls start at least that key's interval apart, so `C` instances keep each scope's rule `C × ceil(W / T) ≤ L`. A call
 * waits only for the keys it counts against: calls of different scopes follow each other at once. The slot is held
 * until every key's interval has passed (`release`), because the next holder of the slot may be a fresh instance that
 * knows nothing of these calls. The first call of an instance counts from when it settled, as in `Pacer`.
 */
export class ScopedPacer {
  private readonly last = new Map<string, { start: number; intervalMs: number }>();
  private warm = false;

  constructor(private readonly clock: Clock = systemClock) {}

  async call<T>(keys: readonly PaceKey[], fn: () => Promise<T>): Promise<T> {
    for (const k of keys) if (!(k.intervalMs >= 0)) throw new Error(`pacing interval must be ≥ 0, got ${k.intervalMs}`);
    for (let delay = this.delayMs(keys); delay > 0; delay = this.delayMs(keys)) await this.clock.sleep(delay);
    const start = this.clock.now();
    for (const k of keys) this.last.set(k.key, { start, intervalMs: k.intervalMs });
    if (this.warm) return fn();
    try {
      return await fn();
    } finally {
      this.warm = true;
      const settled = this.clock.now();
      for (const k of keys) {
        const entry = this.last.get(k.key);
        if (entry && entry.start === start) entry.start = Math.max(start, settled);
      }
    }
  }

  /** Holds the caller until every key's interval since its last call began has passed. */
  async release(): Promise<void> {
    for (let delay = this.delayMs(); delay > 0; delay = this.delayMs()) await this.clock.sleep(delay);
  }

  /** Milliseconds until a call under `keys` (every key this instance has used, when none are given) may start. */
  delayMs(keys?: readonly PaceKey[]): number {
    const now = this.clock.now();
    let delay = 0;
    const entries = keys
      ? keys.map((k) => this.last.get(k.key)).filter((e) => e !== undefined)
      : [...this.last.values()];
    for (const e of entries) delay = Math.max(delay, e.start + e.intervalMs - now);
    return delay;
  }
}
