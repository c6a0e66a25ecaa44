/**
 * The house `NodejsFunction`: every λ of the project is built with the same runtime, bundling, tracing and logging,
 * so a new function cannot forget one of them (STYLE: "a small NodejsFunction subclass that carries the house
 * defaults").
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** The repository root: entries, the lock file and esbuild's working directory are resolved from it, not from cwd. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Resolves a repository-relative path (e.g. `functions/dispatcher/handler.ts`) to an absolute one. */
export function repoPath(relative: string): string {
  return join(REPO_ROOT, relative);
}

/**
 * Defines `require` in the ESM bundle so that CommonJS dependencies bundled into it (e.g. parts of the X-Ray SDK used
 * by Powertools Tracer) can still `require()` Node built-ins. The alias avoids clashing with a bundled identifier.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __houseCreateRequire } from 'node:module'; const require = __houseCreateRequire(import.meta.url);";

/** The house defaults that callers cannot override: they are what makes a function a house function. */
type EnforcedProps =
  | 'runtime'
  | 'architecture'
  | 'tracing'
  | 'logGroup'
  | 'logRetention'
  | 'bundling'
  | 'entry'
  | 'handler'
  | 'projectRoot'
  | 'depsLockFilePath'
  | 'role'
  | 'timeout';

export interface HouseFunctionProps extends Omit<NodejsFunctionProps, EnforcedProps> {
  /** The entry file, relative to the repository root, e.g. `functions/dispatcher/handler.ts`. */
  readonly entry: string;
  /**
   * The exported handler.
   * @default 'handler'
   */
  readonly handler?: string;
  /** The function timeout, in seconds; always read from `functions/domain/config.ts`. */
  readonly timeoutSeconds: number;
  /**
   * `POWERTOOLS_SERVICE_NAME` of the function.
   * @default 'flow-provisioner'
   */
  readonly serviceName?: string;
  /**
   * Retention of the function's log group.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * What happens to the log group when the function is removed from the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * A Node 22 ARM64 λ with active tracing, its own log group with retention, an ESM bundle (minified, source maps,
 * `keepNames` so error class names survive for the ASL's `ErrorEquals`) and a role that may write only to its own log
 * group. Bundling is local (esbuild), never Docker.
 */
export class HouseFunction extends NodejsFunction {
  /** The function's own log group (also reachable as `logGroup`). */
  public readonly functionLogGroup: LogGroup;
  /** The entry file, relative to the repository root (what the bundle starts from). */
  public readonly entry: string;

  constructor(scope: Construct, id: string, props: HouseFunctionProps) {
    const { entry, handler, timeoutSeconds, serviceName, logRetention, logRemovalPolicy, environment, ...rest } = props;
    // The log group and role are created beside the function (a subclass cannot create children before `super`).
    const functionLogGroup = new LogGroup(scope, `${id}LogGroup`, {
      retention: logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    // An explicit role instead of the AWSLambdaBasicExecutionRole managed policy (logs:* on every log group, and a
    // cdk-nag IAM4 finding): this role may only write to the function's own log group.
    const role = new iam.Role(scope, `${id}ServiceRole`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${id}`,
    });
    functionLogGroup.grantWrite(role);

    super(scope, id, {
      ...rest,
      entry: repoPath(entry),
      handler: handler ?? 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: repoPath('package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      tracing: Tracing.ACTIVE,
      timeout: Duration.seconds(timeoutSeconds),
      memorySize: rest.memorySize ?? 256,
      logGroup: functionLogGroup,
      role,
      environment: {
        POWERTOOLS_SERVICE_NAME: serviceName ?? 'flow-provisioner',
        // Stack traces in the logs point at the TypeScript sources.
        NODE_OPTIONS: '--enable-source-maps',
        ...environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        // Prefer the ESM build of dependencies that ship both, so tree-shaking works.
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        keepNames: true,
        forceDockerBundling: false,
        // Nothing is left to the runtime, the AWS SDK included: the runtime's SDK version is not ours to pin, and
        // @aws-sdk/client-mediaconnect is pinned at 3.654 in package.json on purpose. Bundling every client keeps the
        // deployed code the code we tested.
        bundleAwsSDK: true,
        externalModules: [],
      },
    });
    this.functionLogGroup = functionLogGroup;
    this.entry = entry;
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level ' +
        'permissions (IAM requires Resource "*"). The role\'s other statements name their resources.',
    });
    Validations.of(this).acknowledge({
      id: 'Serverless-LambdaLatestVersion',
      reason:
        'Node.js 22 is a deliberate, supported LTS runtime (docs/architecture.md, "Configuration": the Lambda target is Node 22), as for ' +
        'AwsSolutions-L1; a newer runtime is a separate, tested change of the house default.',
    });
    Validations.of(this).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'A Lambda dead-letter target only receives failed asynchronous invocations, and no house function is invoked ' +
        'asynchronously: Step Functions and the SQS event sources invoke synchronously, and their failures are ' +
        "handled by the workflow's Retry/Catch (failure records on provision-dlq) and the queues' redrive policies.",
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is a deliberate, supported LTS runtime (docs/architecture.md, "Configuration": the Lambda target is Node 22); moving to a newer ' +
        'runtime is a separate, tested change of the house default.',
    });
  }
}
