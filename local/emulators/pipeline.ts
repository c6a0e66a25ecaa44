/**
 * The one request pipeline of every vendor emulator: open the request → verify its signature and route it → the
 * vendor's rate limit → injected faults → serve the operation → answer, journaling every request exactly once whatever
 * the outcome. An emulator supplies only what is its vendor's own: how a request is read and routed, its signature
 * check, its envelopes and error shapes, its operations and state.
 */
import {
  type FaultSettings,
  Faults,
  Journal,
  type RawRequest,
  type RawResponse,
  type RunningEmulator,
  type SlidingWindowLimiter,
  startHttpServer,
} from './common.ts';

/** A routed request the vendor accepts for serving, once its rate limit and the injected faults let it through. */
export interface AdmittedCall<Reply> {
  /** The budget this call counts against; `undefined` when the vendor enforces none for it. */
  readonly limiter: SlidingWindowLimiter | undefined;
  /** The vendor's throttle answer for this call (its limit reached, or an injected throttle). */
  throttle(): Reply;
  /** Serves the operation: its effect happens here, even when the answer is then lost. */
  serve(now: number): Reply;
}

/** One request as an emulator reads it. */
export interface Exchange<Reply> {
  /** The journal's operation name (`unknown` when the request names none the vendor has). */
  readonly operation: string;
  /** The journal's budget name; may be learned while verifying (AWS: the region of the signature's scope). */
  readonly budget: string;
  /** Verifies the signature and routes the request: the reply that refuses it, or the call to serve. */
  admit(): { readonly refused: Reply } | { readonly call: AdmittedCall<Reply> };
  /** The reply in the vendor's envelope, with this request's id. */
  encode(reply: Reply): RawResponse;
}

/** What every emulator's reply carries: its HTTP status and, for an error, the vendor's error code. */
export interface ReplyStatus {
  readonly status: number;
  readonly code?: string | undefined;
}

export interface EmulatorPipelineOptions<Reply> {
  readonly faults?: FaultSettings;
  /** Enforce the documented rate limit with the vendor's throttle error. @default true */
  readonly enforceRateLimit?: boolean;
  /** Reads one request, arrived at `at` (ms since the epoch). */
  open(req: RawRequest, at: number): Exchange<Reply>;
  /** The vendor's 5xx answer for an injected error; `random` is the fault settings' random source. */
  unavailable(random: () => number): Reply;
  /** The reply's HTTP status and vendor error code, as journaled. @default the reply's `status` and `code` */
  describe?(reply: Reply): ReplyStatus;
}

/** An injected error answered as one of `replies`, each as likely. */
export function oneOf<Reply>(...replies: readonly Reply[]): (random: () => number) => Reply {
  return (random) => replies[Math.floor(random() * replies.length)]!;
}

/** Builds the HTTP handler of an emulator from its vendor-specific parts. */
export function emulatorPipeline<Reply>(
  options: EmulatorPipelineOptions<Reply>,
  journal: Journal,
  faults: Faults,
): (req: RawRequest) => Promise<RawResponse | 'hang'> {
  const enforceRateLimit = options.enforceRateLimit ?? true;
  return async (req) => {
    const at = Date.now();
    const exchange = options.open(req, at);
    const answer = (reply: Reply, flags: { throttled?: boolean; injected?: boolean } = {}): RawResponse => {
      const { status, code: errorCode } = options.describe?.(reply) ?? (reply as ReplyStatus);
      journal.record({
        at,
        operation: exchange.operation,
        status,
        ...(errorCode !== undefined ? { errorCode } : {}),
        throttled: flags.throttled ?? false,
        injected: flags.injected ?? false,
        budget: exchange.budget,
      });
      return exchange.encode(reply);
    };

    const admitted = exchange.admit();
    if ('refused' in admitted) return answer(admitted.refused);
    const { call } = admitted;
    if (enforceRateLimit && call.limiter && !call.limiter.tryAdmit(at))
      return answer(call.throttle(), { throttled: true });

    await faults.delay();
    const fault = faults.decide();
    if (fault === 'error') return answer(options.unavailable(faults.current.random ?? Math.random), { injected: true });
    if (fault === 'throttle') return answer(call.throttle(), { throttled: true, injected: true });
    const reply = call.serve(Date.now());
    if (fault === 'timeout') {
      // The operation took effect; only its answer is lost.
      answer(reply, { injected: true });
      return 'hang';
    }
    return answer(reply);
  };
}

/**
 * Starts an emulator's server on 127.0.0.1 with its pipeline: the journal, fault switch and close every emulator
 * has. The emulator adds its own state readers to what this returns.
 */
export async function startEmulator<Reply>(options: EmulatorPipelineOptions<Reply>): Promise<RunningEmulator> {
  const journal = new Journal();
  const faults = new Faults(options.faults);
  const server = await startHttpServer(emulatorPipeline(options, journal, faults));
  return { url: server.url, journal, setFaults: (settings) => faults.set(settings), close: () => server.close() };
}
