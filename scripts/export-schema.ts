/**
 * Writes `schemas/provision-request.v1.json` and `schemas/flow-event.v1.json` from the zod contracts (the single
 * sources). `npm test` fails when a committed file is stale, so upstream teams and consumers always read what the
 * pipeline enforces and emits.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { flowEventJsonSchema } from '../functions/domain/flow-event.ts';
import { requestJsonSchema } from '../functions/domain/json-schema.ts';

mkdirSync(new URL('../schemas/', import.meta.url), { recursive: true });
for (const [file, schema] of [
  ['provision-request.v1.json', requestJsonSchema()],
  ['flow-event.v1.json', flowEventJsonSchema()],
] as const) {
  const target = new URL(`../schemas/${file}`, import.meta.url);
  writeFileSync(target, `${JSON.stringify(schema, null, 2)}\n`);
  process.stdout.write(`wrote ${fileURLToPath(target)}\n`);
}
