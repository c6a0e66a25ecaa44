/**
 * Builds the CDK app: the stack, project tags and the cdk-nag AwsSolutions checks. `cdk/app.ts` synthesizes it, the
 * infra tests inspect it, so both see the same app.
 *
 * Context keys (cdk.json or `-c key=value`):
 * - `stage`: `dev` (default) or `prod`; see {@link FlowProvisionerStackProps.stage}. The stack is
 *   `FlowProvisioner-<stage>` and every physical name carries the stage (`cdk/physical-names.ts`).
 * - `mediaConnectRegions`: regions the MediaConnect λ may manage flows in, as a JSON array or a comma-separated list;
 *   default the deployment region.
 * - `alarmEmails`: email addresses the alarms notify (JSON array or comma-separated); creates an encrypted SNS topic.
 * - `alarmTopicArn`: an existing SNS topic the alarms notify instead.
 *   Without either, alarms change state on the dashboard and in the console only.
 * - `dispatchMode`: `queue` or `invoke`; default `DISPATCH_MODE` of `functions/domain/config.ts`, the deployed mode.
 *   For measuring one mode against the other (ADR 0002) and for the infra tests, which synthesize both.
 */
import { App, type AppProps, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { DISPATCH_MODE, type DispatchMode } from '../functions/domain/config.ts';
import { stackName } from './naming.ts';
import { FlowProvisionerStack, STAGES, type Stage } from './stack.ts';

export interface FlowProvisionerApp {
  readonly app: App;
  readonly stack: FlowProvisionerStack;
}

export function buildApp(props: AppProps = {}): FlowProvisionerApp {
  const app = new App(props);
  const stage = parseStage(app.node.tryGetContext('stage'));
  const stack = new FlowProvisionerStack(app, stackName(stage), {
    stage,
    mediaConnectRegions: parseRegions(app.node.tryGetContext('mediaConnectRegions')),
    alarmEmails: parseEmails(app.node.tryGetContext('alarmEmails')),
    alarmTopicArn: parseTopicArn(app.node.tryGetContext('alarmTopicArn')),
    dispatchMode: parseDispatchMode(app.node.tryGetContext('dispatchMode')),
    description: `flow-provisioner (${stage}): SQS → dispatcher → Step Functions → vendor λ`,
  });
  Tags.of(app).add('project', 'flow-provisioner');
  Tags.of(app).add('stage', stage);
  // cdk-nag 3 packs are policy-validation plugins: an unacknowledged finding fails the synth with a report.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }), new ServerlessChecks(app));
  return { app, stack };
}

function parseStage(value: unknown): Stage {
  if (value === undefined) return 'dev';
  if (typeof value === 'string' && (STAGES as readonly string[]).includes(value)) return value as Stage;
  throw new Error(`context "stage" must be one of ${STAGES.join(', ')}; got ${JSON.stringify(value)}`);
}

const DISPATCH_MODES: readonly DispatchMode[] = ['queue', 'invoke'];

function parseDispatchMode(value: unknown): DispatchMode {
  if (value === undefined || value === '') return DISPATCH_MODE;
  if (typeof value === 'string' && (DISPATCH_MODES as readonly string[]).includes(value)) return value as DispatchMode;
  throw new Error(`context "dispatchMode" must be one of ${DISPATCH_MODES.join(', ')}; got ${JSON.stringify(value)}`);
}

function parseRegions(value: unknown): string[] | undefined {
  const regions = parseList('mediaConnectRegions', value);
  if (regions === undefined) return undefined;
  const bad = regions.filter((r) => !/^[a-z]{2}(-[a-z]+)+-\d$/.test(r));
  if (bad.length > 0) throw new Error(`context "mediaConnectRegions" has invalid regions: ${bad.join(', ')}`);
  return regions;
}

function parseEmails(value: unknown): string[] | undefined {
  const emails = parseList('alarmEmails', value);
  const bad = (emails ?? []).filter((e) => !/^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/.test(e));
  if (bad.length > 0) throw new Error(`context "alarmEmails" has invalid addresses: ${bad.join(', ')}`);
  return emails;
}

function parseTopicArn(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(value)) {
    throw new Error(`context "alarmTopicArn" must be an SNS topic ARN; got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A context list: a JSON array or a comma-separated string; `undefined` when absent or empty. */
function parseList(key: string, value: unknown): string[] | undefined {
  if (value === undefined || value === '') return undefined;
  const list = Array.isArray(value)
    ? value
    : typeof value === 'string' && value.trim().startsWith('[')
      ? (JSON.parse(value) as unknown)
      : String(value).split(',');
  if (!Array.isArray(list)) throw new Error(`context "${key}" must be a list`);
  const items = list.map((item) => String(item).trim()).filter((item) => item.length > 0);
  return items.length > 0 ? items : undefined;
}
