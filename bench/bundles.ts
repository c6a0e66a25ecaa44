/**
 * Each λ's bundle as CDK builds it (the `HouseFunction` settings of `cdk/constructs/house-function.ts`: ESM, node22,
 * module-first main fields, the `require` banner, minified, external source maps without sources, `keepNames`, every
 * dependency bundled), its size, and its module init time: the bundle imported in a fresh `node` process, which is
 * what a cold start pays before the first invocation (the runtime's own start excluded).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import type { VendorId } from '../functions/domain/contract.ts';
import { median } from './metrics.ts';

const run = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** `ESM_REQUIRE_BANNER` of `cdk/constructs/house-function.ts` (copied: importing it would load aws-cdk-lib). */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __houseCreateRequire } from 'node:module'; const require = __houseCreateRequire(import.meta.url);";

export interface BundleReport {
  readonly name: string;
  readonly entry: string;
  readonly bytes: number;
  /** Median ms to import the bundle in a fresh process, and every sample. */
  readonly initMs: number;
  readonly initSamplesMs: readonly number[];
}

/** The λ entries of the stack: dispatcher, failure capture, one vendor task per vendor. */
export function lambdaEntries(vendors: readonly VendorId[]): { name: string; entry: string }[] {
  return [
    { name: 'dispatcher', entry: 'functions/dispatcher/handler.ts' },
    { name: 'failure-capture', entry: 'functions/failure-capture/handler.ts' },
    ...vendors.map((vendor) => ({ name: `vendor-task ${vendor}`, entry: `functions/flow-steps/entries/${vendor}.ts` })),
  ];
}

/** Environment a deployed function has at init (values are placeholders; init reads, it does not call). */
const INIT_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDBENCH',
  AWS_SECRET_ACCESS_KEY: 'bench',
  POWERTOOLS_SERVICE_NAME: 'flow-provisioner',
  POWERTOOLS_LOG_LEVEL: 'WARN',
  IDEMPOTENCY_TABLE_NAME: 'bench-idempotency',
  STATE_MACHINE_ARNS: '{}',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/provision-dlq',
  VENDOR_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:bench',
};

const IMPORT_TIMER = `
import { pathToFileURL } from 'node:url';
const url = pathToFileURL(process.argv[2]).href;
const started = performance.now();
await import(url);
process.stdout.write(String(performance.now() - started));
`;

export async function measureBundles(
  entries: readonly { name: string; entry: string }[],
  samples: number,
): Promise<BundleReport[]> {
  const dir = await mkdtemp(join(tmpdir(), 'flow-provisioner-bench-'));
  try {
    const timer = join(dir, 'import-timer.mjs');
    await writeFile(timer, IMPORT_TIMER);
    const reports: BundleReport[] = [];
    for (const { name, entry } of entries) {
      const outfile = join(dir, name.replaceAll(/[^a-z0-9-]/gi, '_'), 'index.mjs');
      await build({
        entryPoints: [join(REPO_ROOT, entry)],
        outfile,
        absWorkingDir: REPO_ROOT,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node22',
        mainFields: ['module', 'main'],
        banner: { js: ESM_REQUIRE_BANNER },
        minify: true,
        sourcemap: true,
        sourcesContent: false,
        keepNames: true,
        logLevel: 'silent',
      });
      const bytes = (await stat(outfile)).size;
      const initSamplesMs: number[] = [];
      for (let i = 0; i < samples; i++) {
        const { stdout } = await run(process.execPath, [timer, outfile], { env: INIT_ENV, cwd: dir });
        initSamplesMs.push(Number(stdout));
      }
      reports.push({ name, entry, bytes, initMs: median(initSamplesMs), initSamplesMs });
    }
    return reports;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
