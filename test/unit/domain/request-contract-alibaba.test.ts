import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRequest, parseRequestBody, SUPPORTED_VENDORS } from '../../../functions/domain/contract.ts';

const example = (vendor: string) =>
  JSON.parse(readFileSync(new URL(`../../../examples/${vendor}.json`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  > & { flow: Record<string, unknown> };

function issuesOf(value: unknown): string[] {
  const result = parseRequest(value);
  if (result.ok) throw new Error('expected the request to be rejected');
  return result.issues;
}

describe('request contract: alibaba-ice', () => {
  it('accepts the example and applies the defaults', () => {
    const ice = example('alibaba-ice');
    const result = parseRequestBody(JSON.stringify(ice));
    expect(result.ok).toBe(true);
    const minimal = { ...ice, entitlements: undefined, start: undefined, onFailure: undefined };
    const parsed = parseRequest(minimal);
    expect(parsed.ok && parsed.request).toMatchObject({
      vendor: 'alibaba-ice',
      entitlements: [],
      start: true,
      onFailure: 'keep',
    });
  });

  it('is a supported vendor', () => {
    expect(SUPPORTED_VENDORS).toEqual(expect.arrayContaining(['alibaba-ice', 'alibaba-cams']));
  });

  it('requires an input and rejects unknown fields', () => {
    const ice = example('alibaba-ice');
    expect(issuesOf({ ...ice, flow: { name: 'x' } })).toContain(
      'flow.input: Invalid input: expected object, received undefined',
    );
    expect(issuesOf({ ...ice, flow: { ...ice.flow, tags: { a: 'b' } } })).toEqual(['flow: Unrecognized key: "tags"']);
  });

  it('applies the per-protocol rules of the ICE docs, naming the field to fix', () => {
    const ice = example('alibaba-ice');
    const withInput = (input: Record<string, unknown>) => ({ ...ice, flow: { ...ice.flow, input } });
    expect(issuesOf(withInput({ name: 'in', protocol: 'RTMP-PULL' }))).toEqual([
      'flow.input.fromUrl: required for protocol RTMP-PULL',
    ]);
    expect(issuesOf(withInput({ name: 'in', protocol: 'Flow', pairFlowId: 'up' }))).toEqual([
      'flow.input.pairOutputName: required for protocol Flow',
    ]);
    expect(issuesOf(withInput({ name: 'in', protocol: 'RTMP-PUSH', srtLatency: 100 }))).toEqual([
      'flow.input.srtLatency: only applies to SRT protocols, not RTMP-PUSH',
    ]);
    expect(issuesOf(withInput({ name: 'in', protocol: 'SRT-Caller', fromUrl: 'http://x/y' }))).toEqual([
      'flow.input.fromUrl: must be an rtmp://, rtmps:// or srt:// URL',
    ]);
    expect(issuesOf(withInput({ name: 'in', protocol: 'RTMP-PUSH', cidrs: ['10.0.0.0/33'] }))).toEqual([
      'flow.input.cidrs.0: must be an IPv4 CIDR such as 203.0.113.0/24',
    ]);
    expect(
      parseRequest(withInput({ name: 'in', protocol: 'SRT-Caller', fromUrl: 'srt://origin.example:9000' })).ok,
    ).toBe(true);
  });

  it('limits outputs to four, unique by name, each valid for its protocol', () => {
    const ice = example('alibaba-ice');
    // The example's input is SRT, so its outputs are SRT too (RTMP outputs need an RTMP source).
    const output = (name: string) => ({ name, protocol: 'SRT-Listener' });
    expect(issuesOf({ ...ice, entitlements: ['a', 'b', 'c', 'd', 'e'].map(output) })).toEqual([
      'entitlements: an ICE flow has at most 4 outputs',
    ]);
    expect(issuesOf({ ...ice, entitlements: [output('a'), output('a')] })).toEqual([
      'entitlements.1.name: output names must be unique within a flow',
    ]);
    expect(issuesOf({ ...ice, entitlements: [{ name: 'p', protocol: 'SRT-Caller' }] })).toEqual([
      'entitlements.0.toUrl: required for protocol SRT-Caller',
    ]);
    expect(issuesOf({ ...ice, entitlements: [{ ...output('a'), playerLimit: 6 }] })[0]).toMatch(
      /^entitlements\.0\.playerLimit: /,
    );
  });
});

describe('request contract: alibaba-cams', () => {
  it('accepts the example', () => {
    const parsed = parseRequest(example('alibaba-cams'));
    expect(parsed.ok && parsed.request).toMatchObject({ vendor: 'alibaba-cams', entitlements: [] });
  });

  it('rejects entitlements with a message that says why and what to do', () => {
    const issues = issuesOf({
      ...example('alibaba-cams'),
      entitlements: [{ name: 'partner', subscribers: ['111122223333'] }],
    });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(
      /^entitlements: alibaba-cams flows cannot be shared: CAMS has no entitlement or output API/,
    );
    expect(issues[0]).toContain('omit "entitlements" or send []');
  });

  it('only accepts the region CAMS serves', () => {
    expect(issuesOf({ ...example('alibaba-cams'), region: 'cn-hangzhou' })).toEqual([
      'region: CAMS Flow APIs are only served in ap-southeast-1',
    ]);
  });

  it('requires known, distinct categories and http(s) asset URLs', () => {
    const cams = example('alibaba-cams');
    const withFlow = (patch: Record<string, unknown>) => ({ ...cams, flow: { ...cams.flow, ...patch } });
    expect(issuesOf(withFlow({ categories: [] }))[0]).toMatch(/^flow\.categories: /);
    expect(issuesOf(withFlow({ categories: ['GAMES'] }))[0]).toMatch(/^flow\.categories\.0: /);
    expect(issuesOf(withFlow({ categories: ['SURVEY', 'SURVEY'] }))).toEqual([
      'flow.categories: categories must not repeat',
    ]);
    expect(issuesOf(withFlow({ jsonAsset: { filePath: 'ftp://x/y.json' } }))).toEqual([
      'flow.jsonAsset.filePath: must be an http(s) URL',
    ]);
    expect(issuesOf(withFlow({ categories: undefined }))[0]).toMatch(/^flow\.categories: /);
  });

  it('lists every problem at once', () => {
    const issues = issuesOf({
      ...example('alibaba-cams'),
      region: 'eu-west-1',
      flow: { name: '-bad' },
      entitlements: [1],
    });
    expect(issues.map((i) => i.split(':')[0])).toEqual(
      expect.arrayContaining(['region', 'flow.name', 'flow.categories', 'entitlements']),
    );
  });
});
