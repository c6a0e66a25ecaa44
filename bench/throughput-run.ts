/**
 * `npx tsx bench/throughput-run.ts [requests] [repeats]`: only the local throughput measurement of `npm run bench`
 * (aws-mediaconnect, queue mode, vendor limits off), repeated, each line one run of the stack and the bare
 * interpreter side by side; for profiling the local stack (`node --import tsx --cpu-prof bench/throughput-run.ts`).
 */
import './quiet-process.ts';

const { measureThroughput } = await import('./throughput.ts');
const requests = Number(process.argv[2] ?? 300);
const repeats = Number(process.argv[3] ?? 1);
for (let i = 0; i < repeats; i++) {
  const r = await measureThroughput('aws-mediaconnect', requests, 'queue');
  process.stdout.write(
    `${r.vendor} ${r.dispatch} ${r.requests}: stack ${r.stack.provisioned} in ${(r.stack.ms / 1000).toFixed(1)} s = ` +
      `${r.stack.flowsPerSecond.toFixed(1)}/s, ${r.stack.cpuMsPerFlow.toFixed(1)} CPU ms/flow; bare ${r.bare.provisioned} in ${(r.bare.ms / 1000).toFixed(2)} s = ` +
      `${r.bare.flowsPerSecond.toFixed(0)}/s, ${r.bare.cpuMsPerFlow.toFixed(2)} CPU ms/flow; ratio ${r.ratio.toFixed(3)}; ${r.stackTransitionsPerFlow.toFixed(1)} transitions/flow\n`,
  );
}
