/**
 * When a create may skip its lookup (`functions/flow-steps/core.ts`, `isFirstTry`): only when every signal says no
 * earlier try of the request can have created its flow, and the answer reaches the client.
 */
import { describe, expect, it } from 'vitest';
import { isFirstTry, runVendorTask } from '../../../functions/flow-steps/core.ts';
import { aCreatedFlow, aRequest, ScriptedClient } from '../../helpers/factories.ts';

const first = { operation: 'createFlow' as const, request: {}, executionName: 'req-1', retryCount: 0, redriveCount: 0 };

describe('isFirstTry', () => {
  it('is true for the first attempt of the step in the first run of the first execution, delivered once', () => {
    expect(isFirstTry(first)).toBe(true);
    expect(isFirstTry({ ...first, receiveCount: 1 })).toBe(true);
  });

  it.each([
    ['a retry of the step', { retryCount: 1 }],
    ['a redrive', { redriveCount: 1 }],
    ['a later attempt of the execution', { executionName: 'req-1--a2' }],
    ['a redelivered work item', { receiveCount: 2 }],
    ['no retry count (a caller that does not say)', { retryCount: undefined }],
    ['no redrive count', { redriveCount: undefined }],
    ['no execution name', { executionName: undefined }],
  ])('is false for %s', (_label, change) => {
    expect(isFirstTry({ ...first, ...change })).toBe(false);
  });
});

describe('the create step', () => {
  it('tells the client whether to look, and hands back the poll settings with the create’s answer', async () => {
    const client = new ScriptedClient().script('createFlow', aCreatedFlow());
    const request = aRequest('aws-mediaconnect');
    const result = await runVendorTask('aws-mediaconnect', client, { ...first, request });
    await runVendorTask('aws-mediaconnect', client, { ...first, request, retryCount: 2 });
    expect(client.calls.map((c) => c.firstTry)).toEqual([true, false]);
    expect(result).toMatchObject({ flowId: 'flow-1', state: 'STANDBY', pollAfterSeconds: expect.any(Number) });
    expect(result).toHaveProperty('maxPolls');
  });
});
