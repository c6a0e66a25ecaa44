/**
 * `onFailure: rollback` in the provision-flow ASL: when a later step fails for good, the workflow stops and deletes
 * the flow it created, then still ends in the Fail state with the failure record in the DLQ, which says whether it
 * rolled back. `keep` (the default) leaves the flow for a redrive to adopt.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { awsMediaConnectRequest } from '../../functions/domain/contract.ts';
import {
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
    .script('stopFlow', aStatus('STANDBY'))
    .script('deleteFlow', undefined);
}

const operations = (client: ScriptedClient) => client.calls.map((c) => c.operation);

describe('onFailure: rollback', () => {
  it('stops and deletes the flow when a later step fails for good, then fails with the record in the DLQ', async () => {
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
      'stopFlow',
      'deleteFlow',
    ]);
    expect(client.calls.slice(-2).map((c) => c.flowId)).toEqual(['flow-1', 'flow-1']);
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
      rollbackDetail: 'deleted flow flow-1',
      flowId: 'flow-1',
    });
  });

  it('rolls back after FlowNotRunning too, and retries the rollback steps like any vendor step', async () => {
    const client = new ScriptedClient()
      .script('createFlow', aCreatedFlow())
      .script('describeFlow', aStatus('STANDBY'), aStatus('ERROR'))
      .script('startFlow', aStatus('STARTING'))
      .script('stopFlow', new VendorUnavailableError('503'), aStatus('STANDBY'))
      .script('deleteFlow', new VendorUnavailableError('503'), new VendorUnavailableError('503'), undefined);
    const harness = workflowHarness('aws-mediaconnect', client);
    const execution = await harness.run(aRequest('aws-mediaconnect', { onFailure: 'rollback' }));

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('FlowNotRunning');
    expect(operations(client).filter((o) => o === 'stopFlow')).toHaveLength(2);
    expect(operations(client).filter((o) => o === 'deleteFlow')).toHaveLength(3);
    expect(harness.dlq[0]!.attributes).toMatchObject({
      failedState: 'IsFlowRunning',
      error: 'FlowNotRunning',
      rolledBack: 'true',
    });
  });

  it('records a rollback that fails as well, and still fails with the original error', async () => {
    const client = failingGrant(new VendorRejectedError('bad subscriber')).script(
      'deleteFlow',
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
    expect(attributes.rollbackDetail).toMatch(/^rollback failed in DeleteFlowForRollback: VendorRejected: /);
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
    expect(operations(client)).not.toContain('stopFlow');
    expect(operations(client)).not.toContain('deleteFlow');
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

  it('deletes the started flow at the vendor, even when the answers of its stop and delete are lost', async () => {
    const credentials = { accessKeyId: 'AKIDROLLBACK0001', secretAccessKey: 'rollback/secret' };
    const emulator = await startAwsMediaConnectEmulator({ credentials, enforceRateLimit: false, startDelayMs: 0 });
    closers.push(() => emulator.close());
    const real = new AwsMediaConnectClient({
      region: 'us-east-1',
      endpoint: emulator.url,
      credentials,
      callTimeoutMs: 300,
    });
    closers.push(() => real.destroy());
    // The real client, except that the grant fails for good and the first answer of stop and of delete is lost.
    const loseNextAnswer = () => {
      let draws = 0;
      emulator.setFaults({ timeoutRate: 1, random: () => (draws++ === 0 ? 0 : 1) });
    };
    const client: VendorClient = {
      vendor: 'aws-mediaconnect',
      createFlow: (r) => real.createFlow(r as never),
      startFlow: (r, id) => real.startFlow(r as never, id),
      describeFlow: (r, id) => real.describeFlow(r as never, id),
      grantEntitlements: async (): Promise<GrantedEntitlement[]> => {
        throw new VendorQuotaExceededError('GrantFlowEntitlements420Exception');
      },
      stopFlow: (r, id) => {
        if (!emulator.journal.entries.some((e) => e.operation === 'StopFlow')) loseNextAnswer();
        return real.stopFlow(r as never, id);
      },
      deleteFlow: (r, id) => {
        if (!emulator.journal.entries.some((e) => e.operation === 'DeleteFlow')) loseNextAnswer();
        return real.deleteFlow(r as never, id);
      },
      describeConnection: (r, id) => real.describeConnection(r as never, id),
    };
    const harness = workflowHarness('aws-mediaconnect', client);
    const request = awsMediaConnectRequest.parse(aRequest('aws-mediaconnect', { onFailure: 'rollback' }));
    const execution = await harness.run(request as unknown as Record<string, unknown>);

    expect(execution.status).toBe('FAILED');
    expect(emulator.flows()).toEqual([]);
    expect(harness.dlq[0]!.attributes).toMatchObject({ rolledBack: 'true', failedState: 'GrantEntitlements' });
    const calls = emulator.journal.entries.map((e) => [e.operation, e.status, e.injected]);
    expect(calls).toContainEqual(['StopFlow', 202, true]);
    expect(calls).toContainEqual(['StopFlow', 400, false]);
    expect(calls).toContainEqual(['DeleteFlow', 202, true]);
    expect(calls).toContainEqual(['DeleteFlow', 404, false]);
  });
});
