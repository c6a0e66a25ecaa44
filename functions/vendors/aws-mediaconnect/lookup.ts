/**
 * Get-or-create's lookup (docs/architecture.md, "Exactly-once effects"): MediaConnect has no client token and accepts
 * duplicate flow names, so a CreateFlow retried after a lost answer would make a second flow. Every flow we create
 * carries the tag `flow-provisioner:request-id`; before creating, ListFlows finds the flows of that name and
 * ListTagsForResource tells ours (adopted) from someone else's (`VendorConflict`: we never create a second flow of a
 * taken name).
 */
import type { AwsMediaConnectRequest } from '../../domain/contract.ts';
import { VendorConflictError } from '../../domain/errors.ts';
import { REQUEST_ID_TAG } from '../types.ts';
import { isNotFound } from './errors.ts';

const VENDOR = 'aws-mediaconnect';
/** ListFlows page size (the API's maximum); an account holds 20 flows per region by default. */
export const LIST_PAGE_SIZE = 1000;

/** A flow as ListFlows lists it. */
export interface ListedFlow {
  readonly FlowArn: string;
  readonly Name: string;
  readonly Status: string;
}

/** The client's calls the lookup makes: one paced vendor call each, errors mapped to the taxonomy. */
export interface LookupCalls {
  /** One ListFlows page of `LIST_PAGE_SIZE` flows. */
  listFlows(
    region: string,
    nextToken: string | undefined,
  ): Promise<{ readonly Flows: readonly ListedFlow[]; readonly NextToken?: string | undefined }>;
  /** ListTagsForResource: the flow's tags. */
  tagsOf(region: string, flowArn: string): Promise<Record<string, string>>;
}

/**
 * The flow of this request, if one exists: flows named `flow.name` (ListFlows, paged, at most `maxListPages` pages)
 * whose request-id tag is ours (ListTagsForResource). A namesake without our tag is someone else's: `VendorConflict`,
 * never a second flow.
 */
export async function findOwnFlow(
  calls: LookupCalls,
  request: AwsMediaConnectRequest,
  maxListPages: number,
): Promise<ListedFlow | undefined> {
  const name = request.flow.name;
  const foreign: string[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < maxListPages; page++) {
    const listed = await calls.listFlows(request.region, nextToken);
    for (const flow of listed.Flows.filter((f) => f.Name === name)) {
      let tags: Record<string, string>;
      try {
        tags = await calls.tagsOf(request.region, flow.FlowArn);
      } catch (error) {
        if (isNotFound(error)) continue; // deleted since it was listed
        throw error;
      }
      if (tags[REQUEST_ID_TAG] === request.requestId) return flow;
      foreign.push(`${flow.FlowArn} (${REQUEST_ID_TAG}=${tags[REQUEST_ID_TAG] ?? 'none'})`);
    }
    nextToken = listed.NextToken;
    if (nextToken === undefined) break;
  }
  if (foreign.length > 0) {
    throw new VendorConflictError(
      `MediaConnect: flow name "${name}" is taken in ${request.region} by ${foreign.join(', ')}, not this request's; choose another flow.name or delete that flow`,
      { vendor: VENDOR, operation: 'CreateFlow' },
    );
  }
  if (nextToken !== undefined) {
    throw new VendorConflictError(
      `MediaConnect: more than ${maxListPages * LIST_PAGE_SIZE} flows in ${request.region}; could not make sure no flow of this request exists, so none was created`,
      { vendor: VENDOR, operation: 'ListFlows' },
    );
  }
  return undefined;
}
