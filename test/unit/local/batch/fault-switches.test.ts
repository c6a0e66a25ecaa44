/**
 * The local fault switches: `--faults`, `--crash` and `--duplicates` parsing, the crash after a vendor call, and the
 * Lambda runtime's crash before the answer leaves.
 */
import { describe, expect, it } from 'vitest';
import { type LocalHandler, LocalLambdaRuntime, TaskError } from '../../../../local/aws/lambda-runtime.ts';
import {
  crashingPace,
  INJECTED_LATENCY_MS,
  parseCrash,
  parseDuplicates,
  parseFaults,
} from '../../../../local/batch/fault-switches.ts';

const SITE = { operation: 'CreateFlow' } as const;

describe('--faults RATE[,KIND...]', () => {
  it('shares the rate equally among the failure kinds, every kind by default, latency on every call', () => {
    const all = parseFaults('0.3');
    expect(all.errorRate).toBeCloseTo(0.1);
    expect(all.timeoutRate).toBeCloseTo(0.1);
    expect(all.throttleRate).toBeCloseTo(0.1);
    expect(all.latencyMs).toEqual(INJECTED_LATENCY_MS);
    expect(parseFaults('0.2,timeout')).toEqual({ timeoutRate: 0.2 });
    expect(parseFaults('0.2, error ,throttle')).toEqual({ errorRate: 0.1, throttleRate: 0.1 });
    expect(parseFaults('0,latency')).toEqual({ latencyMs: INJECTED_LATENCY_MS });
  });

  it.each(['', 'abc', '1.5', '-0.1', '0.2,slow'])('refuses %j, saying what is allowed', (spec) => {
    expect(() => parseFaults(spec)).toThrow(/--faults: /);
  });
});

describe('--crash RATE[,POINT] and --duplicates N', () => {
  it('parses the crash point (before-response by default)', () => {
    expect(parseCrash('0.1')).toEqual({ rate: 0.1, point: 'before-response' });
    expect(parseCrash('0.05,after-vendor-call')).toEqual({ rate: 0.05, point: 'after-vendor-call' });
    expect(() => parseCrash('0.1,never')).toThrow(/--crash: the point/);
    expect(() => parseCrash('2')).toThrow(/--crash: the rate/);
  });

  it('accepts 1 to 10 copies', () => {
    expect(parseDuplicates('3')).toBe(3);
    for (const bad of ['0', '11', '2.5', 'x']) expect(() => parseDuplicates(bad)).toThrow(/--duplicates/);
  });
});

describe('a crash after a successful vendor call', () => {
  it('never lets the handler continue once the call succeeded, and counts it', async () => {
    const counter = { crashes: 0 };
    const pace = crashingPace((call) => call(), { rate: 1, point: 'after-vendor-call' }, counter);
    let after = false;
    void pace(async () => 'answered', SITE).then(() => {
      after = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(after).toBe(false);
    expect(counter.crashes).toBe(1);
  });

  it('leaves failed calls and the other crash point alone', async () => {
    const counter = { crashes: 0 };
    const pace = crashingPace((call) => call(), { rate: 1, point: 'after-vendor-call' }, counter);
    await expect(pace(async () => Promise.reject(new Error('503')), SITE)).rejects.toThrow('503');
    const other = crashingPace((call) => call(), { rate: 1, point: 'before-response' }, counter);
    await expect(other(async () => 'ok', SITE)).resolves.toBe('ok');
    expect(counter.crashes).toBe(0);
  });
});

describe('a crash before the answer leaves (LocalLambdaRuntime)', () => {
  it('fails a succeeded invocation with Sandbox.Timedout and discards the sandbox', async () => {
    const runtime = new LocalLambdaRuntime();
    let instances = 0;
    let ran = 0;
    const draws = [0, 0.9];
    runtime.register({
      name: 'fn',
      timeoutSeconds: 5,
      crashAfterSuccess: { rate: 0.5, random: () => draws.shift() ?? 1 },
      createInstance: (): LocalHandler => {
        instances++;
        return async () => {
          ran++;
          return { ok: true };
        };
      },
    });
    const crashed = await runtime.invoke('fn', {}).catch((e: unknown) => e);
    expect(crashed).toBeInstanceOf(TaskError);
    expect((crashed as TaskError).name).toBe('Sandbox.Timedout');
    expect(JSON.parse((crashed as TaskError).message)).toMatchObject({ errorType: 'Sandbox.Timedout' });
    await expect(runtime.invoke('fn', {})).resolves.toEqual({ ok: true });
    expect(ran).toBe(2);
    // The crashed sandbox was not reused.
    expect(instances).toBe(2);
    expect(runtime.stats('fn')).toMatchObject({ crashes: 1, invocations: 2, errors: 1 });
  });
});
