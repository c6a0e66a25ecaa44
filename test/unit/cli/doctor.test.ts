/**
 * `flowctl doctor` against a mocked account (aws-sdk-client-mock): each check passes on a healthy stage and fails,
 * with its fix, on the trouble it looks for; a vendor secret's value never appears in the output.
 */
import { CloudFormationClient, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ListFlowsCommand, MediaConnectClient } from '@aws-sdk/client-mediaconnect';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand, QueueDoesNotExist, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { report } from '../../../cli/commands/doctor.ts';
import {
  type DoctorClients,
  MEDIACONNECT_FLOW_QUOTA,
  runDoctor,
  UNRESERVED_MINIMUM,
} from '../../../cli/operations/doctor.ts';
import { recordingOutput } from '../../../cli/output.ts';
import { CREDENTIALS_PLACEHOLDER } from '../../../functions/domain/vendor-credentials.ts';

const REGION = 'eu-west-1';
const clients: DoctorClients = {
  cloudFormation: new CloudFormationClient({ region: REGION }),
  lambda: new LambdaClient({ region: REGION }),
  mediaConnect: new MediaConnectClient({ region: REGION }),
  secrets: new SecretsManagerClient({ region: REGION }),
  sqs: new SQSClient({ region: REGION }),
  sfn: new SFNClient({ region: REGION }),
};
const mocks = {
  cloudFormation: mockClient(clients.cloudFormation),
  lambda: mockClient(clients.lambda),
  mediaConnect: mockClient(clients.mediaConnect),
  secrets: mockClient(clients.secrets),
  sqs: mockClient(clients.sqs),
  sfn: mockClient(clients.sfn),
};

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:huawei-live-abc';
const MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:provision-flow-huawei-live-prod';
const outputs = {
  IngressQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/ingress',
  DeadLetterQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dlq',
  VendorTaskQueueUrls: JSON.stringify({ 'huawei-live': 'https://sqs.eu-west-1.amazonaws.com/123456789012/tasks' }),
  VendorSecretArns: JSON.stringify({ 'huawei-live': SECRET_ARN }),
  StateMachineArns: JSON.stringify({ 'huawei-live': MACHINE_ARN }),
};

/** A deployed template: two reserved λs, the schedule group and role, alarms with or without actions. */
function template(options: { trustArn?: unknown; alarmActions?: unknown[] } = {}) {
  return JSON.stringify({
    Resources: {
      Dispatcher: { Type: 'AWS::Lambda::Function', Properties: {} },
      Huawei: { Type: 'AWS::Lambda::Function', Properties: { ReservedConcurrentExecutions: 4 } },
      Volc: { Type: 'AWS::Lambda::Function', Properties: { ReservedConcurrentExecutions: 10 } },
      Group: { Type: 'AWS::Scheduler::ScheduleGroup', Properties: {} },
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Statement: [
              {
                Principal: { Service: 'scheduler.amazonaws.com' },
                Condition: {
                  StringEquals: {
                    'aws:SourceAccount': { Ref: 'AWS::AccountId' },
                    'aws:SourceArn': options.trustArn ?? { 'Fn::GetAtt': ['Group', 'Arn'] },
                  },
                },
              },
            ],
          },
        },
      },
      Alarm: {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: { AlarmActions: options.alarmActions ?? [{ Ref: 'Topic' }] },
      },
    },
  });
}

function healthy() {
  for (const mock of Object.values(mocks)) mock.reset();
  mocks.cloudFormation.on(GetTemplateCommand).resolves({ TemplateBody: template() });
  mocks.lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 1000 } });
  mocks.mediaConnect.on(ListFlowsCommand).resolves({ Flows: [] });
  mocks.secrets.on(GetSecretValueCommand).resolves({
    SecretString: JSON.stringify({ HUAWEICLOUD_SDK_AK: 'ak-secret-value', HUAWEICLOUD_SDK_SK: 'sk-secret-value' }),
  });
  mocks.sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { QueueArn: 'arn' } });
  mocks.sfn.on(DescribeStateMachineCommand).resolves({ status: 'ACTIVE' });
}

const byCheck = async () =>
  Object.fromEntries((await runDoctor(clients, 'FlowProvisioner-prod', outputs)).map((r) => [r.check, r]));

describe('flowctl doctor', () => {
  beforeEach(healthy);

  it('passes every check on a healthy stage, and prints one line per check', async () => {
    const results = await runDoctor(clients, 'FlowProvisioner-prod', outputs);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.map((r) => r.check)).toEqual([
      'lambda-concurrency',
      'mediaconnect-flows',
      'vendor-secret huawei-live',
      'queues',
      'state-machines',
      'schedule-role-trust',
      'alarms',
    ]);
    const out = recordingOutput();
    report(results, out);
    expect(out.lines).toHaveLength(results.length);
    expect(out.lines.join('\n')).not.toContain('secret-value');
    expect(mocks.sqs.commandCalls(GetQueueAttributesCommand)).toHaveLength(3);
  });

  it('fails the concurrency check when the account cannot grant the reserved total and keep 100 unreserved', async () => {
    mocks.lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 10 } });
    const check = (await byCheck())['lambda-concurrency']!;
    expect(check).toMatchObject({ ok: false });
    expect(check.detail).toContain(`reserved 14 + ${UNRESERVED_MINIMUM}`);
    expect(check.fix).toContain(String(14 + UNRESERVED_MINIMUM));
  });

  it('counts MediaConnect flows over every page and fails at the quota', async () => {
    const flows = (n: number) => Array.from({ length: n }, (_, i) => ({ FlowArn: `arn:flow:${i}`, Name: `f${i}` }));
    mocks.mediaConnect
      .on(ListFlowsCommand)
      .resolvesOnce({ Flows: flows(15) as never, NextToken: 'next' })
      .resolves({ Flows: flows(MEDIACONNECT_FLOW_QUOTA - 15) as never });
    const check = (await byCheck())['mediaconnect-flows']!;
    expect(check).toMatchObject({
      ok: false,
      detail: expect.stringContaining(`${MEDIACONNECT_FLOW_QUOTA}/${MEDIACONNECT_FLOW_QUOTA}`),
    });
  });

  it('fails a secret that still holds the placeholder, naming the keys and never the values', async () => {
    mocks.secrets.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({
        HUAWEICLOUD_SDK_AK: CREDENTIALS_PLACEHOLDER,
        HUAWEICLOUD_SDK_SK: 'sk-secret-value',
      }),
    });
    const check = (await byCheck())['vendor-secret huawei-live']!;
    expect(check).toMatchObject({ ok: false, detail: expect.stringContaining('HUAWEICLOUD_SDK_AK') });
    expect(JSON.stringify(check)).not.toContain('sk-secret-value');
    expect(check.fix).toContain(SECRET_ARN);
  });

  it('fails when a queue or a state machine is gone', async () => {
    mocks.sqs
      .on(GetQueueAttributesCommand, { QueueUrl: outputs.DeadLetterQueueUrl })
      .rejects(new QueueDoesNotExist({ message: 'gone', $metadata: {} }));
    mocks.sfn.on(DescribeStateMachineCommand).resolves({ status: 'DELETING' });
    const checks = await byCheck();
    expect(checks.queues).toMatchObject({ ok: false, detail: expect.stringContaining(outputs.DeadLetterQueueUrl) });
    expect(checks['state-machines']).toMatchObject({ ok: false, detail: 'huawei-live DELETING' });
  });

  it('fails a schedule role that trusts a schedule ARN instead of the group’s, and alarms that notify no one', async () => {
    mocks.cloudFormation.on(GetTemplateCommand).resolves({
      TemplateBody: template({
        trustArn: 'arn:aws:scheduler:eu-west-1:123456789012:schedule/flow-provisioner/*',
        alarmActions: [],
      }),
    });
    const checks = await byCheck();
    expect(checks['schedule-role-trust']).toMatchObject({ ok: false });
    expect(checks.alarms).toMatchObject({ ok: false, fix: expect.stringContaining('alarmEmails') });
  });

  it('reports a check it could not run (no permission) as failed, with the policy to attach', async () => {
    mocks.lambda
      .on(GetAccountSettingsCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const check = (await byCheck())['lambda-concurrency']!;
    expect(check).toMatchObject({ ok: false, fix: expect.stringContaining('OnCallPolicyArn') });
  });
});
