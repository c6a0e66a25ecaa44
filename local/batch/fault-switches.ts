/**
 * Local-only fault switches of the embedded stack, for the reliability suite and `flowctl local --faults`: a vendor λ
 * that dies after its vendor call succeeded, and the parsing of the `--faults` option into emulator fault settings.
 * Nothing here exists on AWS; each switch reproduces a failure AWS can produce, so the pipeline's answer to it can be
 * tested on one machine.
 */
import type { PaceFn } from '../../functions/vendors/types.ts';
import type { FaultSettings } from '../emulators/common.ts';

/**
 * A vendor λ that dies after a vendor call succeeded, with probability `rate` per successful call or invocation:
 * - `after-vendor-call`: the sandbox dies right after a vendor call returned, before the handler finishes (a timeout or
 *   an out-of-memory kill mid-step). The step's idempotency record stays in progress until its lock expires (the
 *   invocation's deadline); the caller sees `Sandbox.Timedout` at the function timeout. The retried step calls the
 *   vendor again, and the vendor-side get-or-create / desired-state is what keeps the effect single.
 * - `before-response`: the handler finished (its idempotency record is complete) but its answer never reaches the
 *   caller; the caller sees `Sandbox.Timedout`. The retried step must be answered from the stored result.
 */
export interface LambdaCrashSettings {
  readonly rate: number;
  readonly point: 'after-vendor-call' | 'before-response';
  /** Random source, injectable for deterministic tests. */
  readonly random?: () => number;
}

export interface CrashCounter {
  crashes: number;
}

/** Wraps a pace function so that, after a successful vendor call, the handler may never continue (see above). */
export function crashingPace(pace: PaceFn, crash: LambdaCrashSettings | undefined, counter: CrashCounter): PaceFn {
  if (crash?.point !== 'after-vendor-call' || !(crash.rate > 0)) return pace;
  const random = crash.random ?? Math.random;
  return async (call, site) => {
    const result = await pace(call, site);
    if (random() < crash.rate) {
      counter.crashes++;
      // The sandbox is gone: nothing after this call runs, and the runtime reports the invocation timed out.
      return new Promise<never>(() => undefined);
    }
    return result;
  };
}

export const FAULT_KINDS = ['error', 'timeout', 'throttle', 'latency'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Latency injected by the `latency` kind: a realistic vendor round trip. */
export const INJECTED_LATENCY_MS: readonly [number, number] = [50, 300];

/**
 * `RATE[,KIND...]` → emulator fault settings: `RATE` (0–1) of the calls fail, shared equally among the failure kinds
 * given (`error` = the vendor's 5xx, `timeout` = served but the answer is lost, `throttle` = the vendor's throttle
 * error); `latency` adds 50–300 ms to every call. No kind means every kind.
 */
export function parseFaults(spec: string): FaultSettings {
  const [rateText = '', ...kindTexts] = spec.split(',').map((part) => part.trim());
  const rate = Number(rateText);
  if (rateText === '' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new Error(`--faults: the rate must be a number from 0 to 1, got "${rateText}"`);
  }
  const unknown = kindTexts.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new Error(`--faults: unknown kind ${unknown.join(', ')}; kinds are ${FAULT_KINDS.join(', ')}`);
  }
  const kinds = new Set<FaultKind>(kindTexts.length > 0 ? (kindTexts as FaultKind[]) : FAULT_KINDS);
  const failing = (['error', 'timeout', 'throttle'] as const).filter((k) => kinds.has(k));
  const share = failing.length > 0 ? rate / failing.length : 0;
  return {
    ...(kinds.has('error') ? { errorRate: share } : {}),
    ...(kinds.has('timeout') ? { timeoutRate: share } : {}),
    ...(kinds.has('throttle') ? { throttleRate: share } : {}),
    ...(kinds.has('latency') ? { latencyMs: INJECTED_LATENCY_MS } : {}),
  };
}

/** `RATE[,after-vendor-call|before-response]` → crash settings (`flowctl local --crash`); default point `before-response`. */
export function parseCrash(spec: string): LambdaCrashSettings {
  const [rateText = '', point = 'before-response', ...rest] = spec.split(',').map((part) => part.trim());
  const rate = Number(rateText);
  if (rateText === '' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new Error(`--crash: the rate must be a number from 0 to 1, got "${rateText}"`);
  }
  if ((point !== 'after-vendor-call' && point !== 'before-response') || rest.length > 0) {
    throw new Error(`--crash: the point is after-vendor-call or before-response, got "${[point, ...rest].join(',')}"`);
  }
  return { rate, point };
}

/** `N` (1–10) → how many times each message is delivered (`flowctl local --duplicates`). */
export function parseDuplicates(text: string): number {
  const copies = Number(text);
  if (!Number.isInteger(copies) || copies < 1 || copies > 10) {
    throw new Error(`--duplicates: deliver each message 1 to 10 times, got "${text}"`);
  }
  return copies;
}
