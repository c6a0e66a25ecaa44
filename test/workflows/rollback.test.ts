/**
 * `onFailure: rollback` in the provision-flow ASL: when a later step fails for good, the workflow tears the flow it
 * created down through the one teardown path (`teardownFlow`, the step a deprovision runs too), then still ends in the Fail state with the failure record in the DLQ, which says whether it
 * rolled back. `keep` (the default) leaves the flow for a redrive to adopt.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { awsMediaConnectRequest } from '../../functions/domain/contract.ts';
import {
  TeardownPendingError,
  VendorConflictError,
  VendorQuotaExceededError,
  VendorRejectedError,
  VendorUnavailableError,
} from '../../functions/domain/errors.ts';
import { AwsMediaConnectClient } from '../../functions/vendors/aws-mediaconnect/client.ts';
import type { GrantedEntitlement, VendorClient } from '../../functions/vendors/types.ts';
import { startAwsMediaConnectEmulator } from '../../local/emulators/aws-mediaconnect.ts';
import { aCreatedFlow, aRequest, aStatus, ScriptedClient } from '../helpers/factories.ts';
import { workflowHarness } from '../helpers/workflow.ts';

function failingGrant(error: Error) {
  return new ScriptedClient()
    .script('createFlow', aCreatedFlow())
    .script('describeFlow', aStatus('STANDBY'), aStatus('ACTIVE'))
    .script('startFlow', aStatus('STARTING'))
    .script('grantEntitlements', error)
    .script('teardownFlow', deleted);
}

const deleted = { flowId: 'flow-1', outcome: 'DELETED', vendorStatus: 'DELETING' };

const operations = (client: ScriptedClient) => client.calls.map((c) => c.operation);

describe('onFailure: rollback', () => {
  it('tears the flow down when a later step fails for good, then fails with the record in the DLQ', async () => {
    const client = failingGrant(new VendorQuotaExceededError('50 entitlements per flow'));
    const harness = workflowHarness('aws-mediaconnect', client);
    const request = aRequest('aws-mediaconnect', { onFailure: 'rollback' });
    const execution = await harness.run(request);

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('VendorQuotaExceeded');
    expect(operations(client)).toEqual([
      'createFlow',
      'startFlow',
      'describeFlow',
      'describeFlow',
      'grantEntitlements',
      'teardownFlow',
    ]);
    expect(client.calls.at(-1)?.flowId).toBe('flow-1');
    expect(harness.dlq).toHaveLength(1);
    expect(JSON.parse(harness.dlq[0]!.body)).toEqual(request);
    expect(harness.dlq[0]!.attributes).toEqual({
      reason: 'WorkflowFailed',
      error: 'VendorQuotaExceeded',
      cause: expect.stringContaining('50 entitlements per flow'),
      failedState: 'GrantEntitlements',
      executionArn: execution.executionArn,
      requestId: request.requestId,
      vendor: 'aws-mediaconnect',
      rolledBack: 'true',
      rollbackDetail: 'DELETED flow flow-1',
      flowId: 'flow-1',
    });
  });

  it('rolls back after FlowNotRunning too, retrying the teardown while the vendor settles and on faults', async () => {
    const client = new ScriptedClient()
      .script('createFlow', aCreatedFlow())
      .script('describeFlow', aStatus('STANDBY'), aStatus('ERROR'))
      .script('startFlow', aStatus('STARTING'))
      .script(
        'teardownFlow',
        new VendorUnavailableError('503'),
        new TeardownPendingError('STOPPING'),
        new TeardownPendingError('STOPPING'),
        deleted,
      );
    const harness = workflowHarness('aws-mediaconnect', client);
    const execution = await harness.run(aRequest('aws-mediaconnect', { onFailure: 'rollback' }));

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('FlowNotRunning');
    expect(operations(client).filter((o) => o === 'teardownFlow')).toHaveLength(4);
    expect(operations(client)).not.toContain('stopFlow');
    expect(operations(client)).not.toContain('deleteFlow');
    expect(harness.dlq[0]!.attributes).toMatchObject({
      failedState: 'IsFlowRunning',
      error: 'FlowNotRunning',
      rolledBack: 'true',
    });
  });

  it('records a rollback that fails as well, and still fails with the original error', async () => {
    const client = failingGrant(new VendorRejectedError('bad subscriber')).script(
      'teardownFlow',
      new VendorRejectedError('flow is in use'),
    );
    const harness = workflowHarness('aws-mediaconnect', client);
    const execution = await harness.run(aRequest('aws-mediaconnect', { onFailure: 'rollback' }));

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('VendorRejected');
    expect(JSON.parse(execution.cause!)).toMatchObject({ errorMessage: 'bad subscriber' });
    const attributes = harness.dlq[0]!.attributes;
    expect(attributes).toMatchObject({
      failedState: 'GrantEntitlements',
      error: 'VendorRejected',
      rolledBack: 'false',
    });
    expect(attributes.rollbackDetail).toMatch(/^rollback failed in TeardownFlowForRollback: VendorRejected: /);
    expect(attributes.rollbackDetail).toContain('flow is in use');
  });

  it('has nothing to roll back when the create itself failed', async () => {
    const client = new ScriptedClient().script('createFlow', new VendorConflictError('name taken'));
    const harness = workflowHarness('aws-mediaconnect', client);
    const execution = await harness.run(aRequest('aws-mediaconnect', { onFailure: 'rollback' }));

    expect(execution.status).toBe('FAILED');
    expect(operations(client)).toEqual(['createFlow']);
    expect(harness.dlq[0]!.attributes).toMatchObject({
      failedState: 'CreateFlow',
      rolledBack: 'false',
      rollbackDetail: 'nothing to roll back: no flow id was received',
      flowId: 'none',
    });
  });

  it.each([
    ['onFailure: keep', { onFailure: 'keep' }],
    ['no onFailure (keep is the default)', {}],
  ])('%s leaves the flow for a redrive', async (_label, overrides) => {
    const client = failingGrant(new VendorQuotaExceededError('50 entitlements per flow'));
    const harness = workflowHarness('aws-mediaconnect', client);
    const request = aRequest('aws-mediaconnect', overrides);
    if (!('onFailure' in overrides)) delete request.onFailure;
    const execution = await harness.run(request);

    expect(execution.status).toBe('FAILED');
    expect(operations(client)).not.toContain('teardownFlow');
    expect(harness.dlq[0]!.attributes).toMatchObject({
      failedState: 'GrantEntitlements',
      rolledBack: 'false',
      rollbackDetail: 'kept flow flow-1 for a redrive to adopt (onFailure: keep)',
      flowId: 'flow-1',
    });
  });
});

describe('onFailure: rollback against the MediaConnect emulator', () => {
  const closers: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('deletes the started flow once it is STANDBY, even when the answers of its stop and delete are lost', async () => {
    const credentials = { accessKeyId: 'AKIDROLLBACK0001', secretAccessKey: 'rollback/secret' };
    const emulator = await startAwsMediaConnectEmulator({
      credentials,
      enforceRateLimit: false,
      startDelayMs: 0,
      stopDelayMs: 150,
    });
    closers.push(() => emulator.close());
    const real = new AwsMediaConnectClient({
      region: 'us-east-1',
      endpoint: emulator.url,
      credentials,
      callTimeoutMs: 300,
    });
    closers.push(() => real.destroy());
    // The real client, except that the grant fails for good and the first answer of stop and of delete is lost.
    const client: VendorClient = {
      vendor: 'aws-mediaconnect',
      createFlow: (r) => real.createFlow(r as never),
      startFlow: (r, id) => real.startFlow(r as never, id),
      describeFlow: (r, id) => real.describeFlow(r as never, id),
      grantEntitlements: async (): Promise<GrantedEntitlement[]> => {
        throw new VendorQuotaExceededError('GrantFlowEntitlements420Exception');
      },
      stopFlow: (r, id) => real.stopFlow(r as never, id),
      deleteFlow: (r, id) => real.deleteFlow(r as never, id),
      teardownFlow: (r, id) => {
        // The teardown's next call is its StopFlow or its DeleteFlow (after DescribeFlow and the identity read,
        // ListTagsForResource): the first of each loses its answer.
        const journal = emulator.journal.entries;
        const flow = emulator.flows()[0];
        const stopNext = flow?.status === 'ACTIVE' && !journal.some((e) => e.operation === 'StopFlow');
        const deleteNext = flow?.status === 'STANDBY' && !journal.some((e) => e.operation === 'DeleteFlow');
        if (stopNext || deleteNext) {
          let draws = 0;
          emulator.setFaults({ timeoutRate: 1, random: () => (draws++ === 2 ? 0 : 1) });
        }
        return real.teardownFlow(r as never, id);
      },
      describeConnection: (r, id) => real.describeConnection(r as never, id),
    };
    // Retries 40 ms apart: STOPPING (150 ms) outlasts the first few, as a real stop outlasts a quick retry.
    const harness = workflowHarness('aws-mediaconnect', client, { retryOverrideMs: 40 });
    const request = awsMediaConnectRequest.parse(aRequest('aws-mediaconnect', { onFailure: 'rollback' }));
    const execution = await harness.run(request as unknown as Record<string, unknown>);

    expect(execution.status).toBe('FAILED');
    expect(emulator.flows()).toEqual([]);
    expect(harness.dlq[0]!.attributes).toMatchObject({ rolledBack: 'true', failedState: 'GrantEntitlements' });
    const calls = emulator.journal.entries.map((e) => [e.operation, e.status, e.injected]);
    expect(calls).toContainEqual(['StopFlow', 202, true]);
    expect(calls).toContainEqual(['DeleteFlow', 202, true]);
    // Never a DeleteFlow refused because the flow was still stopping.
    expect(calls.filter(([operation, status]) => operation === 'DeleteFlow' && status === 400)).toEqual([]);
  });
});
