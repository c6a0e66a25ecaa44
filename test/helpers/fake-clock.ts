/** A virtual clock: `sleep` resolves when `advance` (or `runAll`) moves time past its deadline. */
import type { Clock } from '../../functions/domain/pacing.ts';

export class FakeClock implements Clock {
  private time = 0;
  private sleepers: { until: number; resolve: () => void }[] = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.sleepers.push({ until: this.time + ms, resolve }));
  }

  /** Moves time to the next sleeper's deadline and wakes it; false when nobody sleeps. */
  async step(): Promise<boolean> {
    await flush();
    if (this.sleepers.length === 0) return false;
    this.sleepers.sort((a, b) => a.until - b.until);
    const next = this.sleepers.shift()!;
    this.time = Math.max(this.time, next.until);
    next.resolve();
    await flush();
    return true;
  }

  advanceBy(ms: number): void {
    this.time += ms;
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
