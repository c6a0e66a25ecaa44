/**
 * Writes `schemas/provision-request.v1.json` from the zod contract (the single source). `npm test` fails when the
 * committed file is stale, so upstream teams always read what the dispatcher enforces.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { requestJsonSchema } from '../functions/domain/json-schema.ts';

mkdirSync(new URL('../schemas/', import.meta.url), { recursive: true });
const target = new URL('../schemas/provision-request.v1.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(requestJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${fileURLToPath(target)}\n`);
