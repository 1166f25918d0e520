import { CfnOutput, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  AfirgenServiceName, AfirgenTracing, AutoInstrumentation, TracedEc2Service, TracedFargateService, TracingConfig, TransactionSearch, XRayAgent,
} from '../../src';

/** Properties of the AFIRGen example stack. */
export interface AfirgenStackProps extends StackProps {
  /**
   * The tracing agent beside every service.
   * @default - the ADOT collector: the X-Ray daemon is in maintenance mode since 2026-02-25 and
   * reaches end of support on 2027-02-25; the apps' X-Ray contract is the same with either
   */
  readonly agent?: XRayAgent;

  /**
   * Container images of the three services.
   * @default - public placeholder images pinned by tag
   */
  readonly images?: {
    readonly mainBackend?: ecs.ContainerImage;
    readonly ggufServer?: ecs.ContainerImage;
    readonly asrOcrServer?: ecs.ContainerImage;
  };

  /**
   * Whether this stack turns on CloudWatch Transaction Search for its account and Region (1 % of
   * spans indexed, 7 days of span data in `aws/spans`). It is one per account and Region: turn it
   * off in every stack but one when several AFIRGen stacks share an account, or when it was
   * already turned on by hand.
   * @default true
   */
  readonly transactionSearch?: boolean;
}

// Stand-ins for the AFIRGen images (pinned, never `latest`); a real deployment passes its own.
const PLACEHOLDER_IMAGE = 'public.ecr.aws/docker/library/python:3.12-slim';

/**
 * The AFIRGen services traced with cdk-xray-ecs, as the runbook describes them:
 * - `afirgen-main-backend` on Fargate behind an Application Load Balancer, traced with no code by
 *   `AutoInstrumentation.python()` (the ADOT Python distro) over OTLP to the ADOT collector;
 * - `afirgen-asr-ocr-server` on Fargate;
 * - `afirgen-gguf-server` (LLM inference) on GPU EC2 capacity in bridge network mode;
 * - `AfirgenTracing`: one sampling rule per service and the runbook's trace groups.
 *
 * Tracing settings come from the runbook's variables or cdk context at synth time:
 * `XRAY_SAMPLING_RATE=0.05 npx cdk synth` or `npx cdk synth -c xray:samplingRate=0.05`.
 */
export class AfirgenStack extends Stack {
  public readonly cluster: ecs.Cluster;
  public readonly tracing: AfirgenTracing;
  public readonly mainBackend: TracedFargateService;
  public readonly asrOcrServer: TracedFargateService;
  public readonly ggufServer: TracedEc2Service;
  public readonly alarmTopic: sns.Topic;
  public readonly transactionSearch?: TransactionSearch;

  constructor(scope: Construct, id: string, props: AfirgenStackProps = {}) {
    super(scope, id, props);
    const placeholder = ecs.ContainerImage.fromRegistry(PLACEHOLDER_IMAGE);
    const config = TracingConfig.fromEnvironment(this);

    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 1 });
    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });

    // The runbook's alarms (slow requests, errors) and the errors group's X-Ray Insights go here;
    // subscribe the on-call address or chat integration to it.
    this.alarmTopic = new sns.Topic(this, 'TracingAlarms', { enforceSSL: true });
    Validations.of(this.alarmTopic.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason: 'The topic carries alarm and insight notifications (group names, counts), no application data; the AWS managed SNS key would stop CloudWatch alarms and EventBridge from publishing to it.',
    });

    // The runbook's "reduce trace retention to 7 days": X-Ray keeps traces 30 days, fixed; the
    // spans Transaction Search writes to aws/spans are kept 7 days. 1 % indexing is free.
    if (props.transactionSearch ?? true) {
      this.transactionSearch = new TransactionSearch(this, 'TransactionSearch', {
        indexingPercentage: 1,
        spansRetention: logs.RetentionDays.ONE_WEEK,
      });
    }

    // The account-wide sampling rules and trace groups. Each service uses the preset's rule for
    // its name (no second rule), and takes its XRAY_SAMPLING_RATE from that rule. With 1 %
    // indexing the groups see 1 % of traces, so the preset's alarms count every span in aws/spans.
    this.tracing = new AfirgenTracing(this, 'Tracing', {
      samplingRate: config.samplingRate,
      alarmTopic: this.alarmTopic,
      transactionSearch: this.transactionSearch,
    });
    const tracing = { enabled: config.enabled, contextMissing: config.contextMissing };
    const ruleOf = (service: string) => ({ existingRule: this.tracing.samplingRuleFor(service) });
    const agent = props.agent ?? XRayAgent.adotCollector();
    const sidecar = { agent };

    this.mainBackend = new TracedFargateService(this, 'MainBackend', {
      cluster: this.cluster,
      serviceName: this.tracing.serviceNameFor(AfirgenServiceName.MAIN_BACKEND),
      image: props.images?.mainBackend ?? placeholder,
      containerPort: 8000,
      cpu: 1024,
      memoryLimitMiB: 2048,
      desiredCount: 2,
      tracing,
      samplingRule: ruleOf(AfirgenServiceName.MAIN_BACKEND),
      sidecar,
      // Moved off the X-Ray SDK: the ADOT Python distro traces its FastAPI routes, requests/httpx
      // calls, boto3 and MySQL with no code change, over OTLP to the collector, sampled by the
      // same rule. (The app must no longer run its X-Ray SDK helper: that would trace twice.)
      // Auto-instrumentation needs an agent that takes OTLP; with the daemon the app keeps its SDK.
      autoInstrumentation: agent.acceptsOtlp ? AutoInstrumentation.python() : undefined,
    });
    const alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', { vpc, internetFacing: true });
    alb.addListener('Http', { port: 80 }).addTargets('MainBackend', {
      port: 8000,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.mainBackend.service],
      healthCheck: { path: '/health' },
    });

    this.asrOcrServer = new TracedFargateService(this, 'AsrOcrServer', {
      cluster: this.cluster,
      serviceName: this.tracing.serviceNameFor(AfirgenServiceName.ASR_OCR_SERVER),
      image: props.images?.asrOcrServer ?? placeholder,
      containerPort: 8002,
      cpu: 2048,
      memoryLimitMiB: 4096,
      tracing,
      samplingRule: ruleOf(AfirgenServiceName.ASR_OCR_SERVER),
      sidecar,
    });

    const gpuCapacity = new autoscaling.AutoScalingGroup(this, 'GpuCapacity', {
      vpc,
      instanceType: new ec2.InstanceType('g5.xlarge'),
      machineImage: ecs.EcsOptimizedImage.amazonLinux2(ecs.AmiHardwareType.GPU),
      minCapacity: 1,
      maxCapacity: 2,
      requireImdsv2: true,
    });
    this.cluster.addAsgCapacityProvider(new ecs.AsgCapacityProvider(this, 'GpuCapacityProvider', { autoScalingGroup: gpuCapacity }));

    this.ggufServer = new TracedEc2Service(this, 'GgufServer', {
      cluster: this.cluster,
      serviceName: this.tracing.serviceNameFor(AfirgenServiceName.GGUF_SERVER),
      image: props.images?.ggufServer ?? placeholder,
      networkMode: ecs.NetworkMode.BRIDGE,
      containerPort: 8001,
      gpuCount: 1,
      memoryLimitMiB: 14336,
      tracing,
      samplingRule: ruleOf(AfirgenServiceName.GGUF_SERVER),
      sidecar,
    });
    this.mainBackend.service.connections.allowFrom(this.asrOcrServer.service, ec2.Port.tcp(8000));

    new CfnOutput(this, 'LoadBalancerDns', { value: alb.loadBalancerDnsName });
  }
}
