/**
 * The built-in batch `npm start` runs: good requests for every vendor the local stack runs, a duplicate delivery,
 * and invalid messages of several kinds, so one run shows provisioning, de-duplication and rejection side by side.
 */
import { readFileSync } from 'node:fs';
import type { VendorId } from '../../functions/domain/contract.ts';

/** The example request of a vendor (`examples/<vendor>.json`), the template each demo request varies. */
export function exampleRequest(vendor: VendorId): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../examples/${vendor}.json`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
}

/** `count` distinct valid requests for a vendor, derived from its example. */
export function requestsFor(vendor: VendorId, count: number, prefix = 'demo'): Record<string, unknown>[] {
  const example = exampleRequest(vendor);
  return Array.from({ length: count }, (_, i) => {
    const flow = { ...(example.flow as Record<string, unknown>) };
    const suffix = String(i + 1).padStart(3, '0');
    // Volcengine names (pull-to-push groups) allow Chinese characters, letters and digits only.
    const separator = vendor === 'volcengine-live' ? '' : '-';
    flow.name = `${String(flow.name).slice(0, 12)}${separator}${suffix}`;
    return { ...example, requestId: `${prefix}-${vendor}-${suffix}`, flow };
  });
}

/** The demo batch as raw SQS bodies, in delivery order. */
export function demoBatch(vendors: readonly VendorId[]): string[] {
  const bodies: string[] = [];
  for (const vendor of vendors) {
    const requests = requestsFor(vendor, 4);
    bodies.push(...requests.map((r) => JSON.stringify(r)));
    // At-least-once delivery: the same request arrives twice.
    bodies.push(JSON.stringify(requests[0]));
  }
  bodies.push(
    '{"schemaVersion": 1, "requestId": "demo-not-json"', // truncated JSON
    JSON.stringify({ schemaVersion: 1, requestId: 'demo-unknown-vendor', vendor: 'acme-cloud', region: 'x' }),
    JSON.stringify({ schemaVersion: 1, requestId: 'demo-missing-fields', vendor: 'aws-mediaconnect' }),
  );
  if (vendors.includes('alibaba-cams')) {
    // CAMS flows cannot be shared: a request asking for entitlements is rejected at validation, saying why.
    const [cams] = requestsFor('alibaba-cams', 1, 'demo-cams-entitlements');
    bodies.push(JSON.stringify({ ...cams, entitlements: [{ name: 'partner', subscribers: ['111122223333'] }] }));
  }
  if (vendors.includes('volcengine-live')) {
    // Volcengine has no share operation: a request asking for entitlements is rejected at validation, saying why.
    const [volcengine] = requestsFor('volcengine-live', 1, 'demo-volcengine-entitlements');
    bodies.push(JSON.stringify({ ...volcengine, entitlements: [{ name: 'partner' }] }));
  }
  return bodies;
}
