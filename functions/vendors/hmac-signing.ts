/**
 * The pieces the Huawei SDK-HMAC-SHA256 and Volcengine HMAC-SHA256 signers share: hashing, RFC 3986 encoding, the
 * canonical query string and the compact UTC timestamp both put in a header (`X-Sdk-Date`, `X-Date`). Pure functions,
 * no I/O: the signers and the emulators that verify them canonicalise with exactly the same code.
 */
import { createHash, createHmac } from 'node:crypto';

/** SHA-256 of the empty string: the payload hash of a request without a body. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmacSha256(key: string | Uint8Array, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/**
 * RFC 3986 percent-encoding: only `A-Z a-z 0-9 - _ . ~` stay as they are, UTF-8 bytes in upper-case hex (what both
 * vendors' SDKs produce: `encodeURIComponent` leaves `! ' ( ) *` alone, so those are encoded on top).
 */
export function rfc3986Encode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `name=value` pairs sorted by name, both RFC 3986-encoded, joined by `&`; empty values keep their `=`. */
export function canonicalQueryString(query: Readonly<Record<string, string>>): string {
  return Object.keys(query)
    .sort()
    .map((name) => `${rfc3986Encode(name)}=${rfc3986Encode(query[name]!)}`)
    .join('&');
}

/**
 * Parses a raw query string (`a=1&b=%E4%B8%AD`) into decoded pairs. `+` stays a plus sign: both signers encode a
 * space as `%20`, and decoding `+` as a space would make a signature check pass or fail on a different string.
 */
export function parseRawQuery(rawQuery: string): Record<string, string> {
  const query: Record<string, string> = {};
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    const value = eq < 0 ? '' : pair.slice(eq + 1);
    query[decodeURIComponent(name)] = decodeURIComponent(value);
  }
  return query;
}

/** `YYYYMMDDTHHMMSSZ` in UTC, the format of Huawei's `X-Sdk-Date` and Volcengine's `X-Date`. */
export function formatCompactUtc(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/[-:]|\.\d{3}/g, '');
}

/** Inverse of {@link formatCompactUtc}; `undefined` for anything that is not exactly that format. */
export function parseCompactUtc(value: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match;
  const epochMs = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  return formatCompactUtc(epochMs) === value ? epochMs : undefined;
}

/** Lower-cased header names mapped to their values with surrounding whitespace trimmed. */
export function lowerCaseHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) result[name.toLowerCase()] = value.trim();
  return result;
}
