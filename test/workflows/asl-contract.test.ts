/**
 * Static checks of every ASL file against the code it is written for: error names, retry policy, JSONPath only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PIPELINE, RETRY_POLICY, TEARDOWN_RETRY } from '../../functions/domain/config.ts';
import * as errors from '../../functions/domain/errors.ts';
import { SCHEDULE_HORIZON_SECONDS } from '../../functions/domain/lifecycle.ts';
import {
  deriveQueuedWorkflow,
  taskQueuePlaceholderName,
  VENDOR_FUNCTION_PLACEHOLDER,
  WAIT_FOR_TASK_TOKEN,
  type WorkflowDefinition,
} from '../../functions/domain/queued-workflow.ts';

/**
 * A vendor step: invoke mode calls the vendor λ, queue mode puts a work item with a task token on the queue of its
 * step's lane (`${<Step>TaskQueueUrl}`).
 */
const isVendorTask = (s: State) => {
  if (s.Type !== 'Task') return false;
  if (s.Resource === VENDOR_FUNCTION_PLACEHOLDER) return true;
  const parameters = s.Parameters as { QueueUrl?: string; MessageBody?: { operation?: string } } | undefined;
  const step = parameters?.MessageBody?.operation;
  return (
    s.Resource === WAIT_FOR_TASK_TOKEN &&
    step !== undefined &&
    parameters?.QueueUrl === `\${${taskQueuePlaceholderName(step)}}`
  );
};
const dir = new URL('../../workflows/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.asl.json'));

type State = Record<string, unknown> & { Type: string };
function statesOf(file: string): Record<string, State> {
  return (JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as { States: Record<string, State> }).States;
}

/** Names the error module exports as error classes (by their literal `name`) or constants. */
function exportedErrorNames(): Set<string> {
  const names = new Set<string>(Object.values(errors.ERROR_NAMES));
  for (const value of Object.values(errors)) {
    if (typeof value === 'function' && value.prototype instanceof Error) {
      // `name` is a class field set in the constructor: construct one to read the literal.
      names.add(new (value as unknown as new (m: unknown) => Error)(['probe']).name);
    }
  }
  return names;
}

describe.each(files)('%s', (file) => {
  const states = statesOf(file);

  it('matches only error names the error module exports, or States.* / Lambda.* / Sandbox.* / SQS.*', () => {
    const known = exportedErrorNames();
    const used = new Set<string>();
    for (const state of Object.values(states)) {
      for (const rule of [
        ...((state.Retry as { ErrorEquals: string[] }[]) ?? []),
        ...((state.Catch as { ErrorEquals: string[] }[]) ?? []),
      ]) {
        for (const name of rule.ErrorEquals) used.add(name);
      }
      if (state.Type === 'Pass' && typeof (state.Parameters as Record<string, unknown>)?.error === 'string') {
        used.add((state.Parameters as { error: string }).error);
      }
    }
    const unknown = [...used].filter((n) => !known.has(n) && !/^(States|Lambda|Sandbox|SQS)\./.test(n));
    expect(unknown).toEqual([]);
    expect(used).toContain('VendorThrottled');
  });

  it('holds a whole event: the execution timeout is the config value, past the horizon of startAt and deprovisionAt', () => {
    const definition = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as { TimeoutSeconds: number };
    expect(definition.TimeoutSeconds).toBe(PIPELINE.executionTimeoutSeconds);
    expect(definition.TimeoutSeconds).toBeGreaterThan(SCHEDULE_HORIZON_SECONDS);
    for (const [name, state] of Object.entries(states).filter(([, s]) => s.Type === 'Wait' && 'TimestampPath' in s)) {
      expect([name, state.TimestampPath]).toEqual(
        expect.arrayContaining([expect.stringMatching(/^WaitFor(StartAt|DeprovisionAt)$/)]),
      );
    }
  });

  it('runs every teardown through teardownFlow, retrying TeardownPending as the config says', () => {
    const teardowns = Object.entries(states).filter(
      ([, s]) => isVendorTask(s) && JSON.stringify(s.Parameters).includes('"teardownFlow"'),
    );
    expect(teardowns.map(([name]) => name)).toContain('TeardownFlowForRollback');
    for (const [name, state] of Object.entries(states)) {
      const operation = JSON.stringify(state.Parameters ?? {});
      expect(operation, `${name} stops or deletes outside the teardown path`).not.toMatch(/"(stopFlow|deleteFlow)"/);
    }
    for (const [name, state] of teardowns) {
      const rule = (state.Retry as { ErrorEquals: string[] }[]).find((r) =>
        r.ErrorEquals.includes(TEARDOWN_RETRY.errorName),
      );
      expect({ state: name, ...rule }).toMatchObject({
        state: name,
        IntervalSeconds: TEARDOWN_RETRY.intervalSeconds,
        BackoffRate: TEARDOWN_RETRY.backoffRate,
        MaxAttempts: TEARDOWN_RETRY.maxAttempts,
        MaxDelaySeconds: TEARDOWN_RETRY.maxDelaySeconds,
      });
    }
  });

  it('retries each error class of every vendor task as the config says, with full jitter', () => {
    const tasks = Object.entries(states).filter(([, s]) => isVendorTask(s));
    expect(tasks.length).toBeGreaterThan(0);
    for (const [name, state] of tasks) {
      const retry = state.Retry as {
        ErrorEquals: string[];
        IntervalSeconds: number;
        BackoffRate: number;
        MaxAttempts: number;
        MaxDelaySeconds: number;
        JitterStrategy: string;
      }[];
      const queued = state.Resource === WAIT_FOR_TASK_TOKEN;
      for (const [errorName, policy] of Object.entries(RETRY_POLICY)) {
        if (queued && /^(Lambda|Sandbox)\./.test(errorName)) continue;
        const rule = retry.find((r) => r.ErrorEquals.includes(errorName));
        expect(rule, `${name} retries ${errorName}`).toBeDefined();
        expect({ state: name, ...rule }).toMatchObject({
          state: name,
          IntervalSeconds: policy.intervalSeconds,
          BackoffRate: policy.backoffRate,
          MaxAttempts: policy.maxAttempts,
          MaxDelaySeconds: policy.maxDelaySeconds,
          JitterStrategy: 'FULL',
        });
      }
      const retried = retry.flatMap((r) => r.ErrorEquals);
      for (const permanent of [
        'VendorRejected',
        'VendorAuthFailed',
        'VendorQuotaExceeded',
        'VendorConflict',
        'States.ALL',
      ]) {
        expect(retried, `${name} must not retry ${permanent}`).not.toContain(permanent);
      }
      if (!queued) {
        // Invoke mode: the concurrency gate and the Lambda service faults are retried.
        expect(retried).toEqual(expect.arrayContaining([...errors.LAMBDA_SERVICE_ERRORS]));
      } else {
        // Queue mode: Step Functions never invokes the λ, so a Lambda.* rule would be dead; the send is retried.
        expect(retried.filter((n) => /^(Lambda|Sandbox)\./.test(n))).toEqual([]);
        expect(retried).toEqual(expect.arrayContaining(['SQS.SdkClientException']));
        expect(state.Parameters).toMatchObject({ MessageBody: { 'taskToken.$': '$$.Task.Token' } });
        expect(state.TimeoutSeconds).toBeGreaterThan(0);
      }
      expect(state.Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], ResultPath: '$.error' })]);
    }
  });

  it('uses JSONPath only: no JSONata, no Assign, no QueryLanguage', () => {
    const text = readFileSync(new URL(file, dir), 'utf8');
    expect(text).not.toMatch(/"QueryLanguage"|"Assign"|"Arguments"|"Output"|\{%/);
  });

  it('ends every failure path in a Fail state, never in Succeed', () => {
    expect(Object.values(states).some((s) => s.Type === 'Succeed')).toBe(false);
    // After the failure record: the failure event, whatever happens to its put, then the Fail state and nothing else.
    const reachable = new Set<string>();
    const visit = (name: string | undefined) => {
      if (!name || reachable.has(name)) return;
      reachable.add(name);
      const s = states[name] as {
        Next?: string;
        Default?: string;
        Choices?: { Next: string }[];
        Catch?: { Next: string }[];
      };
      for (const next of [
        s.Next,
        s.Default,
        ...(s.Choices ?? []).map((c) => c.Next),
        ...(s.Catch ?? []).map((c) => c.Next),
      ])
        visit(next);
    };
    visit('RecordFailure');
    expect(reachable).toContain('PublishFailed');
    expect(reachable).not.toContain('Provisioned');
    // A failed teardown (deprovision, deprovisionAt) ends in its own Fail state, announced as FlowDeprovisioningFailed.
    expect(reachable).toContain('PublishTeardownFailed');
    expect([...reachable].filter((n) => !states[n]?.Next && !states[n]?.Choices).sort()).toEqual([
      'DeprovisioningFailed',
      'ProvisioningFailed',
    ]);
    expect(states.ProvisioningFailed?.Type).toBe('Fail');
    expect(states.DeprovisioningFailed?.Type).toBe('Fail');
  });
});

describe('provision-flow-queued.asl.json', () => {
  it('is exactly the derivation of provision-flow.asl.json (run `npm run workflows` after changing the source)', () => {
    const source = JSON.parse(readFileSync(new URL('provision-flow.asl.json', dir), 'utf8')) as WorkflowDefinition;
    const committed = JSON.parse(readFileSync(new URL('provision-flow-queued.asl.json', dir), 'utf8'));
    expect(committed).toEqual(deriveQueuedWorkflow(source));
  });

  it('keeps every state, transition and catch of the source; only vendor steps change', () => {
    const invoke = statesOf('provision-flow.asl.json');
    const queued = statesOf('provision-flow-queued.asl.json');
    expect(Object.keys(queued)).toEqual(Object.keys(invoke));
    for (const [name, state] of Object.entries(invoke)) {
      if (state.Resource === VENDOR_FUNCTION_PLACEHOLDER) {
        expect(queued[name]).toMatchObject({ Next: state.Next, Catch: state.Catch, ResultPath: state.ResultPath });
        expect((queued[name]!.Parameters as { MessageBody: unknown }).MessageBody).toEqual({
          ...(state.Parameters as Record<string, unknown>),
          'taskToken.$': '$$.Task.Token',
        });
      } else {
        expect(queued[name]).toEqual(state);
      }
    }
  });
});
