/**
 * The pacer's cold start: an instance's first vendor call counts from when it settled (a cold client's first request
 * leaves late), every later call from when it began. Found by the reliability work: with get-or-create, a create step
 * makes a lookup and a create in one invocation, and the cold lookup arrived at the vendor up to 150 ms after its
 * pacing started — the create, `T` after that start, then arrived less than `T` after the lookup.
 */
import { describe, expect, it } from 'vitest';
import { Pacer } from '../../../functions/domain/pacing.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

/** Runs `fn` to completion while driving the fake clock. */
async function drive<T>(clock: FakeClock, fn: () => Promise<T>): Promise<T> {
  let done = false;
  const result = fn().finally(() => {
    done = true;
  });
  while (!done) if (!(await clock.step())) await Promise.resolve();
  return result;
}

describe('Pacer cold start', () => {
  it('spaces the second call T after the first call settled, later calls T after the previous began', async () => {
    const clock = new FakeClock();
    const pacer = new Pacer(1000, clock);
    const starts: number[] = [];
    const call = (latencyMs: number) =>
      pacer.call(async () => {
        starts.push(clock.now());
        await clock.sleep(latencyMs);
      });

    await drive(clock, async () => {
      await call(150); // cold: settles at 150
      await call(150); // warm: may start at 150 + 1000
      await call(150); // T after the previous start
    });
    expect(starts).toEqual([0, 1150, 2150]);
  });

  it('counts a failed first call from when it failed too, and holds the slot accordingly', async () => {
    const clock = new FakeClock();
    const pacer = new Pacer(1000, clock);
    await drive(clock, async () => {
      await pacer
        .call(async () => {
          await clock.sleep(200);
          throw new Error('503');
        })
        .catch(() => undefined);
    });
    expect(pacer.delayMs()).toBe(1000);
    await drive(clock, () => pacer.release());
    expect(clock.now()).toBe(1200);
  });
});
