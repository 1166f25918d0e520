/**
 * The OTLP path, end to end, with the REAL ADOT Node.js auto-instrumentation
 * (`@aws/aws-distro-opentelemetry-node-autoinstrumentation` 0.13.0 from npm, a devDependency: the
 * library pins the image `adot-autoinstrumentation-node:v0.12.0`, which is not on the registry;
 * 0.13.0 is the nearest release there).
 *
 * A `TracedFargateService` with `AutoInstrumentation.node()` on the CloudWatch agent is
 * synthesized; `adot-node-app.js`, a web service with no tracing code, is forked with EXACTLY the
 * environment the template gives the app container, with one change: the `--require` path of
 * `NODE_OPTIONS`, which points into the task volume the init container fills, points at the
 * installed package's `register` (what the image's `autoinstrumentation.js` requires). On Fargate
 * the agent is on loopback already, so no host name is mapped. Where the agent would be: an
 * OTLP/HTTP receiver on 127.0.0.1:4318 and the sampling proxy on 127.0.0.1:2000, serving the
 * template's own sampling rule (and the account's Default, which samples nothing).
 */
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { AdotNodeApp, mapNodeRequire, OtlpReceiver, ReceivedSpan, SPAN_KIND } from './otlp-peers';
import { containerEnvironment, defaultApiRecord, LOOPBACK, SamplingAgent, TemplateJson, templateSamplingRules, toApiRecord } from './peers';
import { TracedFargateService } from '../../src/services/traced-fargate-service';
import { AutoInstrumentation } from '../../src/sidecar/auto-instrumentation';
import { XRayAgent } from '../../src/sidecar/xray-agent';
import { createCluster, createStack } from '../helpers/app';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:20-slim');
const SERVICE = 'afirgen-main-backend';
/** Requests the test sends to the app's /process. */
const REQUESTS = 3;

const closers: Array<() => Promise<void>> = [];
const apps: AdotNodeApp[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) app.kill();
  for (const close of closers.splice(0).reverse()) await close();
});

/** The app container's environment and the service's own sampling rule, from a synthesized service. */
function synthesize(samplingRate: number, reservoirSize: number) {
  const { stack } = createStack({ env: { account: '123456789012', region: 'eu-west-1' } });
  new TracedFargateService(stack, 'Backend', {
    cluster: createCluster(stack),
    serviceName: SERVICE,
    image: IMAGE,
    tracing: { samplingRate },
    samplingRule: { reservoirSize },
    sidecar: { agent: XRayAgent.cloudWatchAgent() },
    autoInstrumentation: AutoInstrumentation.node(),
  });
  const template = Template.fromStack(stack).toJSON() as TemplateJson;
  const rules = templateSamplingRules(template);
  expect(rules).toHaveLength(1);
  return { env: containerEnvironment(template, 'app'), rule: rules[0].rule };
}

function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (check()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      setTimeout(tick, 50);
    };
    tick();
  });
}

/**
 * Starts the agent's two sides with the template's rule, forks the app with the template's
 * environment, waits for the SDK to load the rules, sends {@link REQUESTS} requests, stops the
 * app with SIGTERM (the SDK flushes on it, as on an ECS stop) and returns what arrived.
 */
interface Run {
  readonly spans: ReceivedSpan[];
  readonly receiver: OtlpReceiver;
  readonly sampling: SamplingAgent;
  readonly env: Record<string, string>;
}

async function run(samplingRate: number, reservoirSize: number): Promise<Run> {
  const { env, rule } = synthesize(samplingRate, reservoirSize);
  expect(rule).toMatchObject({ FixedRate: samplingRate, ReservoirSize: reservoirSize, ServiceName: SERVICE });
  expect(env).toMatchObject({
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://${LOOPBACK}:4318/v1/traces`,
    OTEL_TRACES_SAMPLER: 'xray',
    OTEL_TRACES_SAMPLER_ARG: `endpoint=http://${LOOPBACK}:2000,polling_interval=300`,
    OTEL_SERVICE_NAME: SERVICE,
  });

  const receiver = await OtlpReceiver.start();
  closers.push(() => receiver.close());
  const sampling = await SamplingAgent.start([toApiRecord(rule), defaultApiRecord()]);
  closers.push(() => sampling.close());

  const app = await AdotNodeApp.start(mapNodeRequire(env));
  apps.push(app);

  // The X-Ray remote sampler asks the proxy for the rules when it starts; until it has them it
  // would fall back to 1 request/s + 5 %, so wait for the answer before sending requests.
  await waitFor('POST /GetSamplingRules from the SDK', () => sampling.requests.some((r) => r.path === '/GetSamplingRules'), 10_000);
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (let i = 0; i < REQUESTS; i++) {
    const res = await app.get('/process');
    expect(res).toEqual({ status: 200, body: 'processed (downstream 200)' });
  }

  const code = await app.stop();
  expect({ code, output: app.output.includes('Error initializing AWS Distro') ? app.output : '' }).toEqual({ code: 0, output: '' });
  return { spans: receiver.spans, receiver, sampling, env };
}

describe('the real ADOT Node.js SDK with the template\'s environment and sampling rule', () => {
  test('rule at rate 1: spans arrive over OTLP/HTTP protobuf with the service name, incl. an HTTP client span', async () => {
    const { spans, receiver, sampling } = await run(1, 1);

    // The SDK asked the sampling proxy the X-Ray API's way.
    expect(sampling.requests.find((r) => r.path === '/GetSamplingRules')).toMatchObject({ method: 'POST' });
    // Every export went to the traces path, as protobuf.
    expect(receiver.requests.length).toBeGreaterThan(0);
    for (const r of receiver.requests) expect(r).toMatchObject({ method: 'POST', path: '/v1/traces', contentType: 'application/x-protobuf' });

    // Every span carries the service name (OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES).
    expect(spans.length).toBeGreaterThan(0);
    for (const span of spans) expect(span.resource['service.name']).toBe(SERVICE);

    // Per request: a server span for /process, a CLIENT span for the outgoing call under it, and
    // the server span of /downstream under that (automatic HTTP client tracing, no app code).
    const roots = spans.filter((s) => s.kind === SPAN_KIND.SERVER && s.parentSpanId === '' && String(s.attributes['url.path'] ?? s.attributes['http.target']).startsWith('/process'));
    expect(roots).toHaveLength(REQUESTS);
    for (const root of roots) {
      const clients = spans.filter((s) => s.kind === SPAN_KIND.CLIENT && s.parentSpanId === root.spanId && s.traceId === root.traceId);
      expect(clients).toHaveLength(1);
      expect(clients[0].name).toMatch(/^GET/);
      const downstream = spans.filter((s) => s.kind === SPAN_KIND.SERVER && s.parentSpanId === clients[0].spanId);
      expect(downstream).toHaveLength(1);
    }
    // X-Ray trace ids: the first 8 hex digits are the epoch second (the ADOT X-Ray id generator).
    const second = parseInt(roots[0].traceId.slice(0, 8), 16);
    expect(Math.abs(second - Date.now() / 1000)).toBeLessThan(120);
  });

  test('rule at rate 0 with reservoir 0: no span is exported', async () => {
    const { spans, receiver, sampling } = await run(0, 0);
    // The rules were loaded from the proxy (so the template's rule decided, not the fallback) ...
    expect(sampling.requests.filter((r) => r.path === '/GetSamplingRules').length).toBeGreaterThan(0);
    // ... and nothing reached the receiver.
    expect(spans).toEqual([]);
    expect(receiver.requests.filter((r) => r.path === '/v1/traces').flatMap((r) => r.body.length > 0 ? [r.body.length] : [])).toEqual([]);
  });
});
