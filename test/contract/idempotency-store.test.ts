/**
 * The vendor task's idempotency (docs/architecture.md, "Exactly-once effects") on a real DynamoDB API (dynalite in
 * memory on 127.0.0.1, as the local stack runs it): the Powertools persistence layer, our key, and the handler chain in
 * both dispatch modes. Judged by the vendor client's calls: a retried effect step must not reach the vendor again.
 */
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StepInProgressError, VendorUnavailableError } from '../../functions/domain/errors.ts';
import { Pacer } from '../../functions/domain/pacing.ts';
import { buildVendorTaskHandler } from '../../functions/flow-steps/handler-factory.ts';
import {
  createVendorTaskRunner,
  dynamoDbStore,
  type IdempotencyDeps,
  idempotencyFromEnv,
  stepKeyOf,
} from '../../functions/flow-steps/idempotency.ts';
import type { VendorClient } from '../../functions/vendors/types.ts';
import { type LocalIdempotencyStore, startLocalIdempotencyStore } from '../../local/aws/idempotency-store.ts';
import { aCreatedFlow, anSqsRecord, aRequest, aStatus, ScriptedClient } from '../helpers/factories.ts';

let store: LocalIdempotencyStore;
beforeAll(async () => {
  store = await startLocalIdempotencyStore();
});
afterAll(async () => store?.close());

/** A fresh persistence layer per λ instance, as the local stack and the Lambda entries build it. */
const idempotency = (): IdempotencyDeps => ({ persistenceStore: dynamoDbStore(store.tableName, store.client) });

let runId = 0;
let request: Record<string, unknown>;
beforeEach(() => {
  runId++;
  request = aRequest('aws-mediaconnect', { requestId: `idem-${runId}` });
});

const event = (operation: string, extra: Record<string, unknown> = {}) => ({
  operation,
  request,
  executionName: String(request.requestId),
  ...extra,
});

function context(remainingMs = 30_000): Context {
  const deadline = Date.now() + remainingMs;
  return { getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) } as unknown as Context;
}

describe('the idempotency key', () => {
  it('keys effect steps by request, execution, operation and flow; reads and unscoped calls are not keyed', () => {
    expect(stepKeyOf(event('createFlow'))).toEqual({
      requestId: request.requestId,
      executionName: request.requestId,
      operation: 'createFlow',
      flowId: null,
    });
    expect(stepKeyOf(event('startFlow', { flowId: 'f-1', executionName: 'r--a2' }))).toEqual({
      requestId: request.requestId,
      executionName: 'r--a2',
      operation: 'startFlow',
      flowId: 'f-1',
    });
    expect(stepKeyOf(event('describeFlow', { flowId: 'f-1' }))).toBeUndefined();
    expect(stepKeyOf({ operation: 'createFlow', request })).toBeUndefined();
    expect(stepKeyOf('not an event')).toBeUndefined();
  });

  it('fails fast at cold start without its table', () => {
    expect(() => idempotencyFromEnv({})).toThrow(/IDEMPOTENCY_TABLE_NAME/);
    expect(idempotencyFromEnv({ IDEMPOTENCY_TABLE_NAME: 't-1' }).persistenceStore).toBeDefined();
  });
});

describe('an effect step retried after its call succeeded', () => {
  it('returns the stored result without calling the vendor again', async () => {
    const client = new ScriptedClient().script('createFlow', aCreatedFlow('flow-a'), aCreatedFlow('flow-b'));
    const run = createVendorTaskRunner({ vendor: 'aws-mediaconnect', client, idempotency: idempotency() });
    const first = await run(event('createFlow'), context());
    // Another instance (another sandbox) serves the retry: only the table is shared.
    const retry = createVendorTaskRunner({ vendor: 'aws-mediaconnect', client, idempotency: idempotency() });
    expect(await retry(event('createFlow'), context())).toEqual(first);
    expect(first).toMatchObject({ flowId: 'flow-a' });
    expect(client.calls.map((c) => c.operation)).toEqual(['createFlow']);
  });

  it('keys completeFlow too: a retried completion returns the stored answer without calling the vendor', async () => {
    const client = new ScriptedClient().script('completeFlow', undefined);
    const run = createVendorTaskRunner({ vendor: 'aws-mediaconnect', client, idempotency: idempotency() });
    const first = await run(event('completeFlow', { flowId: 'flow-1' }), context());
    expect(first).toEqual({ flowId: 'flow-1', completed: true });
    expect(await run(event('completeFlow', { flowId: 'flow-1' }), context())).toEqual(first);
    expect(client.calls.map((c) => c.operation)).toEqual(['completeFlow']);
  });

  it('refuses completeFlow for a client that creates in one step (the workflow never asks it)', async () => {
    const scripted = new ScriptedClient();
    const withoutCompletion: VendorClient = {
      vendor: 'aws-mediaconnect',
      createFlow: (r) => scripted.createFlow(r),
      startFlow: (r, id) => scripted.startFlow(r, id),
      describeFlow: (r, id) => scripted.describeFlow(r, id),
      grantEntitlements: (r, id) => scripted.grantEntitlements(r, id),
      stopFlow: (r, id) => scripted.stopFlow(r, id),
      deleteFlow: (r, id) => scripted.deleteFlow(r, id),
      describeConnection: (r, id) => scripted.describeConnection(r, id),
    };
    const run = createVendorTaskRunner({ vendor: 'aws-mediaconnect', client: withoutCompletion });
    await expect(run(event('completeFlow', { flowId: 'flow-1' }))).rejects.toMatchObject({
      name: 'InvalidRequest',
      message: expect.stringContaining('nothing to complete'),
    });
  });

  it('runs a new attempt (another execution name) for real: its answers may have changed', async () => {
    const client = new ScriptedClient().script('startFlow', aStatus('STARTING'), aStatus('ACTIVE'));
    const run = createVendorTaskRunner({ vendor: 'aws-mediaconnect', client, idempotency: idempotency() });
    await run(event('startFlow', { flowId: 'flow-1' }), context());
    const second = await run(event('startFlow', { flowId: 'flow-1', executionName: `${request.requestId}--a2` }));
    expect(second).toMatchObject({ state: 'ACTIVE' });
    expect(client.calls).toHaveLength(2);
  });

  it('never caches a read: every poll asks the vendor', async () => {
    const client = new ScriptedClient().script('describeFlow', aStatus('STARTING'), aStatus('ACTIVE'));
    const run = createVendorTaskRunner({ vendor: 'aws-mediaconnect', client, idempotency: idempotency() });
    expect(await run(event('describeFlow', { flowId: 'flow-1' }), context())).toMatchObject({ state: 'STARTING' });
    expect(await run(event('describeFlow', { flowId: 'flow-1' }), context())).toMatchObject({ state: 'ACTIVE' });
  });

  it('stores no error: a failed step calls the vendor again on retry', async () => {
    const client = new ScriptedClient().script('createFlow', new VendorUnavailableError('503'), aCreatedFlow());
    const run = createVendorTaskRunner({ vendor: 'aws-mediaconnect', client, idempotency: idempotency() });
    await expect(run(event('createFlow'), context())).rejects.toBeInstanceOf(VendorUnavailableError);
    expect(await run(event('createFlow'), context())).toMatchObject({ flowId: 'flow-1' });
    expect(client.calls).toHaveLength(2);
  });
});

describe('a retry that overtakes a running or crashed invocation', () => {
  it('fails with StepInProgress while the first holds the lock, then gets the stored result', async () => {
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const client = new ScriptedClient().script('createFlow', aCreatedFlow());
    const slow = { ...client, createFlow: async (r: never) => gate.then(() => client.createFlow(r)) };
    const first = createVendorTaskRunner({
      vendor: 'aws-mediaconnect',
      client: slow as unknown as ScriptedClient,
      idempotency: idempotency(),
    })(event('createFlow'), context());
    await new Promise((resolve) => setTimeout(resolve, 50));

    const retry = createVendorTaskRunner({ vendor: 'aws-mediaconnect', client, idempotency: idempotency() });
    const overtaking = await retry(event('createFlow'), context()).catch((e: unknown) => e);
    expect(overtaking).toBeInstanceOf(StepInProgressError);
    expect((overtaking as Error).name).toBe('StepInProgress');

    finish();
    const result = await first;
    expect(await retry(event('createFlow'), context())).toEqual(result);
    expect(client.calls).toHaveLength(1);
  });

  it('runs the step again once the lock of an invocation that died has expired (its remaining time)', async () => {
    const client = new ScriptedClient().script('createFlow', aCreatedFlow('flow-adopted'));
    // The first invocation calls the vendor and never returns (its sandbox died): the record stays in progress.
    const dead = { ...client, createFlow: () => new Promise<never>(() => undefined) };
    void createVendorTaskRunner({
      vendor: 'aws-mediaconnect',
      client: dead as unknown as ScriptedClient,
      idempotency: idempotency(),
    })(event('createFlow'), context(150));
    await new Promise((resolve) => setTimeout(resolve, 30));

    const retry = createVendorTaskRunner({ vendor: 'aws-mediaconnect', client, idempotency: idempotency() });
    await expect(retry(event('createFlow'), context())).rejects.toBeInstanceOf(StepInProgressError);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The step runs again; the vendor-side get-or-create is what adopts the first call's flow.
    expect(await retry(event('createFlow'), context())).toMatchObject({ flowId: 'flow-adopted' });
  });
});

describe('the handler chain', () => {
  it('makes invoked steps idempotent, with the invocation context', async () => {
    const client = new ScriptedClient().script('createFlow', aCreatedFlow());
    const handler = buildVendorTaskHandler({
      vendor: 'aws-mediaconnect',
      client,
      pacer: new Pacer(0),
      idempotency: idempotency(),
    });
    const first = await handler(event('createFlow'), context());
    expect(await handler(event('createFlow'), context())).toEqual(first);
    expect(client.calls).toHaveLength(1);
  });

  it('answers a step the vendor never finished before the λ timeout with VendorUnavailable, which the ASL retries', async () => {
    const client = new ScriptedClient().script('createFlow', aCreatedFlow());
    const hanging = { ...client, vendor: 'aws-mediaconnect', createFlow: () => new Promise<never>(() => undefined) };
    const handler = buildVendorTaskHandler({
      vendor: 'aws-mediaconnect',
      client: hanging as unknown as ScriptedClient,
      pacer: new Pacer(0),
      idempotency: idempotency(),
    });
    const cut = await handler(event('createFlow'), context(60)).catch((e: unknown) => e);
    expect(cut).toBeInstanceOf(VendorUnavailableError);
    expect((cut as Error).message).toContain('ran out of time');
    // Its lock expires with the invocation's deadline; the retry then runs the step (and get-or-create adopts).
    await new Promise((resolve) => setTimeout(resolve, 80));
    const retry = buildVendorTaskHandler({
      vendor: 'aws-mediaconnect',
      client,
      pacer: new Pacer(0),
      idempotency: idempotency(),
    });
    expect(await retry(event('createFlow'), context())).toMatchObject({ flowId: 'flow-1' });
  });

  it('makes queued steps idempotent: a redelivered work item is answered with the stored result', async () => {
    const sfn = mockClient(SFNClient);
    sfn.on(SendTaskSuccessCommand).resolves({});
    try {
      const client = new ScriptedClient().script('createFlow', aCreatedFlow());
      const handler = buildVendorTaskHandler({
        vendor: 'aws-mediaconnect',
        client,
        pacer: new Pacer(0),
        sfn: new SFNClient({ region: 'us-east-1' }),
        idempotency: idempotency(),
      });
      const item = JSON.stringify({ ...event('createFlow'), taskToken: 'token-1' });
      for (const messageId of ['m-1', 'm-1-redelivered']) {
        expect(await handler({ Records: [anSqsRecord(item, messageId)] }, context())).toEqual({
          batchItemFailures: [],
        });
      }
      expect(client.calls).toHaveLength(1);
      const outputs = sfn.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input.output);
      expect(outputs).toHaveLength(2);
      expect(outputs[1]).toBe(outputs[0]);
    } finally {
      sfn.restore();
    }
  });
});
