import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import { Construct } from 'constructs';
import { SamplingRule, XRaySidecar } from '../../src';

// A stand-in for the app image (pinned, never `latest`; multi-arch, so it runs on Graviton).
const PLACEHOLDER_IMAGE = 'public.ecr.aws/docker/library/python:3.12-slim';

/** The X-Ray service name of the example's web app. */
export const WEB_SERVICE_NAME = 'graviton-web';

/**
 * An `ecs_patterns` load-balanced Fargate service on Graviton (ARM64), on Fargate Spot, with ECS
 * Exec, traced by attaching `XRaySidecar` to the pattern's task definition: every setting is the
 * pattern's own prop, and the tracing is three lines after it.
 */
export class GravitonSpotStack extends Stack {
  public readonly web: ecsPatterns.ApplicationLoadBalancedFargateService;
  public readonly xray: XRaySidecar;
  public readonly samplingRule: SamplingRule;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    cluster.enableFargateCapacityProviders();

    this.web = new ecsPatterns.ApplicationLoadBalancedFargateService(this, 'Web', {
      cluster,
      // Room for the app and the agent (256 MiB reservation).
      cpu: 512,
      memoryLimitMiB: 1024,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      capacityProviderStrategies: [
        { capacityProvider: 'FARGATE_SPOT', weight: 3 },
        { capacityProvider: 'FARGATE', weight: 1, base: 1 },
      ],
      enableExecuteCommand: true,
      minHealthyPercent: 100,
      circuitBreaker: { rollback: true },
      taskImageOptions: {
        image: ecs.ContainerImage.fromRegistry(PLACEHOLDER_IMAGE),
        command: ['python', '-m', 'http.server', '8000'],
        containerPort: 8000,
      },
    });

    // The X-Ray daemon's images are multi-arch from 3.3.0 (the pinned 3.6.6 runs on ARM64); an
    // agent with no arm64 build would be a synth error here.
    this.xray = new XRaySidecar(this, 'XRay', { taskDefinition: this.web.taskDefinition });
    this.xray.instrument(this.web.taskDefinition.defaultContainer!, { serviceName: WEB_SERVICE_NAME, samplingRate: 0.1 });
    this.samplingRule = new SamplingRule(this, 'WebRule', { serviceName: WEB_SERVICE_NAME, fixedRate: 0.1, priority: 1000 });
    this.xray.orderAfterIam(this.web.service);

    new CfnOutput(this, 'LoadBalancerDns', { value: this.web.loadBalancer.loadBalancerDnsName });
  }
}
