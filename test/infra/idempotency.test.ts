/**
 * The idempotency store in the synthesized stack: the table Powertools expects (key, TTL attribute), point-in-time
 * recovery, the removal policy of the stage, and least privilege — each vendor λ may use its items, no one else
 * touches DynamoDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDEMPOTENCY_TABLE_ACTIONS } from '../../cdk/constructs/idempotency.ts';
import { IDEMPOTENCY, VENDORS, type VendorConfig } from '../../functions/domain/config.ts';
import {
  asArray,
  identityStatements,
  logicalIdOf,
  roleOf,
  type SynthResult,
  statementsOfRole,
  synthFlowProvisioner,
} from '../helpers/synth.ts';

const configs = Object.values(VENDORS) as readonly VendorConfig[];

let dev: SynthResult;
let prod: SynthResult;
let tableId: string;
beforeAll(() => {
  dev = synthFlowProvisioner({ skipBundling: true });
  prod = synthFlowProvisioner({ skipBundling: true, context: { stage: 'prod' } });
  tableId = logicalIdOf(dev.stack, dev.stack.idempotency.table);
});
afterAll(() => {
  dev?.cleanup();
  prod?.cleanup();
});

describe('idempotency table', () => {
  it('is keyed and expires as the Powertools persistence layer writes its records, with PITR', () => {
    dev.template.resourceCountIs('AWS::DynamoDB::Table', 1);
    const table = dev.template.toJSON().Resources[tableId];
    expect(table.Properties).toMatchObject({
      KeySchema: [{ AttributeName: IDEMPOTENCY.keyAttribute, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: IDEMPOTENCY.keyAttribute, AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: IDEMPOTENCY.expiryAttribute, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('is retained in prod and destroyed with a dev stack', () => {
    expect(dev.template.toJSON().Resources[tableId].DeletionPolicy).toBe('Delete');
    const prodId = logicalIdOf(prod.stack, prod.stack.idempotency.table);
    expect(prod.template.toJSON().Resources[prodId].DeletionPolicy).toBe('Retain');
  });
});

describe('access', () => {
  const tableArn = () => ({ 'Fn::GetAtt': [tableId, 'Arn'] });

  /** Every vendor λ: each lane's in queue mode (docs/adr/0007-lanes.md), each running the same entry. */
  const vendorFunctionIds = () =>
    configs.flatMap((c) =>
      Object.values(dev.stack.vendorFunctions.laneFunctions[c.vendor]!).map((fn) => logicalIdOf(dev.stack, fn)),
    );

  it('tells every vendor λ, of every lane, the table and lets it get, put, update and delete its items only', () => {
    expect(dev.stack.dispatchMode).toBe('queue');
    expect(vendorFunctionIds().length).toBeGreaterThan(configs.length);
    for (const fnId of vendorFunctionIds()) {
      const fn = dev.template.toJSON().Resources[fnId];
      expect(fn.Properties.Environment.Variables[IDEMPOTENCY.tableNameEnv]).toEqual({ Ref: tableId });
      const dynamo = statementsOfRole(dev.template, roleOf(dev.template, fnId)).filter((s) =>
        asArray(s.Action).some((a) => a.startsWith('dynamodb:')),
      );
      expect(dynamo.flatMap((s) => asArray(s.Action)).sort()).toEqual([...IDEMPOTENCY_TABLE_ACTIONS].sort());
      expect(dynamo.flatMap((s) => asArray(s.Resource))).toEqual(dynamo.map(() => tableArn()));
    }
  });

  it('gives DynamoDB access to the vendor λs only, and never beyond the table', () => {
    const vendorRoles = new Set(vendorFunctionIds().map((id) => roleOf(dev.template, id)));
    const grants = identityStatements(dev.template).filter(({ statement }) =>
      asArray(statement.Action).some((a) => a.startsWith('dynamodb:')),
    );
    expect(grants.length).toBeGreaterThan(0);
    for (const { roles, statement } of grants) {
      expect(roles.every((r) => vendorRoles.has(r))).toBe(true);
      expect(asArray(statement.Resource)).toEqual([tableArn()]);
    }
  });
});
