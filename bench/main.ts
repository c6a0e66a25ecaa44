/** The benchmark's command line: options, the scenario loop, and the output (table, JSON, docs/benchmarks.md). */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bindingScope, pacingIntervalMs, vendorConfig } from '../functions/domain/config.ts';
import type { VendorId } from '../functions/domain/contract.ts';
import { LOCAL_VENDORS } from '../local/emulators/registry.ts';
import { type BundleReport, lambdaEntries, measureBundles } from './bundles.ts';
import { type ChartSeries, renderComplianceSvg } from './charts.ts';
import { callsPerSecondByScope, type ScopeLimit } from './flows.ts';
import { type BenchConfig, type BenchLoad, pacingMarginMs, type ScenarioSummary, summarize } from './metrics.ts';
import {
  type BenchResult,
  bundleTable,
  CONFIGS,
  detailTable,
  flowsTable,
  keptNotes,
  LOADS,
  markdown,
  setupTable,
  sideBySide,
  targetTable,
  throughputTable,
  type VendorSetup,
} from './report.ts';
import { runScenario, scaledWindowMs, VENDOR_LATENCY_MS } from './scenario.ts';
import { measureThroughput, type ThroughputReport } from './throughput.ts';

const DOCS = new URL('../docs/benchmarks.md', import.meta.url);
const DEFAULT_INTERVAL_MS = 250;

const HELP = `npm run bench -- [options]

Drives a burst of N requests and a steady stream at 1.5 × the limit through the local stack, per vendor, in three
configurations (naive: invoke, no pacing; paced: invoke with pacing; queued: task-token queue with pacing), and reads
calls per window, used rate, throttles, drain time, latency and transitions from the emulators' journals and the
execution histories. Then λ bundle sizes and init times, and local throughput with the vendor limits off.

  --json               one JSON document on stdout (progress on stderr)
  --vendors a,b        vendors to run (default: all)
  --configs a,b        naive, paced, queued (default: all)
  --loads a,b          burst, steady (default: both)
  --quick              smoke run: 30 requests, 100 for throughput, 3 init samples; does not write docs
  --requests N         requests per scenario (default 300; 30 with --quick)
  --interval-ms N      scaled pacing interval each vendor's time scale is chosen for (default ${DEFAULT_INTERVAL_MS})
  --time-scale S       one time scale for every vendor instead (1 = real time)
  --no-extras          skip bundles and throughput
  --docs FILE          write the markdown report there (default: docs/benchmarks.md on a full run of every vendor)
  --no-docs            do not write the markdown report
  --charts DIR         write each vendor's calls/s-per-scope chart (naive beside queued) as DIR/<vendor>-calls.svg
                       (default: docs/ when the report is written)
  --render FILE        write the markdown report from a saved --json document instead of measuring
  --help               this text

Time compression: every duration of a vendor's world (rate window, pacing interval, latency, Wait, Retry) is
multiplied by the vendor's time scale; ratios are unchanged, latencies are reported scaled (…Ms) and converted back
to real time (…RealMs). The local stack's own overheads and jitter are not scaled.`;

export async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (args.render) {
    // Re-renders the report from a saved `--json` document (no measuring): wording or layout changes of the tables.
    const saved = JSON.parse(readFileSync(args.render, 'utf8')) as ReturnType<typeof jsonSummary>;
    const result: BenchResult = { ...saved, quick: false, scenarios: saved.results };
    const docs = args.docs ?? DOCS;
    writeDocs(docs, result);
    log(`wrote ${docs instanceof URL ? docs.pathname : docs} from ${args.render}`);
    return 0;
  }
  // The charts' folder is made (or refused) before the measuring: a real-time run takes many minutes to lose.
  if (args.charts) mkdirSync(args.charts, { recursive: true });
  const started = Date.now();
  const loadAverageStart = loadavg();
  const requests = args.requests;

  const scenarios: ScenarioSummary[] = [];
  const setups: VendorSetup[] = [];
  const charts = new Map<VendorId, { scopes: ScopeLimit[]; series: ChartSeries[] }>();
  for (const vendor of args.vendors) {
    const budget = vendorConfig(vendor).budget;
    const intervalMs = pacingIntervalMs(budget);
    const timeScale = args.timeScale ?? args.intervalMs / intervalMs;
    const windowMs = scaledWindowMs(vendor, timeScale);
    const scaledIntervalMs = Math.round(intervalMs * timeScale);
    // Calls per request, measured: a small queued burst (polls depend on the vendor's state delays).
    log(`${vendor}: time scale ${timeScale.toFixed(4)} (T ${intervalMs} ms → ${scaledIntervalMs} ms); calibrating`);
    const calibration = summarize(
      await runScenario({ vendor, config: 'queued', load: 'burst', requests: 10, timeScale }),
    );
    const callsPerRequest = calibration.calls / Math.max(1, calibration.provisioned);
    const binding = bindingScope(budget);
    const steadyPerSecond = (binding.documentedLimit / binding.windowSeconds / callsPerRequest) * 1.5;
    const setup: VendorSetup = {
      vendor,
      timeScale,
      pacingIntervalMs: intervalMs,
      scaledIntervalMs,
      windowMs,
      marginMs: pacingMarginMs(scaledIntervalMs, windowMs),
      latencyMs: [VENDOR_LATENCY_MS[0] * timeScale, VENDOR_LATENCY_MS[1] * timeScale],
      callsPerRequest,
      steadyPerSecond,
      steadyPerScaledSecond: steadyPerSecond / timeScale,
    };
    setups.push(setup);
    log(
      `${vendor}: ${callsPerRequest.toFixed(2)} calls/request; steady ${steadyPerSecond.toFixed(3)} req/s real ` +
        `(${setup.steadyPerScaledSecond.toFixed(2)} req/s scaled); margin ${setup.marginMs.toFixed(1)} ms scaled`,
    );
    const chartSeries: ChartSeries[] = [];
    let chartScopes: ScopeLimit[] = [];
    for (const load of args.loads) {
      for (const config of args.configs) {
        log(`${vendor} ${config} ${load}: ${requests} requests`);
        const measured = await runScenario({
          vendor,
          config,
          load,
          requests,
          timeScale,
          steadyRequestsPerSecond: steadyPerSecond,
          log,
        });
        const summary = summarize(measured);
        scenarios.push(summary);
        if (load === 'burst' && (config === 'naive' || config === 'queued')) {
          chartScopes = [...(measured.scopes ?? [])];
          chartSeries.push({
            config,
            points: callsPerSecondByScope(measured.journal, chartScopes, measured.startedAt, timeScale),
          });
        }
        log(
          `  ${summary.provisioned}/${summary.requests} provisioned, ${summary.calls} calls, max ${summary.maxWindowCalls}/` +
            `${summary.limit} per window, used ${summary.usedOverLimit}, vendor throttles ${summary.vendorThrottles}, ` +
            `λ throttle retries ${summary.lambdaThrottleRetries}, drain/floor ${summary.drainOverFloor}, ` +
            `p99 ${(summary.p99RealMs / 1000).toFixed(1)} s real, ${(summary.wallMs / 1000).toFixed(0)} s wall`,
        );
      }
    }
    if (args.charts && chartSeries.length > 0) charts.set(vendor, { scopes: chartScopes, series: chartSeries });
  }

  let bundles: BundleReport[] = [];
  for (const [vendor, chart] of charts) {
    const file = join(args.charts!, `${vendor}-calls.svg`);
    writeFileSync(file, await renderComplianceSvg(vendor, chart.scopes, chart.series));
    log(`wrote ${file}`);
  }
  const throughput: ThroughputReport[] = [];
  if (args.extras) {
    log('λ bundles: building and timing module init');
    bundles = await measureBundles(lambdaEntries(LOCAL_VENDORS.map((v) => v.vendor)), args.quick ? 3 : 7);
    const throughputRequests = args.quick ? 100 : 1000;
    // Queue mode, as deployed. (Invoke mode without pacing and with compressed retry pauses exhausts the
    // `Lambda.TooManyRequestsException` retries of a 1000-request burst: it measures the retry policy, not throughput.)
    log(`throughput: ${throughputRequests} aws-mediaconnect requests, queue mode, limits off`);
    throughput.push(await measureThroughput('aws-mediaconnect', throughputRequests, 'queue'));
  }

  const result: BenchResult = {
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      node: process.version,
      platform: `${platform()} ${release()}`,
      date: new Date().toISOString(),
      loadAverageStart,
      loadAverageEnd: loadavg(),
    },
    quick: args.quick,
    requests,
    setups,
    scenarios,
    bundles,
    throughput,
    totalMs: Date.now() - started,
  };

  if (args.json) {
    process.stdout.write(`${JSON.stringify(jsonSummary(result), null, 2)}\n`);
  } else {
    process.stdout.write(
      [
        '',
        `Time compression: every duration of a vendor's world × its time scale; ratios are invariant, latencies are`,
        `measured scaled (ms) and shown converted back to real time (÷ scale). The stack's own overheads are not scaled.`,
        '',
        setupTable(setups),
        '',
        'naive / paced / queued',
        sideBySide(scenarios),
        '',
        targetTable(scenarios),
        '',
        flowsTable(scenarios),
        '',
        detailTable(scenarios),
        '',
        ...(args.extras ? [bundleTable(bundles), '', throughputTable(throughput), ''] : []),
        `total ${(result.totalMs / 60_000).toFixed(1)} min`,
        '',
      ].join('\n'),
    );
  }
  const docs = args.docs;
  if (docs) {
    writeDocs(docs, result);
    log(`wrote ${docs instanceof URL ? docs.pathname : docs} and its JSON beside it`);
  }
  const lost = scenarios.filter((s) => s.config !== 'naive' && s.provisioned < s.requests);
  for (const s of lost) log(`! ${s.vendor} ${s.config} ${s.load}: ${s.requests - s.provisioned} not provisioned`);
  return 0;
}

/** Writes the markdown report (keeping its analysis notes) and the `--json` document beside it (`.json`). */
function writeDocs(docs: string | URL, result: BenchResult): void {
  const previous = existsSync(docs) ? readFileSync(docs, 'utf8') : undefined;
  writeFileSync(docs, markdown(result, keptNotes(previous)));
  const json = docs instanceof URL ? new URL(docs.href.replace(/\.md$/, '.json')) : docs.replace(/\.md$/, '.json');
  if (String(json) !== String(docs)) writeFileSync(json, `${JSON.stringify(jsonSummary(result), null, 2)}\n`);
}

/** The `--json` document: one object per vendor × configuration × load, plus the setup and the extras. */
export function jsonSummary(result: BenchResult) {
  return {
    machine: result.machine,
    requests: result.requests,
    totalMs: result.totalMs,
    setups: result.setups,
    results: result.scenarios,
    bundles: result.bundles,
    throughput: result.throughput,
  };
}

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      vendors: { type: 'string' },
      configs: { type: 'string' },
      loads: { type: 'string' },
      quick: { type: 'boolean', default: false },
      requests: { type: 'string' },
      'interval-ms': { type: 'string' },
      'time-scale': { type: 'string' },
      'no-extras': { type: 'boolean', default: false },
      docs: { type: 'string' },
      'no-docs': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      render: { type: 'string' },
      charts: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const known = LOCAL_VENDORS.map((v) => v.vendor);
  const list = <T extends string>(value: string | undefined, all: readonly T[], what: string): T[] => {
    if (value === undefined) return [...all];
    const items = value.split(',').map((v) => v.trim()) as T[];
    const unknown = items.filter((v) => !all.includes(v));
    if (unknown.length > 0 || items.length === 0) throw new Error(`unknown ${what}: ${unknown.join(', ')}`);
    return items;
  };
  const positive = (value: string | undefined, name: string) => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!(n > 0) || !Number.isFinite(n)) throw new Error(`--${name} must be a positive number`);
    return n;
  };
  const vendors = list<VendorId>(values.vendors, known, 'vendor');
  const configs = list<BenchConfig>(values.configs, CONFIGS, 'configuration');
  const loads = list<BenchLoad>(values.loads, LOADS, 'load');
  const quick = values.quick ?? false;
  const requests = positive(values.requests, 'requests') ?? (quick ? 30 : 300);
  const complete =
    !quick &&
    vendors.length === known.length &&
    configs.length === CONFIGS.length &&
    loads.length === LOADS.length &&
    values['time-scale'] === undefined &&
    requests === 300;
  const docs: string | URL | undefined = values['no-docs'] ? undefined : (values.docs ?? (complete ? DOCS : undefined));
  return {
    help: values.help ?? false,
    json: values.json ?? false,
    vendors,
    configs,
    loads,
    quick,
    requests: Math.round(requests),
    intervalMs: positive(values['interval-ms'], 'interval-ms') ?? DEFAULT_INTERVAL_MS,
    timeScale: positive(values['time-scale'], 'time-scale'),
    extras: !(values['no-extras'] ?? false),
    docs,
    render: values.render,
    // The compliance charts go beside the report it writes, or where --charts says.
    charts: values.charts ?? (docs ? 'docs' : undefined),
  };
}
