/**
 * Benchmark app A: N services built with the library. Each service is one `TracedFargateService`
 * (task definition, app container, X-Ray daemon sidecar with `instrument`, the agent's IAM
 * policy, the service's own `SamplingRule`, the Fargate service); each stack adds two
 * `TraceGroup`s in the AfirgenTracing style, one from the `FilterExpression` builder and one
 * parsed from the console query text.
 *
 * It loads the compiled library (bench/results/build/src/index.js, the entry point users import),
 * never the sources.
 */
import { App } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { APP_IMAGE, APP_PORT, errorsGroupName, errorsQuery, planStacks, serviceConstructId, slowGroupName } from './layout';
import { createStackWithCluster } from './scaffold';
// Through the library's entry point, as users import it: whatever the entry point loads (the
// cdk-nag pack's modules among them) is part of A's cost.
import { FilterExpression, TraceGroup, TracedFargateService } from '../src';

/** Builds app A with `n` services (not synthesized). */
export function buildApp(n: number, outdir: string, context: { [key: string]: string } = {}): App {
  const app = new App({ outdir, context });
  planStacks(n).forEach((plan, stackIndex) => {
    const { stack, cluster } = createStackWithCluster(app, plan);
    const image = ecs.ContainerImage.fromRegistry(APP_IMAGE);
    for (const serviceName of plan.serviceNames) {
      new TracedFargateService(stack, serviceConstructId(serviceName), {
        cluster,
        serviceName,
        image,
        containerPort: APP_PORT,
      });
    }
    const first = plan.serviceNames[0];
    new TraceGroup(stack, 'SlowRequestsGroup', {
      groupName: slowGroupName(stackIndex),
      filterExpression: FilterExpression.service(first).and(FilterExpression.responseTime().greaterThan(5)),
    });
    new TraceGroup(stack, 'ErrorsGroup', {
      groupName: errorsGroupName(stackIndex),
      filterExpression: FilterExpression.parse(errorsQuery(first)),
      insightsEnabled: true,
    });
  });
  return app;
}
