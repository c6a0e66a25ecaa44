/**
 * The flow each request created, by request id: what a new attempt of a failed execution (docs/adr/0003) reads to
 * adopt a flow its vendor cannot find by the request's identity. ICE has no lookup by name and publishes no error
 * codes (docs/vendors/alibaba-ice.md, "Identity and adoption"): without this record, the next attempt of a request
 * whose ICE flow was made but not finished meets "name taken" and nothing it can adopt.
 *
 * Only clients that can adopt by id (`VendorClient.adoptFlow`) use it. Items live in the idempotency table under
 * their own key prefix (never a Powertools key, which is `<prefix>#<hash>`), expiring after the DLQ's retention.
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { IDEMPOTENCY } from '../domain/config.ts';
import type { VendorId } from '../domain/contract.ts';

export interface FlowLedger {
  /** The flow id a previous attempt of this request recorded, if any. */
  recall(vendor: VendorId, requestId: string): Promise<string | undefined>;
  remember(vendor: VendorId, requestId: string, flowId: string): Promise<void>;
}

/** As long as a failure record can wait on the DLQ (SQS's maximum retention, 14 days). */
export const FLOW_LEDGER_TTL_SECONDS = 14 * 24 * 3600;

const keyOf = (vendor: VendorId, requestId: string) => `flow-ledger#${vendor}#${requestId}`;

export class DynamoDbFlowLedger implements FlowLedger {
  constructor(
    private readonly tableName: string,
    private readonly client: DynamoDBClient = new DynamoDBClient({}),
    private readonly now: () => number = Date.now,
  ) {}

  async recall(vendor: VendorId, requestId: string): Promise<string | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { [IDEMPOTENCY.keyAttribute]: { S: keyOf(vendor, requestId) } },
        ConsistentRead: true,
      }),
    );
    return Item?.flowId?.S;
  }

  async remember(vendor: VendorId, requestId: string, flowId: string): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          [IDEMPOTENCY.keyAttribute]: { S: keyOf(vendor, requestId) },
          flowId: { S: flowId },
          [IDEMPOTENCY.expiryAttribute]: { N: String(Math.floor(this.now() / 1000) + FLOW_LEDGER_TTL_SECONDS) },
        },
      }),
    );
  }
}

/** A ledger in memory: tests, and one process's worth of attempts. */
export class InMemoryFlowLedger implements FlowLedger {
  private readonly flows = new Map<string, string>();
  async recall(vendor: VendorId, requestId: string): Promise<string | undefined> {
    return this.flows.get(keyOf(vendor, requestId));
  }
  async remember(vendor: VendorId, requestId: string, flowId: string): Promise<void> {
    this.flows.set(keyOf(vendor, requestId), flowId);
  }
}
