import { describe, expect, it } from 'vitest';
import { requestIdentity } from '../../../functions/domain/request-identity.ts';

describe('requestIdentity', () => {
  it('reads the request id and vendor of a body, valid or not', () => {
    expect(requestIdentity('{"requestId":"r-1","vendor":"huawei-live","flow":42}')).toEqual({
      requestId: 'r-1',
      vendor: 'huawei-live',
    });
    // Not clipped and not checked against the known vendors: the identity is what the body says.
    const long = 'x'.repeat(120);
    expect(requestIdentity(JSON.stringify({ requestId: long, vendor: 'nowhere' }))).toEqual({
      requestId: long,
      vendor: 'nowhere',
    });
  });

  it.each([
    ['an empty request id', '{"requestId":"","vendor":""}'],
    ['fields that are not strings', '{"requestId":7,"vendor":["aws-mediaconnect"]}'],
    ['no fields', '{}'],
    ['a JSON array', '[{"requestId":"r-1"}]'],
    ['JSON null', 'null'],
    ['a body that is not JSON', '{"requestId":"r-1"'],
    ['an empty body', ''],
  ])('names no request for %s', (_, body) => {
    expect(requestIdentity(body)).toEqual({ requestId: null, vendor: null });
  });
});
