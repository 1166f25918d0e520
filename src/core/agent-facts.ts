/**
 * Facts about the tracing agents that several folders read (the sidecar builds with them, the
 * checks and the CLI recognize agents by them). Users read them as statics on `XRayAgent` and `XRaySidecar`.
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

/**
 * The X-Ray API actions of collector-less tracing: the ADOT SDK signs its OTLP export to X-Ray's
 * endpoint with the task role. `PutSpans` uploads OpenTelemetry spans; `PutSpansForIndexing`
 * lets Transaction Search index them (both in the Service Authorization Reference for X-Ray).
 */
export const AGENTLESS_ACTIONS: readonly string[] = [
  'xray:PutSpans',
  'xray:PutSpansForIndexing',
];

/**
 * X-Ray's OTLP/HTTP traces endpoint in `region`. The ADOT SDKs switch to their SigV4 span exporter
 * only for an endpoint of exactly this shape (`amazonaws.com`, no trailing slash).
 */
export function xrayOtlpTracesEndpoint(region: string): string {
  return `https://xray.${region}.amazonaws.com/v1/traces`;
}

/** The endpoint's shape, with any text (a deploy-time Region) for the Region. */
export const XRAY_OTLP_TRACES_ENDPOINT_PATTERN = /^https:\/\/xray\.[^/]+\.amazonaws\.com\/v1\/traces$/;
