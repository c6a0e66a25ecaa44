/**
 * `npm run bench`: the rate-limit benchmark of issue 5 (see `docs/benchmarks.md` for what it measures and how).
 * This file only quiets the process before anything is loaded; the work is in `./main.ts`.
 */
import './quiet-process.ts';

const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
