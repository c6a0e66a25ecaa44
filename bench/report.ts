/** Tables for the terminal and `docs/benchmarks.md`, from the summaries (no measuring here). */
import { bindingScope, sustainedShareOfLimit, vendorConfig } from '../functions/domain/config.ts';
import type { VendorId } from '../functions/domain/contract.ts';
import type { BundleReport } from './bundles.ts';
import { type BenchConfig, type BenchLoad, checkTargets, type ScenarioSummary, TARGETS } from './metrics.ts';
import type { ThroughputReport } from './throughput.ts';

export const CONFIGS: readonly BenchConfig[] = ['naive', 'paced', 'queued'];
export const LOADS: readonly BenchLoad[] = ['burst', 'steady'];

export interface VendorSetup {
  readonly vendor: VendorId;
  readonly timeScale: number;
  readonly pacingIntervalMs: number;
  readonly scaledIntervalMs: number;
  readonly windowMs: number;
  readonly marginMs: number;
  readonly latencyMs: readonly [number, number];
  readonly callsPerRequest: number;
  /** Steady load, requests per second of real time and of the compressed run. */
  readonly steadyPerSecond: number;
  readonly steadyPerScaledSecond: number;
}

export interface BenchResult {
  readonly machine: {
    readonly cpu: string;
    readonly cores: number;
    readonly node: string;
    readonly platform: string;
    readonly date: string;
    readonly loadAverageStart: readonly number[];
    readonly loadAverageEnd: readonly number[];
  };
  readonly quick: boolean;
  readonly requests: number;
  readonly setups: readonly VendorSetup[];
  readonly scenarios: readonly ScenarioSummary[];
  readonly bundles: readonly BundleReport[];
  readonly throughput: readonly ThroughputReport[];
  readonly totalMs: number;
}

const fmt = (n: number | null | undefined, digits = 2) =>
  n === null || n === undefined || Number.isNaN(n) ? '–' : Number.isFinite(n) ? n.toFixed(digits) : '∞';
const int = (n: number | null | undefined) =>
  n === null || n === undefined || Number.isNaN(n) ? '–' : String(Math.round(n));
const seconds = (ms: number) => (ms / 1000).toFixed(1);

function find(rows: readonly ScenarioSummary[], vendor: string, load: BenchLoad, config: BenchConfig) {
  return rows.find((r) => r.vendor === vendor && r.load === load && r.config === config);
}

/** One row per vendor × load, each metric as `naive / paced / queued`. */
export function sideBySide(rows: readonly ScenarioSummary[]): string {
  const header = [
    'vendor',
    'load',
    'provisioned',
    'maxWindowCalls (limit)',
    'meanWindowCalls',
    'usedOverLimit',
    'vendorThrottles',
    'λ throttle retries',
    'drainOverFloor',
    'p50–p99 real s',
    'transitions/flow',
  ];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  const vendors = [...new Set(rows.map((r) => r.vendor))];
  for (const vendor of vendors) {
    for (const load of LOADS) {
      const cells = CONFIGS.map((c) => find(rows, vendor, load, c));
      if (cells.every((c) => !c)) continue;
      const each = (f: (s: ScenarioSummary) => string) => cells.map((c) => (c ? f(c) : '–')).join(' / ');
      const limit = cells.find(Boolean)!.limit;
      lines.push(
        `| ${[
          vendor,
          load,
          each((s) => `${s.provisioned}/${s.requests}`),
          `${each((s) => int(s.maxWindowCalls))} (${limit})`,
          each((s) => fmt(s.meanWindowCalls, 1)),
          each((s) => fmt(s.usedOverLimit)),
          each((s) => int(s.vendorThrottles)),
          each((s) => int(s.lambdaThrottleRetries)),
          each((s) => fmt(s.drainOverFloor)),
          each((s) => `${int(s.p50RealMs / 1000)}–${int(s.p99RealMs / 1000)}`),
          each((s) => fmt(s.transitionsPerFlow, 1)),
        ].join(' | ')} |`,
      );
    }
  }
  return lines.join('\n');
}

/** Every scenario on its own row, with the compressed-world figures. */
export function detailTable(rows: readonly ScenarioSummary[]): string {
  const header = [
    'vendor',
    'config',
    'load',
    'provisioned',
    'failures',
    'calls',
    'attempts',
    'maxWindow',
    'usedOverLimit',
    'vThrottles',
    'λ throttles',
    'drain s',
    'floor s',
    'p50 / p99 ms (scaled)',
    'p50 / p99 s (real)',
    'entries/flow',
    'arrival delay p50/p99/max ms',
    'loop delay p99/max ms',
    'wall s',
  ];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const s of rows) {
    const failures = Object.entries(s.failures)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    lines.push(
      `| ${[
        s.vendor,
        s.config,
        s.load,
        `${s.provisioned}/${s.requests}`,
        failures || '–',
        s.calls,
        s.attempts,
        s.maxWindowCalls,
        fmt(s.usedOverLimit),
        s.vendorThrottles,
        `${s.lambdaThrottleRetries} (${s.lambdaThrottles})`,
        seconds(s.drainMs),
        seconds(s.floorMs),
        `${int(s.p50Ms)} / ${int(s.p99Ms)}`,
        `${seconds(s.p50RealMs)} / ${seconds(s.p99RealMs)}`,
        fmt(s.stateEntriesPerFlow, 1),
        `${fmt(s.arrivalDelayP50Ms, 0)} / ${fmt(s.arrivalDelayP99Ms, 0)} / ${fmt(s.arrivalDelayMaxMs, 0)}`,
        `${fmt(s.eventLoopDelayP99Ms, 0)} / ${fmt(s.eventLoopDelayMaxMs, 0)}`,
        seconds(s.wallMs),
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

/**
 * Flows, not just calls: flows per real second against the ideal of the documented scopes at the documented minimum
 * of calls per flow (`bench/minimum.ts`), calls per flow by operation, and each scope's busiest window.
 */
export function flowsTable(rows: readonly ScenarioSummary[]): string {
  const header = [
    'vendor',
    'config',
    'load',
    'flows/s (real)',
    'ideal flows/s (binding scope)',
    'flowsOverIdeal',
    'calls per flow by operation',
    'max window / limit per scope',
  ];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const s of rows) {
    const perOperation = Object.entries(s.callsPerFlow ?? {})
      .map(([op, n]) => `${op} ${fmt(n, 2)}`)
      .join(', ');
    const scopes = Object.entries(s.scopeWindows ?? {})
      .map(([name, w]) => `${name} ${w.maxWindowCalls}/${w.limit}`)
      .join(', ');
    lines.push(
      `| ${[
        s.vendor,
        s.config,
        s.load,
        fmt(s.flowsPerSecond ?? Number.NaN, 3),
        `${s.idealFlowsPerSecond === null || s.idealFlowsPerSecond === undefined ? '–' : fmt(s.idealFlowsPerSecond, 3)} (${s.bindingScope ?? '–'})`,
        s.flowsOverIdeal === null || s.flowsOverIdeal === undefined ? '–' : fmt(s.flowsOverIdeal, 3),
        perOperation || '–',
        scopes || '–',
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

export function setupTable(setups: readonly VendorSetup[]): string {
  const header = [
    'vendor',
    'limit',
    'C',
    'margin',
    'T real ms',
    'time scale s',
    'T scaled ms',
    'window scaled ms',
    'margin scaled ms',
    'latency scaled ms',
    'calls/request',
    'steady req/s (real / scaled)',
    'ceiling usedOverLimit',
  ];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const s of setups) {
    const budget = vendorConfig(s.vendor).budget;
    const scope = bindingScope(budget);
    lines.push(
      `| ${[
        s.vendor,
        `${scope.documentedLimit}/${scope.windowSeconds} s`,
        budget.reservedConcurrency,
        `${Math.round(scope.safetyMargin * 100)} %`,
        s.pacingIntervalMs,
        fmt(s.timeScale, 4),
        s.scaledIntervalMs,
        fmt(s.windowMs, 0),
        fmt(s.marginMs, 0),
        `${int(s.latencyMs[0])}–${int(s.latencyMs[1])}`,
        fmt(s.callsPerRequest, 1),
        `${fmt(s.steadyPerSecond, 3)} / ${fmt(s.steadyPerScaledSecond, 2)}`,
        fmt(sustainedShareOfLimit(scope, budget.reservedConcurrency), 3),
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

export function bundleTable(bundles: readonly BundleReport[]): string {
  const lines = [
    '| λ | entry | minified bytes | KiB | module init ms (median) | samples ms |',
    '|---|---|---|---|---|---|',
  ];
  for (const b of bundles) {
    lines.push(
      `| ${b.name} | \`${b.entry}\` | ${b.bytes} | ${(b.bytes / 1024).toFixed(0)} | ${b.initMs.toFixed(0)} | ${b.initSamplesMs.map((x) => x.toFixed(0)).join(', ')} |`,
    );
  }
  return lines.join('\n');
}

export function throughputTable(reports: readonly ThroughputReport[]): string {
  const lines = [
    '| vendor | dispatch | requests | stack: provisioned, s, flows/s | bare interpreter: provisioned, s, flows/s | stack ÷ bare |',
    '|---|---|---|---|---|---|',
  ];
  for (const t of reports) {
    lines.push(
      `| ${t.vendor} | ${t.dispatch} | ${t.requests} | ${t.stack.provisioned}, ${seconds(t.stack.ms)}, ${t.stack.flowsPerSecond.toFixed(1)} | ${t.bare.provisioned}, ${seconds(t.bare.ms)}, ${t.bare.flowsPerSecond.toFixed(0)} | ${t.ratio.toFixed(3)} |`,
    );
  }
  return lines.join('\n');
}

/** Targets per vendor, for the configurations held to them (paced and queued), each load. */
export function targetTable(rows: readonly ScenarioSummary[]): string {
  const header = [
    'vendor',
    'config',
    'load',
    `usedOverLimit ≥ ${TARGETS.usedOverLimit}`,
    'vendorThrottles = 0',
    'maxWindowCalls ≤ limit',
    `drainOverFloor ≤ ${TARGETS.drainOverFloor}`,
    'all provisioned',
  ];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  const mark = (ok: boolean, value: string) => `${ok ? '✅' : '❌'} ${value}`;
  for (const s of rows.filter((r) => r.config !== 'naive')) {
    const t = checkTargets(s);
    lines.push(
      `| ${[
        s.vendor,
        s.config,
        s.load,
        mark(t.usedOverLimit, fmt(s.usedOverLimit)),
        mark(t.noVendorThrottles, String(s.vendorThrottles)),
        mark(t.windowWithinLimit, `${s.maxWindowCalls} / ${s.limit}`),
        mark(t.drainOverFloor, fmt(s.drainOverFloor)),
        mark(t.allProvisioned, `${s.provisioned}/${s.requests}`),
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

export const NOTES_START = '<!-- notes: kept by `npm run bench` when it rewrites this file -->';
export const NOTES_END = '<!-- /notes -->';

/** The whole of `docs/benchmarks.md`; `notes` is the hand-written analysis kept from the previous file. */
export function markdown(result: BenchResult, notes: string): string {
  const m = result.machine;
  const scales = result.setups.map((s) => `${s.vendor} ${fmt(s.timeScale, 4)}`).join(', ');
  return `# Benchmarks

Written by \`npm run bench\` (\`bench/run.ts\`) from its last full run; the analysis between the notes markers is kept
when the bench rewrites the file. Issue 5; the design question is [docs/architecture.md, Pacing](architecture.md#pacing) and [ADR 0002](adr/0002-pacing.md).

## Machine and run

| | |
|---|---|
| CPU | ${m.cpu}, ${m.cores} cores |
| Node | ${m.node} (${m.platform}) |
| date | ${m.date} |
| load average (1/5/15 min) at start → end | ${m.loadAverageStart.map((x) => x.toFixed(2)).join(' / ')} → ${m.loadAverageEnd.map((x) => x.toFixed(2)).join(' / ')} |
| requests per scenario | ${result.requests} (burst: all at once; steady: 1.5 × what the limit serves) |
| time scales | ${scales} |
| total bench runtime | ${(result.totalMs / 60_000).toFixed(1)} min |

Reproduce: \`npm run bench\` (this file), \`npm run bench -- --json\` (one JSON object per vendor × configuration ×
load), \`npm run bench -- --quick\` (30 requests, a smoke run; does not write this file), \`--vendors a,b\`,
\`--time-scale S\` or \`--interval-ms N\` (the scaled pacing interval, default 250), \`--help\`. The run's JSON is
[\`benchmarks.json\`](benchmarks.json); \`npm run bench -- --render docs/benchmarks.json\` rewrites this file from it.

## How it measures

Each scenario starts a fresh embedded stack (\`local/stack.ts\`) for one vendor: fauxqs SQS, the dispatcher, the local
Step Functions service running \`workflows/*.asl.json\`, the Lambda runtime with the vendor λ's reserved concurrency,
dynalite for idempotency, and the vendor's emulator enforcing the documented limit (ICE publishes none: the 5 calls/s
that \`functions/domain/config.ts\` assumes is enforced as if documented) with a vendor latency of 50–300 ms.
Configurations: **naive** = invoke mode, reserved concurrency, no pacing; **paced** = invoke mode with pacing (the
walking skeleton); **queued** = the task-token queue per vendor (\`DISPATCH_MODE = 'queue'\`) with pacing.

Every figure comes from the stack's own records, not the pipeline's view: calls, windows and throttles from the
emulator's request journal; \`lambdaThrottleRetries\` from the execution histories (a \`TaskRetried\` after a
\`Lambda.TooManyRequestsException\`; the runtime's gate refusals in brackets in the detail table); transitions from the
histories (\`transitionsPerFlow\` = state entries + retries, as Step Functions bills them, per provisioned flow);
outcomes from the executions and the DLQ.

- \`maxWindowCalls\` / \`meanWindowCalls\`: every call the vendor received (throttled ones too) per sliding window of the
  documented length; max over all windows, and the mean over calls of the window ending at each call.
- \`usedOverLimit\`: accepted calls per unit time over the span they were accepted in ((n − 1) ÷ (last − first)),
  divided by the documented limit.
- \`drainOverFloor\`: from the first request sent to the last execution ended, over the floor = accepted calls ÷ limit.
- latency: request sent → execution SUCCEEDED, p50 / p99.

**Time compression.** At real time a full run is impossible here (300 AWS requests ≈ 1800 calls at 5/s ≈ 6 min per
scenario; Huawei ≈ 1200 calls at 80/min ≈ 15 min). Every duration of a vendor's world is multiplied by the same factor
s: the emulator's rate window and state delays, the pacing interval, the vendor latency, Wait states and Retry pauses
(backoff and jitter kept). s is chosen per vendor so that the scaled pacing interval is ≈ 250 ms. Ratios
(\`usedOverLimit\`, \`drainOverFloor\`, calls per window ÷ limit) are invariant under the compression; latencies are
measured in the compressed run (\`…Ms\` in the JSON) and converted back to real time by ÷ s (\`…RealMs\`, and the
"real s" columns). **What is not scaled:** the local stack's own overheads — the interpreter, SQS (fauxqs), dynalite,
HTTP and signing, the event loop — and its timing jitter. They weigh 1/s times more than at real time, and the safety
margin in milliseconds shrinks by s (the "margin scaled ms" column: what an instance's calls may be squeezed by before
two land in one window). The arrival-delay and event-loop columns measure that jitter in each run.

${setupTable(result.setups)}

"ceiling usedOverLimit" is what the budget can sustain at best: C ÷ T over the limit = 1 ÷ (1 + margin) (up to the
rounding of T); \`drainOverFloor\` cannot go below its inverse.

## Results: naive / paced / queued

${sideBySide(result.scenarios)}

## Flows per second against the documented scopes

${flowsTable(result.scenarios)}

Charts of calls per second per scope against each scope's limit, naive beside queued (burst), written by the same run:
${result.setups.map((s) => `[${s.vendor}](${s.vendor}-calls.svg)`).join(', ')}.

## Targets (paced and queued)

${targetTable(result.scenarios)}

## Every scenario

${detailTable(result.scenarios)}

"arrival delay" is the time from a vendor λ's call start (after its pacing wait) to the emulator's journal entry; "loop
delay" is the event-loop delay of the bench process during the run (\`perf_hooks.monitorEventLoopDelay\`).

## λ bundles

Built with esbuild's API and the settings of \`HouseFunction\` (\`cdk/constructs/house-function.ts\`): ESM, node22,
minified, external source maps without sources, \`keepNames\`, every dependency bundled (the AWS SDK included). Module
init = importing the bundle in a fresh \`node ${m.node}\` process (the Lambda runtime's own start not included).

${bundleTable(result.bundles)}

## Local end-to-end throughput, vendor limits off

No rate limit, no pacing, no vendor latency, Wait states at 0 and retry pauses at 1 %: flows per second for
${result.throughput[0]?.requests ?? '–'} requests through the whole local stack, against the bare interpreter
(aws-local-stepfunctions running the same ASL, its vendor tasks answered in-process by the same task core over an
in-memory client).

${throughputTable(result.throughput)}

## Analysis

${NOTES_START}
${notes.trim() || '_(to be written from the figures above)_'}
${NOTES_END}
`;
}

/** The analysis kept from a previous file, or ''. */
export function keptNotes(previous: string | undefined): string {
  if (!previous) return '';
  const start = previous.indexOf(NOTES_START);
  const end = previous.indexOf(NOTES_END);
  if (start < 0 || end < start) return '';
  return previous.slice(start + NOTES_START.length, end);
}
