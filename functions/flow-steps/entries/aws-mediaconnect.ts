/** Lambda entry: the AWS Elemental MediaConnect flow steps (`../entry.ts`). */
import { AwsMediaConnectClient } from '../../vendors/aws-mediaconnect/client.ts';
import { awsMediaConnect } from '../../vendors/aws-mediaconnect/descriptor.ts';
import { vendorStepHandler } from '../entry.ts';

export const handler = vendorStepHandler(awsMediaConnect, (env, options) =>
  AwsMediaConnectClient.fromEnv(env, options),
);
