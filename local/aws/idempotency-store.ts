/**
 * The idempotency table of the local stack (docs/architecture.md, "The local stack"): dynalite in memory on 127.0.0.1,
 * with the table the CDK stack declares (partition key `id`). Dynalite has no TTL: expired records stay, and the
 * Powertools persistence layer ignores them by their `expiration` attribute, as it does on AWS between expiry and TTL
 * deletion.
 */
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { IDEMPOTENCY } from '../../functions/domain/config.ts';
import { inProcessRequestHandler, withoutDiscardedSdkLogging } from '../in-process-transport.ts';

export const LOCAL_IDEMPOTENCY_TABLE = 'flow-provisioner-idempotency';

export interface LocalIdempotencyStore {
  readonly endpoint: string;
  readonly tableName: string;
  /** A DynamoDB client on the local endpoint, shared by the local λ instances (each has its own persistence layer). */
  readonly client: DynamoDBClient;
  close(): Promise<void>;
}

export async function startLocalIdempotencyStore(): Promise<LocalIdempotencyStore> {
  // createTableMs: 0 — the table is ACTIVE at once (dynalite keeps new tables CREATING for 500 ms by default).
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = withoutDiscardedSdkLogging(
    new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      // Each command's middleware chain built once, not on every send (`LOCAL_CLIENT` in local/stack.ts).
      cacheMiddleware: true,
      // Signed and serialised as over HTTP, parsed and checked by dynalite's own listener, without a socket.
      requestHandler: inProcessRequestHandler(server),
    }),
  );
  const close = async () => {
    client.destroy();
    server.closeAllConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  try {
    await client.send(
      new CreateTableCommand({
        TableName: LOCAL_IDEMPOTENCY_TABLE,
        AttributeDefinitions: [{ AttributeName: IDEMPOTENCY.keyAttribute, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: IDEMPOTENCY.keyAttribute, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    await close();
    throw error;
  }
  return { endpoint, tableName: LOCAL_IDEMPOTENCY_TABLE, client, close };
}
