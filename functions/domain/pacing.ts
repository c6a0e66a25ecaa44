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
