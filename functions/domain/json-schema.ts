/** The request contract as JSON Schema (draft 2020-12), for upstream teams that do not use TypeScript. */
import { z } from 'zod';
import { provisionRequest } from './contract.ts';

export function requestJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(provisionRequest, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    $id: 'https://flow-provisioner.dev/schemas/provision-request.v1.json',
    title: 'flow-provisioner provision request, v1',
    description:
      'One JSON message asks for one flow on one vendor. `vendor` selects the variant; `requestId` is the idempotency key.',
    ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$schema')),
  };
}
