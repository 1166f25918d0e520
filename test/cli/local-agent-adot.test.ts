/**
 * The shipped `cdk-xray-ecs local-agent` with the REAL ADOT Node.js SDK
 * (`@aws/aws-distro-opentelemetry-node-autoinstrumentation`, a devDependency): an OTLP export from
 * it is shown in the agent's output, one trace per request, every span with the service name,
 * including the HTTP client span of the app's outgoing call.
 *
 * A `TracedFargateService` with `AutoInstrumentation.node()` on the CloudWatch agent and a
 * sampling rule at rate 1 is synthesized into an assembly; `local-agent --json` serves that
 * assembly's rules. `adot-node-app.js` (no tracing code) runs with EXACTLY the app container's
 * environment from the template (test/e2e/peers.ts `containerEnvironment`), with the `--require`
 * path mapped to the installed package (test/e2e/otlp-peers.ts `mapNodeRequire`) and, as the
 * other CLI tests do, the agent's ports 2000 and 4318 mapped to the free loopback ports the agent
 * listens on (`--port 0 --otlp-port 0`), so this file never waits for the e2e suites' ports.
 *
 * Between the SDK and the agent's sampling API sits a loopback relay that forwards every request
 * unchanged and records its path: the only way to see that the SDK has loaded the rules (until
 * it has, the X-Ray remote sampler samples 1 request a second + 5 %) before requests are sent.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { ensureBuiltCli, JsonTrace, RunningAgent, synthApp, withAgentPort } from './cli';
import { TracedFargateService } from '../../src/services/traced-fargate-service';
import { AutoInstrumentation } from '../../src/sidecar/auto-instrumentation';
import { XRayAgent } from '../../src/sidecar/xray-agent';
import { AdotNodeApp, mapNodeRequire } from '../e2e/otlp-peers';
import { containerEnvironment, LOOPBACK, TemplateJson, templateSamplingRules } from '../e2e/peers';
import { createCluster } from '../helpers/app';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:20-slim');
const SERVICE = 'afirgen-main-backend';
const STACK = 'AdotLocalAgent';
/** Requests sent to the app's /process: more than the fallback sampler's 1 a second would sample. */
const REQUESTS = 3;

/** A node of a `--json` trace (the keys read here). */
interface JsonNode {
  readonly id: string;
  readonly parentId?: string;
  readonly kind: string;
  readonly name: string;
  readonly service: string;
  readonly http?: { readonly method?: string; readonly url?: string; readonly status?: number };
  readonly subsegment?: boolean;
  readonly namespace?: string;
  readonly remote?: string;
  readonly children?: JsonNode[];
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

beforeAll(() => ensureBuiltCli(), 300_000);

/** Relays HTTP requests to `target` unchanged, recording each path. */
async function startRelay(target: number): Promise<{ port: number; paths: string[]; close: () => Promise<void> }> {
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    paths.push(req.url ?? '');
    const upstream = http.request({ host: LOOPBACK, port: target, method: req.method, path: req.url, headers: req.headers, agent: false }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', (e) => {
      res.writeHead(502);
      res.end(String(e));
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    paths,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function nodes(trace: JsonTrace): JsonNode[] {
  const out: JsonNode[] = [];
  const walk = (n: JsonNode) => {
    out.push(n);
    (n.children ?? []).forEach(walk);
  };
  (trace.roots as unknown as JsonNode[]).forEach(walk);
  return out;
}

test('an OTLP export from the real ADOT Node SDK, with the app container\'s environment, is shown per request with the service name and the HTTP client span', async () => {
  // GIVEN an assembly with the service, its rule at rate 1, and the app container's environment
  const assembly = synthApp((app) => {
    const stack = new Stack(app, STACK, { env: { account: '123456789012', region: 'eu-west-1' } });
    new TracedFargateService(stack, 'Backend', {
      cluster: createCluster(stack),
      serviceName: SERVICE,
      image: IMAGE,
      tracing: { samplingRate: 1 },
      samplingRule: { reservoirSize: 1 },
      sidecar: { agent: XRayAgent.cloudWatchAgent() },
      autoInstrumentation: AutoInstrumentation.node(),
    });
  });
  const template = JSON.parse(fs.readFileSync(path.join(assembly, `${STACK}.template.json`), 'utf-8')) as TemplateJson;
  const rules = templateSamplingRules(template);
  expect(rules.map((r) => r.rule)).toEqual([expect.objectContaining({ FixedRate: 1, ServiceName: SERVICE })]);
  const env = containerEnvironment(template, 'app');
  expect(env).toMatchObject({
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://${LOOPBACK}:4318/v1/traces`,
    OTEL_TRACES_SAMPLER: 'xray',
    OTEL_TRACES_SAMPLER_ARG: `endpoint=http://${LOOPBACK}:2000,polling_interval=300`,
    OTEL_SERVICE_NAME: SERVICE,
  });

  // ... the shipped local-agent on free loopback ports, serving the assembly's rules ...
  const agent = await RunningAgent.start(['--app', assembly, '--json', '--port', '0', '--otlp-port', '0', '--settle-ms', '300']);
  cleanups.push(async () => { await agent.interrupt(); });
  const otlpPort = Number(new URL(agent.addresses.otlp!).port);
  const relay = await startRelay(agent.addresses.udpPort);
  cleanups.push(() => relay.close());

  // ... and the app with that environment (the agent's ports mapped to the ones it listens on)
  const app = await AdotNodeApp.start(mapNodeRequire(withAgentPort(env, relay.port, otlpPort)));
  cleanups.push(() => app.kill());
  await waitFor('POST /GetSamplingRules from the SDK', () => relay.paths.includes('/GetSamplingRules'), 10_000);
  await new Promise((r) => setTimeout(r, 300));

  // WHEN the app serves requests that each make an outgoing HTTP call, and is stopped (the SDK flushes)
  for (let i = 0; i < REQUESTS; i++) expect(await app.get('/process')).toEqual({ status: 200, body: 'processed (downstream 200)' });
  expect(await app.stop()).toBe(0);

  // THEN the agent prints one trace per request
  await waitFor(`${REQUESTS} traces from local-agent`, () => agent.traces().length >= REQUESTS, 10_000);
  const done = await agent.interrupt();
  const traces = agent.traces();
  expect(traces).toHaveLength(REQUESTS);
  expect(new Set(traces.map((t) => t.traceId)).size).toBe(REQUESTS);

  const downstreamUrl = `http://${LOOPBACK}:${app.port}/downstream`;
  for (const trace of traces) {
    // An X-Ray trace id (the ADOT id generator: its first 8 hex digits are the epoch second).
    expect(trace.traceId).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(Math.abs(parseInt(trace.traceId.slice(2, 10), 16) - Date.now() / 1000)).toBeLessThan(120);
    expect(trace).toMatchObject({ complete: true, services: [SERVICE] });
    const all = nodes(trace);
    // Every node is an OTLP span carrying the service name.
    expect(all.map((n) => [n.kind, n.service])).toEqual(Array(3).fill(['span', SERVICE]));

    // The server span of /process at the root ...
    expect(trace.roots).toHaveLength(1);
    const root = trace.roots[0] as unknown as JsonNode;
    expect(root).toMatchObject({ kind: 'span', service: SERVICE, http: { method: 'GET', status: 200 } });
    expect(root.name).toMatch(/^GET/);
    expect(root.http?.url).toMatch(/\/process$/);
    // ... the HTTP CLIENT span of the outgoing call to /downstream under it ...
    expect(root.children).toHaveLength(1);
    const client = root.children![0];
    expect(client).toMatchObject({ kind: 'span', service: SERVICE, parentId: root.id, http: { method: 'GET', url: downstreamUrl, status: 200 } });
    expect(client.name).toMatch(/^GET/);
    // ... and the server span of /downstream under that.
    expect(client.children).toHaveLength(1);
    expect(client.children![0]).toMatchObject({ kind: 'span', service: SERVICE, parentId: client.id, http: { method: 'GET', url: downstreamUrl, status: 200 } });
    expect(client.children![0].children).toBeUndefined();
    // The CLIENT span is a subsegment (namespace remote) named as the exporter names it, from
    // `http.host` (segment.go MakeSegment); it calls a service that sends its own segment (the
    // server span under it), which replaces the inferred node: no edge to an address, and the
    // call from the service to itself draws none.
    expect(client).toMatchObject({ subsegment: true, namespace: 'remote', remote: `${LOOPBACK}:${app.port}` });
    expect(trace.edges).toEqual([]);
    expect(trace.inferred).toEqual([]);
  }

  // Everything arrived over OTLP, nothing was malformed, and the SDK used the agent's sampling API.
  expect(done.code).toBe(0);
  expect(done.stderr).toContain(`${REQUESTS} trace(s) reported`);
  expect(done.stderr).toMatch(new RegExp(`0 X-Ray segment document\\(s\\) in 0 datagram\\(s\\), ${3 * REQUESTS} OTLP span\\(s\\) in [1-9]\\d* request\\(s\\), [1-9]\\d* sampling request\\(s\\)`));
  expect(done.stderr).toContain('malformed: 0 datagram(s), 0 OTLP body(ies)');
  // The agent told which configuration it applies to the service's spans: the CloudWatch agent's, which indexes nothing.
  expect(done.stderr).toContain(`OTLP spans of ${SERVICE} are shown as its cloudwatch-agent exports them: annotations from aws.xray.annotations (a list) and indexed attributes none`);
  expect(app.output).not.toContain('Error');
});
