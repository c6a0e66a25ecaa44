/**
 * Get-or-create's lookup (docs/architecture.md, "Exactly-once effects"): CreatePullToPushGroup answering HTTP 429
 * `RequestLimitExceeded.Exist` means "already exists"; the group is adopted only if ListPullToPushGroup shows it
 * carrying our request-identity tag. Teardown reads the group the same way (`./teardown.ts`).
 */
import { z } from 'zod';
import type { VolcengineLiveRequest } from '../../domain/contract.ts';
import { VendorConflictError } from '../../domain/errors.ts';
import { REQUEST_ID_TAG } from '../types.ts';
import { unexpectedAnswer } from './errors.ts';

export const GROUP_PAGE_SIZE = 1000;

const groupItem = z.object({
  Name: z.string(),
  ProjectName: z.string().optional(),
  Tags: z.array(z.object({ Key: z.string(), Value: z.string().optional() })).nullish(),
  Status: z.number().optional(),
});
const listGroupsResult = z.object({ List: z.array(groupItem).nullish(), Total: z.number().int().optional() });

export type GroupItem = z.output<typeof groupItem>;

/** The client's calls the lookup makes: one paced vendor call each, errors mapped to the taxonomy. */
export interface LookupCalls {
  /** One ListPullToPushGroup page of `GROUP_PAGE_SIZE` groups: its `Result`, unparsed. */
  listGroups(region: string, page: number): Promise<unknown>;
}

/**
 * The group named `name` as ListPullToPushGroup lists it (there is no get by name), reading at most `maxGroupPages`
 * pages; `complete` says whether every group was read, so a group not found is really not there.
 */
export async function findGroup(
  calls: LookupCalls,
  region: string,
  name: string,
  maxGroupPages: number,
): Promise<{ group?: GroupItem; complete: boolean }> {
  for (let page = 1; page <= maxGroupPages; page++) {
    const result = listGroupsResult.safeParse(await calls.listGroups(region, page));
    if (!result.success) throw unexpectedAnswer('ListPullToPushGroup', 'Result.List missing');
    const groups = result.data.List ?? [];
    const group = groups.find((g) => g.Name === name);
    if (group) return { group, complete: true };
    if (groups.length < GROUP_PAGE_SIZE) return { complete: true };
  }
  return { complete: false };
}

/** The group exists: it is ours only if it carries our request-identity tag. */
export async function assertOurGroup(
  calls: LookupCalls,
  req: VolcengineLiveRequest,
  conflict: VendorConflictError,
  maxGroupPages: number,
): Promise<void> {
  const details = { ...conflict.details, operation: 'CreatePullToPushGroup' };
  const { group } = await findGroup(calls, req.region, req.flow.name, maxGroupPages);
  if (group) {
    if (group.Tags?.some((tag) => tag.Key === REQUEST_ID_TAG && tag.Value === req.requestId)) return;
    throw new VendorConflictError(
      `volcengine-live: pull-to-push group "${req.flow.name}" already exists and is not this request's (no ${REQUEST_ID_TAG}=${req.requestId} tag); choose another flow.name`,
      details,
      { cause: conflict },
    );
  }
  throw new VendorConflictError(
    `volcengine-live: Volcengine says group "${req.flow.name}" already exists but it is not listed; choose another flow.name`,
    details,
    { cause: conflict },
  );
}
