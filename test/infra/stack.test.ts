/**
 * Infrastructure: targeted assertions on the synthesized FlowProvisionerStack (no snapshots). Every number is read
 * from `functions/domain/config.ts`, the one configuration source. The app is synthesized once, as deployed (the
 * dispatch mode of `DISPATCH_MODE`), with real bundling. What differs between the queue and invoke modes — workflow
 * file, task queues, event sources, who may invoke, send and answer what — is in `dispatch-mode.test.ts`, which
 * synthesizes both.
 */
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ESM_REQUIRE_BANNER } from '../../cdk/constructs/house-function.ts';
import { IDEMPOTENCY_TABLE_ACTIONS } from '../../cdk/constructs/idempotency.ts';
import { TASK_RESPONSE_ACTIONS } from '../../cdk/constructs/provisioning-workflow.ts';
import { MEDIACONNECT_FLOW_ACTIONS, MEDIACONNECT_UNSCOPED_ACTIONS } from '../../cdk/constructs/vendor-functions.ts';
import { stateMachineName } from '../../cdk/naming.ts';
import { DISPATCH_MODE, PIPELINE, VENDORS, type VendorConfig, vendorLanes } from '../../functions/domain/config.ts';
import {
  actionsOfRole,
  asArray,
  asSet,
  bundleOf,
  bundlePathOf,
  expectTlsOnly,
  getAtt,
  identityStatements,
  logicalIdOf,
  MACHINE_PLATFORM_ACTIONS,
  machineName,
  retainedName,
  roleOf,
  type SynthResult,
  stackArn,
  statementsOfRole,
  synthFlowProvisioner,
} from '../helpers/synth.ts';

const DAY = 24 * 60 * 60;
const configs = Object.values(VENDORS) as readonly VendorConfig[];

/** Actions that IAM only accepts with Resource "*", each documented where it is granted. */
const RESOURCE_STAR_ALLOWED = new Set([
  // Lambda and Step Functions active tracing, Step Functions execution logging (CloudWatch Logs vended delivery).
  ...MACHINE_PLATFORM_ACTIONS,
  // MediaConnect calls that take no flow ARN (bounded by aws:RequestedRegion).
  ...MEDIACONNECT_UNSCOPED_ACTIONS,
]);

/** What the SQS event source of a task queue grants its consumer (on that queue only: dispatch-mode.test.ts). */
const TASK_QUEUE_CONSUMER_ACTIONS = [
  'sqs:ReceiveMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueUrl',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
];

/** What every house function may do on its own: write its log group, send traces. */
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
  dispatcher: string;
  vendorFunction: (vendor: VendorConfig['vendor']) => string;
  stateMachine: (vendor: VendorConfig['vendor']) => string;
};

beforeAll(() => {
  synth = synthFlowProvisioner();
  const { stack } = synth;
  ids = {
    ingress: logicalIdOf(stack, stack.intake.ingressQueue),
    dlq: logicalIdOf(stack, stack.intake.deadLetterQueue),
    dispatcher: logicalIdOf(stack, stack.intake.dispatcher),
    vendorFunction: (vendor) => logicalIdOf(stack, stack.vendorFunctions.functionFor(vendor)),
    stateMachine: (vendor) => logicalIdOf(stack, stack.workflow.stateMachineFor(vendor)),
  };
});

afterAll(() => synth?.cleanup());

describe('cdk-nag AwsSolutions and Serverless', () => {
  it('synthesizes with no unacknowledged AwsSolutions or Serverless finding', () => {
    const summary = synth.nagViolations.map(
      (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(summary.filter((line) => line.startsWith('error'))).toEqual([]);
    expect(synth.synthError).toBeUndefined();
  });

  it('acknowledges only the expected findings, each with a written reason', () => {
    const acknowledged = new Map<string, string>();
    for (const construct of synth.stack.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          acknowledged.set(id.replace(/^annotation::/i, ''), reason);
        }
      }
    }
    const machineExecutions = configs.map(
      (c) =>
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${machineName(c.vendor)}:*]`,
    );
    expect([...acknowledged.keys()].sort()).toEqual(
      [
        'AwsSolutions-L1',
        'AwsSolutions-IAM5[Resource::*]',
        // The on-call policy: this stage's schedules (cdk/constructs/on-call.ts).
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/<${synth.stack.resolve(synth.stack.getLogicalId(synth.stack.scheduling.scheduleGroup))}>/*]`,
        // Vendor access keys are issued by the vendor; Secrets Manager cannot rotate them (vendor-functions.ts).
        'AwsSolutions-SMG4',
        // Serverless pack: Node 22 by design, no asynchronous invocations, SQS sources have no on-failure destination,
        // and the DLQ itself needs no redrive policy (house-function.ts, intake.ts).
        'Serverless-LambdaLatestVersion',
        'Serverless-LambdaDLQ',
        'Serverless-LambdaEventSourceMappingDestination',
        'Serverless-SQSRedrivePolicy',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:mediaconnect:<AWS::Region>:<AWS::AccountId>:flow:*]',
        ...machineExecutions,
      ].sort(),
    );
    for (const reason of acknowledged.values()) expect(reason.length).toBeGreaterThan(60);
  });
});

describe('queues', () => {
  it('encrypts both queues at rest and denies every request that is not over TLS', () => {
    for (const queue of [ids.ingress, ids.dlq]) {
      const props = synth.template.toJSON().Resources[queue].Properties;
      expect(props.SqsManagedSseEnabled === true || props.KmsMasterKeyId !== undefined).toBe(true);
      expectTlsOnly(synth.template, queue);
    }
  });

  it('names the queues and sizes them from PIPELINE', () => {
    synth.template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: retainedName('provision-requests'),
      VisibilityTimeout: PIPELINE.ingressVisibilityTimeoutSeconds,
      MessageRetentionPeriod: PIPELINE.ingressRetentionDays * DAY,
      RedrivePolicy: { deadLetterTargetArn: getAtt(ids.dlq), maxReceiveCount: PIPELINE.maxReceiveCount },
    });
    synth.template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: retainedName('provision-dlq'),
      MessageRetentionPeriod: PIPELINE.dlqRetentionDays * DAY,
      RedriveAllowPolicy: { redrivePermission: 'byQueue', sourceQueueArns: [Match.anyValue()] },
    });
    expect(synth.template.toJSON().Resources[ids.dlq].Properties.RedrivePolicy).toBeUndefined();
  });

  it('keeps the ingress visibility timeout above the dispatcher timeout', () => {
    expect(PIPELINE.ingressVisibilityTimeoutSeconds).toBeGreaterThanOrEqual(PIPELINE.dispatcherTimeoutSeconds);
  });
});

describe('dispatcher', () => {
  it('consumes the ingress queue in PIPELINE-sized batches with partial batch responses and bounded concurrency', () => {
    // The only mapping on the ingress queue, and the dispatcher's only one (task queue mappings:
    // dispatch-mode.test.ts).
    const mappings = Object.values(synth.template.findResources('AWS::Lambda::EventSourceMapping')).map(
      (m) => m.Properties,
    );
    const onIngress = mappings.filter((m) => JSON.stringify(m.EventSourceArn) === JSON.stringify(getAtt(ids.ingress)));
    const ofDispatcher = mappings.filter((m) => m.FunctionName.Ref === ids.dispatcher);
    expect(onIngress).toEqual(ofDispatcher);
    expect(onIngress).toHaveLength(1);
    expect(onIngress[0]).toMatchObject({
      FunctionName: { Ref: ids.dispatcher },
      BatchSize: PIPELINE.dispatcherBatchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: PIPELINE.dispatcherMaxConcurrency },
    });
  });

  it('is told the state machine of every vendor and the DLQ URL', () => {
    const { stack } = synth;
    const arns = Object.fromEntries(
      configs.map((c) => [c.vendor, stack.workflow.stateMachineFor(c.vendor).stateMachineArn]),
    );
    synth.template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: PIPELINE.dispatcherTimeoutSeconds,
      Environment: {
        Variables: Match.objectLike({
          STATE_MACHINE_ARNS: stack.resolve(stack.toJsonString(arns)),
          DEAD_LETTER_QUEUE_URL: { Ref: ids.dlq },
        }),
      },
    });
  });

  it('may start the workflows, describe and redrive their executions, and send to the DLQ only', () => {
    const statements = statementsOfRole(synth.template, roleOf(synth.template, ids.dispatcher));
    const actions = statements.flatMap((s) => asArray(s.Action));
    expect(actions.filter((a) => a.startsWith('mediaconnect:'))).toEqual([]);
    expect(actions).not.toContain('lambda:InvokeFunction');
    const resourcesOf = (action: string) =>
      statements.filter((s) => asArray(s.Action).includes(action)).flatMap((s) => asArray(s.Resource));

    expect(asSet(resourcesOf('states:StartExecution'))).toEqual(
      asSet(configs.map((c) => ({ Ref: ids.stateMachine(c.vendor) }))),
    );
    const executionArns = configs.map((c) => stackArn('states', `execution:${machineName(c.vendor)}:*`));
    expect(asSet(resourcesOf('states:DescribeExecution'))).toEqual(asSet(executionArns));
    expect(asSet(resourcesOf('states:RedriveExecution'))).toEqual(asSet(executionArns));
    expect(resourcesOf('sqs:SendMessage')).toEqual([getAtt(ids.dlq)]);
    expect(resourcesOf('sqs:ReceiveMessage')).toEqual([getAtt(ids.ingress)]);
    expect(resourcesOf('sqs:DeleteMessage')).toEqual([getAtt(ids.ingress)]);
  });
});

describe('vendor functions', () => {
  it("builds one function per lane of each configured vendor with the lane's reserved concurrency and name", () => {
    for (const config of configs) {
      const lanes = vendorLanes(config.budget);
      for (const lane of lanes) {
        const id = logicalIdOf(synth.stack, synth.stack.vendorFunctions.laneFunctions[config.vendor]![lane.name]!);
        const fn = synth.template.toJSON().Resources[id];
        expect(fn.Properties.ReservedConcurrentExecutions).toBe(lane.reservedConcurrency);
        expect(fn.Properties.Timeout).toBe(config.functionTimeoutSeconds);
        // A vendor with lanes tells each λ its lane (the pacer refuses a call its lane does not declare).
        expect(fn.Properties.Environment.Variables.VENDOR_LANE).toBe(lanes.length > 1 ? lane.name : undefined);
      }
      // The first lane is the vendor's function.
      expect(ids.vendorFunction(config.vendor)).toBe(
        logicalIdOf(synth.stack, synth.stack.vendorFunctions.laneFunctions[config.vendor]![lanes[0]!.name]!),
      );
    }
  });

  it('lets the MediaConnect task manage flows of this account and region only', () => {
    if (!('aws-mediaconnect' in VENDORS)) return;
    const statements = statementsOfRole(synth.template, roleOf(synth.template, ids.vendorFunction('aws-mediaconnect')));
    const scoped = statements.find((s) => asArray(s.Action).includes('mediaconnect:DescribeFlow'));
    expect(asArray(scoped?.Action).sort()).toEqual([...MEDIACONNECT_FLOW_ACTIONS].sort());
    expect(scoped?.Resource).toEqual(stackArn('mediaconnect', 'flow:*'));
    const unscoped = statements.find((s) => asArray(s.Action).includes('mediaconnect:CreateFlow'));
    expect(asArray(unscoped?.Action).sort()).toEqual([...MEDIACONNECT_UNSCOPED_ACTIONS].sort());
    expect(unscoped?.Resource).toBe('*');
    expect(unscoped?.Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': [{ Ref: 'AWS::Region' }] } });
  });

  it('gives vendors that are not AWS APIs no AWS API permissions (but their idempotency records and secret)', () => {
    const idempotency = new Set<string>(IDEMPOTENCY_TABLE_ACTIONS);
    // Queue mode: consume the own task queue and answer the own machine's tokens (resources: dispatch-mode.test.ts).
    const dispatch = new Set<string>(synth.stack.dispatchMode === 'queue' ? [...TASK_QUEUE_CONSUMER_ACTIONS] : []);
    for (const action of synth.stack.dispatchMode === 'queue' ? TASK_RESPONSE_ACTIONS : []) dispatch.add(action);
    for (const config of configs.filter((c) => c.vendor !== 'aws-mediaconnect')) {
      const actions = actionsOfRole(synth.template, roleOf(synth.template, ids.vendorFunction(config.vendor)));
      // secretsmanager:GetSecretValue is scoped to the vendor's own secret: test/infra/observability.test.ts.
      const other = actions.filter((a) => !HOUSE_ACTIONS.has(a) && !idempotency.has(a) && !dispatch.has(a));
      expect(other.filter((a) => a !== 'secretsmanager:GetSecretValue')).toEqual([]);
    }
  });

  it('may not invoke functions, start or stop executions, or send to any queue', () => {
    for (const config of configs) {
      const actions = actionsOfRole(synth.template, roleOf(synth.template, ids.vendorFunction(config.vendor)));
      expect(actions.filter((a) => a.startsWith('lambda:'))).toEqual([]);
      expect(
        actions.filter((a) => a.startsWith('states:') && !(TASK_RESPONSE_ACTIONS as readonly string[]).includes(a)),
      ).toEqual([]);
      expect(actions.filter((a) => a.startsWith('sqs:') && !TASK_QUEUE_CONSUMER_ACTIONS.includes(a))).toEqual([]);
    }
  });
});

describe('workflows', () => {
  it('builds one named Standard machine per vendor, in the mode of DISPATCH_MODE', () => {
    expect(synth.stack.dispatchMode).toBe(DISPATCH_MODE);
    expect(synth.stack.workflow.dispatchMode).toBe(DISPATCH_MODE);
    for (const config of configs) {
      const machine = synth.template.toJSON().Resources[ids.stateMachine(config.vendor)].Properties;
      expect(machine.StateMachineName).toBe(machineName(config.vendor));
      expect(machine.StateMachineType).toBe('STANDARD');
      expect(machine.DefinitionS3Location).toBeDefined();
    }
  });

  it('logs every event without execution data to its own log group, and traces', () => {
    for (const config of configs) {
      const machine = synth.template.toJSON().Resources[ids.stateMachine(config.vendor)].Properties;
      expect(machine.LoggingConfiguration.Level).toBe('ALL');
      expect(machine.LoggingConfiguration.IncludeExecutionData).toBe(false);
      const logGroupId =
        machine.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0];
      synth.template.hasResource('AWS::Logs::LogGroup', {
        Properties: Match.objectLike({
          LogGroupName: retainedName(`/aws/vendedlogs/states/${stateMachineName(config.vendor)}`),
          RetentionInDays: Match.anyValue(),
        }),
      });
      expect(synth.template.toJSON().Resources[logGroupId].Type).toBe('AWS::Logs::LogGroup');
      expect(machine.TracingConfiguration).toEqual({ Enabled: true });
    }
  });
});

describe('least privilege across the stack', () => {
  it('grants no wildcard action', () => {
    const wildcards = identityStatements(synth.template)
      .filter(({ statement }) => statement.Effect === 'Allow')
      .flatMap(({ statement }) => asArray(statement.Action))
      .filter((action) => action.includes('*'));
    expect(wildcards).toEqual([]);
  });

  it('grants Resource "*" only for the documented actions that support no resource-level permissions', () => {
    const starActions = identityStatements(synth.template)
      .filter(({ statement }) => statement.Effect === 'Allow' && asArray(statement.Resource).includes('*'))
      .flatMap(({ statement }) => asArray(statement.Action));
    expect(starActions.filter((action) => !RESOURCE_STAR_ALLOWED.has(action))).toEqual([]);
  });

  it('uses no AWS managed policy', () => {
    for (const role of Object.values(synth.template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns ?? []).toEqual([]);
    }
  });
});

describe('house functions', () => {
  it('run Node 22 on ARM64 with active tracing, their own log group with retention, and ESM bundles', () => {
    const functions = Object.entries(synth.template.findResources('AWS::Lambda::Function'));
    // The dispatcher, one task λ per lane of each vendor, and the failed-execution capture (scheduling.test.ts).
    expect(functions).toHaveLength(2 + configs.reduce((n, c) => n + vendorLanes(c.budget).length, 0));
    for (const [logicalId, fn] of functions) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.Properties.Handler).toBe('index.handler');
      expect(fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME).toBe('flow-provisioner');
      const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref;
      expect(synth.template.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBeGreaterThan(0);

      const bundle = bundleOf(synth, logicalId);
      expect(bundle.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
      // Nothing is left to the runtime's copy of the AWS SDK: no import statement of an external @aws-sdk module.
      expect(bundle.match(/(?:^|[;\n])import\s*(?:[^;"'()]*?from\s*)?["']@aws-sdk\/[^"']+["']/g) ?? []).toEqual([]);
    }
  });

  it('bundles the pinned MediaConnect client into its vendor task', () => {
    if (!('aws-mediaconnect' in VENDORS)) return;
    const bundle = bundleOf(synth, ids.vendorFunction('aws-mediaconnect'));
    // A route of the SDK client's serializer: present only when the client itself is inside the bundle.
    expect(bundle).toContain('/v1/flows/start/{FlowArn}');
  });
});

describe('bundles', () => {
  it('load as ES modules in Node and export the handler (the require banner serves bundled CommonJS code)', () => {
    const { stack } = synth;
    // Every vendor task loads without credentials: with VENDOR_SECRET_ARN set they are read at the first vendor call.
    const functions = [stack.intake.dispatcher, ...Object.values(stack.vendorFunctions.functions)];
    for (const fn of functions.filter((f) => f !== undefined)) {
      const url = pathToFileURL(bundlePathOf(synth, logicalIdOf(stack, fn))).href;
      const out = execFileSync(
        process.execPath,
        ['--input-type=module', '-e', `const m = await import(${JSON.stringify(url)}); console.log(typeof m.handler);`],
        {
          encoding: 'utf8',
          env: {
            PATH: process.env.PATH,
            AWS_REGION: 'us-east-1',
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
            IDEMPOTENCY_TABLE_NAME: 'flow-provisioner-idempotency',
            VENDOR_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:flow-provisioner-vendor-AbCdEf',
            DEAD_LETTER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/provision-dlq',
            EVENT_BUS_NAME: 'flow-provisioner-dev',
            STATE_MACHINE_ARNS: JSON.stringify({
              'aws-mediaconnect': 'arn:aws:states:us-east-1:123456789012:stateMachine:provision-flow-aws-mediaconnect',
            }),
          },
        },
      );
      expect(out.trim()).toBe('function');
    }
  });
});

describe('outputs', () => {
  it('exports what flowctl needs', () => {
    const { stack } = synth;
    synth.template.hasOutput('IngressQueueUrl', { Value: { Ref: ids.ingress } });
    synth.template.hasOutput('DeadLetterQueueUrl', { Value: { Ref: ids.dlq } });
    synth.template.hasOutput('DispatcherFunctionName', { Value: { Ref: ids.dispatcher } });
    const arns = Object.fromEntries(
      configs.map((c) => [c.vendor, stack.workflow.stateMachineFor(c.vendor).stateMachineArn]),
    );
    synth.template.hasOutput('StateMachineArns', { Value: stack.resolve(stack.toJsonString(arns)) });
    synth.template.hasOutput('DispatchMode', { Value: DISPATCH_MODE });
  });
});
