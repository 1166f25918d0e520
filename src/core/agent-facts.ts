/**
 * Facts about the tracing agents that every part of the library reads (the sidecar builds with
 * them, the checks recognize agents by them). Public copies for other jsii languages are statics on
 * `XRayAgent` and `XRaySidecar`.
 */

/** The port on which every agent takes X-Ray segments (UDP) and proxies sampling calls (TCP). */
export const AGENT_PORT = 2000;

/** The port on which the OTLP agents take OpenTelemetry over gRPC. */
export const AGENT_OTLP_GRPC_PORT = 4317;

/** The port on which the OTLP agents take OpenTelemetry over HTTP. */
export const AGENT_OTLP_HTTP_PORT = 4318;

/** The port on which the CloudWatch agent takes OTLP/HTTP from Application Signals (its `otlp/http_0_0_0_0_4316` receiver). */
export const AGENT_APPLICATION_SIGNALS_PORT = 4316;

/** The agent container's default name, and in bridge mode the link alias apps use whatever the name. */
export const AGENT_CONTAINER_NAME = 'xray-daemon';

/** The X-Ray daemon image in Amazon ECR Public (built FROM scratch: no shell, no curl). */
export const DAEMON_REPOSITORY = 'public.ecr.aws/xray/aws-xray-daemon';

/** The CloudWatch agent image in Amazon ECR Public. */
export const CLOUDWATCH_REPOSITORY = 'public.ecr.aws/cloudwatch-agent/cloudwatch-agent';

/** The ADOT collector image in Amazon ECR Public. */
export const ADOT_REPOSITORY = 'public.ecr.aws/aws-observability/aws-otel-collector';

/** The X-Ray API actions every agent needs: write traces and read centralized sampling rules. */
export const AGENT_ACTIONS: readonly string[] = [
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'xray:GetSamplingStatisticSummaries',
];
