/**
 * What the clients that sign their own HTTP calls (Huawei Live, Volcengine Live) hold alike: the transport, the
 * signing clock, the instance's pacer and the deadline of one call, defaulting to their descriptor's.
 */
import { type PaceFn, unpaced } from '../types.ts';
import type { VendorDescriptor } from './descriptor.ts';

export interface SignedHttpClientOptions {
  readonly fetch?: typeof fetch;
  /** Signing clock (epoch ms). */
  readonly now?: () => number;
  /** Runs each HTTP call under the λ instance's pacer. @default unpaced */
  readonly pace?: PaceFn;
  /** Deadline of one call (the local stack shortens it for fault-injection runs). @default the descriptor's */
  readonly callTimeoutMs?: number;
}

export abstract class SignedHttpClient {
  protected readonly callTimeoutMs: number;
  protected readonly fetchFn: typeof fetch;
  protected readonly now: () => number;
  protected readonly pace: PaceFn;

  constructor(descriptor: VendorDescriptor, options: SignedHttpClientOptions) {
    this.callTimeoutMs = options.callTimeoutMs ?? descriptor.callTimeoutMs;
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.now = options.now ?? Date.now;
    this.pace = options.pace ?? unpaced;
    if (!(this.callTimeoutMs > 0)) throw new Error(`callTimeoutMs must be > 0, got ${this.callTimeoutMs}`);
  }
}
