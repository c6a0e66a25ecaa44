/**
 * Vendor call metrics: the EMF lines the vendor λ writes around each paced call, read back from stdout as CloudWatch
 * would read them from the log stream.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ERROR_NAMES, VendorRejectedError, VendorThrottledError } from '../../../functions/domain/errors.ts';
import { METRICS_NAMESPACE, SERVICE_NAME, VENDOR_CALL_METRICS } from '../../../functions/domain/metric-names.ts';
import { Pacer } from '../../../functions/domain/pacing.ts';
import { outcomeOf, VendorCallMeter } from '../../../functions/flow-steps/call-metrics.ts';
import type { PaceFn, VendorClient } from '../../../functions/vendors/types.ts';
import { aCreatedFlow, aRequest, aStatus } from '../../helpers/factories.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

interface EmfLine {
  _aws: {
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  [key: string]: unknown;
}

let written: string[];
let warnings: string[];
beforeEach(() => {
  written = [];
  warnings = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    warnings.push(String(chunk));
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

/** The EMF lines written to stdout (each `{"_aws": ...}` JSON line). */
function emfLines(): EmfLine[] {
  return written
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.startsWith('{"_aws"'))
    .map((line) => JSON.parse(line) as EmfLine);
}

const request = aRequest('huawei-live') as never;

/** The one call site these tests pace (the meter passes it through to the pacer unchanged). */
const SITE = { operation: 'CreateFlows' } as const;

/**
 * A client that makes one paced call per step, or `callsPerStep` of them, each taking `callMs` on the fake clock and
 * answering with the scripted result (an Error rejects).
 */
function pacedClient(pace: PaceFn, clock: FakeClock, answers: (unknown | Error)[], callMs = 120): VendorClient {
  const call = () =>
    pace(
      async () => {
        clock.advanceBy(callMs);
        const answer = answers.length > 1 ? answers.shift() : answers[0];
        if (answer instanceof Error) throw answer;
        return answer;
      },
      { operation: 'CreateFlows' },
    );
  return {
    vendor: 'huawei-live',
    createFlow: async () => {
      await call();
      return (await call()) as never;
    },
    startFlow: async () => (await call()) as never,
    describeFlow: async () => (await call()) as never,
    grantEntitlements: async () => (await call()) as never,
    stopFlow: async () => (await call()) as never,
    deleteFlow: async () => undefined,
    teardownFlow: async () => (await call()) as never,
    describeConnection: async () => (await call()) as never,
  };
}

function meterWith(clock: FakeClock, enabled = true) {
  return new VendorCallMeter('huawei-live', {
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }),
    enabled,
    now: () => clock.now(),
  });
}

describe('vendor call metrics', () => {
  it('writes one EMF line per vendor call, by vendor × operation and by vendor, with the call latency', async () => {
    const clock = new FakeClock();
    const meter = meterWith(clock);
    const client = meter.client(
      pacedClient(
        meter.pace((call) => call()),
        clock,
        [aStatus('ACTIVE')],
        120,
      ),
    );

    await client.describeFlow(request, 'flow-1');

    const [line, ...rest] = emfLines();
    expect(rest).toEqual([]);
    const [directive] = line!._aws.CloudWatchMetrics;
    expect(directive!.Namespace).toBe('FlowProvisioner');
    expect(directive!.Dimensions).toEqual([
      ['service', 'vendor', 'operation'],
      ['service', 'vendor'],
    ]);
    expect(Object.fromEntries(directive!.Metrics.map((m) => [m.Name, m.Unit]))).toEqual({
      [VENDOR_CALL_METRICS.calls]: 'Count',
      [VENDOR_CALL_METRICS.throttles]: 'Count',
      [VENDOR_CALL_METRICS.errors]: 'Count',
      [VENDOR_CALL_METRICS.latency]: 'Milliseconds',
    });
    expect(line).toMatchObject({
      service: 'flow-provisioner',
      vendor: 'huawei-live',
      operation: 'describeFlow',
      VendorCalls: 1,
      VendorThrottles: 0,
      VendorErrors: 0,
      VendorCallLatency: 120,
    });
    // Powertools warns on stderr about ambiguous dimension sets; a line per vendor call would drown the logs.
    expect(warnings.join('')).not.toMatch(/EMF key/);
  });

  it('counts every call of a step that makes several, each under the step as operation', async () => {
    const clock = new FakeClock();
    const meter = meterWith(clock);
    const client = meter.client(
      pacedClient(
        meter.pace((call) => call()),
        clock,
        [aCreatedFlow()],
      ),
    );

    await client.createFlow(request);

    expect(emfLines().map((l) => [l.operation, l.VendorCalls])).toEqual([
      ['createFlow', 1],
      ['createFlow', 1],
    ]);
  });

  it('times the call only, not the pacing wait before it', async () => {
    const clock = new FakeClock();
    const pacer = new Pacer(1000, clock);
    const meter = meterWith(clock);
    const client = meter.client(
      pacedClient(
        meter.pace((call) => pacer.call(call)),
        clock,
        [aStatus('ACTIVE')],
        80,
      ),
    );

    await client.describeFlow(request, 'flow-1');
    const second = client.describeFlow(request, 'flow-1');
    // The second call waits for the pacer (1000 ms after the first one ended at 80 ms: an instance's first call counts
    // from when it settled), then takes 80 ms.
    while (await clock.step()) {}
    await second;

    expect(clock.now()).toBe(1160);
    expect(emfLines().map((l) => l.VendorCallLatency)).toEqual([80, 80]);
  });

  it('counts a vendor throttle as a throttle and passes the very same error on', async () => {
    const clock = new FakeClock();
    const meter = meterWith(clock);
    const throttled = new VendorThrottledError('slow down', { vendor: 'huawei-live', vendorCode: 'APIG.0308' });
    const client = meter.client(
      pacedClient(
        meter.pace((call) => call()),
        clock,
        [throttled],
      ),
    );

    await expect(client.startFlow(request, 'flow-1')).rejects.toBe(throttled);

    expect(emfLines()).toEqual([
      expect.objectContaining({ operation: 'startFlow', VendorCalls: 1, VendorThrottles: 1, VendorErrors: 0 }),
    ]);
    expect(emfLines()[0]!.error).toBe(ERROR_NAMES.throttled);
  });

  it('counts any other failure as an error', async () => {
    const clock = new FakeClock();
    const meter = meterWith(clock);
    const client = meter.client(
      pacedClient(
        meter.pace((call) => call()),
        clock,
        [new VendorRejectedError('bad port'), new TypeError('reset')],
      ),
    );

    await expect(client.grantEntitlements(request, 'flow-1')).rejects.toThrow('bad port');
    await expect(client.grantEntitlements(request, 'flow-1')).rejects.toThrow('reset');

    expect(emfLines().map((l) => [l.VendorThrottles, l.VendorErrors, l.error])).toEqual([
      [0, 1, 'VendorRejected'],
      [0, 1, 'TypeError'],
    ]);
  });

  it('charges an answer the client judges after the call (HTTP 400 Throttling) to the call that got it', async () => {
    const clock = new FakeClock();
    const meter = meterWith(clock);
    const pace = meter.pace((call) => call());
    const answers = ['listed', { Code: 'Throttling.User' }];
    // Like the Alibaba RPC client: the paced call resolves with the answer, the client throws on its code afterwards.
    const judging: VendorClient = {
      ...pacedClient(pace, clock, [aStatus('ACTIVE')]),
      createFlow: async () => {
        await pace(async () => answers.shift(), SITE);
        const second = await pace(async () => answers.shift(), SITE);
        throw new VendorThrottledError(`throttled: ${JSON.stringify(second)}`);
      },
    };
    const client = meter.client(judging);

    await expect(client.createFlow(request)).rejects.toThrow('Throttling.User');

    expect(emfLines().map((l) => [l.operation, l.VendorThrottles, l.VendorErrors])).toEqual([
      ['createFlow', 0, 0],
      ['createFlow', 1, 0],
    ]);
  });

  it('does not count an answer the client handled (a conflict it adopted) as a failure', async () => {
    const clock = new FakeClock();
    const meter = meterWith(clock);
    const pace = meter.pace((call) => call());
    const adopting: VendorClient = {
      ...pacedClient(pace, clock, [aStatus('ACTIVE')]),
      createFlow: async () => {
        await pace(async () => 'AlreadyExists', SITE).catch(() => undefined);
        return (await pace(async () => aCreatedFlow(), SITE)) as never;
      },
    };
    await meter.client(adopting).createFlow(request);
    expect(emfLines().map((l) => [l.VendorCalls, l.VendorThrottles, l.VendorErrors])).toEqual([
      [1, 0, 0],
      [1, 0, 0],
    ]);
  });

  it('logs each call with its own task keys, whatever the shared logger holds', async () => {
    const { logger, withTaskLogKeys } = await import('../../../functions/domain/observability.ts');
    logger.setLogLevel('DEBUG');
    logger.appendKeys({ requestId: 'someone-else', executionName: 'someone-else', step: 'deleteFlow' });
    try {
      const clock = new FakeClock();
      const meter = meterWith(clock, false);
      const client = meter.client(
        pacedClient(
          meter.pace((call) => call()),
          clock,
          [aStatus('ACTIVE')],
        ),
      );
      const task = { operation: 'describeFlow', executionName: 'hw-42--a2', request: { requestId: 'hw-42' } };
      await withTaskLogKeys(task, () =>
        client.describeFlow(aRequest('huawei-live', { requestId: 'hw-42' }) as never, 'f'),
      );
    } finally {
      logger.resetKeys();
      logger.setLogLevel('SILENT');
    }
    const line = written
      .flatMap((chunk) => chunk.split('\n'))
      .filter((l) => l.includes('"vendor call"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(line).toEqual([
      expect.objectContaining({
        level: 'DEBUG',
        requestId: 'hw-42',
        executionName: 'hw-42--a2',
        vendor: 'huawei-live',
        step: 'describeFlow',
        durationMs: 120,
      }),
    ]);
  });

  it('classifies by error name, so a bundled (renamed) class still counts as a throttle', () => {
    const renamed = Object.assign(new Error('x'), { name: 'VendorThrottled' });
    expect(outcomeOf(renamed)).toBe('throttled');
    expect(outcomeOf(new Error('x'))).toBe('error');
    expect(outcomeOf('not an error')).toBe('error');
  });

  it('writes nothing outside Lambda (the local stack and flowctl --json keep a clean stdout)', async () => {
    const clock = new FakeClock();
    const meter = new VendorCallMeter('huawei-live', { now: () => clock.now() });
    const client = meter.client(
      pacedClient(
        meter.pace((call) => call()),
        clock,
        [aStatus('ACTIVE')],
      ),
    );

    await client.describeFlow(request, 'flow-1');

    expect(process.env.AWS_LAMBDA_FUNCTION_NAME).toBeUndefined();
    expect(emfLines()).toEqual([]);
  });
});
