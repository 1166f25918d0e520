/**
 * Benchmark app D: the same N services with Datadog's `datadog-cdk-constructs-v2` (3.3.0, the
 * newest whose peer range accepts aws-cdk-lib 2.257.0): per service a
 * `DatadogECSFargateTaskDefinition` (the Datadog agent sidecar with APM on, which plays the role
 * of the tracing agent), the app container added through it, and a `FargateService`. Traces go to
 * Datadog, not X-Ray: no X-Ray IAM, sampling rules or trace groups.
 *
 * Compiled by bench/peers/tsconfig.json into bench/peers/build/ (see app-service-extensions.ts).
 */
import { App } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
// Installed apart, in bench/peers/node_modules, by `npx projen bench:peers`: absent in a fresh clone.
// eslint-disable-next-line import/no-unresolved
import { DatadogECSFargate } from 'datadog-cdk-constructs-v2';
import { APP_IMAGE, APP_PORT, planStacks, serviceConstructId } from '../layout';
import { createStackWithCluster } from '../scaffold';

/** A placeholder secret: synthesis only reads the ARN. */
const API_KEY_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:datadog-api-key-AbCdEf';

/** Builds app D with `n` services (not synthesized). */
export function buildApp(n: number, outdir: string, context: { [key: string]: string } = {}): App {
  const app = new App({ outdir, context });
  // Pinned like the other variants' images (the construct's default tag is `latest`).
  const datadog = new DatadogECSFargate({ imageVersion: '7.60.0', apm: { isEnabled: true } });
  for (const plan of planStacks(n)) {
    const { stack, cluster } = createStackWithCluster(app, plan);
    // One imported secret per stack (an ARN in the props would import it again for every task).
    const apiKeySecret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'DatadogApiKey', API_KEY_SECRET_ARN);
    const image = ecs.ContainerImage.fromRegistry(APP_IMAGE);
    for (const serviceName of plan.serviceNames) {
      const id = serviceConstructId(serviceName);
      const taskDefinition = datadog.fargateTaskDefinition(stack, `${id}Task`, { cpu: 512, memoryLimitMiB: 1024 }, { service: serviceName, apiKeySecret });
      taskDefinition.addContainer('App', {
        image,
        portMappings: [{ containerPort: APP_PORT }],
        logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'app' }),
      });
      new ecs.FargateService(stack, id, { cluster, taskDefinition, serviceName });
    }
  }
  return app;
}
