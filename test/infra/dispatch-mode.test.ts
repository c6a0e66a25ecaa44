/**
 * Infrastructure: the two dispatch modes (`DISPATCH_MODE` in `functions/domain/config.ts`, the `dispatchMode` context
 * and stack prop). Both are synthesized (without bundling: resource properties only) and checked for what differs:
 *
 * - `queue` (deployed by default): a task queue and DLQ per vendor, the vendor λ consuming it one work item at a time
 *   at its reserved concurrency, the machine sending to that queue only, the λ answering that machine's tokens only;
 * - `invoke`: the machine invokes its own vendor λ, nothing else — the stack as it was before queue mode.
 *
 * Every number is read from `functions/domain/config.ts`.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../cdk/build-app.ts';
import {
  TASK_RESPONSE_ACTIONS,
  WORKFLOW_FILES,
  WORKFLOW_PLACEHOLDERS,
} from '../../cdk/constructs/provisioning-workflow.ts';
import { TASK_RETENTION_SECONDS, VISIBILITY_TIMEOUT_FACTOR } from '../../cdk/constructs/vendor-task-queue.ts';
import { taskDeadLetterQueueName, taskQueueName } from '../../cdk/naming.ts';
import {
  DISPATCH_MODE,
  type DispatchMode,
  laneSuffix,
  PIPELINE,
  VENDORS,
  type VendorConfig,
  vendorConfig,
  vendorLanes,
} from '../../functions/domain/config.ts';
import type { VendorId } from '../../functions/domain/contract.ts';
import { taskQueuePlaceholderName, WAIT_FOR_TASK_TOKEN } from '../../functions/domain/queued-workflow.ts';
import { WORKFLOW_STEPS } from '../../functions/vendors/types.ts';
import { DEPLOYED_ALARMS } from '../fixtures/deployed-alarms.ts';
import {
  asArray,
  asSet,
  expectTlsOnly,
  getAtt,
  identityStatements,
  logicalIdOf,
  MACHINE_PLATFORM_ACTIONS,
  machineName,
  rendered,
  retainedName,
  roleOf,
  type Statement,
  type SynthResult,
  stackArn,
  stageAlarmName,
  statementsOfRole,
  synthFlowProvisioner,
} from '../helpers/synth.ts';

const DAY = 24 * 60 * 60;
const configs = Object.values(VENDORS) as readonly VendorConfig[];
const vendors = configs.map((c) => c.vendor);

/** What the SQS event source grants its consumer, on the source queue. */
const CONSUMER_ACTIONS = [
  'sqs:ReceiveMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueUrl',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
];

/** arn:<partition>:states:<region>:<account>:stateMachine:<name>, as the stack builds it from the literal name. */
const machineArnByName = (vendor: VendorId) => stackArn('states', `stateMachine:${machineName(vendor)}`);

type Resources = Record<string, { Properties?: unknown; DependsOn?: string | string[] }>;

/** Every resource a resource needs first (Ref, Fn::GetAtt, DependsOn), transitively: its CloudFormation ancestry. */
function dependenciesOf(resources: Resources, id: string): Set<string> {
  const seen = new Set<string>();
  const visit = (current: string) => {
    const resource = resources[current];
    if (!resource) return;
    const direct = new Set<string>(asArray(resource.DependsOn ?? []));
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) {
        for (const item of node) walk(item);
        return;
      }
      if (node === null || typeof node !== 'object') return;
      for (const [key, value] of Object.entries(node)) {
        if (key === 'Ref' && typeof value === 'string') direct.add(value);
        else if (key === 'Fn::GetAtt' && Array.isArray(value)) direct.add(String(value[0]));
        else walk(value);
      }
    };
    walk(resource.Properties);
    for (const next of direct) {
      if (seen.has(next) || !resources[next]) continue;
      seen.add(next);
      visit(next);
    }
  };
  visit(id);
  return seen;
}

/** The ASL a machine deploys: its definition asset, read back from the assembly. */
function deployedDefinition(synth: SynthResult, machineId: string): string {
  const key = String(synth.template.toJSON().Resources[machineId].Properties.DefinitionS3Location.Key);
  const manifest = JSON.parse(readFileSync(join(synth.outdir, `${synth.stack.stackName}.assets.json`), 'utf8')) as {
    files: Record<string, { source: { path: string } }>;
  };
  return readFileSync(join(synth.outdir, manifest.files[key.replace(/\.json$/, '')]!.source.path), 'utf8');
}

const synths: Partial<Record<DispatchMode, SynthResult>> = {};
beforeAll(() => {
  for (const mode of ['queue', 'invoke'] as const) {
    synths[mode] = synthFlowProvisioner({ context: { dispatchMode: mode }, skipBundling: true });
  }
});
afterAll(() => {
  for (const synth of Object.values(synths)) synth.cleanup();
});

/** Logical ids of one synth. */
function idsOf(synth: SynthResult) {
  const { stack } = synth;
  return {
    dlq: logicalIdOf(stack, stack.intake.deadLetterQueue),
    fn: (vendor: VendorId) => logicalIdOf(stack, stack.vendorFunctions.functionFor(vendor)),
    fnRole: (vendor: VendorId) => roleOf(synth.template, logicalIdOf(stack, stack.vendorFunctions.functionFor(vendor))),
    machine: (vendor: VendorId) => logicalIdOf(stack, stack.workflow.stateMachineFor(vendor)),
    machineRole: (vendor: VendorId) =>
      roleOf(synth.template, logicalIdOf(stack, stack.workflow.stateMachineFor(vendor))),
    taskQueue: (vendor: VendorId) => logicalIdOf(stack, stack.vendorFunctions.taskQueues[vendor]!.queue),
    taskDlq: (vendor: VendorId) => logicalIdOf(stack, stack.vendorFunctions.taskQueues[vendor]!.deadLetterQueue),
    /** Every lane of a vendor (docs/adr/0007-lanes.md): its λ, the λ's role and its task queue, queue mode only. */
    lanes: (vendor: VendorId) =>
      vendorLanes(vendorConfig(vendor).budget).map((lane) => {
        const fn = logicalIdOf(stack, stack.vendorFunctions.laneFunctions[vendor]![lane.name]!);
        return {
          lane,
          fn,
          fnRole: roleOf(synth.template, fn),
          taskQueue: logicalIdOf(stack, stack.vendorFunctions.laneTaskQueues[vendor]![lane.name]!.queue),
        };
      }),
  };
}

const resourcesOf = (statements: Statement[], action: string) =>
  statements.filter((s) => asArray(s.Action).includes(action)).flatMap((s) => asArray(s.Resource));

describe.each(['queue', 'invoke'] as const)('both modes: %s', (mode) => {
  const synth = () => synths[mode]!;

  it('synthesize with no unacknowledged cdk-nag finding (AwsSolutions, Serverless)', () => {
    expect(synth().stack.dispatchMode).toBe(mode);
    const errors = synth().nagViolations.filter((v) => v.severity === 'error');
    expect(errors.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual(
      [],
    );
    expect(synth().synthError).toBeUndefined();
  });

  it('acknowledge findings with a written reason only', () => {
    for (const construct of synth().stack.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const reason of Object.values(entry.data as Record<string, string>)) {
          expect(reason.length).toBeGreaterThan(60);
        }
      }
    }
  });

  it('deploy the workflow file of the mode, with exactly its placeholders substituted', () => {
    const ids = idsOf(synth());
    for (const vendor of vendors) {
      const machine = synth().template.toJSON().Resources[ids.machine(vendor)].Properties;
      expect(deployedDefinition(synth(), ids.machine(vendor))).toBe(readFileSync(WORKFLOW_FILES[mode], 'utf8'));
      expect(Object.keys(machine.DefinitionSubstitutions).sort()).toEqual([...WORKFLOW_PLACEHOLDERS[mode]].sort());
      expect(machine.DefinitionSubstitutions.DeadLetterQueueUrl).toEqual({ Ref: ids.dlq });
    }
  });

  it('grant no wildcard action, and Resource "*" only to the logging and tracing actions of CDK', () => {
    const allows = identityStatements(synth().template).filter(({ statement }) => statement.Effect === 'Allow');
    expect(allows.flatMap(({ statement }) => asArray(statement.Action)).filter((a) => a.includes('*'))).toEqual([]);
    const star = allows
      .filter(({ statement }) => asArray(statement.Resource).includes('*'))
      .flatMap(({ statement }) => asArray(statement.Action))
      .filter((a) => !MACHINE_PLATFORM_ACTIONS.has(a) && !a.startsWith('mediaconnect:'));
    expect(star).toEqual([]);
  });

  it('tell operators the mode (stack output DispatchMode)', () => {
    synth().template.hasOutput('DispatchMode', { Value: mode });
  });
});

/** The TimeoutSeconds of every `.waitForTaskToken` state of the queued ASL: how long each task token can be answered. */
function queuedTokenTimeouts(): number[] {
  const asl = JSON.parse(readFileSync(WORKFLOW_FILES.queue, 'utf8')) as {
    States: Record<string, { Resource?: string; TimeoutSeconds?: number }>;
  };
  const timeouts = Object.values(asl.States)
    .filter((state) => state.Resource === WAIT_FOR_TASK_TOKEN)
    .map((state) => state.TimeoutSeconds ?? Number.POSITIVE_INFINITY);
  expect(timeouts.length).toBeGreaterThan(0);
  return timeouts;
}

describe('queue mode', () => {
  const synth = () => synths.queue!;
  const ids = () => idsOf(synth());
  // The template JSON is untyped: read as CloudFormation writes it.
  const resources = () => synth().template.toJSON().Resources;

  it('is what DISPATCH_MODE deploys', () => {
    expect(DISPATCH_MODE).toBe('queue');
    expect(buildApp({ context: { 'aws:cdk:bundling-stacks': [] } }).stack.dispatchMode).toBe(DISPATCH_MODE);
  });

  it('gives every vendor a task queue: named, SSE, sized from the λ timeout, redriving to its own DLQ', () => {
    for (const config of configs) {
      const queue = resources()[ids().taskQueue(config.vendor)]!.Properties;
      expect(queue).toMatchObject({
        QueueName: retainedName(taskQueueName(config.vendor)),
        SqsManagedSseEnabled: true,
        VisibilityTimeout: VISIBILITY_TIMEOUT_FACTOR * config.functionTimeoutSeconds,
        MessageRetentionPeriod: TASK_RETENTION_SECONDS,
        RedrivePolicy: {
          deadLetterTargetArn: getAtt(ids().taskDlq(config.vendor)),
          maxReceiveCount: PIPELINE.maxReceiveCount,
        },
      });
      // AWS: at least six times the function timeout for an SQS event source.
      expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * config.functionTimeoutSeconds);
      // A work item that keeps failing reaches the DLQ before it expires.
      expect(PIPELINE.maxReceiveCount * queue.VisibilityTimeout).toBeLessThan(queue.MessageRetentionPeriod);
      // No work for a dead token: an item is gone once the step that sent it can no longer be answered.
      for (const timeout of queuedTokenTimeouts()) expect(queue.MessageRetentionPeriod).toBeLessThanOrEqual(timeout);
    }
  });

  it('gives every task queue its own DLQ: named, SSE, kept like the other DLQs, fed by that task queue only', () => {
    for (const { vendor } of configs) {
      const dlq = resources()[ids().taskDlq(vendor)]!.Properties;
      expect(dlq).toMatchObject({
        QueueName: retainedName(taskDeadLetterQueueName(vendor)),
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: PIPELINE.dlqRetentionDays * DAY,
        RedriveAllowPolicy: { redrivePermission: 'byQueue' },
      });
      // The source is named, not referenced (the source references the DLQ): the name must be the task queue's.
      const taskQueue = resources()[ids().taskQueue(vendor)]!.Properties;
      expect(dlq.RedriveAllowPolicy.sourceQueueArns.map(rendered)).toEqual([
        rendered(stackArn('sqs', rendered(taskQueue.QueueName))),
      ]);
      expect(resources()[ids().taskDlq(vendor)]!.Properties.RedrivePolicy).toBeUndefined();
    }
  });

  it('denies every request to a task queue or its DLQ that is not over TLS', () => {
    for (const vendor of vendors) {
      for (const queue of [ids().taskQueue(vendor), ids().taskDlq(vendor)]) {
        expectTlsOnly(synth().template, queue);
      }
    }
  });

  it('feeds each lane λ from its own task queue: one work item per invocation, at most its C at once', () => {
    const mappings = Object.values(synth().template.findResources('AWS::Lambda::EventSourceMapping'));
    // The dispatcher's, and one per lane of each vendor.
    const lanes = vendors.flatMap((vendor) => ids().lanes(vendor));
    expect(mappings).toHaveLength(1 + lanes.length);
    for (const config of configs) {
      const slots = ids()
        .lanes(config.vendor)
        .map(({ lane, fn, taskQueue }) => {
          const own = mappings.filter((m) => m.Properties.FunctionName.Ref === fn);
          expect(own).toHaveLength(1);
          expect(own[0]!.Properties).toMatchObject({
            EventSourceArn: getAtt(taskQueue),
            BatchSize: 1,
            FunctionResponseTypes: ['ReportBatchItemFailures'],
            ScalingConfig: { MaximumConcurrency: lane.reservedConcurrency },
          });
          const reserved = resources()[fn]!.Properties.ReservedConcurrentExecutions as number;
          expect(reserved).toBe(lane.reservedConcurrency);
          return reserved;
        });
      // The lanes hold every slot of the vendor's budget, and no more.
      expect(slots.reduce((a, b) => a + b, 0)).toBe(config.budget.reservedConcurrency);
    }
  });

  it('lets each machine send to its own task queue (and the DLQ) and invoke no function', () => {
    for (const vendor of vendors) {
      const statements = statementsOfRole(synth().template, ids().machineRole(vendor));
      const actions = statements.flatMap((s) => asArray(s.Action));
      expect(actions.filter((a) => a.startsWith('lambda:'))).toEqual([]);
      // The outcome-event put has its own tests (test/infra/outcome-events.test.ts).
      expect(actions.filter((a) => !MACHINE_PLATFORM_ACTIONS.has(a) && a !== 'events:PutEvents')).toEqual([
        'sqs:SendMessage',
      ]);
      const lanes = ids().lanes(vendor);
      expect(asSet(resourcesOf(statements, 'sqs:SendMessage'))).toEqual(
        asSet([...lanes.map((l) => getAtt(l.taskQueue)), getAtt(ids().dlq)]),
      );
      // Each step's work items go to the queue of the lane that serves it.
      const queueOfLane = Object.fromEntries(lanes.map((l) => [l.lane.name, l.taskQueue]));
      expect(resources()[ids().machine(vendor)]!.Properties.DefinitionSubstitutions).toEqual({
        ...Object.fromEntries(
          lanes.flatMap((l) =>
            l.lane.steps
              .filter((step) => (WORKFLOW_STEPS as readonly string[]).includes(step))
              .map((step) => [taskQueuePlaceholderName(step), { Ref: queueOfLane[l.lane.name] }]),
          ),
        ),
        DeadLetterQueueUrl: { Ref: ids().dlq },
        EventBusName: { Ref: expect.stringMatching(/^OutcomeEventsBus/) },
      });
    }
    // Nobody in the stack may invoke a vendor λ: its event source does.
    for (const { statement } of identityStatements(synth().template)) {
      if (!asArray(statement.Action).includes('lambda:InvokeFunction')) continue;
      const target = JSON.stringify(statement.Resource);
      for (const vendor of vendors) expect(target).not.toContain(ids().fn(vendor));
    }
  });

  it('lets only the machine of a vendor send to that vendor’s task queues', () => {
    for (const vendor of vendors) {
      for (const { taskQueue } of ids().lanes(vendor)) {
        const senders = identityStatements(synth().template)
          .filter(
            ({ statement }) =>
              asArray(statement.Action).includes('sqs:SendMessage') &&
              JSON.stringify(statement.Resource).includes(`"${taskQueue}"`),
          )
          .flatMap(({ roles }) => roles);
        expect(senders).toEqual([ids().machineRole(vendor)]);
      }
    }
  });

  it('lets each lane λ answer the tokens of its own machine only, and consume its own task queue only', () => {
    for (const vendor of vendors) {
      for (const { fnRole, taskQueue } of ids().lanes(vendor)) {
        const statements = statementsOfRole(synth().template, fnRole);
        const states = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('states:')));
        expect(states.map((s) => [asArray(s.Action).sort(), s.Resource])).toEqual([
          [[...TASK_RESPONSE_ACTIONS].sort(), machineArnByName(vendor)],
        ]);
        const sqsStatements = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('sqs:')));
        expect(sqsStatements.map((s) => [asArray(s.Action).sort(), s.Resource])).toEqual([
          [[...CONSUMER_ACTIONS].sort(), getAtt(taskQueue)],
        ]);
      }
    }
    // No one else may answer any token.
    const answering = identityStatements(synth().template).filter(({ statement }) =>
      asArray(statement.Action).some((a) => a.startsWith('states:SendTask')),
    );
    expect(answering.flatMap(({ roles }) => roles).sort()).toEqual(
      vendors
        .flatMap((v) =>
          ids()
            .lanes(v)
            .map((l) => l.fnRole),
        )
        .sort(),
    );
  });

  it('keeps λ and machine apart in the deployment graph (no circular dependency, either way)', () => {
    for (const vendor of vendors) {
      // The grant names the machine by its literal name: the λ does not wait for the machine...
      expect(dependenciesOf(resources(), ids().fn(vendor)).has(ids().machine(vendor))).toBe(false);
      // ...and the machine, which only sends to the queue, does not wait for the λ.
      expect(dependenciesOf(resources(), ids().machine(vendor)).has(ids().fn(vendor))).toBe(false);
      expect(resources()[ids().machine(vendor)]!.Properties.StateMachineName).toBe(machineName(vendor));
    }
  });

  it('alarms on every lane’s task DLQ (the alarm details are in observability-lanes.test.ts)', () => {
    const names = Object.values(synth().template.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties.AlarmName as string,
    );
    for (const { vendor, budget } of configs) {
      for (const lane of vendorLanes(budget)) {
        const dlq = taskDeadLetterQueueName(vendor, laneSuffix(budget, lane.name));
        expect(names).toContain(stageAlarmName('dlq-messages', dlq));
      }
    }
  });

  it('outputs the task queue and task DLQ URL of every vendor', () => {
    const { stack } = synth();
    const urls = (pick: (t: { queue: sqs.IQueue; deadLetterQueue: sqs.IQueue }) => sqs.IQueue) =>
      stack.resolve(
        stack.toJsonString(
          Object.fromEntries(vendors.map((v) => [v, pick(stack.vendorFunctions.taskQueues[v]!).queueUrl])),
        ),
      );
    synth().template.hasOutput('VendorTaskQueueUrls', { Value: urls((t) => t.queue) });
    synth().template.hasOutput('VendorTaskDeadLetterQueueUrls', { Value: urls((t) => t.deadLetterQueue) });
    expect(JSON.stringify(synth().template.toJSON().Outputs.VendorTaskQueueUrls.Value)).toContain(
      ids().taskQueue('huawei-live'),
    );
  });

  it('outputs the task queue and task DLQ URL of every lane, by vendor and lane', () => {
    const { stack } = synth();
    const byLane = (pick: (t: { queue: sqs.IQueue; deadLetterQueue: sqs.IQueue }) => sqs.IQueue) =>
      stack.resolve(
        stack.toJsonString(
          Object.fromEntries(
            vendors.map((v) => [
              v,
              Object.fromEntries(
                vendorLanes(VENDORS[v].budget).map((lane) => [
                  lane.name,
                  pick(stack.vendorFunctions.laneTaskQueues[v]![lane.name]!).queueUrl,
                ]),
              ),
            ]),
          ),
        ),
      );
    synth().template.hasOutput('VendorLaneTaskQueueUrls', { Value: byLane((t) => t.queue) });
    synth().template.hasOutput('VendorLaneTaskDeadLetterQueueUrls', { Value: byLane((t) => t.deadLetterQueue) });
    // CAMS's asset lane, a lane after the vendor's first, is there.
    const asset = stack.vendorFunctions.laneTaskQueues['alibaba-cams']!.asset!;
    expect(JSON.stringify(synth().template.toJSON().Outputs.VendorLaneTaskQueueUrls.Value)).toContain(
      logicalIdOf(stack, asset.queue as never),
    );
  });
});

describe('invoke mode', () => {
  const synth = () => synths.invoke!;
  const ids = () => idsOf(synth());

  it('builds no task queue: the ingress queue, provision-dlq and the delivery DLQ only', () => {
    expect(synth().stack.vendorFunctions.taskQueues).toEqual({});
    expect(
      Object.values(synth().template.findResources('AWS::SQS::Queue'))
        .map((q) => q.Properties.QueueName)
        .map(rendered)
        .sort(),
    ).toEqual(['provision-delivery-dlq', 'provision-dlq', 'provision-requests'].map((n) => rendered(retainedName(n))));
    synth().template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    expect(synth().template.toJSON().Outputs.VendorTaskQueueUrls).toBeUndefined();
    expect(synth().template.toJSON().Outputs.VendorLaneTaskQueueUrls).toBeUndefined();
  });

  it('substitutes the vendor λ ARN and the DLQ URL into each machine', () => {
    for (const vendor of vendors) {
      const machine = synth().template.toJSON().Resources[ids().machine(vendor)].Properties;
      expect(machine.DefinitionSubstitutions).toEqual({
        VendorFunctionArn: getAtt(ids().fn(vendor)),
        DeadLetterQueueUrl: { Ref: ids().dlq },
        EventBusName: { Ref: expect.stringMatching(/^OutcomeEventsBus/) },
      });
    }
  });

  it('lets each machine invoke its own vendor function only, and send to the DLQ only', () => {
    for (const vendor of vendors) {
      const statements = statementsOfRole(synth().template, ids().machineRole(vendor));
      expect(resourcesOf(statements, 'lambda:InvokeFunction')).toEqual([getAtt(ids().fn(vendor))]);
      expect(resourcesOf(statements, 'sqs:SendMessage')).toEqual([getAtt(ids().dlq)]);
      const other = statements
        .flatMap((s) => asArray(s.Action))
        .filter(
          (a) =>
            !['lambda:InvokeFunction', 'sqs:SendMessage', 'events:PutEvents'].includes(a) &&
            !MACHINE_PLATFORM_ACTIONS.has(a),
        );
      expect(other).toEqual([]);
    }
  });

  it('lets the vendor λs invoke nothing, answer no token and touch no queue', () => {
    for (const vendor of vendors) {
      const actions = statementsOfRole(synth().template, ids().fnRole(vendor)).flatMap((s) => asArray(s.Action));
      expect(actions.filter((a) => /^(lambda|states|sqs):/.test(a))).toEqual([]);
    }
  });

  it('keeps every alarm of before, by logical id and name: one λ throttle alarm per vendor, no task DLQ alarm', () => {
    const alarms = synth().template.findResources('AWS::CloudWatch::Alarm');
    expect(Object.fromEntries(Object.entries(alarms).map(([id, a]) => [id, a.Properties.AlarmName as string]))).toEqual(
      DEPLOYED_ALARMS.invoke,
    );
    const throttles = Object.values(alarms).filter((a) => a.Properties.MetricName === 'Throttles');
    expect(throttles.map((a) => JSON.stringify(a.Properties.Dimensions)).sort()).toEqual(
      vendors.map((v) => JSON.stringify([{ Name: 'FunctionName', Value: { Ref: ids().fn(v) } }])).sort(),
    );
  });

  it('keeps the alarms of before: no task DLQ alarm', () => {
    const names = Object.values(synth().template.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties.AlarmName as string,
    );
    expect(names.filter((n) => n.includes('vendor-tasks'))).toEqual([]);
    expect(names.filter((n) => n.startsWith(stageAlarmName('dlq-messages'))).sort()).toEqual(
      [
        stageAlarmName('dlq-messages', 'provision-delivery-dlq'),
        stageAlarmName('dlq-messages', 'provision-dlq'),
      ].sort(),
    );
  });
});
