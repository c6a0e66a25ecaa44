/**
 * The in-process transport of the local stack's own SDK clients hands a stand-in's request listener the request the
 * SDK would put on the wire: same method, path, query, signed headers and body as over HTTP; the listener's answer,
 * errors included, reaches the SDK as from a socket; a stopped stand-in refuses the call as a closed port does.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { inProcessRequestHandler, withoutDiscardedSdkLogging } from '../../../local/in-process-transport.ts';
import { listenOnLoopback } from '../../../local/loopback.ts';

interface Seen {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** A stand-in that records each request and refuses every task token, as Step Functions does for one it never issued. */
async function recordingStandIn() {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': 'InvalidToken' });
      res.end(JSON.stringify({ __type: 'com.amazonaws.sfn#InvalidToken', message: 'Invalid Token' }));
    });
  });
  const listener = await listenOnLoopback(server);
  return { seen, listener };
}

const clientFor = (url: string, server?: Server) =>
  new SFNClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    ...(server ? { requestHandler: inProcessRequestHandler(server) } : {}),
  });

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: Error & { code?: string; $metadata?: { httpStatusCode?: number } }) => error,
  );

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('in-process transport', () => {
  it('delivers the request the SDK signs for the wire, and the stand-in’s refusal comes back typed', async () => {
    const { seen, listener } = await recordingStandIn();
    close = () => listener.close();
    const command = () => new SendTaskSuccessCommand({ taskToken: 'never-issued', output: '{"a":"é"}' });
    const overHttp = await failureOf(clientFor(listener.url).send(command()));
    const inProcess = await failureOf(clientFor(listener.url, listener.server).send(command()));

    expect(seen).toHaveLength(2);
    const [http, direct] = seen as [Seen, Seen];
    expect(direct.method).toBe(http.method);
    expect(direct.url).toBe(http.url);
    expect(direct.body).toBe(http.body);
    const signed = (s: Seen) => /SignedHeaders=([^,]+)/.exec(String(s.headers.authorization))?.[1];
    expect(signed(direct)).toBe(signed(http));
    for (const name of signed(http)!
      .split(';')
      .filter((h) => !['amz-sdk-invocation-id', 'x-amz-date'].includes(h))) {
      expect(direct.headers[name], name).toBe(http.headers[name]);
    }
    for (const failure of [overHttp, inProcess]) {
      expect(failure?.name).toBe('InvalidToken');
      expect(failure?.$metadata?.httpStatusCode).toBe(400);
    }
  });

  it('refuses calls to a stopped stand-in as a closed port does', async () => {
    const { listener } = await recordingStandIn();
    await listener.close();
    const overHttp = await failureOf(
      clientFor(listener.url).send(new SendTaskSuccessCommand({ taskToken: 't', output: '{}' })),
    );
    const inProcess = await failureOf(
      clientFor(listener.url, listener.server).send(new SendTaskSuccessCommand({ taskToken: 't', output: '{}' })),
    );
    expect(overHttp?.code).toBe('ECONNREFUSED');
    expect(inProcess?.code).toBe('ECONNREFUSED');
  });

  it('drops only the logger middleware of a client without a logger', () => {
    const names = (client: SFNClient) => client.middlewareStack.identify().map((m) => m.split(' - ')[0]);
    const plain = clientFor('http://127.0.0.1:1');
    const trimmed = withoutDiscardedSdkLogging(clientFor('http://127.0.0.1:1'));
    expect(names(plain)).toContain('loggerMiddleware');
    expect(names(trimmed)).toEqual(names(plain).filter((n) => n !== 'loggerMiddleware'));
    const logged = withoutDiscardedSdkLogging(
      new SFNClient({ region: 'us-east-1', logger: { debug() {}, info() {}, warn() {}, error() {} } }),
    );
    expect(names(logged)).toContain('loggerMiddleware');
  });
});
