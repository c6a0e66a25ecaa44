/**
 * Logger, metrics and tracer as shared singletons (the Powertools way). Handlers add request id, vendor, execution
 * name and step as persistent keys; nothing here ever receives a secret, signature or Authorization header.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'flow-provisioner';

export const logger = new Logger({ serviceName });
export const metrics = new Metrics({
  serviceName,
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'FlowProvisioner',
});
export const tracer = new Tracer({ serviceName });
