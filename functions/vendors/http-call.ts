/**
 * One HTTP exchange with a vendor, for the clients that sign their own requests (Huawei Live, Volcengine Live): a
 * deadline on the whole exchange (headers and body), and every transport failure — timeout, refused or reset
 * connection — surfaced as `VendorUnavailableError`, the taxonomy's retryable class. What the answer means is the
 * caller's business: the status code alone never decides (docs/architecture.md, "Errors").
 */
import { type VendorErrorDetails, VendorUnavailableError } from '../domain/errors.ts';

export interface HttpAnswer {
  readonly status: number;
  /** The body as text (`''` when there is none). */
  readonly text: string;
  readonly headers: Headers;
}

export interface HttpExchange {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/**
 * Sends `exchange` and reads the whole answer within `timeoutMs`. A timeout says so explicitly, because the call may
 * still have taken effect at the vendor: the caller's get-or-create must cope with that.
 */
export async function sendHttp(
  fetchFn: typeof fetch,
  exchange: HttpExchange,
  timeoutMs: number,
  details: VendorErrorDetails,
): Promise<HttpAnswer> {
  const label = `${details.vendor ?? 'vendor'} ${details.operation ?? exchange.method}`;
  try {
    const response = await fetchFn(exchange.url, {
      method: exchange.method,
      headers: exchange.headers,
      ...(exchange.body !== undefined ? { body: exchange.body } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: response.status, text: await response.text(), headers: response.headers };
  } catch (error) {
    const name = (error as Error | undefined)?.name;
    const timedOut = name === 'TimeoutError' || name === 'AbortError';
    throw new VendorUnavailableError(
      timedOut
        ? `${label}: no answer within ${timeoutMs} ms (the call may have taken effect)`
        : `${label}: ${transportMessage(error)}`,
      details,
      { cause: error },
    );
  }
}

/** `fetch failed` says nothing; its cause (`ECONNREFUSED 127.0.0.1:4000`, `other side closed`) does. */
function transportMessage(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  return cause?.code ?? cause?.message ?? (error as Error | undefined)?.message ?? 'network error';
}

/** Parses a body as JSON, `undefined` when it is empty or not JSON (a proxy's HTML error page, a truncated answer). */
export function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A vendor message cut to a length that is safe for logs and DLQ attributes. */
export function clip(message: string, max = 300): string {
  return message.length > max ? `${message.slice(0, max)}…` : message;
}
