/**
 * Synthesizes the CDK app the way `cdk synth` does (the context of `cdk.json`, the cdk-nag plugin) into a temporary
 * directory, once per call: bundling takes seconds, so an infra test file calls this once in `beforeAll`.
 *
 * A cdk-nag finding makes `app.synth()` throw after the assembly is written; the template is read from the assembly
 * anyway and the findings are returned, so one test names them instead of every test failing on the same error.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PolicyViolation } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { buildApp } from '../../cdk/build-app.ts';
import { REPO_ROOT } from '../../cdk/constructs/house-function.ts';
import { ALARM_PREFIX, type AlarmKind, alarmName } from '../../cdk/constructs/observability.ts';
import { stateMachineName } from '../../cdk/naming.ts';
import type { FlowProvisionerStack } from '../../cdk/stack.ts';
import type { VendorId } from '../../functions/domain/contract.ts';

export interface SynthResult {
  readonly stack: FlowProvisionerStack;
  readonly template: Template;
  /** The assembly directory (asset bundles live under it). */
  readonly outdir: string;
  /** Unacknowledged AwsSolutions and Serverless findings, errors and warnings. */
  readonly nagViolations: readonly PolicyViolation[];
  /** What `app.synth()` threw, if anything (a cdk-nag finding, an invalid construct). */
  readonly synthError: Error | undefined;
  /** Removes the assembly directory. */
  cleanup(): void;
}

export interface SynthOptions {
  /** Context on top of `cdk.json`'s, e.g. `{ stage: 'prod' }`. */
  readonly context?: Record<string, unknown>;
  /** Skip esbuild (for tests that only read resource properties). @default false */
  readonly skipBundling?: boolean;
}

export function synthFlowProvisioner(options: SynthOptions = {}): SynthResult {
  const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  const outdir = mkdtempSync(join(tmpdir(), 'flow-provisioner-cdk-'));
  const cleanup = () => rmSync(outdir, { recursive: true, force: true });
  let built: ReturnType<typeof buildApp>;
  try {
    built = buildApp({
      outdir,
      context: {
        ...cdkJson.context,
        ...options.context,
        ...(options.skipBundling ? { 'aws:cdk:bundling-stacks': [] } : {}),
      },
    });
  } catch (error) {
    cleanup();
    throw error;
  }
  const { app, stack } = built;
  const nagViolations = [
    new AwsSolutionsChecks(undefined, { verbose: false }),
    new ServerlessChecks(undefined, { verbose: false }),
  ].flatMap((pack) => pack.validateScope(app).violations);
  let synthError: Error | undefined;
  try {
    app.synth();
  } catch (error) {
    synthError = error as Error;
  }
  const template = Template.fromJSON(JSON.parse(readFileSync(join(outdir, stack.templateFile), 'utf8')));
  return {
    stack,
    template,
    outdir,
    nagViolations,
    synthError,
    cleanup,
  };
}

/** The path of the bundled `index.mjs` of a function resource, from the assembly's asset manifest (`Code.S3Key`). */
export function bundlePathOf(synth: SynthResult, functionLogicalId: string): string {
  const fn = synth.template.toJSON().Resources[functionLogicalId];
  const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
  const manifest = JSON.parse(readFileSync(join(synth.outdir, `${synth.stack.stackName}.assets.json`), 'utf8')) as {
    files: Record<string, { source: { path: string } }>;
  };
  const asset = manifest.files[hash];
  if (!asset) throw new Error(`no asset ${hash} for ${functionLogicalId}`);
  return join(synth.outdir, asset.source.path, 'index.mjs');
}

/** The bundled `index.mjs` of a function resource. */
export function bundleOf(synth: SynthResult, functionLogicalId: string): string {
  return readFileSync(bundlePathOf(synth, functionLogicalId), 'utf8');
}

/** A resource's logical id in the synthesized template. */
export function logicalIdOf(stack: FlowProvisionerStack, construct: { node: { defaultChild?: unknown } }): string {
  const element = construct.node.defaultChild;
  if (!element) throw new Error('construct has no default child');
  return stack.resolve(stack.getLogicalId(element as Parameters<FlowProvisionerStack['getLogicalId']>[0])) as string;
}

/** One IAM policy statement as synthesized. */
export interface Statement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, unknown>;
  readonly Sid?: string;
}

export const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** `{ "Fn::GetAtt": [id, "Arn"] }`: how a template refers to a resource's ARN. */
export const getAtt = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

/** `arn:<partition>:<service>:<region>:<account>:<resource>` as CDK's `formatArn` renders it in the template. */
export const stackArn = (service: string, resource: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      `:${service}:`,
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:${resource}`,
    ],
  ],
});

/** Order-insensitive form of a resource list (the minimizePolicies flag merges and sorts statements). */
export const asSet = (resources: unknown[]) => resources.map((r) => JSON.stringify(r)).sort();

/** Every identity-policy statement in the template (managed, inline and role-embedded), with the role(s) it is on. */
export function identityStatements(template: Template): { roles: string[]; statement: Statement }[] {
  const found: { roles: string[]; statement: Statement }[] = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const roles = (policy.Properties.Roles ?? []).map((r: { Ref: string }) => r.Ref);
    for (const statement of policy.Properties.PolicyDocument.Statement as Statement[]) found.push({ roles, statement });
  }
  for (const [id, role] of Object.entries(template.findResources('AWS::IAM::Role'))) {
    for (const inline of role.Properties.Policies ?? []) {
      for (const statement of inline.PolicyDocument.Statement as Statement[]) found.push({ roles: [id], statement });
    }
  }
  return found;
}

/** The Allow statements that apply to one role. */
export function statementsOfRole(template: Template, roleLogicalId: string): Statement[] {
  return identityStatements(template)
    .filter(({ roles, statement }) => roles.includes(roleLogicalId) && statement.Effect === 'Allow')
    .map(({ statement }) => statement);
}

/** The role logical id of a function or state machine resource (`Role` / `RoleArn` is a GetAtt on the role). */
export function roleOf(template: Template, logicalId: string): string {
  const resource = template.toJSON().Resources[logicalId];
  const ref = resource.Properties.Role ?? resource.Properties.RoleArn;
  return ref['Fn::GetAtt'][0] as string;
}

/** Every action granted to a role. */
export function actionsOfRole(template: Template, roleLogicalId: string): string[] {
  return statementsOfRole(template, roleLogicalId).flatMap((s) => asArray(s.Action));
}

/** The queue has a queue policy denying every request that is not over TLS (`enforceSSL`). */
export function expectTlsOnly(template: Template, queueLogicalId: string): void {
  template.hasResourceProperties('AWS::SQS::QueuePolicy', {
    Queues: [{ Ref: queueLogicalId }],
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({
          Effect: 'Deny',
          Action: 'sqs:*',
          Principal: { AWS: '*' },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          Resource: getAtt(queueLogicalId),
        }),
      ]),
    },
  });
}

/** The stage the infra tests synthesize unless they say otherwise (`buildApp`'s default). */
export const TEST_STAGE = 'dev';

/** A vendor's state machine name as the stage deploys it: `provision-flow-<vendor>-<stage>`. */
export const machineName = (vendor: VendorId, stage: string = TEST_STAGE) => `${stateMachineName(vendor)}-${stage}`;

/** An alarm's name as the stage deploys it: `flow-provisioner-<stage>-<kind>[-<subject>]`. */
export const stageAlarmName = (kind: AlarmKind, subject?: string, stage: string = TEST_STAGE) =>
  alarmName(kind, subject, `${ALARM_PREFIX}-${stage}`);

/** The one synthesized alarm of a name (fails the test when there is none or more than one). */
export function synthesizedAlarm(template: Template, name: string): Record<string, unknown> {
  const found = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter(
    (r) => (r as { Properties: { AlarmName?: unknown } }).Properties.AlarmName === name,
  ) as { Properties: Record<string, unknown> }[];
  if (found.length !== 1) throw new Error(`expected one alarm named ${name}, found ${found.length}`);
  return found[0]!.Properties;
}

/** The stack's creation id as the template computes it: the UUID in `AWS::StackId`. */
export const CREATION_ID = { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] };

/** A retainable resource's name as synthesized: `<base>-<stage>-<creation id>`. */
export const retainedName = (base: string, stage: string = TEST_STAGE) => ({
  'Fn::Join': ['', [`${base}-${stage}-`, CREATION_ID]],
});

/**
 * A template value as text, intrinsics as placeholders (`<AWS::Region>`, `<Logical.Arn>`, `<creation-id>`), so two
 * ways of writing the same name or ARN compare equal.
 */
export function rendered(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (Array.isArray(v['Fn::Join'])) {
    const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(rendered).join(separator);
  }
  if (typeof v.Ref === 'string') return `<${v.Ref}>`;
  if (Array.isArray(v['Fn::GetAtt'])) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
  if (JSON.stringify(v) === JSON.stringify(CREATION_ID)) return '<creation-id>';
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

/** A state machine's ASL as deployed, placeholders unfilled: its definition asset, read back from the assembly. */
export function definitionTemplateOf(
  synth: SynthResult,
  machineLogicalId: string,
): { States: Record<string, { Type: string; Resource?: string; Parameters?: Record<string, unknown> }> } {
  const key = String(synth.template.toJSON().Resources[machineLogicalId].Properties.DefinitionS3Location.Key);
  const manifest = JSON.parse(readFileSync(join(synth.outdir, `${synth.stack.stackName}.assets.json`), 'utf8')) as {
    files: Record<string, { source: { path: string } }>;
  };
  return JSON.parse(readFileSync(join(synth.outdir, manifest.files[key.replace(/\.json$/, '')]!.source.path), 'utf8'));
}

/**
 * What CDK grants a state machine role for its log delivery and tracing: these actions take no resource-level
 * permissions, so they stand on Resource "*" (acknowledged in the construct).
 */
export const MACHINE_PLATFORM_ACTIONS = new Set([
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
]);

/** One widget of the synthesized dashboard body. */
export interface DashboardWidget {
  type: string;
  properties: {
    title?: string;
    metrics?: unknown[][];
    alarms?: unknown[];
    annotations?: { horizontal?: { value: number; label: string }[] };
  };
}

/**
 * The widgets of the template's one dashboard. Its body is a Fn::Join of JSON text and references, each reference
 * inside a JSON string: a `Ref` is written `ref:<logical id>`, a `Fn::GetAtt` `att:<logical id>.<attribute>`.
 */
export function dashboardWidgets(template: Template): { name: unknown; widgets: DashboardWidget[] } {
  const [dashboard, ...others] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  if (!dashboard || others.length > 0) throw new Error('expected one dashboard');
  const parts = (dashboard.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  const token = (part: unknown) => {
    const { Ref, 'Fn::GetAtt': att } = part as { Ref?: string; 'Fn::GetAtt'?: string[] };
    return Ref ? `ref:${Ref}` : att ? `att:${att.join('.')}` : 'TOKEN';
  };
  const body = parts.map((part) => (typeof part === 'string' ? part : token(part))).join('');
  return {
    name: dashboard.Properties.DashboardName,
    widgets: (JSON.parse(body) as { widgets: DashboardWidget[] }).widgets,
  };
}
