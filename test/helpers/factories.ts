/** Record factories for tests: valid requests per vendor, SQS records, scripted vendor clients. */
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { ProvisionRequest, VendorId } from '../../functions/domain/contract.ts';
import type { FlowConnection } from '../../functions/domain/flow-event.ts';
import type {
  CreatedFlow,
  CreateOptions,
  FlowState,
  FlowStatus,
  GrantedEntitlement,
  Operation,
  TeardownResult,
  TeardownTarget,
  VendorClient,
} from '../../functions/vendors/types.ts';
import { exampleRequest } from '../../local/batch/demo-batch.ts';

/** A valid request for `vendor`, from its example, with overrides. */
export function aRequest(
  vendor: VendorId = 'aws-mediaconnect',
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return { ...exampleRequest(vendor), ...overrides };
}

export function anSqsRecord(body: string, messageId = `msg-${Math.random().toString(36).slice(2)}`): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:provision-requests',
    awsRegion: 'us-east-1',
  };
}

export function anSqsEvent(...bodies: string[]): SQSEvent {
  return { Records: bodies.map((body, i) => anSqsRecord(body, `msg-${i}`)) };
}

type Step = Operation;

/**
 * A vendor client whose answers are scripted per operation: each call takes the next scripted answer (an Error is
 * thrown), the last one repeats. Records every call, so tests can assert what the workflow asked for.
 */
export class ScriptedClient implements VendorClient {
  readonly calls: { operation: Step; flowId?: string; requestId: string; firstTry?: boolean }[] = [];
  private readonly scripts = new Map<Step, (unknown | Error)[]>();

  constructor(readonly vendor: VendorId = 'aws-mediaconnect') {}

  script(operation: Step, ...answers: (unknown | Error)[]): this {
    this.scripts.set(operation, answers);
    return this;
  }

  private next<T>(operation: Step, request: { readonly requestId: string }, flowId?: string): Promise<T> {
    this.calls.push({ operation, requestId: request.requestId, ...(flowId ? { flowId } : {}) });
    const answers = this.scripts.get(operation);
    if (!answers || answers.length === 0) throw new Error(`no scripted answer for ${operation}`);
    const answer = answers.length > 1 ? answers.shift() : answers[0];
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer as T);
  }

  createFlow(request: ProvisionRequest, options: CreateOptions = {}): Promise<CreatedFlow> {
    const answer = this.next<CreatedFlow>('createFlow', request);
    this.calls[this.calls.length - 1]!.firstTry = options.firstTry ?? false;
    return answer;
  }
  completeFlow(request: ProvisionRequest, flowId: string): Promise<FlowConnection | undefined> {
    return this.next('completeFlow', request, flowId);
  }
  startFlow(request: ProvisionRequest, flowId: string): Promise<FlowStatus> {
    return this.next('startFlow', request, flowId);
  }
  describeFlow(request: ProvisionRequest, flowId: string): Promise<FlowStatus> {
    return this.next('describeFlow', request, flowId);
  }
  grantEntitlements(request: ProvisionRequest, flowId: string): Promise<GrantedEntitlement[]> {
    return this.next('grantEntitlements', request, flowId);
  }
  stopFlow(request: ProvisionRequest, flowId: string): Promise<FlowStatus> {
    return this.next('stopFlow', request, flowId);
  }
  deleteFlow(request: ProvisionRequest, flowId: string): Promise<void> {
    return this.next('deleteFlow', request, flowId);
  }
  teardownFlow(target: TeardownTarget, flowId: string): Promise<TeardownResult> {
    return this.next('teardownFlow', { requestId: target.requestId ?? '' }, flowId);
  }

  describeConnection(request: ProvisionRequest, flowId: string): Promise<FlowConnection> {
    return this.next('describeConnection', request, flowId);
  }
}

export function aStatus(state: FlowState, flowId = 'flow-1'): FlowStatus {
  return { flowId, state, vendorStatus: state };
}

export function aCreatedFlow(flowId = 'flow-1', name = 'basketball-final'): CreatedFlow {
  return { flowId, name, state: 'STANDBY', vendorStatus: 'STANDBY', adopted: false, connection: { outputs: [] } };
}
