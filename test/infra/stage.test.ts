/**
 * Infrastructure: what the `stage` context changes. Bundling is skipped here (stack.test.ts covers the bundles), so
 * this file only reads resource properties.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SynthResult, synthFlowProvisioner } from '../helpers/synth.ts';

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
