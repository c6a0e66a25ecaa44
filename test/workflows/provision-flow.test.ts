/**
 * The provision-flow ASL in the local interpreter, with the real vendor-task handler chain around a scripted client:
 * what each path does, judged by the execution's status and output, the client's calls and the DLQ record.
 */
import { describe, expect, it } from 'vitest';
import {
  VendorAuthFailedError,
  VendorQuotaExceededError,
  VendorThrottledError,
  VendorUnavailableError,
} from '../../functions/domain/errors.ts';
import { aCreatedFlow, aRequest, aStatus, ScriptedClient } from '../helpers/factories.ts';
import { workflowHarness } from '../helpers/workflow.ts';

const granted = [{ name: 'partner-broadcaster', id: 'arn:aws:mediaconnect:us-east-1:1:entitlement:e1' }];

function happyClient() {
  return new ScriptedClient()
    .script('createFlow', aCreatedFlow())
    .script('describeFlow', aStatus('STANDBY'), aStatus('STARTING'), aStatus('ACTIVE'))
    .script('startFlow', aStatus('STARTING'))
    .script('grantEntitlements', granted);
}

describe('provision-flow workflow', () => {
  it('creates, starts, waits until ACTIVE and grants, then succeeds with the flow id', async () => {
    const client = happyClient();
    const harness = workflowHarness('aws-mediaconnect', client);
    const execution = await harness.run(aRequest());

    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output!)).toEqual({
      requestId: 'evt-2026-11-22-basketball-final',
      vendor: 'aws-mediaconnect',
      flowId: 'flow-1',
      flowName: 'basketball-final',
      adopted: false,
      connection: { outputs: [{ name: 'partner-broadcaster' }] },
    });
    // The create's own answer (STANDBY) says to start: no read before the start.
    expect(client.calls.map((c) => c.operation)).toEqual([
      'createFlow',
      'startFlow',
      'describeFlow',
      'describeFlow',
      'describeFlow',
      'grantEntitlements',
    ]);
    // The first try of the step in the execution's first run: nothing to adopt, so the client is told not to look.
    expect(client.calls[0]).toMatchObject({ operation: 'createFlow', firstTry: true });
    expect(harness.dlq).toEqual([]);
  });

  it('skips the grant when the request has no entitlements', async () => {
    const client = happyClient();
    const execution = await workflowHarness('aws-mediaconnect', client).run(
      aRequest('aws-mediaconnect', { entitlements: [] }),
    );
    expect(execution.status).toBe('SUCCEEDED');
    expect(client.calls.map((c) => c.operation)).not.toContain('grantEntitlements');
  });

  it('does not start a flow that is already running (desired state), nor one the request says not to start', async () => {
    // An adopted flow may have moved since: it is read, and found running, not started again.
    const running = new ScriptedClient()
      .script('createFlow', { ...aCreatedFlow(), adopted: true })
      .script('describeFlow', aStatus('ACTIVE'));
    expect(
      (await workflowHarness('aws-mediaconnect', running).run(aRequest('aws-mediaconnect', { entitlements: [] })))
        .status,
    ).toBe('SUCCEEDED');
    expect(running.calls.map((c) => c.operation)).toEqual(['createFlow', 'describeFlow']);

    const idle = new ScriptedClient().script('createFlow', aCreatedFlow());
    const execution = await workflowHarness('aws-mediaconnect', idle).run(
      aRequest('aws-mediaconnect', { start: false, entitlements: [] }),
    );
    expect(execution.status).toBe('SUCCEEDED');
    expect(idle.calls.map((c) => c.operation)).toEqual(['createFlow']);
  });

  it('retries a vendor throttle and then succeeds', async () => {
    const client = happyClient().script(
      'createFlow',
      new VendorThrottledError('slow down'),
      new VendorThrottledError('slow down'),
      aCreatedFlow(),
    );
    const execution = await workflowHarness('aws-mediaconnect', client).run(aRequest());
    expect(execution.status).toBe('SUCCEEDED');
    expect(client.calls.filter((c) => c.operation === 'createFlow')).toHaveLength(3);
    expect(execution.history.filter((h) => h.type === 'TaskRetried' && h.stateName === 'CreateFlow')).toHaveLength(2);
  });

  it('retries Lambda.TooManyRequestsException when the vendor λ is at its reserved concurrency', async () => {
    const client = happyClient();
    // Reserved concurrency 1 and ten executions at once: most first attempts are refused at the gate.
    const harness = workflowHarness('aws-mediaconnect', client, { reservedConcurrency: 1 });
    const names = Array.from({ length: 10 }, (_, i) => `burst-${i}`);
    for (const name of names) {
      harness.stepFunctions.startExecution({
        stateMachineArn: harness.stateMachineArn,
        name,
        input: JSON.stringify(aRequest('aws-mediaconnect', { requestId: name, entitlements: [] })),
      });
    }
    await harness.stepFunctions.waitForIdle();
    const executions = harness.stepFunctions.allExecutions();
    expect(executions.map((e) => e.status)).toEqual(names.map(() => 'SUCCEEDED'));
    expect(harness.lambdas.stats('flow-provisioner-aws-mediaconnect')!.throttles).toBeGreaterThan(0);
    expect(harness.lambdas.stats('flow-provisioner-aws-mediaconnect')!.maxInFlight).toBe(1);
  });

  it('gives up on a vendor outage after the bounded retries and records the failure in the DLQ', async () => {
    const client = happyClient().script('startFlow', new VendorUnavailableError('503 from vendor'));
    const harness = workflowHarness('aws-mediaconnect', client);
    const request = aRequest();
    const execution = await harness.run(request);

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('VendorUnavailable');
    expect(client.calls.filter((c) => c.operation === 'startFlow')).toHaveLength(1 + 5);
    expect(harness.dlq).toHaveLength(1);
    expect(JSON.parse(harness.dlq[0]!.body)).toEqual(request);
    expect(harness.dlq[0]!.attributes).toMatchObject({
      reason: 'WorkflowFailed',
      error: 'VendorUnavailable',
      failedState: 'StartFlow',
      executionArn: execution.executionArn,
      requestId: request.requestId,
      vendor: 'aws-mediaconnect',
    });
    expect(JSON.parse(harness.dlq[0]!.attributes.cause!)).toMatchObject({
      errorType: 'VendorUnavailable',
      errorMessage: '503 from vendor',
    });
  });

  it.each([
    ['VendorQuotaExceeded', new VendorQuotaExceededError('20 flows per region')],
    ['VendorAuthFailed', new VendorAuthFailedError('signature mismatch')],
  ])('sends a permanent %s straight to the DLQ without retrying', async (name, error) => {
    const client = happyClient().script('createFlow', error);
    const harness = workflowHarness('aws-mediaconnect', client);
    const execution = await harness.run(aRequest());
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe(name);
    expect(client.calls.map((c) => c.operation)).toEqual(['createFlow']);
    expect(harness.dlq[0]!.attributes).toMatchObject({ error: name, failedState: 'CreateFlow' });
  });

  it('fails with FlowNotRunning when the vendor reports a terminal state while starting', async () => {
    const client = happyClient().script('describeFlow', aStatus('STANDBY'), aStatus('STARTING'), aStatus('ERROR'));
    const harness = workflowHarness('aws-mediaconnect', client);
    const execution = await harness.run(aRequest());
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('FlowNotRunning');
    expect(harness.dlq[0]!.attributes).toMatchObject({ error: 'FlowNotRunning', failedState: 'IsFlowRunning' });
  });

  it('bounds the wait: a flow that stays STARTING fails after maxPolls polls', async () => {
    const client = happyClient().script('describeFlow', aStatus('STANDBY'), aStatus('STARTING'));
    const harness = workflowHarness('aws-mediaconnect', client);
    const execution = await harness.run(aRequest());
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('FlowNotRunning');
    // No read before starting (the create answered STANDBY), then exactly maxPolls (40 for aws-mediaconnect) polls.
    expect(client.calls.filter((c) => c.operation === 'describeFlow')).toHaveLength(40);
  });

  it('runs CompleteFlow only when the create says it is not complete, on the id the create answered', async () => {
    const client = happyClient()
      .script('createFlow', { ...aCreatedFlow(), completed: false })
      .script('completeFlow', undefined);
    const harness = workflowHarness('aws-mediaconnect', client);
    const execution = await harness.run(aRequest('aws-mediaconnect', { entitlements: [] }));
    expect(execution.status).toBe('SUCCEEDED');
    expect(client.calls.slice(0, 2)).toEqual([
      expect.objectContaining({ operation: 'createFlow' }),
      expect.objectContaining({ operation: 'completeFlow', flowId: 'flow-1' }),
    ]);
    // A complete create (the default) never calls it.
    const complete = happyClient();
    await workflowHarness('aws-mediaconnect', complete).run(aRequest('aws-mediaconnect', { entitlements: [] }));
    expect(complete.calls.map((c) => c.operation)).not.toContain('completeFlow');
  });

  it('a CompleteFlow that fails for good still has the flow id: rollback deletes it, the record names it', async () => {
    const client = new ScriptedClient()
      .script('createFlow', { ...aCreatedFlow(), completed: false })
      .script('completeFlow', new VendorAuthFailedError('input refused'))
      .script('teardownFlow', { flowId: 'flow-1', outcome: 'DELETED', vendorStatus: 'DELETING' });
    const harness = workflowHarness('aws-mediaconnect', client);
    const execution = await harness.run(aRequest('aws-mediaconnect', { onFailure: 'rollback' }));
    expect(execution.status).toBe('FAILED');
    expect(client.calls.map((c) => c.operation)).toEqual(['createFlow', 'completeFlow', 'teardownFlow']);
    expect(harness.dlq[0]!.attributes).toMatchObject({
      failedState: 'CompleteFlow',
      error: 'VendorAuthFailed',
      rolledBack: 'true',
      flowId: 'flow-1',
    });
  });

  it('waits out a flow that is STOPPING (a transition, not a failure), then starts it', async () => {
    // Only an adopted flow is read before the start (one created here is in the state its create answered).
    const client = happyClient()
      .script('createFlow', { ...aCreatedFlow(), adopted: true })
      .script(
        'describeFlow',
        aStatus('STOPPING'),
        aStatus('STOPPING'),
        aStatus('STANDBY'),
        aStatus('STARTING'),
        aStatus('ACTIVE'),
      );
    const harness = workflowHarness('aws-mediaconnect', client);
    const execution = await harness.run(aRequest('aws-mediaconnect', { entitlements: [] }));
    expect(execution.status).toBe('SUCCEEDED');
    expect(client.calls.map((c) => c.operation)).toEqual([
      'createFlow',
      'describeFlow',
      'describeFlow',
      'describeFlow',
      'startFlow',
      'describeFlow',
      'describeFlow',
    ]);
    expect(harness.dlq).toEqual([]);
  });

  it('bounds the wait for a flow that stays STOPPING: FlowNotRunning after maxPolls waits, never a start', async () => {
    const client = happyClient()
      .script('createFlow', { ...aCreatedFlow(), adopted: true })
      .script('describeFlow', aStatus('STOPPING'));
    const harness = workflowHarness('aws-mediaconnect', client);
    const execution = await harness.run(aRequest());
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('FlowNotRunning');
    expect(client.calls.map((c) => c.operation)).not.toContain('startFlow');
    // One read, then one read after each of maxPolls (40 for aws-mediaconnect) waits.
    expect(client.calls.filter((c) => c.operation === 'describeFlow')).toHaveLength(1 + 40);
    expect(harness.dlq[0]!.attributes.cause).toContain('STOPPING');
  });

  it('a redrive of a failed execution resumes at the unsuccessful state without re-running successful steps', async () => {
    const client = happyClient().script('startFlow', new VendorUnavailableError('down'));
    const harness = workflowHarness('aws-mediaconnect', client);
    const failed = await harness.run(aRequest());
    expect(failed.status).toBe('FAILED');
    const createsBefore = client.calls.filter((c) => c.operation === 'createFlow').length;

    harness.stepFunctions.redriveExecution(failed.executionArn);
    await harness.stepFunctions.waitForIdle();
    const redriven = harness.stepFunctions.describeExecution(failed.executionArn);
    // Our failure path ends in the Fail state, so that is what a redrive re-runs: no vendor call is repeated, and
    // the dispatcher therefore starts a new attempt instead (see dispatcher tests and docs/adr/0003).
    expect(redriven.redriveCount).toBe(1);
    expect(redriven.status).toBe('FAILED');
    expect(client.calls.filter((c) => c.operation === 'createFlow')).toHaveLength(createsBefore);
    expect(harness.dlq).toHaveLength(1);
  });
});
