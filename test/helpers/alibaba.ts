/**
 * Test helpers for the Alibaba clients: a scripted `fetch` that records what was sent and answers like the POP
 * gateway, and request factories built from the published examples.
 */
import { readFileSync } from 'node:fs';
import { type AlibabaCamsRequest, type AlibabaIceRequest, parseRequest } from '../../functions/domain/contract.ts';

export const TEST_CREDENTIALS = { accessKeyId: 'LTAI5tTESTACCESSKEY', accessKeySecret: 'test-secret-never-logged' };

export interface SentRequest {
  readonly url: URL;
  readonly action: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Business parameters: the query for ICE, the decoded form body for CAMS. */
  readonly params: Readonly<Record<string, string>>;
}

export type Answer = { status?: number; body: unknown } | { raw: string; status: number } | 'hang' | 'network-error';

/**
 * A fetch that answers each request with `respond(request)`. `'hang'` never answers (until the caller's abort signal
 * fires), `'network-error'` rejects like a reset connection.
 */
export function scriptedFetch(respond: (request: SentRequest, index: number) => Answer) {
  const sent: SentRequest[] = [];
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const headers = { ...(init?.headers as Record<string, string>) };
    const body = typeof init?.body === 'string' ? init.body : '';
    const params: Record<string, string> = {};
    for (const [k, v] of url.searchParams) params[k] = v;
    if (body) for (const [k, v] of new URLSearchParams(body)) params[k] = v;
    const request: SentRequest = { url, action: headers['x-acs-action'] ?? '', headers, body, params };
    sent.push(request);
    const answer = respond(request, sent.length - 1);
    if (answer === 'hang') {
      return new Promise<Response>((_, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    }
    if (answer === 'network-error') throw new TypeError('fetch failed: ECONNRESET');
    if ('raw' in answer) return new Response(answer.raw, { status: answer.status });
    return new Response(JSON.stringify(answer.body), {
      status: answer.status ?? 200,
      headers: { 'content-type': 'application/json' },
    });
  }) as typeof fetch;
  return { fetch: fetchFn, sent };
}

/** Answers by action name; an action without an answer fails the test loudly. */
export function fetchByAction(answers: Record<string, Answer | ((request: SentRequest) => Answer)>) {
  return scriptedFetch((request) => {
    const answer = answers[request.action];
    if (answer === undefined) throw new Error(`unexpected call ${request.action}`);
    return typeof answer === 'function' ? answer(request) : answer;
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

function example(vendor: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../examples/${vendor}.json`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
}

export function iceRequest(patch: Record<string, unknown> = {}): AlibabaIceRequest {
  const parsed = parseRequest({ ...example('alibaba-ice'), ...patch });
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  if (parsed.request.vendor !== 'alibaba-ice') throw new Error('not an ICE request');
  return parsed.request;
}

export function camsRequest(patch: Record<string, unknown> = {}): AlibabaCamsRequest {
  const parsed = parseRequest({ ...example('alibaba-cams'), ...patch });
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  if (parsed.request.vendor !== 'alibaba-cams') throw new Error('not a CAMS request');
  return parsed.request;
}

/** ICE envelopes. */
export const iceOk = (content: unknown = '') => ({
  body: { RequestId: 'REQ-ICE', RetCode: 0, Description: 'OK', Content: content },
});
export const iceRetCode = (retCode: number, description: string, content: unknown = '') => ({
  body: { RequestId: 'REQ-ICE', RetCode: retCode, Description: description, Content: content },
});
/** The POP gateway's error envelope (both products). */
export const gatewayError = (status: number, code: string, message = `${code} message`) => ({
  status,
  body: {
    RequestId: 'REQ-GW',
    HostId: 'example.aliyuncs.com',
    Code: code,
    Message: message,
    Recommend: 'https://api.aliyun.com/troubleshoot',
  },
});
/** CAMS envelopes. */
export const camsOk = (data?: unknown) => ({
  body: { RequestId: 'REQ-CAMS', Code: 'OK', Message: 'None', ...(data === undefined ? {} : { Data: data }) },
});
export const camsError = (status: number, code: string, message = `${code} message`) => ({
  status,
  body: { RequestId: 'REQ-CAMS', Code: code, Message: message },
});
