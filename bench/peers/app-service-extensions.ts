/**
 * Benchmark app C: the same N services with cdklabs' `@aws-cdk-containers/ecs-service-extensions`
 * (2.0.0, the latest on npm): per service a `ServiceDescription` with the app `Container` and the
 * `XRayExtension` (the X-Ray daemon sidecar), built by its `Service` on an `Environment` that wraps
 * the stack's cluster. No sampling rules and no trace groups: the library has none.
 *
 * Compiled by bench/peers/tsconfig.json into bench/peers/build/, so that aws-cdk-lib resolves to
 * bench/peers/node_modules (2.257.0, forced on the peer by overrides) for every module of the run.
 */
// Installed apart, in bench/peers/node_modules, by `npx projen bench:peers`: absent in a fresh clone.
// eslint-disable-next-line import/no-unresolved
import { Container, Environment, Service, ServiceDescription, XRayExtension } from '@aws-cdk-containers/ecs-service-extensions';
import { App } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { APP_IMAGE, APP_PORT, planStacks, serviceConstructId } from '../layout';
import { createStackWithCluster } from '../scaffold';

/** Builds app C with `n` services (not synthesized). */
export function buildApp(n: number, outdir: string, context: { [key: string]: string } = {}): App {
  const app = new App({ outdir, context });
  for (const plan of planStacks(n)) {
    const { stack, cluster } = createStackWithCluster(app, plan);
    const environment = new Environment(stack, 'Environment', { vpc: cluster.vpc, cluster });
    const image = ecs.ContainerImage.fromRegistry(APP_IMAGE);
    for (const serviceName of plan.serviceNames) {
      const description = new ServiceDescription();
      // The same task size as A's default (512 cpu / 1024 MiB) once the daemon is added.
      description.add(new Container({ cpu: 256, memoryMiB: 512, image, trafficPort: APP_PORT }));
      description.add(new XRayExtension());
      new Service(stack, serviceConstructId(serviceName), { serviceDescription: description, environment });
    }
  }
  return app;
}
