/**
 * The local EventBridge Scheduler through the real `@aws-sdk/client-scheduler` over HTTP, firing into a real local
 * SQS (fauxqs): the API shapes flowctl relies on, the documented errors, and the firing semantics.
 */
import type { AddressInfo } from 'node:net';
import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { CreateQueueCommand, type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningLocalScheduler, startLocalScheduler } from '../../../../local/aws/scheduler.ts';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const TARGET_ARN = 'arn:aws:sqs:us-east-1:000000000000:sched-target';
const DLQ_ARN = 'arn:aws:sqs:us-east-1:000000000000:provision-delivery-dlq';
const GONE_ARN = 'arn:aws:sqs:us-east-1:000000000000:deleted-queue';

let sqsApp: ReturnType<typeof buildApp>;
let sqs: SQSClient;
let targetUrl: string;
let dlqUrl: string;
let running: RunningLocalScheduler | undefined;

beforeAll(async () => {
  sqsApp = buildApp({ logger: false, defaultRegion: 'us-east-1' });
  await sqsApp.listen({ port: 0, host: '127.0.0.1' });
  sqs = new SQSClient({
    endpoint: `http://127.0.0.1:${(sqsApp.server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials,
  });
  targetUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'sched-target' }))).QueueUrl!;
  dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'provision-delivery-dlq' }))).QueueUrl!;
});
afterAll(async () => sqsApp?.close());
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(options: { timeScale?: number; random?: () => number } = {}) {
  running = await startLocalScheduler({
    sqs,
    queues: { [TARGET_ARN]: targetUrl, [DLQ_ARN]: dlqUrl, [GONE_ARN]: `${targetUrl}-gone` },
    groups: ['flow-provisioner'],
    ...options,
  });
  const client = new SchedulerClient({ endpoint: running.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  return { scheduler: running, client };
}

const input = (overrides: Partial<CreateScheduleCommandInput> = {}): CreateScheduleCommandInput => ({
  Name: 'nightly',
  GroupName: 'flow-provisioner',
  ScheduleExpression: 'rate(1 hour)',
  FlexibleTimeWindow: { Mode: 'OFF' },
  Target: {
    Arn: TARGET_ARN,
    RoleArn: 'arn:aws:iam::000000000000:role/flow-provisioner-scheduler',
    Input: '{"requestId":"nightly-<aws.scheduler.scheduled-time>","attempt":"<aws.scheduler.attempt-number>"}',
    DeadLetterConfig: { Arn: DLQ_ARN },
  },
  ...overrides,
});

async function drain(queueUrl: string, atLeast: number, timeoutMs = 5000): Promise<Message[]> {
  const messages: Message[] = [];
  const deadline = Date.now() + timeoutMs;
  while (messages.length < atLeast && Date.now() < deadline) {
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    messages.push(...(received.Messages ?? []));
  }
  return messages;
}

describe('local scheduler API', () => {
  it('creates, gets, lists and deletes schedules as the SDK expects', async () => {
    const { client } = await start();
    const created = await client.send(new CreateScheduleCommand(input({ ScheduleExpressionTimezone: 'Europe/Paris' })));
    expect(created.ScheduleArn).toBe('arn:aws:scheduler:us-east-1:000000000000:schedule/flow-provisioner/nightly');
    await client.send(new CreateScheduleCommand(input({ Name: 'other', ScheduleExpression: 'rate(2 days)' })));

    const got = await client.send(new GetScheduleCommand({ Name: 'nightly', GroupName: 'flow-provisioner' }));
    expect(got).toMatchObject({
      Name: 'nightly',
      GroupName: 'flow-provisioner',
      ScheduleExpression: 'rate(1 hour)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      State: 'ENABLED',
      ActionAfterCompletion: 'NONE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: TARGET_ARN, DeadLetterConfig: { Arn: DLQ_ARN } },
    });
    expect(got.CreationDate).toBeInstanceOf(Date);

    const listed = await client.send(new ListSchedulesCommand({ GroupName: 'flow-provisioner', MaxResults: 1 }));
    expect(listed.Schedules?.map((s) => s.Name)).toEqual(['nightly']);
    const page2 = await client.send(
      new ListSchedulesCommand({ GroupName: 'flow-provisioner', MaxResults: 1, NextToken: listed.NextToken }),
    );
    expect(page2.Schedules?.map((s) => s.Name)).toEqual(['other']);
    expect(page2.Schedules?.[0]?.Target?.Arn).toBe(TARGET_ARN);

    await client.send(new DeleteScheduleCommand({ Name: 'nightly', GroupName: 'flow-provisioner' }));
    await expect(
      client.send(new GetScheduleCommand({ Name: 'nightly', GroupName: 'flow-provisioner' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('answers the documented errors: conflict (unless the client token repeats), unknown group, validation', async () => {
    const { client } = await start();
    await client.send(new CreateScheduleCommand(input({ ClientToken: 'token-1' })));
    const again = await client.send(new CreateScheduleCommand(input({ ClientToken: 'token-1' })));
    expect(again.ScheduleArn).toMatch(/schedule\/flow-provisioner\/nightly$/);
    await expect(client.send(new CreateScheduleCommand(input({ ClientToken: 'token-2' })))).rejects.toBeInstanceOf(
      ConflictException,
    );
    await expect(client.send(new CreateScheduleCommand(input({ GroupName: 'nope' })))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(
      client.send(new CreateScheduleCommand(input({ Name: 'c', ScheduleExpression: 'cron(0 6 * * ? *)' }))),
    ).rejects.toThrow(/does not run cron\(\) schedules.*--stack NAME/);
    await expect(
      client.send(new CreateScheduleCommand(input({ Name: 'w', FlexibleTimeWindow: { Mode: 'FLEXIBLE' } }))),
    ).rejects.toBeInstanceOf(ValidationException);
    await expect(client.send(new CreateScheduleCommand(input({ Name: 'bad name!' })))).rejects.toBeInstanceOf(
      ValidationException,
    );
  });
});

describe('local scheduler firing', () => {
  it('fires an at() schedule once with the scheduled time substituted, then deletes it (ActionAfterCompletion)', async () => {
    const { client, scheduler } = await start();
    const at = new Date(Math.ceil((Date.now() + 1500) / 1000) * 1000);
    const wall = at.toISOString().slice(0, 19);
    await client.send(
      new CreateScheduleCommand(
        input({ Name: 'once', ScheduleExpression: `at(${wall})`, ActionAfterCompletion: 'DELETE' }),
      ),
    );
    const [message] = await drain(targetUrl, 1);
    expect(JSON.parse(message!.Body!)).toEqual({ requestId: `nightly-${wall}Z`, attempt: '1' });
    expect(scheduler.firings).toHaveLength(1);
    expect(scheduler.firings[0]!.firedAt).toBeGreaterThanOrEqual(at.getTime() - 5);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(scheduler.schedules()).toEqual([]);
  });

  it('reads at() in the schedule time zone', async () => {
    const { client, scheduler } = await start({ timeScale: 0.00001 });
    // A day ahead, written as Tokyo wall-clock time (UTC+9, no DST): it fires at that instant, 9 hours apart in UTC.
    const instant = new Date(Math.floor((Date.now() + 86_400_000) / 1000) * 1000);
    const tokyoWall = new Date(instant.getTime() + 9 * 3_600_000).toISOString().slice(0, 19);
    await client.send(
      new CreateScheduleCommand(
        input({ Name: 'tokyo', ScheduleExpression: `at(${tokyoWall})`, ScheduleExpressionTimezone: 'Asia/Tokyo' }),
      ),
    );
    await drain(targetUrl, 1);
    expect(scheduler.firings[0]!.scheduledTime.toISOString()).toBe(instant.toISOString());
  });

  it('fires rate() one interval apart in schedule time (timeScale), each with its own scheduled time', async () => {
    const { client, scheduler } = await start({ timeScale: 0.005 });
    await client.send(new CreateScheduleCommand(input({ Name: 'fast', ScheduleExpression: 'rate(1 minute)' })));
    const messages = await drain(targetUrl, 3);
    await client.send(new DeleteScheduleCommand({ Name: 'fast', GroupName: 'flow-provisioner' }));
    const ids = messages.map((m) => (JSON.parse(m.Body!) as { requestId: string }).requestId);
    expect(new Set(ids).size).toBe(ids.length);
    const times = scheduler.firings.map((f) => f.scheduledTime.getTime());
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(60_000);
    const fired = scheduler.firings.length;
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(scheduler.firings.length).toBe(fired);
  });

  it('delays within a flexible window and never fires a DISABLED schedule', async () => {
    const { client, scheduler } = await start({ timeScale: 0.001, random: () => 0.5 });
    await client.send(
      new CreateScheduleCommand(input({ Name: 'off', ScheduleExpression: 'rate(1 minute)', State: 'DISABLED' })),
    );
    const at = new Date(Date.now() + 60_000);
    await client.send(
      new CreateScheduleCommand(
        input({
          Name: 'flex',
          ScheduleExpression: `at(${at.toISOString().slice(0, 19)})`,
          FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 10 },
        }),
      ),
    );
    await drain(targetUrl, 1);
    expect(scheduler.firings.map((f) => f.schedule)).toEqual(['flex']);
    // Half of a 10-minute window after the time: 5 minutes of schedule time, 300 ms at this scale.
    expect(scheduler.firings[0]!.scheduledTime.getTime()).toBe(Math.floor(at.getTime() / 1000) * 1000);
  });

  it("sends a delivery that keeps failing to the target's dead-letter queue with Scheduler's attributes", async () => {
    const { client, scheduler } = await start();
    const at = new Date(Date.now() + 300);
    await client.send(
      new CreateScheduleCommand(
        input({
          Name: 'broken',
          ScheduleExpression: `at(${at.toISOString().slice(0, 19)})`,
          Target: { ...input().Target!, Arn: GONE_ARN, RetryPolicy: { MaximumRetryAttempts: 1 } },
        }),
      ),
    );
    const [dead] = await drain(dlqUrl, 1);
    const attributes = Object.fromEntries(
      Object.entries(dead!.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]),
    );
    expect(attributes).toMatchObject({
      SCHEDULE_ARN: 'arn:aws:scheduler:us-east-1:000000000000:schedule/flow-provisioner/broken',
      TARGET_ARN: GONE_ARN,
      RETRY_ATTEMPTS: '1',
    });
    expect(attributes.ERROR_CODE).toBeTruthy();
    expect(scheduler.firings[0]).toMatchObject({ schedule: 'broken', deadLettered: true });
  });
});
