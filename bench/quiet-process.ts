/**
 * Quiets a bench process before anything else is loaded (import it first, then load the work with `await import`):
 * the handlers log through Powertools to stdout, where the bench writes its table or JSON.
 */
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
