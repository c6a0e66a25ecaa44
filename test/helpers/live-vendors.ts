/**
 * Test helpers for the Huawei Live and Volcengine Live clients: request factories from the published examples and a
 * recording `fetch` that answers from a script, so unit tests see exactly what would go on the wire.
 */
import {
  type HuaweiLiveRequest,
  huaweiLiveRequest,
  type VolcengineLiveRequest,
  volcengineLiveRequest,
} from '../../functions/domain/contract.ts';
import { exampleRequest } from '../../local/batch/demo-batch.ts';

export function aHuaweiRequest(overrides: Record<string, unknown> = {}): HuaweiLiveRequest {
  return huaweiLiveRequest.parse({ ...exampleRequest('huawei-live'), ...overrides });
}

export function aVolcengineRequest(
  overrides: Record<string, unknown> = {},
  task: Record<string, unknown> = {},
): VolcengineLiveRequest {
  const example = exampleRequest('volcengine-live') as { flow: { task: Record<string, unknown> } };
  return volcengineLiveRequest.parse({
    ...example,
    ...overrides,
    flow: { ...example.flow, ...(overrides.flow as object), task: { ...example.flow.task, ...task } },
  });
}

export interface Sent {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type Answer =
  | { readonly status?: number; readonly json: unknown; readonly headers?: Record<string, string> }
  | { readonly status: number; readonly raw: string }
  | 'hang'
  | 'reset';

/** A fetch answering each request with `respond(request, index)`; `'hang'` waits for the abort signal. */
export function recordingFetch(respond: (request: Sent, index: number) => Answer) {
  const sent: Sent[] = [];
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    const request: Sent = {
      method: init?.method ?? 'GET',
      url: new URL(String(input)),
      headers: { ...(init?.headers as Record<string, string>) },
      body: typeof init?.body === 'string' ? init.body : '',
    };
    sent.push(request);
    const answer = respond(request, sent.length - 1);
    if (answer === 'hang') {
      return new Promise<Response>((_, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    }
    if (answer === 'reset') throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
    if ('raw' in answer) return new Response(answer.raw, { status: answer.status });
    const status = answer.status ?? 200;
    return new Response(status === 204 ? null : JSON.stringify(answer.json), {
      status,
      headers: { 'content-type': 'application/json', ...answer.headers },
    });
  }) as typeof fetch;
  return { fetch: fetchFn, sent };
}

/** Answers in order; running past the script fails the test loudly. */
export function scriptedAnswers(...answers: Answer[]) {
  return recordingFetch((request, index) => {
    const answer = answers[index];
    if (answer === undefined) throw new Error(`unexpected call #${index + 1}: ${request.method} ${request.url}`);
    return answer;
  });
}

/** Counts paced calls, so tests can assert one HTTP call per `pace`. */
export function countingPace() {
  const counter = { calls: 0 };
  const pace = async <T>(call: () => Promise<T>): Promise<T> => {
    counter.calls++;
    return call();
  };
  return { pace, counter };
}

/** Lower-cased header lookup on a recorded request. */
export function header(request: Sent, name: string): string | undefined {
  const key = Object.keys(request.headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : request.headers[key];
}
