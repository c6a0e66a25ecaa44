/**
 * What Huawei refuses on CreateFlows and CreateFlowOutput that a request could carry, refused at the door instead
 * (docs/vendors/huawei-live.md, "Constraints", which names the public source of each rule). The contract
 * (`../../domain/requests/huawei-live.ts`) builds the huawei-live request from these.
 */
import { z } from 'zod';

/** Regions where Media Live offers flows (docs/vendors/huawei-live.md, "Constraints": region). */
export const HUAWEI_REGIONS = ['ap-southeast-1', 'ap-southeast-3', 'cn-north-4', 'cn-east-3'] as const;
/** Outputs per flow (docs/vendors/huawei-live.md, "Constraints": outputs). */
export const HUAWEI_MAX_OUTPUTS = 10;

export const huaweiRegion = z.enum(HUAWEI_REGIONS, {
  error: `Huawei Media Live offers flows in ${HUAWEI_REGIONS.join(', ')} only`,
});

/** Flow, source and output names: a letter first, then letters, digits, `-` and `_`, at most `max` characters. */
export const huaweiName = (what: 'flow' | 'source' | 'output', max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(
      /^[A-Za-z][A-Za-z0-9_-]*$/,
      `Huawei ${what} names start with a letter and hold only letters, digits, "-" and "_"`,
    );

/** CreateFlows takes only the `srt-password` key type for a source's decryption ("目前仅支持srt-password类型"). */
export const huaweiSourceKeyType = z.enum(['srt-password'], {
  error: 'Huawei CreateFlows supports only key type srt-password for a source',
});
