/**
 * Infrastructure: what the `stage` context changes. Bundling is skipped here (stack.test.ts covers the bundles), so
 * this file only reads resource properties.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackName } from '../../cdk/naming.ts';
import { rendered, type SynthResult, synthFlowProvisioner } from '../helpers/synth.ts';

/**
 * Properties that name a resource within the account and region. Left out: inline policy names (scoped to their role)
 * and properties that refer to another resource (a Ref or GetAtt, not a name of its own).
 */
const NAME_PROPERTY =
  /^(Queue|StateMachine|LogGroup|Alarm|Dashboard|Function|Table|Topic|Role|ManagedPolicy|Rule)?Name$/;

/** Every physical name of a synthesized stack, as text (`<creation-id>` for the stack's creation id), by resource. */
function physicalNames(synth: SynthResult): { id: string; name: string; retained: boolean }[] {
  const resources = synth.template.toJSON().Resources as Record<
    string,
    { Properties?: Record<string, unknown>; DeletionPolicy?: string }
  >;
  return Object.entries(resources).flatMap(([id, resource]) =>
    Object.entries(resource.Properties ?? {})
      .filter(([key, value]) => NAME_PROPERTY.test(key) && !isReference(value))
      .map(([, value]) => ({ id, name: rendered(value), retained: resource.DeletionPolicy === 'Retain' })),
  );
}

function isReference(value: unknown): boolean {
  return typeof value === 'object' && value !== null && ('Ref' in value || 'Fn::GetAtt' in value);
}

describe.each([
  { stage: 'dev', deletionPolicy: 'Delete', retentionDays: 14 },
  { stage: 'prod', deletionPolicy: 'Retain', retentionDays: 365 },
])('stage $stage', ({ stage, deletionPolicy, retentionDays }) => {
  let synth: SynthResult;
  beforeAll(() => {
    synth = synthFlowProvisioner({ context: { stage }, skipBundling: true });
  });
  afterAll(() => synth?.cleanup());

  it(`${deletionPolicy === 'Retain' ? 'retains' : 'destroys'} both queues and every log group on removal`, () => {
    const stateful = {
      ...synth.template.findResources('AWS::SQS::Queue'),
      ...synth.template.findResources('AWS::Logs::LogGroup'),
    };
    expect(Object.keys(stateful).length).toBeGreaterThanOrEqual(4);
    for (const resource of Object.values(stateful)) {
      expect(resource.DeletionPolicy).toBe(deletionPolicy);
      expect(resource.UpdateReplacePolicy).toBe(deletionPolicy);
    }
  });

  it(`keeps logs for ${retentionDays} days`, () => {
    for (const logGroup of Object.values(synth.template.findResources('AWS::Logs::LogGroup'))) {
      expect(logGroup.Properties.RetentionInDays).toBe(retentionDays);
    }
  });

  it('passes cdk-nag', () => {
    expect(synth.nagViolations.filter((v) => v.severity === 'error')).toEqual([]);
    expect(synth.synthError).toBeUndefined();
  });
});

describe('stages side by side in one account and region', () => {
  const synths: Partial<Record<'dev' | 'prod', SynthResult>> = {};
  beforeAll(() => {
    synths.dev = synthFlowProvisioner({ context: { stage: 'dev' }, skipBundling: true });
    synths.prod = synthFlowProvisioner({ context: { stage: 'prod' }, skipBundling: true });
  });
  afterAll(() => {
    synths.dev?.cleanup();
    synths.prod?.cleanup();
  });

  it('names each stage’s stack after the stage', () => {
    expect(synths.dev!.stack.stackName).toBe(stackName('dev'));
    expect(synths.prod!.stack.stackName).toBe(stackName('prod'));
    expect(stackName('dev')).not.toBe(stackName('prod'));
  });

  it('gives dev and prod no physical name in common, each name carrying its stage', () => {
    const dev = physicalNames(synths.dev!);
    const prod = physicalNames(synths.prod!);
    expect(dev.length).toBeGreaterThanOrEqual(20);
    expect(prod.map((n) => n.name).sort()).toHaveLength(dev.length);
    const devNames = new Set(dev.map((n) => n.name));
    expect(prod.filter((n) => devNames.has(n.name))).toEqual([]);
    for (const [stage, names] of [['dev', dev] as const, ['prod', prod] as const]) {
      expect(names.filter((n) => !n.name.includes(`-${stage}`))).toEqual([]);
    }
  });

  it('names what prod retains after the stack’s creation, so a redeploy after a delete does not collide', () => {
    const retained = physicalNames(synths.prod!).filter((n) => n.retained);
    expect(retained.length).toBeGreaterThanOrEqual(10);
    expect(retained.filter((n) => !n.name.endsWith('-prod-<creation-id>'))).toEqual([]);
  });
});

describe('context validation', () => {
  it('rejects an unknown stage', () => {
    expect(() => synthFlowProvisioner({ context: { stage: 'staging' }, skipBundling: true })).toThrow(/stage/);
  });

  it('scopes MediaConnect to the regions given in context', () => {
    const synth = synthFlowProvisioner({ context: { mediaConnectRegions: 'eu-west-1,us-east-1' }, skipBundling: true });
    try {
      const policy = Object.values(synth.template.findResources('AWS::IAM::Policy')).find((p) =>
        JSON.stringify(p).includes('mediaconnect:CreateFlow'),
      );
      const statements = policy?.Properties.PolicyDocument.Statement as { Resource: unknown; Condition?: unknown }[];
      expect(JSON.stringify(statements[0]?.Resource)).toContain(':mediaconnect:eu-west-1:');
      expect(JSON.stringify(statements[0]?.Resource)).toContain(':mediaconnect:us-east-1:');
      expect(statements[1]?.Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-east-1'] } });
      expect(synth.nagViolations.filter((v) => v.severity === 'error')).toEqual([]);
    } finally {
      synth.cleanup();
    }
  });
});
