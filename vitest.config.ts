import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Contract and e2e tests start real servers on 127.0.0.1; give them room on a shared 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two files at once: the e2e files mostly wait on the vendors' documented limits (real time), so a second fork
    // halves the wall time on a 2-core machine; the pacing margins absorb the extra scheduling jitter.
    maxWorkers: 2,
    // Handlers log through Powertools; tests read outcomes, not log lines (the log-scan test sets its own level).
    // Nothing here runs inside Lambda, so the Tracer is off; AWS_XRAY_MANUAL_MODE keeps the X-Ray SDK from hooking every
    // promise of the process (cls-hooked) for a trace context nobody reads (docs/benchmarks.md, local throughput).
    env: {
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_XRAY_MANUAL_MODE: 'true',
    },
  },
});
