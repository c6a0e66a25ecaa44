/**
 * Infrastructure: the vendor credentials secrets: one per vendor that is not an AWS API, placeholders only, read by
 * that vendor's λ alone and never by the workflow. Synthesized once in queue mode, without bundling.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VENDORS, type VendorConfig } from '../../functions/domain/config.ts';
import type { VendorId } from '../../functions/domain/contract.ts';
import { CREDENTIALS_PLACEHOLDER, VENDOR_CREDENTIAL_KEYS } from '../../functions/domain/vendor-credentials.ts';
import {
  asArray,
  identityStatements,
  logicalIdOf,
  roleOf,
  type SynthResult,
  statementsOfRole,
  synthFlowProvisioner,
} from '../helpers/synth.ts';

const vendors = (Object.values(VENDORS) as readonly VendorConfig[]).map((c) => c.vendor);
const withSecrets = vendors.filter((v) => VENDOR_CREDENTIAL_KEYS[v].length > 0);

let synth: SynthResult;
let resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;

beforeAll(() => {
  // Alarm emails too: the wildcard check below covers the alarm topic's SNS and KMS grants.
  synth = synthFlowProvisioner({
    context: { alarmEmails: 'oncall@example.com', dispatchMode: 'queue' },
    skipBundling: true,
  });
  resources = synth.template.toJSON().Resources;
});
afterAll(() => synth?.cleanup());

const ref = (construct: unknown) => ({ Ref: logicalIdOf(synth.stack, construct as never) });

describe('vendor credentials', () => {
  const secretOf = (vendor: VendorId) => synth.stack.vendorFunctions.secrets[vendor];

  it('are one Secrets Manager secret per vendor that is not an AWS API, holding placeholders only', () => {
    expect(Object.keys(synth.stack.vendorFunctions.secrets).sort()).toEqual([...withSecrets].sort());
    expect(withSecrets).not.toContain('aws-mediaconnect');
    for (const vendor of withSecrets) {
      const props = resources[logicalIdOf(synth.stack, secretOf(vendor) as never)]!.Properties;
      expect(JSON.parse(props.SecretString as string)).toEqual(
        Object.fromEntries(VENDOR_CREDENTIAL_KEYS[vendor].map((key) => [key, CREDENTIALS_PLACEHOLDER])),
      );
      // The AWS managed key: nothing to grant on KMS.
      expect(props.KmsKeyId).toBeUndefined();
    }
  });

  it('are read by their own vendor λ only, through VENDOR_SECRET_ARN and GetSecretValue on that secret alone', () => {
    for (const vendor of vendors) {
      const fnId = logicalIdOf(synth.stack, synth.stack.vendorFunctions.functionFor(vendor));
      const env = (resources[fnId]!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      const statements = statementsOfRole(synth.template, roleOf(synth.template, fnId));
      const secretActions = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('secretsmanager:')));
      if (!withSecrets.includes(vendor)) {
        expect(env.VENDOR_SECRET_ARN).toBeUndefined();
        expect(secretActions).toEqual([]);
        continue;
      }
      expect(env.VENDOR_SECRET_ARN).toEqual(ref(secretOf(vendor)));
      expect(secretActions.map((s) => [asArray(s.Action), s.Resource])).toEqual([
        [['secretsmanager:GetSecretValue'], ref(secretOf(vendor))],
      ]);
    }
  });

  it('are out of reach of every other role: dispatcher, workflows, other vendors', () => {
    const touching = identityStatements(synth.template).filter(({ statement }) =>
      asArray(statement.Action).some((a) => a.startsWith('secretsmanager:') || a.startsWith('kms:')),
    );
    const readers = touching.flatMap(({ roles, statement }) =>
      roles.map((role) => `${role} ${JSON.stringify(statement.Resource)}`),
    );
    // Every lane's λ of the vendor (docs/adr/0007-lanes.md), and nobody else.
    const expected = withSecrets.flatMap((vendor) =>
      Object.values(synth.stack.vendorFunctions.laneFunctions[vendor]!).map((fn) => {
        const fnId = logicalIdOf(synth.stack, fn);
        return `${roleOf(synth.template, fnId)} ${JSON.stringify(ref(secretOf(vendor)))}`;
      }),
    );
    expect(readers.sort()).toEqual(expected.sort());
  });

  it('are never granted with a wildcard resource', () => {
    for (const { statement } of identityStatements(synth.template)) {
      if (!asArray(statement.Action).some((a) => /^(secretsmanager|kms|sns|cloudwatch):/.test(a))) continue;
      expect(JSON.stringify(statement.Resource)).not.toContain('*');
    }
  });

  it('never reach the workflow: no state machine definition or substitution names a secret', () => {
    const secretIds = withSecrets.map((v) => logicalIdOf(synth.stack, secretOf(v) as never));
    for (const machine of Object.values(resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine')) {
      const text = JSON.stringify(machine.Properties);
      for (const id of secretIds) expect(text).not.toContain(id);
      expect(text).not.toMatch(/secretsmanager|VENDOR_SECRET_ARN/);
    }
  });
});
