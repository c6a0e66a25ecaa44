/**
 * Builds the CDK app: the stack, project tags and the cdk-nag AwsSolutions checks. `cdk/app.ts` synthesizes it, the
 * infra tests inspect it, so both see the same app.
 *
 * Context keys (cdk.json or `-c key=value`):
 * - `stage`: `dev` (default) or `prod`; see {@link FlowProvisionerStackProps.stage}.
 * - `mediaConnectRegions`: regions the MediaConnect λ may manage flows in, as a JSON array or a comma-separated list;
 *   default the deployment region.
 */
import { App, type AppProps, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FlowProvisionerStack, STAGES, type Stage } from './stack.ts';

export const STACK_NAME = 'FlowProvisionerStack';

export interface FlowProvisionerApp {
  readonly app: App;
  readonly stack: FlowProvisionerStack;
}

export function buildApp(props: AppProps = {}): FlowProvisionerApp {
  const app = new App(props);
  const stage = parseStage(app.node.tryGetContext('stage'));
  const stack = new FlowProvisionerStack(app, STACK_NAME, {
    stage,
    mediaConnectRegions: parseRegions(app.node.tryGetContext('mediaConnectRegions')),
    description: `flow-provisioner (${stage}): SQS → dispatcher → Step Functions → vendor λ`,
  });
  Tags.of(app).add('project', 'flow-provisioner');
  Tags.of(app).add('stage', stage);
  // cdk-nag 3 is a policy-validation plugin: an unacknowledged finding fails the synth with a report.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

function parseStage(value: unknown): Stage {
  if (value === undefined) return 'dev';
  if (typeof value === 'string' && (STAGES as readonly string[]).includes(value)) return value as Stage;
  throw new Error(`context "stage" must be one of ${STAGES.join(', ')}; got ${JSON.stringify(value)}`);
}

function parseRegions(value: unknown): string[] | undefined {
  if (value === undefined || value === '') return undefined;
  const list = Array.isArray(value)
    ? value
    : typeof value === 'string' && value.trim().startsWith('[')
      ? (JSON.parse(value) as unknown)
      : String(value).split(',');
  if (!Array.isArray(list)) throw new Error('context "mediaConnectRegions" must be a list of regions');
  const regions = list.map((r) => String(r).trim()).filter((r) => r.length > 0);
  const bad = regions.filter((r) => !/^[a-z]{2}(-[a-z]+)+-\d$/.test(r));
  if (bad.length > 0) throw new Error(`context "mediaConnectRegions" has invalid regions: ${bad.join(', ')}`);
  return regions;
}
