/**
 * Benchmark app B: the same resources as app A, written by hand with aws-cdk-lib only (no file of
 * the library is loaded). The construct tree mirrors A's (a plain `Construct` where A has a
 * library construct) so that logical ids, and so templates, are comparable one to one.
 *
 * Per service: a Fargate task definition (512 cpu, 1024 MiB) with the app container and the X-Ray
 * daemon container (same image, command, ports, user, memory, read-only root filesystem, restart
 * policy, log groups, environment, depends-on), the inline X-Ray IAM policy on the task role (the
 * task definition and the service wait for it), the service's `CfnSamplingRule` named as the
 * library names it, and the Fargate service; per stack two `CfnGroup`s. The cdk-nag
 * acknowledgements the library records are recorded here too, statically. `run.ts` fails unless
 * A's and B's templates are byte-identical.
 */
import { App, CfnResource, Duration, Names, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as xray from 'aws-cdk-lib/aws-xray';
import { Construct } from 'constructs';
import {
  APP_IMAGE,
  APP_PORT,
  errorsGroupName,
  errorsQuery,
  planStacks,
  serviceConstructId,
  slowGroupName,
  slowQuery,
} from './layout';
import { createStackWithCluster } from './scaffold';

const DAEMON_IMAGE = 'public.ecr.aws/xray/aws-xray-daemon:3.6.6';
const XRAY_ACTIONS = [
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'xray:GetSamplingStatisticSummaries',
];
const IAM5_REASON =
  'AWS X-Ray has no resource-level permissions for PutTraceSegments, PutTelemetryRecords, GetSamplingRules, ' +
  'GetSamplingTargets and GetSamplingStatisticSummaries: the actions only accept Resource "*".';
const ECS2_REASON =
  'The only environment variables are the X-Ray tracing contract and the tracing agent\'s configuration ' +
  '(addresses, sampling rate, service name): configuration, not secrets.';

function addService(stack: Stack, cluster: ecs.ICluster, image: ecs.ContainerImage, serviceName: string): void {
  const scope = new Construct(stack, serviceConstructId(serviceName));

  const taskDefinition = new ecs.FargateTaskDefinition(scope, 'TaskDefinition', { cpu: 512, memoryLimitMiB: 1024 });
  const appLogGroup = new logs.LogGroup(scope, 'AppLogGroup', { retention: logs.RetentionDays.ONE_MONTH });
  const app = taskDefinition.addContainer('App', {
    containerName: 'app',
    image,
    essential: true,
    logging: ecs.LogDrivers.awsLogs({ logGroup: appLogGroup, streamPrefix: 'app' }),
    portMappings: [{ containerPort: APP_PORT, protocol: ecs.Protocol.TCP }],
    environment: {
      XRAY_ENABLED: 'true',
      XRAY_SAMPLING_RATE: '0.1',
      XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      AWS_XRAY_TRACING_NAME: serviceName,
      AWS_XRAY_SDK_ENABLED: 'true',
      XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
      AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
    },
  });

  // A's XRaySidecar sits at `<service>/XRay` and puts its log group, policy and container under the
  // task definition (`XRayTracing`, `XRayTracingAgent`); the same tree here keeps logical ids equal.
  new Construct(scope, 'XRay');
  const xrayScope = new Construct(taskDefinition, 'XRayTracing');
  const daemonLogGroup = new logs.LogGroup(xrayScope, 'LogGroup', {
    retention: logs.RetentionDays.ONE_WEEK,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const daemon = taskDefinition.addContainer('XRayTracingAgent', {
    containerName: 'xray-daemon',
    image: ecs.ContainerImage.fromRegistry(DAEMON_IMAGE),
    command: ['--region', Stack.of(taskDefinition).region],
    cpu: 32,
    memoryReservationMiB: 256,
    memoryLimitMiB: 512,
    essential: false,
    user: '10001',
    readonlyRootFilesystem: true,
    privileged: false,
    portMappings: [
      { containerPort: 2000, protocol: ecs.Protocol.UDP },
      { containerPort: 2000, protocol: ecs.Protocol.TCP },
    ],
    logging: ecs.LogDrivers.awsLogs({ logGroup: daemonLogGroup, streamPrefix: 'xray-daemon' }),
    enableRestartPolicy: true,
    restartAttemptPeriod: Duration.seconds(60),
  });
  const policy = new iam.Policy(xrayScope, 'Policy', {
    statements: [new iam.PolicyStatement({ actions: XRAY_ACTIONS, resources: ['*'] })],
  });
  policy.attachToRole(taskDefinition.taskRole);
  // The task definition, and the service below, wait for the task role's X-Ray policy.
  (taskDefinition.node.defaultChild as CfnResource).addDependency(policy.node.defaultChild as CfnResource);
  Validations.of(policy.node.defaultChild!).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: IAM5_REASON });
  Validations.of(taskDefinition.node.defaultChild!).acknowledge({ id: 'AwsSolutions-ECS2', reason: ECS2_REASON });
  app.addContainerDependencies({ container: daemon, condition: ecs.ContainerDependencyCondition.START });

  const ruleScope = new Construct(scope, 'SamplingRule');
  new xray.CfnSamplingRule(ruleScope, 'Resource', {
    samplingRule: {
      ruleName: `${serviceName}-${Names.uniqueId(ruleScope).slice(-8)}`,
      priority: 1000,
      fixedRate: 0.1,
      reservoirSize: 1,
      serviceName,
      serviceType: '*',
      host: '*',
      httpMethod: '*',
      urlPath: '*',
      resourceArn: '*',
      version: 1,
    },
  });

  const service = new ecs.FargateService(scope, 'Service', {
    cluster,
    taskDefinition,
    serviceName,
    desiredCount: 1,
    minHealthyPercent: 100,
    maxHealthyPercent: 200,
    assignPublicIp: false,
    circuitBreaker: { rollback: true },
  });
  service.node.addDependency(policy);
}

function addGroup(stack: Stack, id: string, groupName: string, filterExpression: string, insightsEnabled: boolean): void {
  const scope = new Construct(stack, id);
  new xray.CfnGroup(scope, 'Resource', {
    groupName,
    filterExpression,
    insightsConfiguration: { insightsEnabled, notificationsEnabled: false },
  });
}

/** Builds app B with `n` services (not synthesized). */
export function buildApp(n: number, outdir: string, context: { [key: string]: string } = {}): App {
  const app = new App({ outdir, context });
  planStacks(n).forEach((plan, stackIndex) => {
    const { stack, cluster } = createStackWithCluster(app, plan);
    const image = ecs.ContainerImage.fromRegistry(APP_IMAGE);
    for (const serviceName of plan.serviceNames) {
      addService(stack, cluster, image, serviceName);
    }
    const first = plan.serviceNames[0];
    addGroup(stack, 'SlowRequestsGroup', slowGroupName(stackIndex), slowQuery(first), false);
    addGroup(stack, 'ErrorsGroup', errorsGroupName(stackIndex), errorsQuery(first), true);
  });
  return app;
}
