/**
 * Benchmark app A+: app A with the library's optional features for Fargate services switched on
 * (not the alternatives to them: the CloudWatch agent, EC2 services, `XRayHostAgent`,
 * `XRayTracingAspect`).
 *
 * Per service (`TracedFargateService`):
 * - the ADOT collector as the agent (its generated collector configuration), with
 *   `agentReady: AgentReadiness.HEALTHY` (the app waits for the collector's health check);
 * - OpenTelemetry auto-instrumentation, `AutoInstrumentation.python()` (the app image is Python):
 *   an init container copying the ADOT Python agent into a task volume, the app mounting it and
 *   the `PYTHONPATH` / `OTEL_*` variables that load it;
 * - a `samplingRateBoost` on the service's sampling rule;
 * - `expectedRequestsPerMonth` + `monthlyBudgetUsd`: a cost estimate (agent and init container
 *   compute included) annotated on every service.
 *
 * Per stack: A's two `TraceGroup`s, the errors group with Insights and notifications on; an SNS
 * topic; a CloudWatch alarm on each group's `metricApproximateTraceCount()` notifying the topic;
 * the errors group's `onInsight` rule sending its insights to the topic.
 *
 * Per app: one `TransactionSearch` (with a retention on `aws/spans`), in the first stack only:
 * it is one per account and Region, and the library makes a second one that may deploy to the
 * same account and Region a synth error (the bench stacks are environment-agnostic, so any two
 * may). And the `XRayTracingChecks` pack, registered as a policy-validation plugin, which runs
 * over the whole app at synth.
 *
 * Like A, it loads the compiled library through its entry point.
 */
import { App, Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { APP_IMAGE, APP_PORT, errorsGroupName, errorsQuery, planStacks, serviceConstructId, slowGroupName } from './layout';
import { createStackWithCluster } from './scaffold';
import {
  AgentReadiness, AutoInstrumentation, FilterExpression, TraceGroup, TracedFargateService, TransactionSearch, XRayAgent, XRayTracingChecks,
} from '../src';

/** Builds app A+ with `n` services (not synthesized). */
export function buildApp(n: number, outdir: string, context: { [key: string]: string } = {}): App {
  const app = new App({ outdir, context });
  Validations.of(app).addPlugins(new XRayTracingChecks(app));
  planStacks(n).forEach((plan, stackIndex) => {
    const { stack, cluster } = createStackWithCluster(app, plan);
    if (stackIndex === 0) {
      new TransactionSearch(stack, 'TransactionSearch', { spansRetention: logs.RetentionDays.ONE_MONTH });
    }
    const image = ecs.ContainerImage.fromRegistry(APP_IMAGE);
    for (const serviceName of plan.serviceNames) {
      new TracedFargateService(stack, serviceConstructId(serviceName), {
        cluster,
        serviceName,
        image,
        containerPort: APP_PORT,
        sidecar: { agent: XRayAgent.adotCollector(), agentReady: AgentReadiness.HEALTHY },
        autoInstrumentation: AutoInstrumentation.python(),
        samplingRule: { samplingRateBoost: { maxRate: 0.5, cooldown: Duration.minutes(10) } },
        expectedRequestsPerMonth: 10_000_000,
        monthlyBudgetUsd: 100,
      });
    }
    const first = plan.serviceNames[0];
    const slow = new TraceGroup(stack, 'SlowRequestsGroup', {
      groupName: slowGroupName(stackIndex),
      filterExpression: FilterExpression.service(first).and(FilterExpression.responseTime().greaterThan(5)),
    });
    const errors = new TraceGroup(stack, 'ErrorsGroup', {
      groupName: errorsGroupName(stackIndex),
      filterExpression: FilterExpression.parse(errorsQuery(first)),
      insightsEnabled: true,
      notificationsEnabled: true,
    });
    const topic = new sns.Topic(stack, 'AlarmTopic');
    const action = new cloudwatchActions.SnsAction(topic);
    for (const [id, group, threshold] of [['SlowRequestsAlarm', slow, 5], ['ErrorsAlarm', errors, 1]] as const) {
      group.metricApproximateTraceCount({ period: Duration.minutes(5) }).createAlarm(stack, id, {
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(action);
    }
    errors.onInsight('InsightsToTopic', { target: new targets.SnsTopic(topic) });
  });
  return app;
}
