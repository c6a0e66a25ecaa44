#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so the installed package needs no build step.
import { register } from 'tsx/esm/api';

// The embedded stack runs the handlers in this process: keep their JSON logs to warnings unless asked.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
register();
await import('../cli/flowctl.ts');
