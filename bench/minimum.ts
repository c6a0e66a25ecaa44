/**
 * Each vendor's documented minimum of calls per flow on the happy path, for the bench's requests (`examples/<vendor>.json`,
 * which `local/batch/demo-batch.ts` varies), and the documented scopes as the bench compares against them. The
 * reasoning for each minimum is in docs/benchmarks.md, "The documented minimum".
 */
import { type RateBudget, scopeCovers, vendorConfig } from '../functions/domain/config.ts';
import type { VendorId } from '../functions/domain/contract.ts';
import type { ScopeLimit } from './flows.ts';

export const DOCUMENTED_MINIMUM: Readonly<Record<VendorId, Readonly<Record<string, number>>>> = {
  // Create (source included), start (answers STARTING), one read that confirms ACTIVE, one grant of the entitlement.
  'aws-mediaconnect': { CreateFlow: 1, StartFlow: 1, DescribeFlow: 1, GrantFlowEntitlements: 1 },
  // Create, its input, online (synchronous: the answer is the state), one output per entitlement (two).
  'alibaba-ice': {
    CreateMediaConnectFlow: 1,
    AddMediaConnectFlowInput: 1,
    UpdateMediaConnectFlowStatus: 1,
    AddMediaConnectFlowOutput: 2,
  },
  // Create, the JSON asset, publish (asynchronous), one read that confirms PUBLISHED.
  'alibaba-cams': { CreateFlow: 1, UpdateFlowJSONAsset: 1, PublishFlow: 1, GetFlow: 1 },
  // Create, start (answers the state; a flow still STANDBY is read once more), one output.
  'huawei-live': { CreateFlows: 1, ModifyFlowStart: 1, ShowFlowDetail: 1, CreateFlowOutput: 1 },
  // Group and task; the task runs from its StartTime and the create's answer says so. CreatePullToPushTask answers
  // only the id, so the outcome event's addresses cost one list (the lists scope, which does not bind).
  'volcengine-live': { CreatePullToPushGroup: 1, CreatePullToPushTask: 1, ListPullToPushTaskV2: 1 },
};

/**
 * The vendor's documented scopes as the bench counts them: a scope counted for each operation becomes one scope per
 * operation in `operations` (those seen or in the minimum); a scope counted per Region is one Region here.
 */
export function benchScopes(vendor: VendorId, operations: readonly string[]): ScopeLimit[] {
  const budget: RateBudget = vendorConfig(vendor).budget;
  const scopes: ScopeLimit[] = [];
  for (const scope of budget.scopes) {
    const base = { limit: scope.documentedLimit, windowSeconds: scope.windowSeconds };
    if (scope.eachOperation) {
      for (const op of operations) if (scopeCovers(scope, op)) scopes.push({ name: op, operations: [op], ...base });
    } else {
      scopes.push({ name: scope.name, operations: scope.operations, ...base });
    }
  }
  return scopes;
}
