#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so the installed package needs no build step.
import { register } from 'tsx/esm/api';

// The embedded stack runs the handlers in this process: keep their JSON logs to warnings unless asked.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
// Node 20 is a supported local runtime here (Lambda runs 22); the SDK's Node 20 notice would repeat on every start.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Nothing in this process runs inside Lambda, so nothing is traced; in automatic mode the X-Ray SDK would hook every
// promise of the embedded stack (cls-hooked) for a trace context nobody reads.
process.env.AWS_XRAY_MANUAL_MODE ??= 'true';
register();
await import('../cli/flowctl.ts');
