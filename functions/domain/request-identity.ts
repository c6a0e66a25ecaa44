/**
 * The identity of a raw message body — its request id and vendor — read without validating it, for the places that
 * must say which request a message is about even when it is not a valid request: DLQ attributes (dispatcher, failure
 * capture), the local batch report, `flowctl submit` and `flowctl dlq`. A field counts only when it is a non-empty
 * string: `"requestId": ""` names no request (the contract rejects it), so it is `null` here like a missing one.
 */
export interface RequestIdentity {
  readonly requestId: string | null;
  readonly vendor: string | null;
}

const NONE: RequestIdentity = { requestId: null, vendor: null };

export function requestIdentity(body: string): RequestIdentity {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return NONE;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return NONE;
  return identityOfObject(value as Record<string, unknown>);
}

/** The same rule for a body that is parsed already. */
export function identityOfObject(value: Record<string, unknown>): RequestIdentity {
  return { requestId: nonEmpty(value.requestId), vendor: nonEmpty(value.vendor) };
}

function nonEmpty(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
