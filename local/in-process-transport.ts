/**
 * The transport of the local stack's own SDK clients to its AWS stand-ins (SQS, Step Functions, DynamoDB,
 * EventBridge) when both run in one process: the SDK still builds, signs and serialises every request, and the
 * stand-in's own request listener (the `request` handler of its `http.Server`) still parses it and applies every rule
 * it applies to a request from a socket; only the loopback TCP connection, and Node's HTTP framing on both ends of it,
 * is left out. Clients outside the process (`flowctl` against `npm start`) reach the same listener over HTTP.
 *
 * A stand-in that has stopped listening refuses the call as a closed port does (`ECONNREFUSED`, which the SDK treats
 * as a transient network error), so a stopped stack fails as it fails over HTTP.
 */
import type { Server } from 'node:http';
import type { HttpHandlerOptions, HttpRequest, HttpResponse, RequestHandler } from '@smithy/types';
import inject, { type Response } from 'light-my-request';

/** What an SDK v3 client takes as its `requestHandler` (`HttpHandler` of `@smithy/protocol-http`). */
export type InProcessHandler = RequestHandler<HttpRequest, HttpResponse, HttpHandlerOptions> & {
  updateHttpClientConfig(): void;
  httpHandlerConfigs(): Record<string, never>;
};

/** A Smithy request handler (`requestHandler` option of an SDK v3 client) that dispatches to `server` in-process. */
export function inProcessRequestHandler(server: Server): InProcessHandler {
  return {
    metadata: { handlerProtocol: 'http/1.1' },
    handle: async (request, options) => {
      const listener = server.listeners('request')[0] as Parameters<typeof inject>[0] | undefined;
      if (!server.listening || !listener) throw refused(request);
      if (options?.abortSignal?.aborted) throw aborted();
      const answer = await new Promise<Response>((resolve, reject) => {
        // The callback form, options already valid: no per-call option schema check or chain object.
        inject(
          listener,
          {
            method: request.method,
            url: request.path + queryString(request.query),
            headers: request.headers,
            ...(request.body !== undefined && request.body !== null ? { payload: payloadOf(request.body) } : {}),
            remoteAddress: '127.0.0.1',
            // The listener runs with `this` = its server, as Node calls it.
            server,
            validate: false,
            ...(options?.abortSignal ? { signal: options.abortSignal as AbortSignal } : {}),
          },
          (error, response) => (error || !response ? reject(error ?? aborted()) : resolve(response)),
        );
      });
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(answer.headers)) {
        if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
      }
      const response: HttpResponse = {
        statusCode: answer.statusCode,
        reason: answer.statusMessage,
        headers,
        body: answer.rawPayload,
      };
      return { response };
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
    destroy: () => undefined,
  };
}

/** `?a=1&b=2` from Smithy's query map, escaped as the SDK's own HTTP handler escapes it. */
function queryString(query: HttpRequest['query']): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query ?? {})) {
    const name = encodeURIComponent(key);
    if (value === null || value === undefined) parts.push(name);
    else if (Array.isArray(value)) for (const v of value) parts.push(`${name}=${encodeURIComponent(v)}`);
    else parts.push(`${name}=${encodeURIComponent(value)}`);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/**
 * The body as the listener reads it off a socket: the SDK serialises into strings or byte arrays (its JSON codec's
 * `Uint8Array` subclass), which the injector would otherwise treat as an object to stringify.
 */
function payloadOf(body: unknown): string | Buffer | NodeJS.ReadableStream {
  if (typeof body === 'string' || Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return body as NodeJS.ReadableStream;
}

function refused(request: HttpRequest): Error {
  const error = new Error(`connect ECONNREFUSED ${request.hostname}:${request.port ?? ''}`) as Error & {
    code: string;
  };
  error.code = 'ECONNREFUSED';
  return error;
}

function aborted(): Error {
  const error = new Error('Request aborted');
  error.name = 'AbortError';
  return error;
}

interface SdkClientLike {
  readonly config: { readonly logger?: unknown };
  readonly middlewareStack: { remove(name: string): boolean };
}

/**
 * Drops the SDK's logger middleware from a client that has no logger: it copies every input and output through the
 * operation's sensitive-data filter on each call only to hand the copies to the default no-op logger. Nothing it
 * does reaches the request, the response or the stand-in. Call before the client's first send (`cacheMiddleware`
 * keeps the chain built then).
 */
export function withoutDiscardedSdkLogging<C extends SdkClientLike>(client: C): C {
  const logger = client.config.logger as { constructor?: { name?: string } } | undefined;
  if (logger?.constructor?.name === 'NoOpLogger') client.middlewareStack.remove('loggerMiddleware');
  return client;
}
