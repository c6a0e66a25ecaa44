import { describe, expect, it } from 'vitest';
import { readRequestBodies } from '../../../cli/read-requests.ts';

describe('reading request files', () => {
  it('reads one object, an array, or NDJSON, keeping bad lines as they are', () => {
    expect(readRequestBodies('{"a":1}')).toEqual(['{"a":1}']);
    expect(readRequestBodies('[{"a":1},{"b":2}]')).toEqual(['{"a":1}', '{"b":2}']);
    expect(readRequestBodies('{"a":1}\n\n{"b":2}\n{oops\n')).toEqual(['{"a":1}', '{"b":2}', '{oops']);
    expect(readRequestBodies('  ')).toEqual([]);
  });
});
