/**
 * Reads request files as upstream teams write them: one JSON object, a JSON array of objects, or NDJSON (one per
 * line). Each request becomes the raw body it will be sent as; a line that is not JSON is kept as it is, so the
 * pipeline rejects it with its reason instead of the reader dropping it.
 */
import { readFileSync } from 'node:fs';

export function readRequestBodies(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  try {
    const value = JSON.parse(trimmed) as unknown;
    if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
    return [JSON.stringify(value)];
  } catch {
    // Not one JSON document: NDJSON.
  }
  return trimmed
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** Reads a file, or standard input for `-`. */
export function readRequestFile(path: string): string[] {
  return readRequestBodies(readFileSync(path === '-' ? 0 : path, 'utf8'));
}
