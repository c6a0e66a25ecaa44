/**
 * CDK entry (`cdk.json`: `npx tsx cdk/app.ts`). The stack is environment-agnostic: account and region resolve at
 * deploy time, so `npm run synth` works offline without credentials.
 */
import { buildApp } from './build-app.ts';

buildApp().app.synth();
