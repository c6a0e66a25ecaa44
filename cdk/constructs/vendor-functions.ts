/**
 * Vendor functions (DESIGN §4): one paced λ per vendor in `VENDORS` of `functions/shared/config.ts`, with its reserved
 * concurrency and timeout from that module, and the vendor's own permissions: AWS API permissions only for vendors
 * that are AWS APIs, none for the others (they call the vendor over signed HTTPS).
 */
import { existsSync } from 'node:fs';
import { ArnFormat, Aws, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { VENDORS, type VendorConfig } from '../../functions/shared/config.ts';
import type { VendorId } from '../../functions/shared/contract.ts';
import { constructIdOf } from '../naming.ts';
import { HouseFunction, repoPath } from './house-function.ts';

export interface VendorFunctionsProps {
  /**
   * Regions in which the AWS MediaConnect λ may create and manage flows (a request names its region).
   * @default the stack's region
   */
  readonly mediaConnectRegions?: readonly string[];
  /**
   * Removal policy of the functions' log groups.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Retention of the functions' log groups.
   * @default RetentionDays.ONE_MONTH (the house default)
   */
  readonly logRetention?: RetentionDays;
}

/** The MediaConnect actions the vendor task uses that accept a flow ARN as resource. */
export const MEDIACONNECT_FLOW_ACTIONS = [
  'mediaconnect:StartFlow',
  'mediaconnect:StopFlow',
  'mediaconnect:DescribeFlow',
  'mediaconnect:DeleteFlow',
  'mediaconnect:GrantFlowEntitlements',
  'mediaconnect:TagResource',
  'mediaconnect:ListTagsForResource',
] as const;

/**
 * The MediaConnect actions that take no flow ARN: CreateFlow (the flow, and so its ARN, does not exist yet) and
 * ListFlows (a list over the account and region). IAM only accepts `Resource: "*"` for them, so they are bounded by
 * `aws:RequestedRegion` instead.
 */
export const MEDIACONNECT_UNSCOPED_ACTIONS = ['mediaconnect:CreateFlow', 'mediaconnect:ListFlows'] as const;

export class VendorFunctions extends Construct {
  /** One function per configured vendor. */
  public readonly functions: Readonly<Partial<Record<VendorId, HouseFunction>>>;

  constructor(scope: Construct, id: string, props: VendorFunctionsProps = {}) {
    super(scope, id);
    const configs = Object.values(VENDORS) as readonly VendorConfig[];
    const missing = configs.map((c) => entryOf(c.vendor)).filter((entry) => !existsSync(repoPath(entry)));
    if (missing.length > 0) {
      throw new Error(
        `VENDORS in functions/shared/config.ts names vendors without an entry file: ${missing.join(', ')}`,
      );
    }

    const functions: Partial<Record<VendorId, HouseFunction>> = {};
    for (const config of configs) {
      const fn = new HouseFunction(this, constructIdOf(config.vendor), {
        entry: entryOf(config.vendor),
        description: `Vendor task for ${config.vendor}: one paced vendor call per invocation`,
        timeoutSeconds: config.functionTimeoutSeconds,
        // Bounds the calls in flight; with pacing it bounds the calls per window (C × ceil(W/T) ≤ L).
        reservedConcurrentExecutions: config.budget.reservedConcurrency,
        logRetention: props.logRetention,
        logRemovalPolicy: props.logRemovalPolicy,
      });
      if (config.vendor === 'aws-mediaconnect') grantMediaConnect(this, fn, props.mediaConnectRegions);
      functions[config.vendor] = fn;
    }
    this.functions = functions;
  }

  /** The function of one vendor; throws if the vendor is not configured. */
  public functionFor(vendor: VendorId): HouseFunction {
    const fn = this.functions[vendor];
    if (!fn) throw new Error(`no vendor function for ${vendor}: add it to VENDORS in functions/shared/config.ts`);
    return fn;
  }
}

function entryOf(vendor: VendorId): string {
  return `functions/vendor-task/${vendor}.ts`;
}

/**
 * The MediaConnect permissions of the vendor task, as their own policy so that the one `Resource: "*"` statement
 * carries its own suppression and reason.
 */
function grantMediaConnect(scope: Construct, fn: HouseFunction, regions: readonly string[] | undefined): void {
  const allowedRegions = regions && regions.length > 0 ? regions : [Aws.REGION];
  const stack = Stack.of(scope);
  const policy = new iam.Policy(scope, 'MediaConnectAccess', {
    statements: [
      new iam.PolicyStatement({
        sid: 'FlowsOfThisAccount',
        actions: [...MEDIACONNECT_FLOW_ACTIONS],
        resources: allowedRegions.map((region) =>
          // arn:aws:mediaconnect:<region>:<account>:flow:<flow id>:<flow name>
          stack.formatArn({
            service: 'mediaconnect',
            region,
            resource: 'flow',
            resourceName: '*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ),
      }),
      new iam.PolicyStatement({
        sid: 'CreateAndListFlows',
        actions: [...MEDIACONNECT_UNSCOPED_ACTIONS],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:RequestedRegion': [...allowedRegions] } },
      }),
    ],
  });
  policy.attachToRole(fn.role!);
  Validations.of(policy).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'mediaconnect:CreateFlow and mediaconnect:ListFlows take no flow ARN (the flow does not exist yet; the call lists ' +
      'the account), so IAM requires Resource "*"; aws:RequestedRegion limits them to the allowed regions.',
  });
  for (const region of allowedRegions) {
    const nagRegion = region === Aws.REGION ? '<AWS::Region>' : region;
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:mediaconnect:${nagRegion}:<AWS::AccountId>:flow:*]`,
      reason:
        'MediaConnect assigns flow ids at creation, so the flow actions are limited to the flows of this account in ' +
        `${nagRegion}, the narrowest ARN known at deploy time.`,
    });
  }
}
