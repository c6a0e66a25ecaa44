import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { requestJsonSchema } from '../../../functions/domain/json-schema.ts';

describe('published JSON Schema', () => {
  it('is the committed schemas/provision-request.v1.json (run `npm run schema` after changing the contract)', () => {
    const committed = JSON.parse(
      readFileSync(new URL('../../../schemas/provision-request.v1.json', import.meta.url), 'utf8'),
    );
    expect(committed).toEqual(requestJsonSchema());
  });

  it('describes every vendor variant the contract accepts', () => {
    const schema = requestJsonSchema() as {
      oneOf?: { properties: { vendor: { const: string } } }[];
      anyOf?: unknown[];
    };
    const variants = (schema.oneOf ?? schema.anyOf ?? []) as { properties: { vendor: { const: string } } }[];
    expect(variants.map((v) => v.properties.vendor.const)).toContain('aws-mediaconnect');
  });
});
