/**
 * The local Step Functions service's HTTP face: the AWS JSON 1.0 protocol (`X-Amz-Target: AWSStepFunctions.<Op>`)
 * over `LocalStepFunctions`, so the SDK's SFNClient, flowctl and the handlers call it as they call AWS
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/Welcome.html).
 */
import { createServer, type Server } from 'node:http';
import { readBody } from '../emulators/common.ts';
import { type LoopbackListener, listenOnLoopback } from '../loopback.ts';
import type { LocalStepFunctions } from './step-functions.ts';
import { type ExecutionRecord, type ExecutionStatus, type HistoryEvent, SfnApiError } from './step-functions-model.ts';

/** The API's epoch seconds from the stand-in's milliseconds. */
const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

/** What DescribeExecution and ListExecutions both answer of one execution. */
function executionSummary(e: ExecutionRecord) {
  return {
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: seconds(e.startDate),
    stopDate: seconds(e.stopDate),
    redriveCount: e.redriveCount,
    redriveDate: seconds(e.redriveDate),
  };
}

/** Serves the API on 127.0.0.1 and a free port; returns the endpoint and a close function. */
export async function serveStepFunctionsApi(sfn: LocalStepFunctions): Promise<LoopbackListener> {
  const server: Server = createServer(async (req, res) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('AWSStepFunctions.') ? target.slice('AWSStepFunctions.'.length) : '';
    try {
      const body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as Record<string, unknown>;
      const result = handleApi(sfn, operation, body);
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(result));
    } catch (error) {
      const e = error as Error;
      const type = e instanceof SfnApiError ? e.name : 'InternalFailure';
      res.writeHead(e instanceof SfnApiError ? 400 : 500, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-errortype': type,
      });
      res.end(JSON.stringify({ __type: `com.amazonaws.sfn#${type}`, message: e.message }));
    }
  });
  return listenOnLoopback(server);
}

function handleApi(sfn: LocalStepFunctions, operation: string, body: Record<string, unknown>): unknown {
  const str = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : undefined);
  const required = (key: string) => {
    const value = str(key);
    if (!value) throw new SfnApiError('ValidationException', `${key} is required`);
    return value;
  };
  switch (operation) {
    case 'StartExecution': {
      const started = sfn.startExecution({
        stateMachineArn: required('stateMachineArn'),
        ...(str('name') ? { name: str('name') } : {}),
        ...(str('input') !== undefined ? { input: str('input') } : {}),
      });
      return { executionArn: started.executionArn, startDate: seconds(started.startDate) };
    }
    case 'DescribeExecution': {
      const e = sfn.describeExecution(required('executionArn'));
      return {
        ...executionSummary(e),
        input: e.input,
        output: e.output,
        error: e.error,
        cause: e.cause,
        redriveStatus: e.redriveStatus,
        redriveStatusReason: e.redriveStatusReason,
      };
    }
    case 'ListExecutions': {
      const all = sfn.listExecutions({
        stateMachineArn: required('stateMachineArn'),
        ...(str('statusFilter') ? { statusFilter: str('statusFilter') as ExecutionStatus } : {}),
      });
      const offset = Number(str('nextToken') ?? 0);
      const max = typeof body.maxResults === 'number' && body.maxResults > 0 ? body.maxResults : 100;
      const page = all.slice(offset, offset + max);
      return {
        executions: page.map(executionSummary),
        ...(offset + max < all.length ? { nextToken: String(offset + max) } : {}),
      };
    }
    case 'GetExecutionHistory': {
      const record = sfn.describeExecution(required('executionArn'));
      const events = body.reverseOrder === true ? [...record.history].reverse() : record.history;
      return { events: events.map((h) => historyEventToApi(h)) };
    }
    case 'RedriveExecution':
      return { redriveDate: seconds(sfn.redriveExecution(required('executionArn')).redriveDate) };
    case 'StopExecution':
      return {
        stopDate: seconds(sfn.stopExecution(required('executionArn'), str('error'), str('cause')).stopDate),
      };
    case 'SendTaskSuccess':
      sfn.sendTaskSuccess(required('taskToken'), str('output') ?? 'null');
      return {};
    case 'SendTaskFailure':
      sfn.sendTaskFailure(required('taskToken'), str('error'), str('cause'));
      return {};
    case 'SendTaskHeartbeat':
      sfn.sendTaskHeartbeat(required('taskToken'));
      return {};
    case 'ListStateMachines':
      return {
        stateMachines: sfn.listStateMachines().map((m) => ({
          ...m,
          type: 'STANDARD',
          creationDate: 0,
        })),
      };
    default:
      throw new SfnApiError('UnknownOperationException', `operation ${operation || '(none)'} is not served locally`);
  }
}

function historyEventToApi(event: HistoryEvent): Record<string, unknown> {
  const base: Record<string, unknown> = { id: event.id, timestamp: event.timestamp / 1000, type: event.type };
  if (event.type.endsWith('StateEntered')) {
    base.stateEnteredEventDetails = { name: event.stateName, input: JSON.stringify(event.input ?? null) };
  } else if (event.type.endsWith('StateExited')) {
    base.stateExitedEventDetails = { name: event.stateName, output: JSON.stringify(event.output ?? null) };
  } else if (event.type === 'ExecutionFailed') {
    base.executionFailedEventDetails = { error: event.error, cause: event.cause };
  } else if (event.type.endsWith('Failed')) {
    base.taskFailedEventDetails = {
      resourceType: event.stateType,
      resource: event.stateName,
      error: event.error,
      cause: event.cause,
    };
  } else if (event.type === 'ExecutionStarted') {
    base.executionStartedEventDetails = { input: JSON.stringify(event.input ?? null) };
  } else if (event.type === 'ExecutionSucceeded') {
    base.executionSucceededEventDetails = { output: JSON.stringify(event.output ?? null) };
  }
  return base;
}
