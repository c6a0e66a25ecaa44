/** Both ASL files pass `asl-validator`, and it refuses a broken one (so a pass means something). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WORKFLOW_FILES } from '../../local/aws/workflow.ts';
import { validateAsl } from '../helpers/asl-validator.ts';

describe.each(Object.entries(WORKFLOW_FILES))('workflows: %s mode', (_mode, file) => {
  const definition = JSON.parse(readFileSync(file, 'utf8')) as { States: Record<string, Record<string, unknown>> };

  it('passes asl-validator', () => {
    const result = validateAsl(definition);
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('fails asl-validator with a state that goes nowhere', () => {
    const broken = { ...definition, States: { ...definition.States, RecordFailure: { Type: 'Task' } } };
    expect(validateAsl(broken).isValid).toBe(false);
  });
});
