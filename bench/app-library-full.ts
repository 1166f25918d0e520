/**
 * Benchmark app A+: app A with every feature of the library that exists in this version switched
 * on: the ADOT collector as the agent (its generated collector configuration), a cost estimate
 * with a budget on every service (the estimator with agent compute, an annotation each), and the
 * `XRayTracingChecks` pack registered as a policy-validation plugin, which runs over the whole
 * app at synth. Auto-instrumentation, alarms and Transaction Search are not in this version.
 *
 * Like A, it loads the compiled library through its entry point.
 */
import { App, Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { APP_IMAGE, APP_PORT, errorsGroupName, errorsQuery, planStacks, serviceConstructId, slowGroupName } from './layout';
import { createStackWithCluster } from './scaffold';
import { FilterExpression, TraceGroup, TracedFargateService, XRayAgent, XRayTracingChecks } from '../src';

/** Builds app A+ with `n` services (not synthesized). */
export function buildApp(n: number, outdir: string, context: { [key: string]: string } = {}): App {
  const app = new App({ outdir, context });
  Validations.of(app).addPlugins(new XRayTracingChecks(app));
  planStacks(n).forEach((plan, stackIndex) => {
    const { stack, cluster } = createStackWithCluster(app, plan);
    const image = ecs.ContainerImage.fromRegistry(APP_IMAGE);
    for (const serviceName of plan.serviceNames) {
      new TracedFargateService(stack, serviceConstructId(serviceName), {
        cluster,
        serviceName,
        image,
        containerPort: APP_PORT,
        sidecar: { agent: XRayAgent.adotCollector() },
        expectedRequestsPerMonth: 10_000_000,
        monthlyBudgetUsd: 100,
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
