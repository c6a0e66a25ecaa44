/**
 * The idempotency store of the vendor tasks (docs/architecture.md, "Exactly-once effects"): one DynamoDB table, keyed as the Powertools persistence
 * layer writes it, with TTL on its expiry attribute (Powertools also ignores expired items itself, so a late TTL
 * deletion changes nothing) and point-in-time recovery. Each vendor λ may read and write its items, nothing else.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { IDEMPOTENCY } from '../../functions/domain/config.ts';

/** The item actions the Powertools DynamoDB persistence layer uses (conditional put, get, update, delete). */
export const IDEMPOTENCY_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
] as const;

export interface IdempotencyStoreProps {
  /**
   * What happens to the table (its records) when it is removed from the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

export class IdempotencyStore extends Construct {
  /** The table; its name reaches each granted function as `IDEMPOTENCY_TABLE_NAME`. */
  public readonly table: Table;

  constructor(scope: Construct, id: string, props: IdempotencyStoreProps = {}) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: IDEMPOTENCY.keyAttribute, type: AttributeType.STRING },
      timeToLiveAttribute: IDEMPOTENCY.expiryAttribute,
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }

  /** Lets `fn` use the store: the table name in its environment, the item actions on this table only. */
  public grantTo(fn: LambdaFunction): void {
    fn.addEnvironment(IDEMPOTENCY.tableNameEnv, this.table.tableName);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'IdempotencyRecords',
        actions: [...IDEMPOTENCY_TABLE_ACTIONS],
        resources: [this.table.tableArn],
      }),
    );
  }
}
