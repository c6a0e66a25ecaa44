/**
 * No secret in the logs: the `npm start` path over every vendor at DEBUG level with event logging on, once with faults
 * (vendor 5xx and throttles, so the error paths log) and once against vendors that refuse our signatures (so the
 * vendors' authentication errors travel through the clients, the logs, the workflow and the DLQ). Everything the
 * process writes to stdout and stderr is captured, with the failure records and the executions' input, output and
 * cause, and scanned for every test credential and for signatures and Authorization headers.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { VendorId } from '../../functions/domain/contract.ts';
import type { LocalStack } from '../../local/stack.ts';

/** What the scan reads: each captured chunk, and the pipeline's own records. */
const captured: string[] = [];
const records: string[] = [];
/**
 * Workflow steps invoke the vendor λ directly. The vendor λ logs through the same chain in queue mode (the work item's
 * keys are set per task); the local stack's task-queue workers are not wired yet, so queue mode is not run here. Spread
 * into the options, so a stack without the `dispatch` option (invoke only) takes it too.
 */
const LOCAL_OPTIONS = { dispatch: 'invoke', waitOverrideMs: 100, retryOverrideMs: 50 } as const;
/** Secrets the emulators of the second run hold instead of ours (they never leave the emulator). */
const WRONG_SECRET = 'wrong/EmulatorOnlySecretValue0000000001';

let vendors: readonly VendorId[];
let secrets: { name: string; value: string }[];
let logLevel: string;
const outcomes: { requestId: string | null; vendor: string | null; status: string; error: string | null }[] = [];

/** A deterministic random source for the fault injection (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

beforeAll(async () => {
  // Set before the handlers' modules load: the logger reads its level and event logging once.
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'DEBUG');
  vi.stubEnv('POWERTOOLS_LOGGER_LOG_EVENT', 'true');
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    });
  }
  const { logger } = await import('../../functions/domain/observability.ts');
  const { LOCAL_VENDORS } = await import('../../local/emulators/registry.ts');
  const { startLocalStack } = await import('../../local/stack.ts');
  const { runBatch, readDeadLetterQueue } = await import('../../local/batch/run-batch.ts');
  const { demoBatch, requestsFor } = await import('../../local/batch/demo-batch.ts');
  logLevel = logger.getLevelName();
  vendors = LOCAL_VENDORS.map((v) => v.vendor);
  // Access keys and secrets; a project id is an identifier that appears in Huawei's URLs, not a credential.
  secrets = LOCAL_VENDORS.flatMap((v) => Object.entries(v.credentialsEnv))
    .filter(([name]) => !name.endsWith('PROJECT_ID'))
    .map(([name, value]) => ({ name, value }));
  secrets.push({ name: 'emulator-only secret', value: WRONG_SECRET });

  const collect = (stack: LocalStack, dlq: { body: string; attributes: Record<string, string> }[]) => {
    for (const r of dlq) records.push(r.body, JSON.stringify(r.attributes));
    for (const e of stack.stepFunctions.allExecutions()) {
      records.push(JSON.stringify({ input: e.input, output: e.output, error: e.error, cause: e.cause }));
    }
  };

  // 1. Every vendor, the demo batch (good, duplicate and invalid requests), with vendor 5xx and throttles injected.
  const stack = await startLocalStack({
    vendors,
    ...LOCAL_OPTIONS,
    faults: { errorRate: 0.05, throttleRate: 0.05, random: seeded(8) },
  });
  try {
    const report = await runBatch(stack, demoBatch(vendors), { timeoutMs: 240_000 });
    outcomes.push(...report.results);
    collect(stack, await readDeadLetterQueue(stack));
  } finally {
    await stack.stop();
  }

  // 2. Every vendor again, each against an emulator that holds another secret for our access key: every signature
  //    is refused, and the vendor's own authentication error is what flows on.
  const emulators = await startRefusingEmulators(LOCAL_VENDORS);
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const entry of LOCAL_VENDORS) {
    Object.assign(env, entry.credentialsEnv);
    env[entry.endpointEnv] = emulators.urls[entry.vendor];
  }
  const refused = await startLocalStack({ vendors, env, ...LOCAL_OPTIONS });
  try {
    const bodies = vendors.map((vendor) => JSON.stringify(requestsFor(vendor, 1, 'scan-refused')[0]));
    const report = await runBatch(refused, bodies, { timeoutMs: 120_000 });
    outcomes.push(...report.results);
    collect(refused, await readDeadLetterQueue(refused));
  } finally {
    await refused.stop();
    await emulators.close();
  }
  vi.restoreAllMocks();
}, 420_000);

afterAll(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** Every JSON log line captured (Powertools writes one JSON object per line). */
function logLines(): Record<string, unknown>[] {
  return captured
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes('"level"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('logs of a full local batch at DEBUG', () => {
  it('ran what it scans: DEBUG level, every vendor provisioned and refused, error paths logged', () => {
    expect(logLevel).toBe('DEBUG');
    expect(secrets.length).toBeGreaterThanOrEqual(9);
    for (const vendor of vendors) {
      const mine = outcomes.filter((o) => o.vendor === vendor);
      expect(mine.filter((o) => o.status === 'PROVISIONED').length, vendor).toBeGreaterThan(0);
      expect(mine.find((o) => o.requestId?.startsWith('scan-refused'))?.error, vendor).toMatch(/VendorAuthFailed/);
    }
    const lines = logLines();
    expect(lines.filter((l) => l.level === 'DEBUG').length).toBeGreaterThan(50);
    const failed = lines.filter((l) => l.message === 'vendor call failed');
    expect(new Set(failed.map((l) => l.vendor))).toEqual(new Set(vendors));
    expect(lines.some((l) => l.message === 'Lambda invocation event')).toBe(true);
  });

  it('puts request id, vendor, execution name and step on every vendor-call and dispatch line', () => {
    const lines = logLines();
    const calls = lines.filter((l) => l.message === 'vendor call' || l.message === 'vendor call failed');
    expect(new Set(calls.map((l) => l.vendor))).toEqual(new Set(vendors));
    for (const line of calls) {
      expect(line).toEqual(
        expect.objectContaining({
          requestId: expect.any(String),
          vendor: expect.any(String),
          executionName: expect.any(String),
          step: expect.any(String),
        }),
      );
    }
    const started = lines.filter((l) => l.message === 'dispatched' && l.outcome === 'started');
    expect(new Set(started.map((l) => l.vendor))).toEqual(new Set(vendors));
    for (const line of started) {
      expect(line).toMatchObject({ step: 'dispatch', executionName: line.requestId });
    }
  });

  it('holds no credential, signature or Authorization header anywhere: logs, failure records, executions', () => {
    const haystacks = { logs: captured.join(''), records: records.join('\n') };
    expect(haystacks.logs.length).toBeGreaterThan(10_000);
    expect(records.length).toBeGreaterThan(vendors.length);
    const findings: string[] = [];
    for (const [where, text] of Object.entries(haystacks)) {
      for (const { name, value } of secrets) {
        if (text.includes(value)) findings.push(`${where}: the value of ${name}`);
      }
      for (const pattern of [
        /Signature=/i,
        /"authorization"\s*:/i,
        /\bAuthorization:\s/i,
        /Credential=\w/i,
        /X-Amz-Security-Token/i,
        /SDK-HMAC-SHA256\s/,
        /ACS3-HMAC-SHA256\s/,
      ]) {
        const match = pattern.exec(text);
        if (match)
          findings.push(`${where}: ${pattern} in "…${text.slice(Math.max(0, match.index - 80), match.index + 80)}…"`);
      }
    }
    expect(findings).toEqual([]);
  });
});

/** One emulator per vendor whose secret is not ours (same access key ids), so every signature is refused. */
async function startRefusingEmulators(
  entries: readonly { vendor: VendorId; credentialsEnv: Readonly<Record<string, string>> }[],
) {
  const { startAwsMediaConnectEmulator } = await import('../../local/emulators/aws-mediaconnect.ts');
  const { startAlibabaEmulator } = await import('../../local/emulators/alibaba.ts');
  const { startHuaweiLiveEmulator } = await import('../../local/emulators/huawei-live.ts');
  const { startVolcengineLiveEmulator } = await import('../../local/emulators/volcengine-live.ts');
  const env = (vendor: VendorId) => entries.find((e) => e.vendor === vendor)!.credentialsEnv;
  const started = {
    'aws-mediaconnect': await startAwsMediaConnectEmulator({
      credentials: { accessKeyId: env('aws-mediaconnect').AWS_ACCESS_KEY_ID!, secretAccessKey: WRONG_SECRET },
    }),
    'alibaba-ice': await startAlibabaEmulator({
      credentials: { accessKeyId: env('alibaba-ice').ALIBABA_CLOUD_ACCESS_KEY_ID!, accessKeySecret: WRONG_SECRET },
    }),
    'alibaba-cams': await startAlibabaEmulator({
      credentials: { accessKeyId: env('alibaba-cams').ALIBABA_CLOUD_ACCESS_KEY_ID!, accessKeySecret: WRONG_SECRET },
    }),
    'huawei-live': await startHuaweiLiveEmulator({
      credentials: {
        accessKey: env('huawei-live').HUAWEICLOUD_SDK_AK!,
        secretKey: WRONG_SECRET,
        projectId: env('huawei-live').HUAWEICLOUD_PROJECT_ID!,
      },
    }),
    'volcengine-live': await startVolcengineLiveEmulator({
      credentials: { accessKeyId: env('volcengine-live').VOLCENGINE_ACCESS_KEY!, secretAccessKey: WRONG_SECRET },
    }),
  } satisfies Record<VendorId, { url: string; close(): Promise<void> }>;
  return {
    urls: Object.fromEntries(Object.entries(started).map(([vendor, e]) => [vendor, e.url])) as Record<VendorId, string>,
    close: async () => {
      for (const emulator of Object.values(started)) await emulator.close();
    },
  };
}
