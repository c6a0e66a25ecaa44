/**
 * `npm run bench`: the rate-limit benchmark of issue 5 (see `docs/benchmarks.md` for what it measures and how).
 * This file only quiets the process before anything is loaded; the work is in `./main.ts`.
 */
// The handlers log through Powertools to stdout; the bench's stdout is its table or its JSON.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
// Nothing here runs inside Lambda, so nothing is traced; in automatic mode the X-Ray SDK would hook every promise of
// the process (cls-hooked) for a trace context nobody reads.
process.env.AWS_XRAY_MANUAL_MODE ??= 'true';
// The AWS SDK warns once per client about Node 20's support window; thirty stacks would print it hundreds of times.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (!`${warning.name} ${warning.message}`.includes('NodeVersionSupportWarning'))
    process.stderr.write(`${warning.name}: ${warning.message}\n`);
});

const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
