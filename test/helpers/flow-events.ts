/** Validates outcome events against the exported `schemas/flow-event.v1.json` (what consumers validate with). */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { PutEventsEntry } from '../../functions/domain/flow-event.ts';

const schema = JSON.parse(readFileSync(new URL('../../schemas/flow-event.v1.json', import.meta.url), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);

/** The JSON Schema's complaints about an event as a rule target receives it; `[]` when it is valid. */
export function schemaErrors(event: unknown): string[] {
  if (validate(event)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(event)'} ${e.message}`);
}

/** A PutEvents entry as the event a rule target receives (the fields the schema constrains). */
export function asReceived(entry: PutEventsEntry): { source: string; 'detail-type': string; detail: unknown } {
  return { source: entry.Source, 'detail-type': entry.DetailType, detail: JSON.parse(entry.Detail) };
}

/** Secrets the test requests carry; none may appear anywhere in an event. */
export const SECRET_MARKERS = ['passphrase', 'Passphrase', 'Signature=', 'secretAccessKey', 'auth_key', 'volcSecret'];
