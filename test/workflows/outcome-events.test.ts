/**
 * The outcome events the workflow puts itself (`events:putEvents`): one per execution and type, valid against the
 * exported schema, with the connection the client answered (a read only when the create answered none), and never a
 * secret.
 */
import { describe, expect, it } from 'vitest';
import { VendorQuotaExceededError, VendorRejectedError } from '../../functions/domain/errors.ts';
import { eventIdOf, parseEntry } from '../../functions/domain/flow-event.ts';
import type { CreatedFlow } from '../../functions/vendors/types.ts';
import { aCreatedFlow, aRequest, aStatus, ScriptedClient } from '../helpers/factories.ts';
import { asReceived, schemaErrors } from '../helpers/flow-events.ts';
import { workflowHarness } from '../helpers/workflow.ts';

const ingest = { protocol: 'srt-listener', host: '203.0.113.7', port: 5000, mode: 'push' as const };
const entitlement = {
  name: 'partner-broadcaster',
  id: 'arn:aws:mediaconnect:us-east-1:1:entitlement:e1',
  output: {
    name: 'partner-broadcaster',
    entitlementArn: 'arn:aws:mediaconnect:us-east-1:1:entitlement:e1',
    subscribers: ['111122223333'],
  },
};

function client(created: CreatedFlow) {
  return new ScriptedClient()
    .script('createFlow', created)
    .script('describeFlow', aStatus('STANDBY'), aStatus('ACTIVE'))
    .script('startFlow', aStatus('STARTING'))
    .script('grantEntitlements', [entitlement]);
}

function eventsOf(harness: ReturnType<typeof workflowHarness>) {
  for (const entry of harness.eventBus.entries) expect(schemaErrors(asReceived(entry))).toEqual([]);
  return harness.eventBus.entries.map((entry) => parseEntry(entry));
}

describe('outcome events of the workflow', () => {
  it('puts one FlowProvisioned with the create’s ingest and the grant’s entitlements, and reads nothing more', async () => {
    const scripted = client({ ...aCreatedFlow(), connection: { ingest, outputs: [] } });
    const harness = workflowHarness('aws-mediaconnect', scripted);
    const execution = await harness.run(aRequest());
    expect(execution.status).toBe('SUCCEEDED');
    const events = eventsOf(harness);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      'detail-type': 'FlowProvisioned',
      detail: {
        eventId: eventIdOf(execution.executionArn, 'FlowProvisioned'),
        requestId: 'evt-2026-11-22-basketball-final',
        vendor: 'aws-mediaconnect',
        region: 'us-east-1',
        executionName: 'evt-2026-11-22-basketball-final',
        executionArn: execution.executionArn,
        attempt: 1,
        flowId: 'flow-1',
        adopted: false,
        connection: { ingest, outputs: [entitlement.output] },
      },
    });
    expect(harness.eventBus.entries[0]?.EventBusName).toBe('flow-provisioner-test');
    expect(scripted.calls.map((c) => c.operation)).not.toContain('describeConnection');
  });

  it('spends one read when the create answered no connection (an adopted flow)', async () => {
    const { connection: _none, ...adopted } = { ...aCreatedFlow(), adopted: true };
    const scripted = client(adopted).script('describeConnection', { ingest, outputs: [], vendorDetail: { az: 'a' } });
    const harness = workflowHarness('aws-mediaconnect', scripted);
    expect((await harness.run(aRequest())).status).toBe('SUCCEEDED');
    expect(scripted.calls.filter((c) => c.operation === 'describeConnection')).toHaveLength(1);
    const [event] = eventsOf(harness);
    expect(event?.detail).toMatchObject({
      adopted: true,
      connection: { ingest, outputs: [entitlement.output], vendorDetail: { az: 'a' } },
    });
  });

  it('still announces a provisioned flow whose addresses cannot be read, saying so', async () => {
    const { connection: _none, ...created } = aCreatedFlow();
    const scripted = client(created).script('describeConnection', new VendorRejectedError('no such flow'));
    const harness = workflowHarness('aws-mediaconnect', scripted);
    expect((await harness.run(aRequest('aws-mediaconnect', { entitlements: [] }))).status).toBe('SUCCEEDED');
    const [event] = eventsOf(harness);
    expect(event?.detail).toMatchObject({ connection: { outputs: [], unavailable: 'VendorRejected' } });
  });

  it('numbers the attempt from the execution name the dispatcher gave it', async () => {
    const harness = workflowHarness('aws-mediaconnect', client(aCreatedFlow()));
    await harness.run(aRequest(), 'evt-2026-11-22-basketball-final--a3');
    const [event] = eventsOf(harness);
    expect(event?.detail).toMatchObject({ attempt: 3, executionName: 'evt-2026-11-22-basketball-final--a3' });
  });

  it('puts one FlowProvisioningFailed after the failure record, without a flow id when none was created', async () => {
    const scripted = new ScriptedClient().script('createFlow', new VendorQuotaExceededError('CreateFlow420Exception'));
    const harness = workflowHarness('aws-mediaconnect', scripted);
    const execution = await harness.run(aRequest());
    expect(execution.status).toBe('FAILED');
    expect(harness.dlq).toHaveLength(1);
    const events = eventsOf(harness);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      'detail-type': 'FlowProvisioningFailed',
      detail: {
        eventId: eventIdOf(execution.executionArn, 'FlowProvisioningFailed'),
        error: 'VendorQuotaExceeded',
        failedState: 'CreateFlow',
        rolledBack: false,
        failureRecord: { queue: 'dlq', reason: 'WorkflowFailed' },
      },
    });
    expect(events[0]?.detail).not.toHaveProperty('flowId');
  });

  it('names the flow and says it was rolled back when a later step failed with onFailure: rollback', async () => {
    const scripted = client(aCreatedFlow())
      .script('grantEntitlements', new VendorRejectedError('subscriber unknown'))
      .script('stopFlow', aStatus('STANDBY'))
      .script('deleteFlow', undefined);
    const harness = workflowHarness('aws-mediaconnect', scripted);
    expect((await harness.run(aRequest('aws-mediaconnect', { onFailure: 'rollback' }))).status).toBe('FAILED');
    const [event] = eventsOf(harness);
    expect(event?.detail).toMatchObject({
      flowId: 'flow-1',
      error: 'VendorRejected',
      failedState: 'GrantEntitlements',
      rolledBack: true,
    });
  });

  it('keeps a provisioned flow provisioned when the bus refuses the event (the put is retried, then given up)', async () => {
    const harness = workflowHarness('aws-mediaconnect', client(aCreatedFlow()));
    harness.eventBus.putEvents = () => {
      throw Object.assign(new Error('bus down'), { name: 'InternalException' });
    };
    const execution = await harness.run(aRequest());
    expect(execution.status).toBe('SUCCEEDED');
    const retries = execution.history.filter((h) => h.type === 'TaskRetried' && h.stateName === 'PublishProvisioned');
    expect(retries.length).toBeGreaterThan(0);
  });
});
