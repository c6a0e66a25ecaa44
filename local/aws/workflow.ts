/** The workflow template, filled the way CDK's `definitionSubstitutions` fills it on AWS. */
import { readFileSync } from 'node:fs';
import type { DispatchMode } from '../../functions/domain/config.ts';
import type { AslDefinition } from './step-functions-model.ts';

export const WORKFLOW_FILES: Readonly<Record<DispatchMode, URL>> = {
  invoke: new URL('../../workflows/provision-flow.asl.json', import.meta.url),
  queue: new URL('../../workflows/provision-flow-queued.asl.json', import.meta.url),
};
export const WORKFLOW_FILE = WORKFLOW_FILES.invoke;

/** Reads a workflow template and fills its `${Placeholders}`; fails when one is left unfilled. */
export function loadWorkflow(
  substitutions: Readonly<Record<string, string>>,
  mode: DispatchMode = 'invoke',
): AslDefinition {
  let text = readFileSync(WORKFLOW_FILES[mode], 'utf8');
  for (const [key, value] of Object.entries(substitutions)) text = text.replaceAll(`\${${key}}`, value);
  const missing = text.match(/\$\{[A-Za-z]+\}/g);
  if (missing) throw new Error(`workflow placeholders left unfilled: ${[...new Set(missing)].join(', ')}`);
  return JSON.parse(text) as AslDefinition;
}
