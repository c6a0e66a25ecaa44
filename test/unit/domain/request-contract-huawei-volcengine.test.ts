import { describe, expect, it } from 'vitest';
import { parseRequest, SUPPORTED_VENDORS } from '../../../functions/domain/contract.ts';
import { exampleRequest } from '../../../local/batch/demo-batch.ts';

function issuesOf(value: unknown): string[] {
  const result = parseRequest(value);
  if (result.ok) throw new Error('expected the request to be rejected');
  return result.issues;
}

function huawei(flow: Record<string, unknown> = {}, rest: Record<string, unknown> = {}) {
  const example = exampleRequest('huawei-live') as { flow: Record<string, unknown> };
  return { ...example, ...rest, flow: { ...example.flow, ...flow } };
}

function volcengine(
  task: Record<string, unknown> = {},
  flow: Record<string, unknown> = {},
  rest: Record<string, unknown> = {},
) {
  const example = exampleRequest('volcengine-live') as { flow: { task: Record<string, unknown> } };
  return { ...example, ...rest, flow: { ...example.flow, ...flow, task: { ...example.flow.task, ...task } } };
}

describe('contract: huawei-live', () => {
  it('accepts the published example and applies the defaults', () => {
    expect(SUPPORTED_VENDORS).toContain('huawei-live');
    const result = parseRequest(huawei({}, { start: undefined, onFailure: undefined, entitlements: undefined }));
    expect(result).toMatchObject({ ok: true, request: { start: true, onFailure: 'keep', entitlements: [] } });
  });

  it('requires address and port for an srt-caller source', () => {
    expect(issuesOf(huawei({ sources: [{ name: 'pull', protocol: 'srt-caller' }] }))).toEqual([
      'flow.sources.0.sourceListenerAddress: required for srt-caller',
      'flow.sources.0.sourceListenerPort: required for srt-caller',
    ]);
  });

  it('refuses the ports Huawei reserves, and more than 20 CIDRs', () => {
    const issues = issuesOf(
      huawei({
        sources: [
          {
            name: 'pull',
            protocol: 'srt-caller',
            sourceListenerAddress: '198.51.100.7',
            sourceListenerPort: 2077,
            cidrWhitelist: Array.from({ length: 21 }, (_, i) => `10.0.${i}.0/24`),
          },
        ],
      }),
    );
    expect(issues).toContain('flow.sources.0.sourceListenerPort: ports 2077 and 2088 are reserved by Huawei');
    expect(issues.some((i) => i.startsWith('flow.sources.0.cidrWhitelist:'))).toBe(true);
  });

  it('wants unique source and output names, outputs named with a leading letter', () => {
    const source = { name: 'a', protocol: 'srt-listener' };
    expect(issuesOf(huawei({ sources: [source, source] }))).toEqual([
      'flow.sources.1.name: source names must be unique',
    ]);
    const output = { name: 'partner', protocol: 'srt-listener' };
    expect(issuesOf(huawei({}, { entitlements: [output, output] }))).toEqual([
      'entitlements.1.name: output names must be unique',
    ]);
    expect(issuesOf(huawei({}, { entitlements: [{ name: '1st', protocol: 'srt-listener' }] }))).toEqual([
      'entitlements.0.name: Huawei output names start with a letter and hold only letters, digits, "-" and "_"',
    ]);
  });

  it('requires destination and port for an srt-caller output', () => {
    expect(issuesOf(huawei({}, { entitlements: [{ name: 'push', protocol: 'srt-caller' }] }))).toEqual([
      'entitlements.0.destination: required for srt-caller',
      'entitlements.0.port: required for srt-caller',
    ]);
  });

  it('rejects fields the contract does not know (strict objects)', () => {
    expect(issuesOf(huawei({ description: 'x' }))[0]).toMatch(/^flow: Unrecognized key/);
  });
});

describe('contract: volcengine-live', () => {
  it('accepts the published example with its defaults', () => {
    expect(SUPPORTED_VENDORS).toContain('volcengine-live');
    const example = exampleRequest('volcengine-live') as { flow: Record<string, unknown> };
    const result = parseRequest({ ...example, flow: { ...example.flow, projectName: undefined, tags: undefined } });
    expect(result).toMatchObject({
      ok: true,
      request: { entitlements: [], flow: { projectName: 'default', tags: [] } },
    });
  });

  it('rejects entitlements clearly: Volcengine has nothing to share', () => {
    const issues = issuesOf({ ...volcengine(), entitlements: [{ name: 'partner' }] });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^entitlements: volcengine-live tasks cannot be shared/);
    expect(parseRequest({ ...volcengine(), entitlements: [] }).ok).toBe(true);
  });

  it('enforces Volcengine names: Chinese characters, letters and digits, at most 20', () => {
    expect(parseRequest(volcengine({}, { name: '北京直播转推1' })).ok).toBe(true);
    expect(issuesOf(volcengine({}, { name: 'relay-beijing' }))).toEqual([
      'flow.name: must be Chinese characters, letters or digits only (no spaces, "-" or "_")',
    ]);
    expect(issuesOf(volcengine({}, { name: 'a'.repeat(21) }))[0]).toMatch(/^flow\.name: Too big/);
    expect(issuesOf(volcengine({ title: 'task_1' }))[0]).toMatch(/^flow\.task\.title: must be Chinese/);
  });

  it('is only served in cn-north-1', () => {
    expect(issuesOf({ ...volcengine(), region: 'ap-southeast-1' })).toEqual([
      'region: Volcengine Live is only served in cn-north-1',
    ]);
  });

  it('checks the task the way CreatePullToPushTask does', () => {
    expect(issuesOf(volcengine({ srcAddr: undefined }))).toEqual([
      'flow.task.srcAddr: required for type 0 (live source)',
    ]);
    expect(issuesOf(volcengine({ type: 1 }))).toEqual([
      'flow.task.vodSrcAddrs: required for type 1 (VOD files)',
      'flow.task.srcAddr: only for type 0 (live source)',
    ]);
    expect(issuesOf(volcengine({ dstAddr: undefined }))).toEqual([
      'flow.task.dstAddr: give dstAddr, or all of domain, app and stream',
    ]);
    expect(
      parseRequest(volcengine({ dstAddr: undefined, domain: 'push.example.com', app: 'live', stream: 's' })).ok,
    ).toBe(true);
    expect(issuesOf(volcengine({ domain: 'push.example.com' }))).toEqual([
      'flow.task.dstAddr: give dstAddr or domain/app/stream, not both',
    ]);
  });

  it('wants exactly one of endTime and durationSeconds, and at most 7 days', () => {
    expect(issuesOf(volcengine({ durationSeconds: undefined }))).toEqual([
      'flow.task.endTime: give exactly one of endTime and durationSeconds',
    ]);
    expect(
      issuesOf(volcengine({ startTime: 1_800_000_000, endTime: 1_800_000_000, durationSeconds: undefined })),
    ).toEqual(['flow.task.endTime: must be after startTime']);
    expect(
      issuesOf(
        volcengine({ startTime: 1_800_000_000, endTime: 1_800_000_000 + 8 * 86_400, durationSeconds: undefined }),
      ),
    ).toEqual(['flow.task.endTime: a task runs at most 7 days']);
    expect(issuesOf(volcengine({ durationSeconds: 8 * 86_400 }))[0]).toMatch(/^flow\.task\.durationSeconds: Too big/);
  });

  it('keeps the request-identity tag for the provisioner', () => {
    const issues = issuesOf(volcengine({}, { tags: [{ key: 'flow-provisioner:request-id', value: 'x' }] }));
    expect(issues).toEqual(['flow.tags.0.key: "flow-provisioner:request-id" is set by the provisioner']);
  });
});
