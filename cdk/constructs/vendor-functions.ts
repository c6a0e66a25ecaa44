/**
 * Vendor functions (docs/architecture.md, "Pacing"): one paced λ per vendor in `VENDORS` of `functions/domain/config.ts`, with its reserved
 * concurrency and timeout from that module, and the vendor's own permissions: AWS API permissions only for vendors
 * that are AWS APIs; for the others (they call the vendor over signed HTTPS) read access to their own credentials
 * secret, and nothing else.
 *
 * In queue mode (`DISPATCH_MODE`) each λ also gets its task queue and consumes it (`./vendor-task-queue.ts`); the
 * workflow construct grants it the answers to its own state machine's task tokens.
 */
import { existsSync } from 'node:fs';
import { ArnFormat, Aws, type RemovalPolicy, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  DISPATCH_MODE,
  type DispatchMode,
  laneSuffix,
  VENDOR_LANE_ENV,
  VENDORS,
  type VendorConfig,
  vendorLanes,
} from '../../functions/domain/config.ts';
import type { VendorId } from '../../functions/domain/contract.ts';
import {
  CREDENTIALS_PLACEHOLDER,
  VENDOR_CREDENTIAL_KEYS,
  VENDOR_SECRET_ARN_ENV,
} from '../../functions/domain/vendor-credentials.ts';
import { constructIdOf } from '../naming.ts';
import { HouseFunction, repoPath } from './house-function.ts';
import { VendorTaskQueue } from './vendor-task-queue.ts';

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
  /**
   * Removal policy of the vendor credential secrets.
   * @default RemovalPolicy.RETAIN (the secret's default)
   */
  readonly secretRemovalPolicy?: RemovalPolicy;
  /**
   * How the workflow reaches the λs: `queue` gives each λ a task queue it consumes; `invoke` none.
   * @default DISPATCH_MODE of functions/domain/config.ts
   */
  readonly dispatchMode?: DispatchMode;
  /**
   * Removal policy of the task queues (queue mode).
   * @default RemovalPolicy.RETAIN
   */
  readonly queueRemovalPolicy?: RemovalPolicy;
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
  /**
   * One credentials secret per vendor that is not an AWS API, read by that vendor's function only. Created holding
   * {@link CREDENTIALS_PLACEHOLDER} under each key of `VENDOR_CREDENTIAL_KEYS`; operators put the real values in it.
   */
  public readonly secrets: Readonly<Partial<Record<VendorId, secretsmanager.Secret>>>;
  /** How the workflow reaches these λs. */
  public readonly dispatchMode: DispatchMode;
  /** Queue mode: the task queue (and its DLQ) of each vendor's first lane; empty in invoke mode. */
  public readonly taskQueues: Readonly<Partial<Record<VendorId, VendorTaskQueue>>>;
  /** Every lane's λ by vendor and lane name (`functions` holds each vendor's first). */
  public readonly laneFunctions: Readonly<Partial<Record<VendorId, Readonly<Record<string, HouseFunction>>>>>;
  /** Queue mode: every lane's task queue by vendor and lane name; empty in invoke mode. */
  public readonly laneTaskQueues: Readonly<Partial<Record<VendorId, Readonly<Record<string, VendorTaskQueue>>>>>;

  constructor(scope: Construct, id: string, props: VendorFunctionsProps = {}) {
    super(scope, id);
    const configs = Object.values(VENDORS) as readonly VendorConfig[];
    const missing = configs.map((c) => entryOf(c.vendor)).filter((entry) => !existsSync(repoPath(entry)));
    if (missing.length > 0) {
      throw new Error(
        `VENDORS in functions/domain/config.ts names vendors without an entry file: ${missing.join(', ')}`,
      );
    }

    this.dispatchMode = props.dispatchMode ?? DISPATCH_MODE;
    const functions: Partial<Record<VendorId, HouseFunction>> = {};
    const secrets: Partial<Record<VendorId, secretsmanager.Secret>> = {};
    const taskQueues: Partial<Record<VendorId, VendorTaskQueue>> = {};
    const laneFunctions: Partial<Record<VendorId, Record<string, HouseFunction>>> = {};
    const laneTaskQueues: Partial<Record<VendorId, Record<string, VendorTaskQueue>>> = {};
    for (const config of configs) {
      const secret = credentialsSecret(this, config.vendor, props.secretRemovalPolicy);
      if (secret) secrets[config.vendor] = secret;
      // One λ per lane (docs/adr/0007-lanes.md); the first keeps the vendor's construct id and names.
      // Invoke mode: the first lane's λ serves every step (the workflow invokes one function per vendor).
      const lanes = this.dispatchMode === 'queue' ? vendorLanes(config.budget) : vendorLanes(config.budget).slice(0, 1);
      const laneFns: Record<string, HouseFunction> = {};
      const laneQueues: Record<string, VendorTaskQueue> = {};
      for (const [index, lane] of lanes.entries()) {
        const laneId =
          index === 0 ? constructIdOf(config.vendor) : `${constructIdOf(config.vendor)}${pascal(lane.name)}`;
        const fn = new HouseFunction(this, laneId, {
          entry: entryOf(config.vendor),
          description:
            this.dispatchMode === 'queue'
              ? `Vendor task for ${config.vendor} (lane ${lane.name}): one paced work item of its task queue per invocation`
              : `Vendor task for ${config.vendor}: one paced vendor call per invocation`,
          timeoutSeconds: config.functionTimeoutSeconds,
          // Bounds the calls in flight; with pacing it bounds the calls per window (C × ceil(W/T) ≤ L per scope, C
          // counting every lane that may call it).
          reservedConcurrentExecutions: lane.reservedConcurrency,
          logRetention: props.logRetention,
          logRemovalPolicy: props.logRemovalPolicy,
        });
        if (lanes.length > 1) fn.addEnvironment(VENDOR_LANE_ENV, lane.name);
        if (secret) {
          fn.addEnvironment(VENDOR_SECRET_ARN_ENV, secret.secretArn);
          // GetSecretValue only (not grantRead's DescribeSecret), on this one secret. It is encrypted with the AWS
          // managed key aws/secretsmanager, whose policy lets Secrets Manager decrypt for callers allowed to read the
          // secret: no kms:Decrypt grant.
          fn.addToRolePolicy(
            new iam.PolicyStatement({
              sid: 'OwnVendorCredentials',
              actions: ['secretsmanager:GetSecretValue'],
              resources: [secret.secretArn],
            }),
          );
        }
        if (this.dispatchMode === 'queue') {
          laneQueues[lane.name] = new VendorTaskQueue(this, `${laneId}Tasks`, {
            config,
            lane,
            laneSuffix: laneSuffix(config.budget, lane.name),
            consumer: fn,
            removalPolicy: props.queueRemovalPolicy,
          });
        }
        laneFns[lane.name] = fn;
      }
      if (config.vendor === 'aws-mediaconnect') {
        grantMediaConnect(this, Object.values(laneFns), props.mediaConnectRegions);
      }
      functions[config.vendor] = laneFns[lanes[0]!.name]!;
      laneFunctions[config.vendor] = laneFns;
      if (this.dispatchMode === 'queue') {
        taskQueues[config.vendor] = laneQueues[lanes[0]!.name]!;
        laneTaskQueues[config.vendor] = laneQueues;
      }
    }
    this.functions = functions;
    this.secrets = secrets;
    this.taskQueues = taskQueues;
    this.laneFunctions = laneFunctions;
    this.laneTaskQueues = laneTaskQueues;
  }

  /** The function of one vendor; throws if the vendor is not configured. */
  public functionFor(vendor: VendorId): HouseFunction {
    const fn = this.functions[vendor];
    if (!fn) throw new Error(`no vendor function for ${vendor}: add it to VENDORS in functions/domain/config.ts`);
    return fn;
  }
}

/** `read-only` → `ReadOnly`: a lane name in a construct id. */
function pascal(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function entryOf(vendor: VendorId): string {
  return `functions/flow-steps/entries/${vendor}.ts`;
}

/**
 * The vendor's credentials secret, or `undefined` for a vendor that signs with the function role. Its value is a JSON
 * object of placeholders: CloudFormation never sees a credential, and CloudFormation leaves the value alone on later
 * deployments as long as this template value does not change, so what an operator puts in the secret stays.
 */
function credentialsSecret(
  scope: Construct,
  vendor: VendorId,
  removalPolicy: RemovalPolicy | undefined,
): secretsmanager.Secret | undefined {
  const keys: readonly string[] = VENDOR_CREDENTIAL_KEYS[vendor];
  if (keys.length === 0) return undefined;
  const secret = new secretsmanager.Secret(scope, `${constructIdOf(vendor)}Credentials`, {
    description: `flow-provisioner: ${vendor} credentials, a JSON object with ${keys.join(', ')}`,
    secretObjectValue: Object.fromEntries(
      keys.map((key) => [key, SecretValue.unsafePlainText(CREDENTIALS_PLACEHOLDER)]),
    ),
    ...(removalPolicy ? { removalPolicy } : {}),
  });
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      `The secret holds ${vendor} access keys issued by the vendor, not by AWS: Secrets Manager cannot rotate them ` +
      "without a rotation function calling the vendor's own IAM API with an administrator key, which this project " +
      'does not hold. Operators rotate them at the vendor and put the new values in the secret; the vendor λ picks ' +
      'them up within SECRETS.cacheSeconds (docs/observability.md, README "Secrets").',
  });
  return secret;
}

/**
 * The MediaConnect permissions of the vendor task, as their own policy so that the one `Resource: "*"` statement
 * carries its own suppression and reason.
 */
function grantMediaConnect(
  scope: Construct,
  fns: readonly HouseFunction[],
  regions: readonly string[] | undefined,
): void {
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
  // Every lane's λ runs the same entry, so each may send what the entry sends (test/infra/iam.test.ts).
  for (const fn of fns) policy.attachToRole(fn.role!);
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
