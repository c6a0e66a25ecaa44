/**
 * What every vendor emulator shares: an HTTP server on 127.0.0.1, a request journal (the ground truth the rate-limit
 * tests and the benchmark read), sliding-window rate limiting, and fault injection. Each emulator adds its vendor's
 * signature check, state and error shapes on top.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../loopback.ts';

/** One request as the emulator saw it: the benchmark and the e2e tests count these, not what the pipeline believes. */
export interface JournalEntry {
  /** Milliseconds since the epoch when the request arrived. */
  readonly at: number;
  /** The vendor operation (`CreateFlow`, `PublishFlow`, ...), or `unknown`. */
  readonly operation: string;
  /** HTTP status answered. */
  readonly status: number;
  /** The vendor error code answered, if any. */
  readonly errorCode?: string;
  /** True when the answer was the vendor's throttle error. */
  readonly throttled: boolean;
  /** True when the answer came from fault injection rather than the vendor's rules. */
  readonly injected: boolean;
  /** Which rate-limit budget the call counted against (a vendor may have several scopes). */
  readonly budget: string;
}

export class Journal {
  readonly entries: JournalEntry[] = [];

  record(entry: JournalEntry): void {
    this.entries.push(entry);
  }

  /** The most calls that any window of `windowMs` held, counting only calls of `budget` when given. */
  maxInWindow(windowMs: number, budget?: string): number {
    const times = this.entries
      .filter((e) => budget === undefined || e.budget === budget)
      .map((e) => e.at)
      .sort((a, b) => a - b);
    let max = 0;
    let start = 0;
    for (let end = 0; end < times.length; end++) {
      while (times[end]! - times[start]! >= windowMs) start++;
      max = Math.max(max, end - start + 1);
    }
    return max;
  }

  count(predicate: (entry: JournalEntry) => boolean = () => true): number {
    return this.entries.filter(predicate).length;
  }

  clear(): void {
    this.entries.length = 0;
  }
}

/**
 * Sliding-window limiter: admits a call when fewer than `limit` calls were admitted in the last `windowMs`. Throttled
 * calls are not counted (the vendors document the limit on accepted calls).
 */
export class SlidingWindowLimiter {
  private readonly admitted: number[] = [];

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  tryAdmit(now: number): boolean {
    while (this.admitted.length > 0 && now - this.admitted[0]! >= this.windowMs) this.admitted.shift();
    if (this.admitted.length >= this.limit) return false;
    this.admitted.push(now);
    return true;
  }
}

/** Fault injection settings; every emulator accepts them at start and through `setFaults` at run time. */
export interface FaultSettings {
  /** Probability (0–1) that a call answers the vendor's 5xx error instead of being served. */
  errorRate?: number;
  /** Probability (0–1) that a call answers the vendor's throttle error. */
  throttleRate?: number;
  /**
   * Probability (0–1) that a call is served (its effect happens) but the response never arrives: the connection is
   * held until the client gives up. The nastiest fault for exactly-once effects.
   */
  timeoutRate?: number;
  /** Added latency per call, uniformly drawn from [min, max] milliseconds (a realistic vendor: 50–300). */
  latencyMs?: readonly [number, number];
  /** Random source, injectable for deterministic tests. */
  random?: () => number;
}

export type FaultDecision = 'none' | 'error' | 'throttle' | 'timeout';

export class Faults {
  private settings: FaultSettings;

  constructor(settings: FaultSettings = {}) {
    this.settings = { ...settings };
  }

  set(settings: FaultSettings): void {
    this.settings = { ...settings };
  }

  get current(): Readonly<FaultSettings> {
    return this.settings;
  }

  /** Draws the fault for one call (at most one kind per call). */
  decide(): FaultDecision {
    const random = this.settings.random ?? Math.random;
    const roll = random();
    const error = this.settings.errorRate ?? 0;
    const throttle = this.settings.throttleRate ?? 0;
    const timeout = this.settings.timeoutRate ?? 0;
    if (roll < error) return 'error';
    if (roll < error + throttle) return 'throttle';
    if (roll < error + throttle + timeout) return 'timeout';
    return 'none';
  }

  async delay(): Promise<void> {
    const range = this.settings.latencyMs;
    if (!range) return;
    const random = this.settings.random ?? Math.random;
    const ms = range[0] + random() * (range[1] - range[0]);
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }
}

/** The running emulator, as the local stack and the tests hold it. */
export interface RunningEmulator {
  /** Base URL, e.g. `http://127.0.0.1:53211`. */
  readonly url: string;
  readonly journal: Journal;
  setFaults(settings: FaultSettings): void;
  close(): Promise<void>;
}

export interface RawRequest {
  readonly method: string;
  /** Path and query exactly as sent (percent-encoding preserved), e.g. `/v1/flows/start/arn%3Aaws...`. */
  readonly rawUrl: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

export interface RawResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** Reads a whole request body, bounded (the emulators are test servers, but a bound is cheap). */
export async function readBody(req: IncomingMessage, maxBytes = 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new Error(`request body over ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Starts an HTTP server on 127.0.0.1 and a free port. `handle` answers one request; an answer of `'hang'` models a
 * response lost in the network (the socket is held open until the client gives up or the server closes).
 */
export async function startHttpServer(
  handle: (req: RawRequest) => Promise<RawResponse | 'hang'>,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const hanging = new Set<ServerResponse>();
  const server = createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      const rawUrl = req.url ?? '/';
      const answer = await handle({
        method: req.method ?? 'GET',
        rawUrl,
        url: new URL(rawUrl, 'http://127.0.0.1'),
        headers: req.headers,
        body,
      });
      if (answer === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body ?? '');
    } catch (error) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `emulator error: ${(error as Error).message}` }));
    }
  });
  server.keepAliveTimeout = 1000;
  const { url } = await listenOnLoopback(server);
  return {
    url,
    server,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Request headers as single strings (repeated headers joined with `,`, as HTTP folds them). */
export function flattenHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return flat;
}

/** Constant-time comparison of two hex signatures (a verifier must not leak how much of a guess was right). */
export function hexSignaturesEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'hex');
  const b = Buffer.from(given, 'hex');
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

/** `decodeURIComponent`, or the value as it is when it is not valid percent-encoding (the signature check decides). */
export function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** `[before, after]` the first `separator`; `[value, '']` when there is none. */
export function splitOnce(value: string, separator: string): [string, string] {
  const index = value.indexOf(separator);
  return index === -1 ? [value, ''] : [value.slice(0, index), value.slice(index + separator.length)];
}
