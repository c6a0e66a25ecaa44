/** Writes `workflows/provision-flow-queued.asl.json` from `workflows/provision-flow.asl.json` (see the deriver). */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deriveQueuedWorkflow, type WorkflowDefinition } from '../functions/domain/queued-workflow.ts';

const source = new URL('../workflows/provision-flow.asl.json', import.meta.url);
const target = new URL('../workflows/provision-flow-queued.asl.json', import.meta.url);
const invoke = JSON.parse(readFileSync(source, 'utf8')) as WorkflowDefinition;
writeFileSync(target, `${JSON.stringify(deriveQueuedWorkflow(invoke), null, 2)}\n`);
process.stdout.write(`wrote ${fileURLToPath(target)}\n`);
