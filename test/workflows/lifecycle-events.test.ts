/**
 * The lifecycle half of the workflow on the ASL: a startAt request is shared and announced before its start and
 * announced again once running; deprovisionAt and deprovision requests end in FlowDeprovisioned through the one
 * teardown step; a failed teardown is recorded and announced as FlowDeprovisioningFailed, in its own Fail state.
 */
import { describe, expect, it } from 'vitest';
import { VendorConflictError } from '../../functions/domain/errors.ts';
import { eventIdOf, parseEntry } from '../../functions/domain/flow-event.ts';
import { aCreatedFlow, aRequest, aStatus, ScriptedClient } from '../helpers/factories.ts';
import { asReceived, schemaErrors } from '../helpers/flow-events.ts';
import { workflowHarness } from '../helpers/workflow.ts';

const connection = { ingest: { protocol: 'srt-listener', host: '203.0.113.7', port: 5000 }, outputs: [] };
const entitlement = { name: 'partner', id: 'arn:aws:mediaconnect:us-east-1:1:entitlement:e1' };
const soon = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function eventsOf(harness: ReturnType<typeof workflowHarness>) {
  for (const entry of harness.eventBus.entries) expect(schemaErrors(asReceived(entry))).toEqual([]);
  return harness.eventBus.entries.map((entry) => parseEntry(entry));
}

const deprovisionRequest = (resolved: Record<string, unknown>) => ({
  schemaVersion: 1,
  requestId: 'teardown-1',
  action: 'deprovision',
  vendor: 'aws-mediaconnect',
  region: 'us-east-1',
  target: { requestId: 'evt-1' },
  resolved: {
    target: { vendor: 'aws-mediaconnect', region: 'us-east-1', requestId: 'evt-1' },
    cancelled: [],
    ...resolved,
  },
});

describe('lifecycle events of the workflow', () => {
  it('shares and announces a startAt flow before its start, starts it after, then tears it down at deprovisionAt', async () => {
    const scripted = new ScriptedClient()
      .script('createFlow', { ...aCreatedFlow(), connection })
      .script('grantEntitlements', [entitlement])
      .script('describeFlow', aStatus('STANDBY'), aStatus('ACTIVE'))
      .script('startFlow', aStatus('STARTING'))
      .script('teardownFlow', { flowId: 'flow-1', outcome: 'DELETED', vendorStatus: 'DELETING' });
    const harness = workflowHarness('aws-mediaconnect', scripted, { waitOverrideMs: 1 });
    const request = aRequest('aws-mediaconnect', { startAt: soon(1), deprovisionAt: soon(2) });
    const execution = await harness.run(request);

    expect(execution.status).toBe('SUCCEEDED');
    expect(scripted.calls.map((c) => c.operation)).toEqual([
      'createFlow',
      'grantEntitlements',
      'describeFlow',
      'startFlow',
      'describeFlow',
      'teardownFlow',
    ]);
    const events = eventsOf(harness);
    expect(events.map((e) => e['detail-type'])).toEqual(['FlowProvisioned', 'FlowStarted', 'FlowDeprovisioned']);
    expect(events[1]?.detail).toMatchObject({
      eventId: eventIdOf(execution.executionArn, 'FlowStarted'),
      flowId: 'flow-1',
      startAt: request.startAt,
    });
    expect(events[2]?.detail).toMatchObject({
      eventId: eventIdOf(execution.executionArn, 'FlowDeprovisioned'),
      trigger: 'deprovisionAt',
      flowId: 'flow-1',
      outcome: 'DELETED',
      alreadyGone: false,
    });
  });

  it('announces a deprovision request’s teardown, and a target never created as alreadyGone with no flow id', async () => {
    const scripted = new ScriptedClient().script('teardownFlow', {
      flowId: 'flow-1',
      outcome: 'DELETED',
      vendorStatus: 'DELETING',
    });
    const harness = workflowHarness('aws-mediaconnect', scripted);
    const torn = await harness.run(deprovisionRequest({ flowId: 'flow-1' }));
    const never = await harness.run(deprovisionRequest({}), 'teardown-2');

    expect([torn.status, never.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(scripted.calls).toEqual([{ operation: 'teardownFlow', requestId: 'evt-1', flowId: 'flow-1' }]);
    const [first, second] = eventsOf(harness);
    expect(first).toMatchObject({
      'detail-type': 'FlowDeprovisioned',
      detail: { requestId: 'teardown-1', trigger: 'request', target: { requestId: 'evt-1' }, flowId: 'flow-1' },
    });
    expect(second?.detail).toMatchObject({ trigger: 'request', outcome: 'ALREADY_GONE', alreadyGone: true });
    expect(second?.detail).not.toHaveProperty('flowId');
  });

  it('records a refused teardown on the DLQ and announces FlowDeprovisioningFailed, ending in DeprovisioningFailed', async () => {
    const scripted = new ScriptedClient().script(
      'teardownFlow',
      new VendorConflictError('flow-1 does not carry flow-provisioner:request-id'),
    );
    const harness = workflowHarness('aws-mediaconnect', scripted);
    const execution = await harness.run(deprovisionRequest({ flowId: 'flow-1' }));

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('DeprovisioningFailed');
    expect(scripted.calls).toHaveLength(1);
    expect(harness.dlq).toHaveLength(1);
    expect(JSON.parse(harness.dlq[0]!.body)).toMatchObject({ requestId: 'teardown-1', action: 'deprovision' });
    expect(harness.dlq[0]!.attributes).toMatchObject({ error: 'VendorConflict', failedState: 'TeardownTarget' });
    const [event] = eventsOf(harness);
    expect(event).toMatchObject({
      'detail-type': 'FlowDeprovisioningFailed',
      detail: { error: 'VendorConflict', failedState: 'TeardownTarget', flowId: 'flow-1' },
    });
  });
});
