/**
 * `flowctl local`: starts the embedded stack, runs a batch through it (the built-in demo batch unless `--requests`
 * names a file), prints progress and a per-vendor summary, or one JSON object per request with `--json`.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { VENDOR_IDS, type VendorId } from '../../functions/domain/contract.ts';
import { demoBatch } from '../../local/batch/demo-batch.ts';
import { deliverWithDuplicates } from '../../local/batch/duplicates.ts';
import { parseCrash, parseDuplicates, parseFaults } from '../../local/batch/fault-switches.ts';
import { type BatchReport, runBatch } from '../../local/batch/run-batch.ts';
import { LOCAL_VENDORS } from '../../local/emulators/registry.ts';
import { startLocalStack } from '../../local/stack.ts';
import { describeConnection } from '../connection-summary.ts';
import { runCommand } from '../output.ts';
import { readRequestFile } from '../read-requests.ts';
import { serveLocal } from './local-serve.ts';

interface LocalOptions {
  requests?: string;
  json?: boolean;
  vendors?: string;
  serve?: boolean;
  faults?: string;
  duplicates?: string;
  crash?: string;
  events?: string;
}

/** With injected faults a lost answer holds a λ slot until the call deadline: 2 s instead of the config's seconds. */
const FAULT_CALL_TIMEOUT_MS = 2000;

export function registerLocal(program: Command): void {
  program
    .command('local')
    .description('run the embedded stack (SQS, Step Functions, Lambda and vendor emulators on 127.0.0.1) over a batch')
    .option('--requests <file>', 'JSON, JSON array or NDJSON requests (- for stdin); default: the built-in demo batch')
    .option(
      '--json',
      'print one JSON object per request (requestId, vendor, status, flowId, executionName, error, connection)',
    )
    .option(
      '--events <file>',
      'write every outcome event put on the bus as NDJSON, one PutEvents entry a line (Source, DetailType, Detail, Time)',
    )
    .option(
      '--vendors <list>',
      `comma-separated vendors to run (default: all available: ${LOCAL_VENDORS.map((v) => v.vendor).join(', ')})`,
    )
    .option(
      '--serve',
      'keep the stack up until Ctrl-C for other commands (`--local`); endpoints in .flowctl/local.json',
    )
    .option(
      '--faults <spec>',
      'inject vendor faults: RATE[,KIND...], kinds error (5xx), timeout (served, answer lost), throttle, latency; e.g. 0.2 or 0.1,timeout',
    )
    .option('--duplicates <n>', 'deliver every message N times (some copies while it runs, some after it finished)')
    .option('--crash <spec>', 'vendor λs die after a successful vendor call: RATE[,before-response|after-vendor-call]')
    .action(async (options: LocalOptions) => {
      if (options.serve) {
        await runCommand(options, () =>
          serveLocal({ vendors: parseVendors(options.vendors), json: Boolean(options.json) }),
        );
        return;
      }
      process.exitCode = await runLocal(options);
    });
}

async function runLocal(options: LocalOptions): Promise<number> {
  const vendors = parseVendors(options.vendors);
  const bodies = options.requests ? readRequestFile(options.requests) : demoBatch(vendors);
  const say = (line: string) => {
    if (!options.json) process.stdout.write(`${line}\n`);
    else process.stderr.write(`${line}\n`);
  };
  const faults = options.faults !== undefined ? parseFaults(options.faults) : undefined;
  const crash = options.crash !== undefined ? parseCrash(options.crash) : undefined;
  const copies = options.duplicates !== undefined ? parseDuplicates(options.duplicates) : 1;
  say(`flowctl local: starting SQS, Step Functions, Lambda and ${vendors.length} vendor emulator(s) on 127.0.0.1`);
  const stack = await startLocalStack({
    vendors,
    log: say,
    ...(faults ? { faults, callTimeoutMs: FAULT_CALL_TIMEOUT_MS } : {}),
    // A sandbox that dies mid-call holds its slot until the λ timeout: 10 s here, not the config's minute.
    ...(crash ? { lambdaCrash: crash, vendorTimeoutSeconds: 10 } : {}),
  });
  let stopping = false;
  const onSignal = () => {
    if (stopping) process.exit(130);
    stopping = true;
    say('stopping (Ctrl-C again to force)…');
    void stack.stop().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    say(`sending ${bodies.length} message(s) to the ingress queue${copies > 1 ? `, each ${copies} times` : ''}`);
    const report = await runBatch(stack, bodies, {
      onProgress: say,
      ...(copies > 1
        ? {
            deliver: async (s, b) => {
              const stats = await deliverWithDuplicates(s, b, { copies });
              say(
                `delivered ${stats.sent} message(s): copies found their request not started ${stats.beforeStart}×, running ${stats.whileRunning}×, finished ${stats.afterFinished}×`,
              );
            },
          }
        : {}),
    });
    if (options.events !== undefined) {
      const lines = stack.eventBus.entries.map(({ Id: _id, ...entry }) => JSON.stringify(entry));
      writeFileSync(options.events, lines.length > 0 ? `${lines.join('\n')}\n` : '');
      say(`wrote ${lines.length} event(s) to ${options.events}`);
    }
    if (options.json) {
      for (const result of report.results) process.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      printSummary(report);
    }
    if (report.unresolved.length > 0) {
      process.stderr.write(`unresolved requests (no terminal state): ${report.unresolved.join(', ')}\n`);
      return 1;
    }
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stack.stop();
  }
}

function parseVendors(list: string | undefined): VendorId[] {
  const available = LOCAL_VENDORS.map((v) => v.vendor);
  if (!list) return available;
  const asked = list
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  const unknown = asked.filter((v) => !available.includes(v as VendorId));
  if (unknown.length > 0) {
    const known = VENDOR_IDS.filter((v) => unknown.includes(v));
    throw new Error(
      `--vendors: ${unknown.join(', ')} ${known.length > 0 ? 'has no local emulator yet' : 'is not a vendor'}; available: ${available.join(', ')}`,
    );
  }
  return asked as VendorId[];
}

function printSummary(report: BatchReport): void {
  const rows = report.summary.map((s) => [
    s.vendor,
    String(s.requested),
    String(s.provisioned),
    String(s.failed),
    String(s.rejected),
    String(s.vendorCalls),
    String(s.throttlesAnswered),
    Object.entries(s.reasons)
      .map(([reason, count]) => `${reason} ×${count}`)
      .join(', ') || '-',
  ]);
  const header = ['vendor', 'requested', 'provisioned', 'failed', 'rejected', 'vendor calls', 'throttles', 'reasons'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  process.stdout.write(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
  process.stdout.write(`\n${report.results.length} request(s) in ${(report.durationMs / 1000).toFixed(1)} s\n`);
  const provisioned = report.results.filter((r) => r.status === 'PROVISIONED');
  if (provisioned.length > 0) {
    process.stdout.write('\nwhere to connect:\n');
    for (const r of provisioned) {
      process.stdout.write(`  ${r.requestId} ${r.vendor} — ${describeConnection(r.connection)}\n`);
    }
  }
  const failures = report.results.filter((r) => r.status !== 'PROVISIONED');
  if (failures.length > 0) {
    process.stdout.write('\nnot provisioned (each is in the DLQ with its reasons):\n');
    for (const f of failures) {
      process.stdout.write(
        `  ${f.status.padEnd(8)} ${f.requestId ?? '(no requestId)'} ${f.vendor ?? ''} — ${f.error}\n`,
      );
    }
  }
}
