/**
 * `flowctl doctor`: checks a deployed stage and its account before trouble, one result per check, each failure with
 * its fix. The SDK calls and the judgement live here; `cli/commands/doctor.ts` only wires them to the command line.
 *
 * What is checked, and why:
 * - Lambda concurrency: reserved concurrency can only be granted while at least 100 executions stay unreserved, so
 *   the account limit must cover the stage's reserved total + 100. A new account's limit can be as low as 10:
 *   https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
 * - MediaConnect: 20 flows per account and region; a stage at the quota gets HTTP 420 on every create:
 *   https://docs.aws.amazon.com/general/latest/gr/mediaconnect.html
 * - Vendor secrets: the stack creates them holding the placeholder; a vendor λ with it fails every call.
 * - Queues and state machines: every one the stack outputs exists (and each machine is ACTIVE).
 * - The schedule role as deployed: Scheduler assumes it only if its trust names the schedule group's ARN and the
 *   account (https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html).
 * - Alarms: the stack has them, and they notify someone (an SNS action).
 * The role and alarm checks read the stack's deployed template (CloudFormation GetTemplate).
 */
import { type CloudFormationClient, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { GetAccountSettingsCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { ListFlowsCommand, type MediaConnectClient } from '@aws-sdk/client-mediaconnect';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeStateMachineCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { CREDENTIALS_PLACEHOLDER } from '../../functions/domain/vendor-credentials.ts';

/** Lambda keeps this many executions unreserved; reservations that would cut into it are refused. */
export const UNRESERVED_MINIMUM = 100;
/** MediaConnect flows per account and region. */
export const MEDIACONNECT_FLOW_QUOTA = 20;

export interface DoctorClients {
  readonly cloudFormation: CloudFormationClient;
  readonly lambda: LambdaClient;
  readonly mediaConnect: MediaConnectClient;
  readonly secrets: SecretsManagerClient;
  readonly sqs: SQSClient;
  readonly sfn: SFNClient;
}

export interface CheckResult {
  readonly check: string;
  readonly ok: boolean;
  /** What was found. */
  readonly detail: string;
  /** What to do, on a failure. */
  readonly fix?: string;
}

type Template = { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

/** Runs every check against the stack `stackName` with these outputs; never throws for a failed check. */
export async function runDoctor(
  clients: DoctorClients,
  stackName: string,
  outputs: Readonly<Record<string, string>>,
): Promise<CheckResult[]> {
  const template = await clients.cloudFormation
    .send(new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Processed' }))
    .then((t) => JSON.parse(t.TemplateBody ?? '{}') as Template);
  const checks: [string, () => Promise<CheckResult | CheckResult[]>][] = [
    ['lambda-concurrency', () => checkConcurrency(clients.lambda, template)],
    ['mediaconnect-flows', () => checkMediaConnect(clients.mediaConnect)],
    ['vendor-secrets', () => checkSecrets(clients.secrets, jsonOutput(outputs.VendorSecretArns))],
    ['queues', () => checkQueues(clients.sqs, queueUrlsOf(outputs))],
    ['state-machines', () => checkStateMachines(clients.sfn, jsonOutput(outputs.StateMachineArns))],
    ['schedule-role-trust', async () => checkScheduleTrust(template)],
    ['alarms', async () => checkAlarms(template)],
  ];
  const results: CheckResult[] = [];
  for (const [check, run] of checks) {
    try {
      results.push(...[await run()].flat());
    } catch (error) {
      const e = error as Error;
      results.push({
        check,
        ok: false,
        detail: `could not check: ${e.name}: ${e.message}`,
        fix: 'attach the stack output OnCallPolicyArn to your role (it holds what doctor reads), then run doctor again',
      });
    }
  }
  return results;
}

/** The account's concurrency limit against the stage's reserved total + {@link UNRESERVED_MINIMUM}. */
export async function checkConcurrency(lambda: LambdaClient, template: Template): Promise<CheckResult> {
  const reserved = Object.values(template.Resources ?? {})
    .filter((r) => r.Type === 'AWS::Lambda::Function')
    .reduce((sum, r) => sum + Number(r.Properties?.ReservedConcurrentExecutions ?? 0), 0);
  const settings = await lambda.send(new GetAccountSettingsCommand({}));
  const limit = settings.AccountLimit?.ConcurrentExecutions ?? 0;
  const needed = reserved + UNRESERVED_MINIMUM;
  return limit >= needed
    ? { check: 'lambda-concurrency', ok: true, detail: `limit ${limit} ≥ reserved ${reserved} + ${UNRESERVED_MINIMUM}` }
    : {
        check: 'lambda-concurrency',
        ok: false,
        detail: `limit ${limit} < reserved ${reserved} + ${UNRESERVED_MINIMUM} unreserved: the vendor λs cannot get their reserved concurrency`,
        fix: `request a Lambda concurrent-executions quota of at least ${needed} (Service Quotas, L-B99A9384) before deploying`,
      };
}

/** Flows in use in the client's region against the quota. */
export async function checkMediaConnect(mediaConnect: MediaConnectClient): Promise<CheckResult> {
  let count = 0;
  let nextToken: string | undefined;
  do {
    const page = await mediaConnect.send(new ListFlowsCommand({ MaxResults: 20, NextToken: nextToken }));
    count += page.Flows?.length ?? 0;
    nextToken = page.NextToken;
  } while (nextToken);
  const region = await mediaConnect.config.region();
  return count < MEDIACONNECT_FLOW_QUOTA
    ? { check: 'mediaconnect-flows', ok: true, detail: `${count}/${MEDIACONNECT_FLOW_QUOTA} flows in ${region}` }
    : {
        check: 'mediaconnect-flows',
        ok: false,
        detail: `${count}/${MEDIACONNECT_FLOW_QUOTA} flows in ${region}: every create will fail with VendorQuotaExceeded`,
        fix: 'delete flows that are no longer used, or request a higher MediaConnect flows quota for the region',
      };
}

/** Each vendor secret holds real values: no key still holds the placeholder. The values are never reported. */
export async function checkSecrets(
  secrets: SecretsManagerClient,
  arns: Readonly<Record<string, string>>,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const [vendor, arn] of Object.entries(arns)) {
    const value = await secrets.send(new GetSecretValueCommand({ SecretId: arn }));
    const parsed = JSON.parse(value.SecretString ?? '{}') as Record<string, unknown>;
    const unset = Object.entries(parsed)
      .filter(([, v]) => v === CREDENTIALS_PLACEHOLDER || v === '')
      .map(([k]) => k);
    results.push(
      unset.length === 0
        ? { check: `vendor-secret ${vendor}`, ok: true, detail: 'filled' }
        : {
            check: `vendor-secret ${vendor}`,
            ok: false,
            detail: `still ${CREDENTIALS_PLACEHOLDER}: ${unset.join(', ')}`,
            fix: `aws secretsmanager put-secret-value --secret-id ${arn} --secret-string '{…}' (README "Secrets")`,
          },
    );
  }
  return results;
}

/** Every queue the stack outputs answers GetQueueAttributes. */
export async function checkQueues(sqs: SQSClient, urls: readonly string[]): Promise<CheckResult> {
  const missing: string[] = [];
  for (const url of urls) {
    await sqs
      .send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))
      .catch((error: Error) => {
        if (!/NonExistentQueue|QueueDoesNotExist/.test(error.name)) throw error;
        missing.push(url);
      });
  }
  return missing.length === 0
    ? { check: 'queues', ok: true, detail: `${urls.length} queues present` }
    : {
        check: 'queues',
        ok: false,
        detail: `missing: ${missing.join(', ')}`,
        fix: 'redeploy the stack (npx cdk deploy -c stage=…); a queue deleted by hand is recreated by a deploy',
      };
}

/** Every state machine the stack outputs exists and is ACTIVE. */
export async function checkStateMachines(sfn: SFNClient, arns: Readonly<Record<string, string>>): Promise<CheckResult> {
  const bad: string[] = [];
  for (const [vendor, arn] of Object.entries(arns)) {
    const status = await sfn
      .send(new DescribeStateMachineCommand({ stateMachineArn: arn }))
      .then((m) => m.status ?? 'ACTIVE')
      .catch((error: Error) => {
        if (error.name !== 'StateMachineDoesNotExist') throw error;
        return 'missing';
      });
    if (status !== 'ACTIVE') bad.push(`${vendor} ${status}`);
  }
  return bad.length === 0
    ? { check: 'state-machines', ok: true, detail: `${Object.keys(arns).length} ACTIVE` }
    : {
        check: 'state-machines',
        ok: false,
        detail: bad.join(', '),
        fix: 'redeploy the stack (npx cdk deploy -c stage=…)',
      };
}

/** The deployed schedule role's trust: Scheduler, for this account and this schedule group's ARN. */
export function checkScheduleTrust(template: Template): CheckResult {
  const resources = template.Resources ?? {};
  const groups = Object.keys(resources).filter((id) => resources[id]!.Type === 'AWS::Scheduler::ScheduleGroup');
  const roles = Object.values(resources).filter(
    (r) =>
      r.Type === 'AWS::IAM::Role' &&
      JSON.stringify(r.Properties?.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'),
  );
  const trusted = roles.some((role) => {
    const statements =
      (
        role.Properties?.AssumeRolePolicyDocument as {
          Statement?: { Condition?: Record<string, Record<string, unknown>> }[];
        }
      )?.Statement ?? [];
    return statements.some((s) => {
      const equals = s.Condition?.StringEquals ?? {};
      const source = JSON.stringify(equals['aws:SourceArn'] ?? null);
      return (
        equals['aws:SourceAccount'] !== undefined &&
        groups.some((g) => source === JSON.stringify({ 'Fn::GetAtt': [g, 'Arn'] }))
      );
    });
  });
  return trusted
    ? { check: 'schedule-role-trust', ok: true, detail: 'Scheduler may assume it for this schedule group and account' }
    : {
        check: 'schedule-role-trust',
        ok: false,
        detail:
          'the schedule role does not trust the schedule group ARN with aws:SourceAccount: schedules will never run',
        fix: 'redeploy from this repository (cdk/constructs/scheduling.ts sets the trust the Scheduler guide gives)',
      };
}

/** The stack has alarms, and each notifies an SNS topic. */
export function checkAlarms(template: Template): CheckResult {
  const alarms = Object.values(template.Resources ?? {}).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
  const silent = alarms.filter(
    (a) => !Array.isArray(a.Properties?.AlarmActions) || a.Properties.AlarmActions.length === 0,
  );
  if (alarms.length === 0) {
    return {
      check: 'alarms',
      ok: false,
      detail: 'no alarms in the stack',
      fix: 'redeploy the stack from this repository',
    };
  }
  return silent.length === 0
    ? { check: 'alarms', ok: true, detail: `${alarms.length} alarms, each notifying a topic` }
    : {
        check: 'alarms',
        ok: false,
        detail: `${silent.length} of ${alarms.length} alarms notify no one`,
        fix: 'deploy with -c alarmEmails=a@example.com,… or -c alarmTopicArn=arn:aws:sns:…',
      };
}

function jsonOutput(value: string | undefined): Record<string, string> {
  return value ? (JSON.parse(value) as Record<string, string>) : {};
}

/** Every queue URL among the stack outputs (single URLs and the per-vendor JSON objects). */
function queueUrlsOf(outputs: Readonly<Record<string, string>>): string[] {
  return Object.entries(outputs)
    .filter(([key]) => /Queue(Url|Urls)$/.test(key))
    .flatMap(([, value]) => (value.trim().startsWith('{') ? Object.values(jsonOutput(value)) : [value]));
}
