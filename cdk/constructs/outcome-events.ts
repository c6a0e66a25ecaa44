/**
 * Outcome events (`functions/domain/flow-event.ts`): the stage's custom EventBridge bus, where the workflows put
 * `FlowProvisioned` / `FlowProvisioningFailed` and the dispatcher `RequestRejected`, and an archive of everything our
 * source puts there, so a consumer that was down (or a new one) can replay what it missed.
 *
 * A custom bus per stage rather than the account's default bus: consumers' rules and the archive see only this
 * pipeline's events, and the put permission can name this bus alone.
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { Archive, EventBus } from 'aws-cdk-lib/aws-events';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../functions/domain/flow-event.ts';
import { eventBusName } from '../naming.ts';

export interface OutcomeEventsProps {
  /** The stage, part of the bus name (`flow-provisioner-<stage>`). */
  readonly stage: string;
  /**
   * How long the archive keeps events for replay.
   * @default Duration.days(30)
   */
  readonly archiveRetention?: Duration;
  /**
   * Removal policy of the bus and its archive.
   * @default CloudFormation's (deleted with the stack)
   */
  readonly removalPolicy?: RemovalPolicy;
}

export class OutcomeEvents extends Construct {
  /** `flow-provisioner-<stage>`: consumers put their rules here. */
  public readonly bus: EventBus;
  /** Every event of `source: flow-provisioner` on the bus, kept `archiveRetention` for replay. */
  public readonly archive: Archive;

  constructor(scope: Construct, id: string, props: OutcomeEventsProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', {
      eventBusName: eventBusName(props.stage),
      description: 'flow-provisioner outcome events (schemas/flow-event.v1.json)',
    });
    this.archive = new Archive(this, 'Archive', {
      sourceEventBus: this.bus,
      archiveName: `${eventBusName(props.stage)}-outcomes`,
      description: 'Every flow-provisioner outcome event, for replay',
      eventPattern: { source: [EVENT_SOURCE] },
      retention: props.archiveRetention ?? Duration.days(30),
    });
    if (props.removalPolicy) {
      this.bus.applyRemovalPolicy(props.removalPolicy);
      this.archive.applyRemovalPolicy(props.removalPolicy);
    }
  }

  /** `events:PutEvents` on this bus, and on no other. */
  public grantPut(grantee: IGrantable): void {
    this.bus.grantPutEventsTo(grantee);
  }
}
