/**
 * Infrastructure: scheduling (`flowctl schedule`) and failed-execution capture. Targeted assertions on the synthesized
 * stack (no bundling: resource properties only): the schedule group, a schedule role that may only send to the ingress
 * queue (and write its dead-letter events), the delivery DLQ, the TIMED_OUT/ABORTED rule and its λ, the outputs.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELIVERY_DEAD_LETTER_QUEUE_NAME, SCHEDULE_GROUP_NAME, Scheduling } from '../../cdk/constructs/scheduling.ts';
import { STACK_OUTPUTS } from '../../cli/target.ts';
import { VENDORS, type VendorConfig } from '../../functions/domain/config.ts';
import { CAPTURE_TIMEOUT_SECONDS } from '../../functions/failure-capture/core.ts';
import {
  asArray,
  getAtt,
  logicalIdOf,
  machineName,
  retainedName,
  roleOf,
  type SynthResult,
  stageAlarmName,
  statementsOfRole,
  synthFlowProvisioner,
} from '../helpers/synth.ts';

const configs = Object.values(VENDORS) as readonly VendorConfig[];
const HOUSE_ACTIONS = new Set([
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
]);

let synth: SynthResult;
let ids: {
  ingress: string;
  dlq: string;
  deliveryDlq: string;
  group: string;
  role: string;
  rule: string;
  capture: string;
  bus: string;
};
/** The template's Resources section (as loosely typed as CDK's own `toJSON`). */
let resources: ReturnType<Template['toJSON']>;

beforeAll(() => {
  synth = synthFlowProvisioner({ skipBundling: true });
  const { stack } = synth;
  resources = synth.template.toJSON().Resources;
  ids = {
    ingress: logicalIdOf(stack, stack.intake.ingressQueue),
    dlq: logicalIdOf(stack, stack.intake.deadLetterQueue),
    deliveryDlq: logicalIdOf(stack, stack.scheduling.deliveryDeadLetterQueue),
    group: stack.resolve(stack.getLogicalId(stack.scheduling.scheduleGroup)) as string,
    role: logicalIdOf(stack, stack.scheduling.scheduleRole),
    rule: logicalIdOf(stack, stack.failureCapture.rule),
    capture: logicalIdOf(stack, stack.failureCapture.function),
    bus: logicalIdOf(stack, stack.outcomeEvents.bus),
  };
});
afterAll(() => synth?.cleanup());

describe('scheduling', () => {
  it('creates the schedule group flowctl uses, removed with the stage’s policy', () => {
    expect(resources[ids.group]).toMatchObject({
      Type: 'AWS::Scheduler::ScheduleGroup',
      Properties: { Name: retainedName(SCHEDULE_GROUP_NAME) },
      DeletionPolicy: 'Delete',
    });
  });

  it('gives schedules a role that only Scheduler, for this group and account, may assume', () => {
    const trust = resources[ids.role]!.Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: {
          // What Scheduler presents: the account and the schedule *group's* ARN (the Scheduler user guide's
          // confused-deputy prevention), never a schedule's ARN.
          StringEquals: {
            'aws:SourceAccount': { Ref: 'AWS::AccountId' },
            'aws:SourceArn': getAtt(ids.group),
          },
        },
      },
    ]);
  });

  it('lets that role send to the ingress queue (and its delivery DLQ) and do nothing else', () => {
    const statements = statementsOfRole(synth.template, ids.role);
    expect(statements.flatMap((s) => asArray(s.Action))).toEqual(['sqs:SendMessage']);
    expect(statements.flatMap((s) => asArray(s.Resource))).toEqual([getAtt(ids.ingress), getAtt(ids.deliveryDlq)]);
    expect(resources[ids.role]!.Properties.ManagedPolicyArns ?? []).toEqual([]);
    expect(resources[ids.role]!.Properties.Policies ?? []).toEqual([]);
  });

  it('adds the key’s data-key actions to the role only when the ingress queue uses a customer managed key', () => {
    const stack = new Stack(new App(), 'Cmk');
    const key = new kms.Key(stack, 'Key');
    const queue = new sqs.Queue(stack, 'Ingress', { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key });
    const scheduling = new Scheduling(stack, 'Scheduling', { ingressQueue: queue });
    const template = Template.fromStack(stack);
    const role = stack.resolve(stack.getLogicalId(scheduling.scheduleRole.node.defaultChild as never)) as string;
    const statements = statementsOfRole(template, role);
    expect(statements.flatMap((s) => asArray(s.Action)).sort()).toEqual([
      'kms:Decrypt',
      'kms:GenerateDataKey',
      'sqs:SendMessage',
    ]);
    const keyId = stack.resolve(stack.getLogicalId(key.node.defaultChild as never)) as string;
    expect(statements.find((s) => asArray(s.Action).includes('kms:Decrypt'))?.Resource).toEqual(getAtt(keyId));
  });

  it('keeps failed deliveries in an encrypted, TLS-only delivery DLQ that an alarm watches', () => {
    const queue = resources[ids.deliveryDlq]!.Properties;
    expect(queue.QueueName).toEqual(retainedName(DELIVERY_DEAD_LETTER_QUEUE_NAME));
    expect(queue.SqsManagedSseEnabled).toBe(true);
    expect(queue.RedrivePolicy).toBeUndefined();
    synth.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: ids.deliveryDlq }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: stageAlarmName('dlq-messages', DELIVERY_DEAD_LETTER_QUEUE_NAME),
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ids.deliveryDlq, 'QueueName'] } }],
    });
  });

  it('exports what flowctl schedule needs', () => {
    synth.template.hasOutput(STACK_OUTPUTS.scheduleGroupName, { Value: { Ref: ids.group } });
    synth.template.hasOutput(STACK_OUTPUTS.scheduleRoleArn, { Value: getAtt(ids.role) });
    synth.template.hasOutput(STACK_OUTPUTS.scheduleDlqArn, { Value: getAtt(ids.deliveryDlq) });
  });
});

describe('failed-execution capture', () => {
  it('matches TIMED_OUT and ABORTED status changes of the provision-flow machines only', () => {
    const rule = resources[ids.rule]!.Properties;
    expect(rule.EventPattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: {
        status: ['TIMED_OUT', 'ABORTED'],
        stateMachineArn: configs.map((c) => ({
          Ref: logicalIdOf(synth.stack, synth.stack.workflow.stateMachineFor(c.vendor)),
        })),
      },
    });
    expect(rule.State).toBe('ENABLED');
  });

  it('targets the capture λ, retrying and then dead-lettering to the delivery DLQ', () => {
    expect(resources[ids.rule]!.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: getAtt(ids.capture),
        DeadLetterConfig: { Arn: getAtt(ids.deliveryDlq) },
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 8 },
      }),
    ]);
    // EventBridge may write to the delivery DLQ for this rule only.
    synth.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: ids.deliveryDlq }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': getAtt(ids.rule) } },
          }),
        ]),
      },
    });
  });

  it('runs a λ that writes the record to provision-dlq, puts on the stage bus only and may read only the executions it captures', () => {
    const fn = resources[ids.capture]!.Properties;
    expect(fn.Environment.Variables.DEAD_LETTER_QUEUE_URL).toEqual({ Ref: ids.dlq });
    expect(fn.Environment.Variables.EVENT_BUS_NAME).toEqual({ Ref: ids.bus });
    expect(fn.Timeout).toBe(CAPTURE_TIMEOUT_SECONDS);
    expect(fn.DeadLetterConfig).toEqual({ TargetArn: getAtt(ids.deliveryDlq) });
    const statements = statementsOfRole(synth.template, roleOf(synth.template, ids.capture));
    const resourcesOf = (action: string) =>
      statements.filter((s) => asArray(s.Action).includes(action)).flatMap((s) => asArray(s.Resource));
    expect(new Set(resourcesOf('sqs:SendMessage').map((r) => JSON.stringify(r)))).toEqual(
      new Set([getAtt(ids.dlq), getAtt(ids.deliveryDlq)].map((r) => JSON.stringify(r))),
    );
    const described = resourcesOf('states:DescribeExecution').map((r) => JSON.stringify(r));
    expect(described).toHaveLength(configs.length);
    for (const config of configs) {
      expect(described.some((r) => r.includes(`:execution:${machineName(config.vendor)}:*`))).toBe(true);
    }
    expect(resourcesOf('states:GetExecutionHistory')).toEqual(resourcesOf('states:DescribeExecution'));
    expect(resourcesOf('events:PutEvents')).toEqual([getAtt(ids.bus)]);
    const other = statements
      .flatMap((s) => asArray(s.Action))
      .filter(
        (a) =>
          !HOUSE_ACTIONS.has(a) &&
          !['sqs:SendMessage', 'states:DescribeExecution', 'states:GetExecutionHistory', 'events:PutEvents'].includes(
            a,
          ),
      );
    expect(other).toEqual([]);
  });

  it('passes cdk-nag with no new kind of acknowledgement', () => {
    expect(synth.nagViolations.filter((v) => v.severity === 'error')).toEqual([]);
    expect(synth.synthError).toBeUndefined();
  });
});
