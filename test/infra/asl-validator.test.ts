/**
 * Every state machine the stack deploys, in both dispatch modes, passes `asl-validator` as Step Functions will see
 * it: the definition asset with its `DefinitionSubstitutions` filled, each reference made the concrete value
 * CloudFormation gives it (a function's ARN, a queue's URL).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DispatchMode } from '../../functions/domain/config.ts';
import { validateAsl } from '../helpers/asl-validator.ts';
import { type SynthResult, synthFlowProvisioner } from '../helpers/synth.ts';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

/** What CloudFormation resolves a substitution to: a Ref of a queue is its URL, a GetAtt Arn of a function its ARN. */
function resolved(synth: SynthResult, value: unknown): string {
  const resources = synth.template.toJSON().Resources as Record<string, { Type: string }>;
  const v = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  if (v.Ref && resources[v.Ref]?.Type === 'AWS::SQS::Queue') {
    return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${v.Ref}`;
  }
  // A Ref of an event bus is its name.
  if (v.Ref && resources[v.Ref]?.Type === 'AWS::Events::EventBus') return v.Ref;
  const [id, attribute] = v['Fn::GetAtt'] ?? [];
  if (id && attribute === 'Arn' && resources[id]?.Type === 'AWS::Lambda::Function') {
    return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`;
  }
  throw new Error(`no concrete value for substitution ${JSON.stringify(value)}`);
}

/** Each machine's definition as deployed: the asset read back from the assembly, its placeholders filled. */
function deployedDefinitions(synth: SynthResult): { id: string; definition: unknown }[] {
  const manifest = JSON.parse(readFileSync(join(synth.outdir, `${synth.stack.stackName}.assets.json`), 'utf8')) as {
    files: Record<string, { source: { path: string } }>;
  };
  const machines = synth.template.findResources('AWS::StepFunctions::StateMachine');
  return Object.entries(machines).map(([id, machine]) => {
    const key = String(machine.Properties.DefinitionS3Location.Key).replace(/\.json$/, '');
    let text = readFileSync(join(synth.outdir, manifest.files[key]!.source.path), 'utf8');
    for (const [name, value] of Object.entries(machine.Properties.DefinitionSubstitutions as Record<string, unknown>)) {
      text = text.replaceAll(`\${${name}}`, resolved(synth, value));
    }
    expect(text).not.toMatch(/\$\{[A-Za-z]+\}/);
    return { id, definition: JSON.parse(text) };
  });
}

describe.each(['queue', 'invoke'] as DispatchMode[])('deployed definitions, %s mode', (dispatchMode) => {
  let synth: SynthResult;
  beforeAll(() => {
    synth = synthFlowProvisioner({ context: { dispatchMode }, skipBundling: true });
  });
  afterAll(() => synth?.cleanup());

  it('pass asl-validator, one per vendor', () => {
    const definitions = deployedDefinitions(synth);
    expect(definitions.length).toBe(Object.keys(synth.stack.workflow.stateMachines).length);
    for (const { id, definition } of definitions) {
      const result = validateAsl(definition);
      expect({ id, errors: result.errorsText('\n') }).toEqual({ id, errors: '' });
      expect(result.isValid).toBe(true);
    }
  });
});
