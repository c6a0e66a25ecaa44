/**
 * The local SQS refuses on SendMessage and SendMessageBatch what SQS refuses, with SQS's error codes, through the real
 * SDK client: an empty attribute value, more than 10 attributes, more than 256 KiB, a character outside the allowed set.
 * Long polls answer empty only when their wait expires. Every rule holds over HTTP (clients outside the process) and over the in-process transport the local stack's own
 * clients use (`local/in-process-transport.ts`).
 */
import {
  CreateQueueCommand,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalSqs, MAX_MESSAGE_BYTES, startLocalSqs } from '../../../../local/aws/sqs.ts';
import { inProcessRequestHandler } from '../../../../local/in-process-transport.ts';

describe.each(['http', 'in-process'] as const)('over %s', (transport) => {
  let sqs: LocalSqs;
  let client: SQSClient;
  let queueUrl: string;

  beforeAll(async () => {
    sqs = await startLocalSqs({ region: 'us-east-1' });
    client = new SQSClient({
      endpoint: sqs.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
      ...(transport === 'in-process' ? { requestHandler: inProcessRequestHandler(sqs.server) } : {}),
    });
    queueUrl = (await client.send(new CreateQueueCommand({ QueueName: 'strict' }))).QueueUrl!;
  });
  afterAll(async () => {
    client?.destroy();
    await sqs?.close();
  });

  const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });

  async function refusalOf(params: Omit<ConstructorParameters<typeof SendMessageCommand>[0], 'QueueUrl'>) {
    try {
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, ...params }));
      return undefined;
    } catch (error) {
      return { name: (error as Error).name, message: (error as Error).message };
    }
  }

  describe('local SQS SendMessage', () => {
    it('refuses an empty attribute value with InvalidParameterValue', async () => {
      const refusal = await refusalOf({ MessageBody: '{}', MessageAttributes: { cause: text('') } });
      expect(refusal?.name).toBe('InvalidParameterValue');
      expect(refusal?.message).toContain("'cause'");
    });

    it('refuses an eleventh attribute and takes ten', async () => {
      const attributes = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, text('x')]));
      expect((await refusalOf({ MessageBody: '{}', MessageAttributes: attributes(11) }))?.name).toBe(
        'InvalidParameterValue',
      );
      expect(await refusalOf({ MessageBody: '{}', MessageAttributes: attributes(10) })).toBeUndefined();
    });

    it('counts the attributes into the 256 KiB a message may have', async () => {
      const attribute = { big: text('x'.repeat(1000)) };
      const fits = 'b'.repeat(MAX_MESSAGE_BYTES - 1000 - 'big'.length - 'String'.length);
      expect(await refusalOf({ MessageBody: fits, MessageAttributes: attribute })).toBeUndefined();
      const refusal = await refusalOf({ MessageBody: `${fits}b`, MessageAttributes: attribute });
      expect(refusal?.name).toBe('InvalidParameterValue');
      expect(refusal?.message).toContain('shorter than 262144 bytes');
    });

    it('refuses a body with a character outside the allowed set with InvalidMessageContents', async () => {
      expect((await refusalOf({ MessageBody: 'a\u0000b' }))?.name).toBe('InvalidMessageContents');
      expect((await refusalOf({ MessageBody: 'a\uFFFEb' }))?.name).toBe('InvalidMessageContents');
      expect(await refusalOf({ MessageBody: 'tab\tnewline\n\u00e9' })).toBeUndefined();
    });
  });

  describe('local SQS long polling', () => {
    it('wakes one waiting receiver per message: the others keep waiting for the next one', async () => {
      const pollQueue = (await client.send(new CreateQueueCommand({ QueueName: 'long-poll' }))).QueueUrl!;
      const receive = () =>
        client
          .send(new ReceiveMessageCommand({ QueueUrl: pollQueue, MaxNumberOfMessages: 1, WaitTimeSeconds: 2 }))
          .then((answer) => answer.Messages?.map((m) => m.Body) ?? []);
      const receivers = [receive(), receive(), receive()];
      // Let the three receives reach the queue and wait there before anything is sent.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await client.send(new SendMessageCommand({ QueueUrl: pollQueue, MessageBody: 'first' }));
      await Promise.race(receivers);
      await client.send(new SendMessageCommand({ QueueUrl: pollQueue, MessageBody: 'second' }));
      // SQS answers a long poll empty only when its wait expires: two receivers get a message, one gets none.
      const answers = await Promise.all(receivers);
      expect(answers.flat().sort()).toEqual(['first', 'second']);
      expect(answers.filter((a) => a.length === 0)).toHaveLength(1);
    });
  });

  describe('local SQS SendMessageBatch', () => {
    it('fails only the entry that breaks a rule, with SQS’s code, and sends the others', async () => {
      const batchQueue = (await client.send(new CreateQueueCommand({ QueueName: 'strict-batch' }))).QueueUrl!;
      const answer = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: batchQueue,
          Entries: [
            { Id: 'ok', MessageBody: 'fine', MessageAttributes: { a: text('1') } },
            { Id: 'empty', MessageBody: 'bad', MessageAttributes: { a: text('') } },
          ],
        }),
      );
      expect(answer.Successful?.map((s) => s.Id)).toEqual(['ok']);
      expect(answer.Failed).toEqual([
        expect.objectContaining({ Id: 'empty', Code: 'InvalidParameterValue', SenderFault: true }),
      ]);
      const received = await client.send(new ReceiveMessageCommand({ QueueUrl: batchQueue, MaxNumberOfMessages: 10 }));
      expect(received.Messages?.map((m) => m.Body)).toEqual(['fine']);
    });
  });
});
