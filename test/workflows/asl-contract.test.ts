/**
 * Static checks of every ASL file against the code it is written for: error names, retry policy, JSONPath only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RETRY_POLICY } from '../../functions/shared/config.ts';
import * as errors from '../../functions/shared/errors.ts';

// biome-ignore lint/suspicious/noTemplateCurlyInString: the ASL placeholder, filled by definitionSubstitutions
const VENDOR_TASK_RESOURCE = '${VendorFunctionArn}';
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

  it('matches only error names the error module exports, or States.* / Lambda.* / Sandbox.*', () => {
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
    const unknown = [...used].filter((n) => !known.has(n) && !/^(States|Lambda|Sandbox)\./.test(n));
    expect(unknown).toEqual([]);
    expect(used).toContain('VendorThrottled');
  });

  it('retries each error class of every vendor task as the config says, with full jitter', () => {
    const tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task' && s.Resource === VENDOR_TASK_RESOURCE);
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
      for (const [errorName, policy] of Object.entries(RETRY_POLICY)) {
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
      expect(retried).toEqual(expect.arrayContaining([...errors.LAMBDA_SERVICE_ERRORS]));
      expect(state.Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], ResultPath: '$.error' })]);
    }
  });

  it('uses JSONPath only: no JSONata, no Assign, no QueryLanguage', () => {
    const text = readFileSync(new URL(file, dir), 'utf8');
    expect(text).not.toMatch(/"QueryLanguage"|"Assign"|"Arguments"|"Output"|\{%/);
  });

  it('ends every failure path in a Fail state, never in Succeed', () => {
    expect(Object.values(states).some((s) => s.Type === 'Succeed')).toBe(false);
    expect(states.RecordFailure?.Next).toBe('ProvisioningFailed');
    expect(states.ProvisioningFailed?.Type).toBe('Fail');
  });
});
