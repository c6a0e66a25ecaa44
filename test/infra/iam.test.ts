/**
 * IAM checked against the code, on the synthesized template (queue mode, the deployed one). For every principal —
 * each λ role, each state machine role, the schedule role, the on-call policy — the actions the code takes are
 * gathered from the code (the SDK commands each handler's imports reach, `flowctl`'s commands, the ASL's Task
 * resources), each must be allowed on the resource it targets, and nothing else may be granted: a grant removed fails
 * `missing`, a grant widened (another action, a wider resource) fails `excess`. Both are shown on mutated templates.
 * Trust: Scheduler's role carries the conditions of the Scheduler guide, the EventBridge target its rule's ARN.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HouseFunction } from '../../cdk/constructs/house-function.ts';
import { WAIT_FOR_TASK_TOKEN } from '../../functions/domain/queued-workflow.ts';
import { actionsOfCode, filesUnder, grantsOf, isAllowed, sampleOf } from '../helpers/iam.ts';
import {
  definitionTemplateOf,
  MACHINE_PLATFORM_ACTIONS,
  rendered,
  type Statement,
  type SynthResult,
  synthFlowProvisioner,
} from '../helpers/synth.ts';

/** The template's Resources section (as loosely typed as CDK's own `toJSON`). */
type Resources = ReturnType<Template['toJSON']>;

/** What a principal must be able to do (action → resource patterns) and may do besides, on any resource. */
interface Principal {
  readonly name: string;
  readonly statements: (resources: Resources) => Statement[];
  readonly required: ReadonlyMap<string, readonly string[]>;
  /** Actions granted for the platform (logs, traces, state machine log delivery), on any resource. */
  readonly platform?: ReadonlySet<string>;
  /** Actions allowed besides the required ones, on the given resources (event sources, dependent actions). */
  readonly extra?: ReadonlyMap<string, readonly string[]>;
}

const FUNCTION_PLATFORM = new Set([
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
]);
/** The execution-role permissions of an SQS event source (Lambda developer guide, "Using Lambda with Amazon SQS"). */
const EVENT_SOURCE_REQUIRED = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];
const EVENT_SOURCE_EXTRA = ['sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl'];
/**
 * Actions whose resource-level scope IAM does not support (Resource "*" only) or that an action depends on, from the
 * Service Authorization Reference.
 */
const UNSCOPED = new Set([
  'mediaconnect:CreateFlow',
  'mediaconnect:ListFlows',
  'scheduler:ListSchedules',
  'lambda:GetAccountSettings',
]);
const ARN = 'arn:<AWS::Partition>';
const executionsOf = (name: string) => `${ARN}:states:<AWS::Region>:<AWS::AccountId>:execution:${name}:*`;
const machineByName = (name: string) => `${ARN}:states:<AWS::Region>:<AWS::AccountId>:stateMachine:${name}`;

/** The Allow statements attached to a role (its inline policies and the AWS::IAM::Policy resources naming it). */
function statementsOfRoleIn(resources: Resources, roleId: string): Statement[] {
  const attached = Object.values(resources)
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles ?? []).some((x: { Ref?: string }) => x.Ref === roleId),
    )
    .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[]);
  const inline = (resources[roleId]?.Properties.Policies ?? []).flatMap(
    (p: { PolicyDocument: { Statement: Statement[] } }) => p.PolicyDocument.Statement,
  );
  return [...attached, ...inline].filter((s) => s.Effect === 'Allow');
}

/** Logical ids of the resources a value refers to (Ref or GetAtt, anywhere inside it). */
function referencesIn(value: unknown): string[] {
  const found: string[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.Ref === 'string') found.push(o.Ref);
      if (Array.isArray(o['Fn::GetAtt'])) found.push(o['Fn::GetAtt'][0] as string);
      Object.values(o).forEach(visit);
    }
  };
  visit(value);
  return found;
}

function addTo(map: Map<string, string[]>, action: string, ...patterns: string[]) {
  map.set(action, [...(map.get(action) ?? []), ...patterns]);
}

function principalsOf(synth: SynthResult): Principal[] {
  const resources = synth.template.toJSON().Resources as Resources;
  const ofType = (type: string) => Object.keys(resources).filter((id) => resources[id]!.Type === type);
  const machines = ofType('AWS::StepFunctions::StateMachine');
  const nameOf = (machine: string) => resources[machine]!.Properties.StateMachineName as string;
  const principals: Principal[] = [];

  // --- λs: the SDK commands their entry reaches, each on what the function's configuration points it at ---------
  for (const fn of synth.stack.node.findAll().filter((c): c is HouseFunction => c instanceof HouseFunction)) {
    const id = synth.stack.resolve(synth.stack.getLogicalId(fn.node.defaultChild as never)) as string;
    const props = resources[id]!.Properties;
    const roleId = props.Role['Fn::GetAtt'][0] as string;
    const env = props.Environment?.Variables ?? {};
    const referenced = referencesIn(env);
    const queues = referenced.filter((r) => resources[r]?.Type === 'AWS::SQS::Queue');
    const consumed = Object.values(resources)
      .filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping' && r.Properties.FunctionName.Ref === id)
      .map((r) => r.Properties.EventSourceArn['Fn::GetAtt'][0] as string);
    // The machines it starts (STATE_MACHINE_ARNS), answers (the one whose task queue it consumes) or is told about
    // (the EventBridge rule that targets it).
    const started = referenced.filter((r) => machines.includes(r));
    const answered = machines.filter((m) =>
      referencesIn(resources[m]!.Properties.DefinitionSubstitutions).some((q) => consumed.includes(q)),
    );
    const heardOf = Object.values(resources)
      .filter((r) => r.Type === 'AWS::Events::Rule' && referencesIn(r.Properties.Targets).includes(id))
      .flatMap((r) => referencesIn(r.Properties.EventPattern))
      .filter((m) => machines.includes(m));
    const required = new Map<string, string[]>();
    const extra = new Map<string, string[]>();
    for (const action of actionsOfCode([fn.entry])) {
      const [service, name] = action.split(':') as [string, string];
      if (UNSCOPED.has(action)) addTo(required, action, '*');
      else if (service === 'sqs') addTo(required, action, ...queues.map((q) => `<${q}.Arn>`));
      else if (name === 'StartExecution') addTo(required, action, ...started.map((m) => `<${m}>`));
      else if (name.endsWith('Execution') || name === 'GetExecutionHistory') {
        addTo(required, action, ...[...started, ...heardOf].map((m) => executionsOf(nameOf(m))));
      } else if (name.startsWith('SendTask')) addTo(required, action, ...answered.map((m) => machineByName(nameOf(m))));
      else if (service === 'dynamodb') {
        addTo(
          required,
          action,
          ...referenced.filter((r) => resources[r]?.Type === 'AWS::DynamoDB::Table').map((t) => `<${t}.Arn>`),
        );
      } else if (service === 'secretsmanager') {
        addTo(
          required,
          action,
          ...referenced.filter((r) => resources[r]?.Type === 'AWS::SecretsManager::Secret').map((s) => `<${s}>`),
        );
      } else if (action === 'events:PutEvents') {
        addTo(
          required,
          action,
          ...referenced.filter((r) => resources[r]?.Type === 'AWS::Events::EventBus').map((b) => `<${b}.Arn>`),
        );
      } else if (service === 'mediaconnect')
        addTo(required, action, `${ARN}:mediaconnect:<AWS::Region>:<AWS::AccountId>:flow:*`);
      else throw new Error(`${fn.entry}: no target known for ${action}`);
    }
    // CreateFlow with tags depends on mediaconnect:TagResource (Service Authorization Reference, MediaConnect).
    if (required.has('mediaconnect:CreateFlow'))
      addTo(extra, 'mediaconnect:TagResource', ...required.get('mediaconnect:StartFlow')!);
    for (const queue of consumed) {
      for (const action of EVENT_SOURCE_REQUIRED) addTo(required, action, `<${queue}.Arn>`);
      for (const action of EVENT_SOURCE_EXTRA) addTo(extra, action, `<${queue}.Arn>`);
    }
    const dlq = props.DeadLetterConfig?.TargetArn;
    if (dlq) addTo(required, 'sqs:SendMessage', rendered(dlq));
    principals.push({
      name: `λ ${fn.entry}`,
      statements: (r) => statementsOfRoleIn(r, roleId),
      required,
      extra,
      platform: FUNCTION_PLATFORM,
    });
  }

  // --- state machines: the ASL's Task resources, on the substituted queue or function --------------------------
  for (const machine of machines) {
    const props = resources[machine]!.Properties;
    const roleId = props.RoleArn['Fn::GetAtt'][0] as string;
    const substitutions = props.DefinitionSubstitutions as Record<string, unknown>;
    const required = new Map<string, string[]>();
    for (const state of Object.values(definitionTemplateOf(synth, machine).States)) {
      if (state.Type !== 'Task') continue;
      const placeholder = (text: unknown) => substitutions[String(text).replace(/^\$\{(\w+)\}$/, '$1')];
      if (state.Resource === 'arn:aws:states:::sqs:sendMessage' || state.Resource === WAIT_FOR_TASK_TOKEN) {
        addTo(
          required,
          'sqs:SendMessage',
          ...referencesIn(placeholder(state.Parameters?.QueueUrl)).map((q) => `<${q}.Arn>`),
        );
      } else if (state.Resource === 'arn:aws:states:::events:putEvents') {
        const entries = (state.Parameters?.Entries ?? []) as { EventBusName?: unknown }[];
        for (const entry of entries) {
          addTo(
            required,
            'events:PutEvents',
            ...referencesIn(placeholder(entry.EventBusName)).map((b) => `<${b}.Arn>`),
          );
        }
      } else if (String(state.Resource).startsWith('${')) {
        addTo(required, 'lambda:InvokeFunction', rendered(placeholder(state.Resource)));
      } else throw new Error(`${machine}: no action known for Task resource ${state.Resource}`);
    }
    principals.push({
      name: `machine ${nameOf(machine)}`,
      statements: (r) => statementsOfRoleIn(r, roleId),
      required,
      platform: MACHINE_PLATFORM_ACTIONS,
    });
  }

  // --- the schedule role: what Scheduler does with it, send to the schedules' target and their DLQ ----------------
  const scheduling = synth.stack.scheduling;
  const idOf = (c: { node: { defaultChild?: unknown } }) =>
    synth.stack.resolve(synth.stack.getLogicalId(c.node.defaultChild as never)) as string;
  principals.push({
    name: 'schedule role',
    statements: (r) => statementsOfRoleIn(r, idOf(scheduling.scheduleRole)),
    required: new Map([
      [
        'sqs:SendMessage',
        [`<${idOf(synth.stack.intake.ingressQueue)}.Arn>`, `<${idOf(scheduling.deliveryDeadLetterQueue)}.Arn>`],
      ],
    ]),
  });

  // --- on-call: every command flowctl sends, on this stage's resources ------------------------------------------
  const list = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? list(join(dir, e.name)) : [join(dir, e.name)],
    );
  const ingress = `<${idOf(synth.stack.intake.ingressQueue)}.Arn>`;
  const dlqs = [synth.stack.intake.deadLetterQueue, scheduling.deliveryDeadLetterQueue].map((q) => `<${idOf(q)}.Arn>`);
  const group = synth.stack.resolve(synth.stack.getLogicalId(scheduling.scheduleGroup)) as string;
  const required = new Map<string, string[]>();
  // `flowctl local` and `--local` talk to the embedded stack's stand-ins on 127.0.0.1, never to AWS.
  for (const action of actionsOfCode(filesUnder('cli', list), /^(local\/|cli\/commands\/local)/)) {
    const [service, name] = action.split(':') as [string, string];
    if (UNSCOPED.has(action)) addTo(required, action, '*');
    else if (action === 'sqs:SendMessage') addTo(required, action, ingress);
    else if (action === 'sqs:GetQueueAttributes')
      addTo(required, action, ...ofType('AWS::SQS::Queue').map((q) => `<${q}.Arn>`));
    else if (service === 'sqs') addTo(required, action, ...dlqs);
    else if (name === 'ListExecutions' || name === 'DescribeStateMachine')
      addTo(required, action, ...machines.map((m) => `<${m}>`));
    else if (service === 'secretsmanager')
      addTo(required, action, ...ofType('AWS::SecretsManager::Secret').map((x) => `<${x}>`));
    else if (service === 'states') addTo(required, action, ...machines.map((m) => executionsOf(nameOf(m))));
    else if (service === 'scheduler')
      addTo(required, action, `${ARN}:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/<${group}>/*`);
    else if (service === 'cloudformation') addTo(required, action, '<AWS::StackId>');
    else throw new Error(`cli: no target known for ${action}`);
  }
  // CreateSchedule passes the schedule role to Scheduler (Service Authorization Reference: dependent iam:PassRole).
  if (required.has('scheduler:CreateSchedule'))
    addTo(required, 'iam:PassRole', `<${idOf(scheduling.scheduleRole)}.Arn>`);
  const policyId = idOf(synth.stack.onCall.policy);
  principals.push({
    name: 'on-call policy',
    statements: (r) => r[policyId]!.Properties.PolicyDocument.Statement as Statement[],
    required,
  });
  return principals;
}

/** Each required (action, resource) no statement allows. */
function missing(principal: Principal, resources: Resources): string[] {
  const statements = principal.statements(resources);
  return [...principal.required].flatMap(([action, patterns]) =>
    patterns.filter((p) => !isAllowed(statements, action, sampleOf(p))).map((p) => `${action} on ${p}`),
  );
}

/** Each granted (action, resource) that is neither required nor an allowed extra. */
function excess(principal: Principal, resources: Resources): string[] {
  return grantsOf(principal.statements(resources))
    .filter(({ action, resource }) => {
      if (principal.platform?.has(action)) return false;
      const allowed = [...(principal.required.get(action) ?? []), ...(principal.extra?.get(action) ?? [])];
      return !allowed.includes(resource);
    })
    .map(({ action, resource }) => `${action} on ${resource}`);
}

let synth: SynthResult;
let principals: Principal[];
let resources: Resources;
beforeAll(() => {
  synth = synthFlowProvisioner({ context: { dispatchMode: 'queue' }, skipBundling: true });
  resources = synth.template.toJSON().Resources as Resources;
  principals = principalsOf(synth);
});
afterAll(() => synth?.cleanup());

describe('IAM, checked against the code', () => {
  it('covers every λ, every state machine, the schedule role and the on-call policy', () => {
    const names = principals.map((p) => p.name);
    expect(names.filter((n) => n.startsWith('λ ')).length).toBe(
      Object.values(resources).filter(
        (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Runtime?.startsWith('nodejs22'),
      ).length,
    );
    expect(names.filter((n) => n.startsWith('machine ')).length).toBe(
      Object.keys(synth.stack.workflow.stateMachines).length,
    );
    expect(names).toContain('schedule role');
    expect(names).toContain('on-call policy');
    for (const p of principals) expect(p.required.size, p.name).toBeGreaterThan(0);
  });

  it('allows every action the code takes on the resource it targets, and nothing more', () => {
    for (const principal of principals) {
      expect({ principal: principal.name, missing: missing(principal, resources) }).toEqual({
        principal: principal.name,
        missing: [],
      });
      expect({ principal: principal.name, excess: excess(principal, resources) }).toEqual({
        principal: principal.name,
        excess: [],
      });
    }
  });

  it('fails when a grant is removed', () => {
    for (const principal of principals) {
      const mutated = structuredClone(resources);
      const statement = principal
        .statements(mutated)
        .find((s) => [s.Action].flat().some((a) => principal.required.has(a)))!;
      const action = [statement.Action].flat().find((a) => principal.required.has(a))!;
      (statement as { Action: unknown }).Action = [statement.Action].flat().filter((a) => a !== action);
      expect(missing(principal, mutated), principal.name).not.toEqual([]);
    }
  });

  it('fails when a grant is widened, to another action or to any resource', () => {
    for (const principal of principals) {
      const wider = structuredClone(resources);
      const statement = principal
        .statements(wider)
        .find((s) => [s.Action].flat().some((a) => principal.required.has(a)))!;
      (statement as { Resource: unknown }).Resource = '*';
      expect(
        principal.required.has(String([statement.Action].flat()[0])) ? excess(principal, wider) : ['n/a'],
      ).not.toEqual([]);
      const more = structuredClone(resources);
      const first = principal.statements(more).find((s) => [s.Action].flat().some((a) => principal.required.has(a)))!;
      (first as { Action: unknown }).Action = [...[first.Action].flat(), 'sqs:PurgeQueue'];
      expect(excess(principal, more), principal.name).not.toEqual([]);
    }
  });
});

describe('trust policies carry the conditions AWS documents', () => {
  it('Scheduler may assume the schedule role for this account and this schedule group only', () => {
    const role =
      resources[
        synth.stack.resolve(
          synth.stack.getLogicalId(synth.stack.scheduling.scheduleRole.node.defaultChild as never),
        ) as string
      ]!;
    const group = synth.stack.resolve(synth.stack.getLogicalId(synth.stack.scheduling.scheduleGroup)) as string;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: {
          StringEquals: {
            'aws:SourceAccount': { Ref: 'AWS::AccountId' },
            'aws:SourceArn': { 'Fn::GetAtt': [group, 'Arn'] },
          },
        },
      }),
    ]);
  });

  it('EventBridge may invoke the capture λ and write its DLQ for the capture rule only', () => {
    const rule = synth.stack.resolve(
      synth.stack.getLogicalId(synth.stack.failureCapture.rule.node.defaultChild as never),
    ) as string;
    const permissions = Object.values(resources).filter(
      (r) => r.Type === 'AWS::Lambda::Permission' && r.Properties.Principal === 'events.amazonaws.com',
    );
    expect(permissions.map((p) => p.Properties.SourceArn)).toEqual([{ 'Fn::GetAtt': [rule, 'Arn'] }]);
  });
});
