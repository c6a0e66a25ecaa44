/**
 * One request per documented vendor constraint (docs/vendors/<vendor>.md, "Constraints"), each breaking that rule
 * and nothing else: built from the vendor's example, so everything but the one rule is valid. The contract tests,
 * the dispatcher batch and the poison corpus all read this list.
 */
import type { VendorId } from '../../functions/domain/contract.ts';
import { exampleRequest } from '../../local/batch/demo-batch.ts';

type Json = Record<string, unknown>;

export interface RuleBreaker {
  readonly vendor: VendorId;
  /** The vendor rule, in a few words. */
  readonly rule: string;
  readonly request: Json;
  /** The one issue the contract must report: its path and what the vendor allows. */
  readonly issue: RegExp;
}

function breaking(vendor: VendorId, rule: string, change: (request: Json) => void, issue: RegExp): RuleBreaker {
  const request = structuredClone(exampleRequest(vendor));
  request.requestId = `rule-${vendor}-${rule.replace(/[^A-Za-z0-9]+/g, '-')}`.slice(0, 80);
  change(request);
  return { vendor, rule, request, issue };
}

const flowOf = (request: Json) => request.flow as Json;
const range = (count: number) => Array.from({ length: count }, (_, i) => i);

export const RULE_BREAKERS: readonly RuleBreaker[] = [
  breaking(
    'aws-mediaconnect',
    'tags per flow include ours',
    (r) => {
      flowOf(r).tags = Object.fromEntries(range(50).map((i) => [`k${i}`, 'v']));
    },
    /^flow\.tags: MediaConnect allows 50 tags per flow and the provisioner adds its own .*at most 49 \(got 50\)$/,
  ),
  breaking(
    'aws-mediaconnect',
    'identity tag is ours',
    (r) => {
      flowOf(r).tags = { 'flow-provisioner:request-id': 'someone-else' };
    },
    /^flow\.tags\.flow-provisioner:request-id: "flow-provisioner:request-id" is set by the provisioner$/,
  ),
  breaking(
    'aws-mediaconnect',
    'aws: tag keys',
    (r) => {
      flowOf(r).tags = { 'aws:createdBy': 'me' };
    },
    /^flow\.tags\.aws:createdBy: AWS reserves tag keys that start with "aws:"$/,
  ),
  breaking(
    'aws-mediaconnect',
    'entitlement names unique',
    (r) => {
      const [first] = r.entitlements as Json[];
      r.entitlements = [first, { ...first }];
    },
    /^entitlements\.1\.name: MediaConnect needs entitlement names unique within a flow; "partner-broadcaster" repeats$/,
  ),
  breaking(
    'aws-mediaconnect',
    'entitlements per flow',
    (r) => {
      const [first] = r.entitlements as Json[];
      r.entitlements = range(51).map((i) => ({ ...first, name: `e${i}` }));
    },
    /^entitlements: MediaConnect allows at most 50 entitlements per flow$/,
  ),
  breaking(
    'alibaba-ice',
    'regions with an endpoint',
    (r) => {
      r.region = 'eu-central-1';
    },
    /^region: ICE MediaConnect is served in ap-southeast-1, cn-beijing, cn-hangzhou, cn-shanghai, cn-shenzhen, us-west-1 only$/,
  ),
  breaking(
    'alibaba-ice',
    'outputs per flow',
    (r) => {
      const [first] = r.entitlements as Json[];
      r.entitlements = range(5).map((i) => ({ ...first, name: `out${i}` }));
    },
    /^entitlements: an ICE flow has at most 4 outputs$/,
  ),
  breaking(
    'alibaba-ice',
    'RTMP outputs need an RTMP source',
    (r) => {
      const [first] = r.entitlements as Json[];
      r.entitlements = [first, { name: 'cdn-push', protocol: 'RTMP-PUSH', toUrl: 'rtmp://push.example.net/live/x' }];
    },
    /^entitlements\.1\.protocol: ICE serves an RTMP-PUSH output only from an RTMP source; this flow's input is SRT-Listener$/,
  ),
  breaking(
    'alibaba-cams',
    'publish needs the flow JSON',
    (r) => {
      delete flowOf(r).jsonAsset;
    },
    /^flow\.jsonAsset: CAMS publishes a flow \(start: true\) only with its flow JSON: give flow\.jsonAsset\.filePath, or set start: false to leave the flow a draft$/,
  ),
  breaking(
    'alibaba-cams',
    'Singapore only',
    (r) => {
      r.region = 'cn-hangzhou';
    },
    /^region: CAMS Flow APIs are only served in ap-southeast-1$/,
  ),
  breaking(
    'huawei-live',
    'flow name starts with a letter',
    (r) => {
      flowOf(r).name = '2026-concert';
    },
    /^flow\.name: Huawei flow names start with a letter and hold only letters, digits, "-" and "_"$/,
  ),
  breaking(
    'huawei-live',
    'source name starts with a letter',
    (r) => {
      const [source] = flowOf(r).sources as Json[];
      source!.name = '_encoder';
    },
    /^flow\.sources\.0\.name: Huawei source names start with a letter and hold only letters, digits, "-" and "_"$/,
  ),
  breaking(
    'huawei-live',
    'srt-password key type only',
    (r) => {
      const [source] = flowOf(r).sources as Json[];
      source!.decryption = { keyType: 'static-key', passphrase: 'a-static-key-0123456789', algorithm: 'aes256' };
    },
    /^flow\.sources\.0\.decryption\.keyType: Huawei CreateFlows supports only key type srt-password for a source$/,
  ),
  breaking(
    'huawei-live',
    'outputs per flow',
    (r) => {
      const [first] = r.entitlements as Json[];
      r.entitlements = range(11).map((i) => ({ ...first, name: `out${i}`, port: 9001 + i }));
    },
    /^entitlements: a Huawei flow has at most 10 outputs$/,
  ),
  breaking(
    'huawei-live',
    'regions with flows',
    (r) => {
      r.region = 'eu-west-101';
    },
    /^region: Huawei Media Live offers flows in ap-southeast-1, ap-southeast-3, cn-north-4, cn-east-3 only$/,
  ),
  breaking(
    'volcengine-live',
    'StartTime is 32-bit seconds',
    (r) => {
      const task = flowOf(r).task as Json;
      task.startTime = 2 ** 31;
    },
    /^flow\.task\.startTime: Volcengine takes StartTime and EndTime as 32-bit seconds: at most 2147483647 \(2038-01-19T03:14:07Z\)$/,
  ),
  breaking(
    'volcengine-live',
    'EndTime is 32-bit seconds',
    (r) => {
      const task = flowOf(r).task as Json;
      task.startTime = 2 ** 31 - 3600;
    },
    /^flow\.task\.durationSeconds: startTime \+ durationSeconds is EndTime, which Volcengine takes as 32-bit seconds: at most 2147483647$/,
  ),
  breaking(
    'volcengine-live',
    'title length',
    (r) => {
      const task = flowOf(r).task as Json;
      task.title = 'T'.repeat(21);
    },
    /^flow\.task\.title: .*20 characters$/,
  ),
];
