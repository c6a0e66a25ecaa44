/**
 * Infrastructure: outcome events. The stage's custom bus, its archive with a retention, `events:PutEvents` granted on
 * that bus only and only to the state machines, the dispatcher and the failure capture, the bus substituted into every machine, the
 * outputs, and cdk-nag clean. Targeted assertions on the synthesized stack (no bundling).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventBusName } from '../../cdk/naming.ts';
import { EVENT_SOURCE } from '../../functions/domain/flow-event.ts';
import {
  asArray,
  getAtt,
  identityStatements,
  logicalIdOf,
  roleOf,
  type SynthResult,
  statementsOfRole,
  synthFlowProvisioner,
} from '../helpers/synth.ts';

let dev: SynthResult;
let prod: SynthResult;
beforeAll(() => {
  dev = synthFlowProvisioner({ skipBundling: true });
  prod = synthFlowProvisioner({ skipBundling: true, context: { stage: 'prod' } });
});
afterAll(() => {
  dev?.cleanup();
  prod?.cleanup();
});

const busId = (s: SynthResult) => logicalIdOf(s.stack, s.stack.outcomeEvents.bus);

describe('outcome events on AWS', () => {
  it('has one custom bus per stage, named with the stage', () => {
    dev.template.resourceCountIs('AWS::Events::EventBus', 1);
    dev.template.hasResourceProperties('AWS::Events::EventBus', { Name: eventBusName('dev') });
    prod.template.hasResourceProperties('AWS::Events::EventBus', { Name: eventBusName('prod') });
  });

  it('archives every event of our source on that bus, with a retention (longer in prod)', () => {
    const archive = (s: SynthResult) =>
      Object.values(s.template.findResources('AWS::Events::Archive'))[0]?.Properties as Record<string, unknown>;
    expect(archive(dev)).toMatchObject({
      SourceArn: getAtt(busId(dev)),
      EventPattern: { source: [EVENT_SOURCE] },
      RetentionDays: 30,
    });
    expect(archive(prod)).toMatchObject({ RetentionDays: 365 });
  });

  it('lets only the state machines, the dispatcher and the failure capture put events, on that bus and no other', () => {
    const { template, stack } = dev;
    const puts = identityStatements(template).filter(({ statement }) =>
      asArray(statement.Action).some((a) => a.startsWith('events:')),
    );
    const machineRoles = Object.values(stack.workflow.stateMachines).map((m) =>
      roleOf(template, logicalIdOf(stack, m)),
    );
    const dispatcherRole = roleOf(template, logicalIdOf(stack, stack.intake.dispatcher));
    const captureRole = roleOf(template, logicalIdOf(stack, stack.failureCapture.function));
    expect(puts.flatMap(({ roles }) => roles).sort()).toEqual([...machineRoles, dispatcherRole, captureRole].sort());
    for (const { statement } of puts) {
      expect(asArray(statement.Action)).toEqual(['events:PutEvents']);
      expect(statement.Resource).toEqual(getAtt(busId(dev)));
    }
    for (const role of [...machineRoles, dispatcherRole, captureRole]) {
      expect(statementsOfRole(template, role).some((s) => asArray(s.Action).includes('events:PutEvents'))).toBe(true);
    }
  });

  it('tells every machine, the dispatcher and the failure capture which bus to put on', () => {
    const { template, stack } = dev;
    for (const machine of Object.values(stack.workflow.stateMachines)) {
      const props = template.toJSON().Resources[logicalIdOf(stack, machine)].Properties;
      expect(props.DefinitionSubstitutions.EventBusName).toEqual({ Ref: busId(dev) });
    }
    const dispatcher = template.toJSON().Resources[logicalIdOf(stack, stack.intake.dispatcher)].Properties;
    expect(dispatcher.Environment.Variables.EVENT_BUS_NAME).toEqual({ Ref: busId(dev) });
    const capture = template.toJSON().Resources[logicalIdOf(stack, stack.failureCapture.function)].Properties;
    expect(capture.Environment.Variables.EVENT_BUS_NAME).toEqual({ Ref: busId(dev) });
  });

  it('outputs the bus name and ARN', () => {
    dev.template.hasOutput('EventBusName', { Value: { Ref: busId(dev) } });
    dev.template.hasOutput('EventBusArn', { Value: getAtt(busId(dev)) });
  });

  it('is cdk-nag clean', () => {
    const mine = dev.nagViolations.filter((v) => /OutcomeEvents|EventBus|Archive/.test(JSON.stringify(v)));
    expect(mine).toEqual([]);
    expect(dev.synthError).toBeUndefined();
  });
});
