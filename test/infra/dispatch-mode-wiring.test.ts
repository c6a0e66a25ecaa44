/**
 * Infrastructure: how the dispatch mode is wired and bounded without a synth of the whole app: an unknown mode, the
 * task queues' concurrency and visibility limits, and the constructs that refuse a mode they cannot serve.
 */
import { App, Stack } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../cdk/build-app.ts';
import { ProvisioningWorkflow } from '../../cdk/constructs/provisioning-workflow.ts';
import {
  SQS_MAX_CONCURRENCY_RANGE,
  taskMaxConcurrency,
  taskVisibilityTimeoutSeconds,
  VendorTaskQueue,
} from '../../cdk/constructs/vendor-task-queue.ts';
import { VENDORS, type VendorConfig } from '../../functions/domain/config.ts';

const configs = Object.values(VENDORS) as readonly VendorConfig[];

describe('mode wiring and limits', () => {
  it('rejects an unknown dispatchMode in context', () => {
    expect(() => buildApp({ context: { dispatchMode: 'poll', 'aws:cdk:bundling-stacks': [] } })).toThrow(
      /dispatchMode/,
    );
  });

  it('uses the reserved concurrency as the event source maximum concurrency, within what Lambda accepts', () => {
    const { min, max } = SQS_MAX_CONCURRENCY_RANGE;
    expect(min).toBe(2);
    expect(taskMaxConcurrency('huawei-live', 4)).toBe(4);
    expect(taskMaxConcurrency('huawei-live', min)).toBe(min);
    expect(taskMaxConcurrency('huawei-live', max)).toBe(max);
    expect(() => taskMaxConcurrency('huawei-live', 1)).toThrow(/reservedConcurrency 1.*at least 2.*'invoke'/s);
    expect(() => taskMaxConcurrency('huawei-live', max + 1)).toThrow(/above the SQS maximum/);
    for (const config of configs) {
      expect(config.budget.reservedConcurrency).toBeGreaterThanOrEqual(min);
      expect(taskVisibilityTimeoutSeconds(config)).toBe(6 * config.functionTimeoutSeconds);
    }
  });

  it('refuses to build a task queue for a vendor with reserved concurrency 1', () => {
    const stack = new Stack(new App(), 'Limits');
    const consumer = new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {}'),
    });
    const base = VENDORS['huawei-live'];
    const config: VendorConfig = { ...base, budget: { ...base.budget, reservedConcurrency: 1 } };
    expect(() => new VendorTaskQueue(stack, 'Tasks', { config, consumer })).toThrow(/at least 2/);
  });

  it('refuses a queue-mode workflow without task queues, and task queues in invoke mode', () => {
    const stack = new Stack(new App(), 'Wiring');
    const fn = new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {}'),
    });
    const deadLetterQueue = new sqs.Queue(stack, 'Dlq');
    const eventBus = new EventBus(stack, 'Bus');
    const vendorFunctions = { 'huawei-live': fn } as const;
    expect(
      () =>
        new ProvisioningWorkflow(stack, 'Queue', { vendorFunctions, deadLetterQueue, eventBus, dispatchMode: 'queue' }),
    ).toThrow(/needs a task queue for huawei-live/);
    expect(
      () =>
        new ProvisioningWorkflow(stack, 'Invoke', {
          vendorFunctions,
          deadLetterQueue,
          eventBus,
          dispatchMode: 'invoke',
          taskQueues: { 'huawei-live': { main: { queue: new sqs.Queue(stack, 'Tasks') } } },
        }),
    ).toThrow(/invoke mode/);
  });
});
