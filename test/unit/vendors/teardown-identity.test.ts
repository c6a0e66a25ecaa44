/**
 * What each vendor's mark says about whose a flow is, and the rule teardown applies to it: with a known requestId the
 * flow must carry that request's identity, without one any flow-provisioner identity will do, and nothing else.
 */
import { describe, expect, it } from 'vitest';
import { VendorConflictError } from '../../../functions/domain/errors.ts';
import { vendorFlowName, vendorFlowNameIdentity } from '../../../functions/vendors/alibaba/flow-name.ts';
import { refuseUnlessOurs, requestIdIdentity } from '../../../functions/vendors/common/teardown-identity.ts';
import { huaweiIdentityMarker, huaweiMarkedRequestIds } from '../../../functions/vendors/huawei-live/client.ts';
import type { TeardownTarget } from '../../../functions/vendors/types.ts';

const byFlowId: TeardownTarget = { vendor: 'alibaba-ice', region: 'cn-shanghai' };
const byRequest: TeardownTarget = { ...byFlowId, requestId: 'req-2026-0042' };

function verdict(target: TeardownTarget, identity: ReturnType<typeof requestIdIdentity>): string {
  try {
    refuseUnlessOurs(target, 'flow-1', identity, { vendor: target.vendor, operation: 'Read' });
    return 'ours';
  } catch (error) {
    expect(error).toBeInstanceOf(VendorConflictError);
    return (error as Error).message;
  }
}

describe('vendor flow names (ICE, CAMS)', () => {
  it('proves the request a name was made for, in the plain and the digest form', () => {
    const plain = vendorFlowName('final-feed', 'req-2026-0042');
    const long = vendorFlowName('x'.repeat(60), 'req-2026-0042');
    expect(long).toMatch(/-h[0-9a-f]{20}$/);
    for (const name of [plain, long]) {
      expect(verdict(byRequest, vendorFlowNameIdentity(name))).toBe('ours');
      expect(verdict({ ...byRequest, requestId: 'req-2026-0043' }, vendorFlowNameIdentity(name))).toContain(
        "another request's identity (flow name",
      );
    }
  });

  it('without a requestId, accepts only the <name>-<suffix> shape within 64 characters', () => {
    expect(verdict(byFlowId, vendorFlowNameIdentity('final-feed-req-2026-0042'))).toBe('ours');
    for (const name of ['studio1', 'final feed', '-req1', 'feed-', `feed-${'a'.repeat(60)}`, undefined]) {
      expect(verdict(byFlowId, vendorFlowNameIdentity(name)), String(name)).toContain(
        "does not carry flow-provisioner's request identity",
      );
    }
  });

  it('never takes the request id alone for a name', () => {
    expect(verdict(byRequest, vendorFlowNameIdentity('req-2026-0042'))).not.toBe('ours');
  });
});

describe('Huawei source markers', () => {
  it('reads every request id marked on the sources, and nothing from a description without a marker', () => {
    const detail = {
      sources: [
        { description: `court side ${huaweiIdentityMarker('req-a')}` },
        { description: 'flow-provisioner:request-id=req-b (not a marker)' },
        {},
      ],
    };
    expect(huaweiMarkedRequestIds(detail)).toEqual(['req-a']);
    expect(huaweiMarkedRequestIds({ sources: [{ description: 'made in the console' }] })).toEqual([]);
  });
});

describe('the refusal', () => {
  const tagged = (ids: string[]) => requestIdIdentity(ids, 'tag flow-provisioner:request-id');

  it('lets a flow of any of our requests go by flow id, only the named one by requestId', () => {
    expect(verdict(byFlowId, tagged(['req-other']))).toBe('ours');
    expect(verdict(byRequest, tagged(['req-2026-0042']))).toBe('ours');
    expect(verdict(byRequest, tagged(['req-other']))).toBe(
      "alibaba-ice: refusing to tear down flow flow-1: it carries another request's identity (tag flow-provisioner:request-id=req-other), not request req-2026-0042's; it is left as it is",
    );
  });

  it('refuses a flow without any identity, whatever the target names', () => {
    for (const target of [byFlowId, byRequest]) {
      expect(verdict(target, tagged([]))).toContain('no tag flow-provisioner:request-id');
    }
  });
});
