/** A dead-letter queue that only its one source queue may use (SSE, TLS only, PIPELINE's retention). */
import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { PIPELINE } from '../../functions/domain/config.ts';

export interface DeadLetterQueueProps {
  readonly queueName: string;
  /** The one queue allowed to dead-letter into it. */
  readonly sourceQueueName: string;
  readonly removalPolicy: RemovalPolicy;
}

export function deadLetterQueue(scope: Construct, id: string, props: DeadLetterQueueProps): sqs.Queue {
  return new sqs.Queue(scope, id, {
    queueName: props.queueName,
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(PIPELINE.dlqRetentionDays),
    // The source queue's ARN is built from its name, not referenced, because the source queue references this one.
    redriveAllowPolicy: {
      redrivePermission: sqs.RedrivePermission.BY_QUEUE,
      sourceQueues: [
        sqs.Queue.fromQueueArn(
          scope,
          `${id}SourceByName`,
          Stack.of(scope).formatArn({ service: 'sqs', resource: props.sourceQueueName }),
        ),
      ],
    },
    removalPolicy: props.removalPolicy,
  });
}
