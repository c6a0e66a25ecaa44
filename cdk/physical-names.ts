/**
 * Physical names that carry the stage, so `dev` and `prod` deploy side by side into one account and region.
 *
 * `FlowProvisionerStack` records its stage on its construct node; constructs ask for names here. A name of a resource
 * the stage may retain (queues, log groups, the schedule group) also carries the stack's creation id, the UUID in
 * `AWS::StackId`: a stack created again after a delete gets a new one, so its names never collide with what the
 * deleted stack left behind. A construct built outside that stack (a construct test) keeps the base name.
 */
import { Fn, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/** The construct-node context key under which `FlowProvisionerStack` records its stage. */
export const STAGE_CONTEXT_KEY = 'flow-provisioner:stage';

/** The stage of the stack the scope belongs to, if it recorded one. */
export function stageOf(scope: Construct): string | undefined {
  const stage = scope.node.tryGetContext(STAGE_CONTEXT_KEY) as unknown;
  return typeof stage === 'string' ? stage : undefined;
}

/** `<base>-<stage>`: a resource the stack deletes with itself (state machines, alarms, the dashboard). */
export function stagedName(scope: Construct, base: string): string {
  const stage = stageOf(scope);
  return stage === undefined ? base : `${base}-${stage}`;
}

/** `<base>-<stage>-<creation id>`: a resource the stage may retain when the stack is deleted. */
export function retainableName(scope: Construct, base: string): string {
  const stage = stageOf(scope);
  if (stage === undefined) return base;
  return `${base}-${stage}-${Fn.select(2, Fn.split('/', Stack.of(scope).stackId))}`;
}
