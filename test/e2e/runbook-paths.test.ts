/**
 * Issue 24, item 7: the runbook's console queries on every path off the daemon, with the REAL
 * SDKs, against `local-agent` loaded with a synthesized assembly (in-process, from src/).
 *
 * The assembly: `afirgen-main-backend` as a `TracedFargateService` (sampling rule at rate 1) with
 * the runbook's four trace groups in the same stack, on the agent of the path. The app (the
 * same handler twice, runbook-adot-app.js and runbook-xray-app.js) serves {@link REQUESTS}: plain
 * requests, a 404, a 429, a 500, a 503 and two slower than 5 s. "Slower than 5 s" is a fake clock
 * (fake-clock.js), not a wait: the request moves the app's clock 5.5 s before it answers, so the
 * SDK records it 5.5 s long and `responsetime > 5` is evaluated as the runbook wrote it.
 *
 * Paths:
 * - X-Ray SDK (`aws-xray-sdk-core`, annotations through its API) → UDP, on the ADOT collector;
 * - ADOT Node SDK (plain attributes `model_name`, `endpoint`) → OTLP, on the ADOT collector, whose
 *   exporter indexes the groups' keys (`indexed_attributes`, written by the library);
 * - the same on the CloudWatch agent (which has no such option), without and with the app-side
 *   fix (`aws.xray.annotations` as a list).
 *
 * The query × path table is written to test-reports/runbook-query-paths.md and asserted.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { AdotNodeApp, mapNodeRequire } from './otlp-peers';
import { containerEnvironment, LOOPBACK, TemplateJson } from './peers';
import { agentConfigs } from '../../src/cli/agent-config';
import { readAssembly } from '../../src/cli/assembly';
import { LocalAgent } from '../../src/cli/local-agent';
import { compileFilter } from '../../src/cli/trace-filter';
import { TraceView } from '../../src/cli/trace-store';
import { FilterExpression } from '../../src/groups/filter-expression';
import { TraceGroup } from '../../src/groups/trace-group';
import { TracedFargateService } from '../../src/services/traced-fargate-service';
import { AutoInstrumentation } from '../../src/sidecar/auto-instrumentation';
import { XRayAgent } from '../../src/sidecar/xray-agent';
import { synthApp, withAgentPort } from '../cli/cli';
import { createCluster } from '../helpers/app';

const SERVICE = 'afirgen-main-backend';
const STACK = 'RunbookPaths';
const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:20-slim');
const REPORT = path.join(__dirname, '..', '..', 'test-reports', 'runbook-query-paths.md');

/** The runbook's console queries that became trace groups (DESIGN: "Console queries that become trace groups"). */
const GROUPS = [
  { id: 'Slow', name: 'runbook-slow', query: `service("${SERVICE}") AND responsetime > 5` },
  { id: 'Errors', name: 'runbook-errors', query: `service("${SERVICE}") AND error = true` },
  { id: 'Model', name: 'runbook-model', query: 'annotation.model_name = "summariser"' },
  { id: 'Endpoint', name: 'runbook-endpoint', query: 'annotation.endpoint = "/process"' },
];
/** The table's rows: the service query, the four groups, and what the 5xx are. */
const ROWS = [`service("${SERVICE}")`, ...GROUPS.map((g) => g.query), `service("${SERVICE}") AND fault = true`];

/** What the app is asked, and the status it must answer. */
const REQUESTS: ReadonlyArray<readonly [string, number]> = [
  ['/process', 200], ['/process', 200], ['/process', 200], ['/process', 200],
  ['/process?status=404', 404], ['/process?status=429', 429],
  ['/process?status=500', 500], ['/process?status=503', 503],
  ['/process?slow=1', 200], ['/process?slow=1', 200],
];
const N = REQUESTS.length;
/** The counts every path must give: 10 requests, 2 slow, 2 errors (404, 429), 2 faults (500, 503), all annotated. */
const FULL = [N, 2, 2, N, N, 2];
/** An agent that indexes nothing the app set: the operation queries go dark. */
const DARK = [N, 2, 2, 0, 0, 2];

interface PathSpec {
  readonly label: string;
  readonly agent: () => XRayAgent;
  readonly sdk: 'xray' | 'adot';
  readonly args?: readonly string[];
  readonly expected: readonly number[];
}

const PATHS: readonly PathSpec[] = [
  { label: 'X-Ray SDK (aws-xray-sdk-core, UDP)', agent: () => XRayAgent.adotCollector(), sdk: 'xray', expected: FULL },
  { label: 'ADOT via collector (attributes only)', agent: () => XRayAgent.adotCollector(), sdk: 'adot', expected: FULL },
  { label: 'ADOT via CloudWatch agent (attributes only)', agent: () => XRayAgent.cloudWatchAgent(), sdk: 'adot', expected: DARK },
  { label: 'ADOT via CloudWatch agent + aws.xray.annotations list', agent: () => XRayAgent.cloudWatchAgent(), sdk: 'adot', args: ['--annotation-list'], expected: FULL },
];

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function synthesize(spec: PathSpec): { dir: string; env: Record<string, string> } {
  const dir = synthApp((app) => {
    const stack = new Stack(app, STACK, { env: { account: '123456789012', region: 'eu-west-1' } });
    new TracedFargateService(stack, 'Backend', {
      cluster: createCluster(stack),
      serviceName: SERVICE,
      image: IMAGE,
      tracing: { samplingRate: 1 },
      samplingRule: { reservoirSize: 1 },
      sidecar: { agent: spec.agent() },
      autoInstrumentation: spec.sdk === 'adot' ? AutoInstrumentation.node() : undefined,
    });
    for (const g of GROUPS) new TraceGroup(stack, g.id, { groupName: g.name, filterExpression: FilterExpression.parse(g.query) });
  });
  const template = JSON.parse(fs.readFileSync(path.join(dir, `${STACK}.template.json`), 'utf-8')) as TemplateJson;
  return { dir, env: containerEnvironment(template, 'app') };
}

async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Starts local-agent on `dir`'s assembly and the path's app with the template's app environment, ports mapped. */
async function start(spec: PathSpec, dir: string, env: Record<string, string>, extraArgs: readonly string[] = []) {
  const assembly = readAssembly(dir);
  expect(assembly.traceGroups.map((g) => g.filterExpression).sort()).toEqual(GROUPS.map((g) => FilterExpression.parse(g.query).toString()).sort());
  const logs: string[] = [];
  const agent = await LocalAgent.start(assembly, {
    host: LOOPBACK, port: 0, otlpPort: 0, json: true, maxTraces: 100, settleMs: 100, timeoutMs: 5000, out: () => undefined, log: (l) => logs.push(l),
  });
  cleanups.push(() => agent.stop());
  const udpPort = Number(/:(\d+)\/udp$/.exec(agent.addresses.udp!)![1]);
  const otlpPort = Number(new URL(agent.addresses.otlp!).port);

  const script = path.join(__dirname, spec.sdk === 'adot' ? 'runbook-adot-app.js' : 'runbook-xray-app.js');
  const appEnv = withAgentPort(spec.sdk === 'adot' ? mapNodeRequire(env) : env, udpPort, otlpPort);
  const app = await AdotNodeApp.start(appEnv, 20_000, { script, args: [...spec.args ?? [], ...extraArgs] });
  cleanups.push(() => app.kill());
  // Until it has the agent's rules, an SDK samples 1 request a second + 5 %: wait for the poll.
  await waitFor('the SDK to ask the agent for the sampling rules', () => agent.sampling.requests > 0, 10_000);
  if (spec.sdk === 'adot') await new Promise((r) => setTimeout(r, 300));
  return { agent, app, logs };
}

/** Runs one path; returns the count of each of {@link ROWS} over the traces local-agent kept. */
async function runPath(spec: PathSpec): Promise<number[]> {
  const { dir, env } = synthesize(spec);
  const { agent, app, logs } = await start(spec, dir, env);

  for (const [urlPath, status] of REQUESTS) expect(await app.get(urlPath)).toEqual({ status, body: 'traced' });
  expect(await app.stop()).toBe(0);
  await waitFor(`${N} complete traces`, () => agent.traces().filter((t) => t.complete).length >= N, 10_000);

  const traces = agent.traces();
  const malformed = agent.counters.malformedDatagrams + agent.counters.malformedOtlp;
  expect({ traces: traces.length, malformed, logs }).toEqual({ traces: N, malformed: 0, logs: [] });
  return ROWS.map((row) => traces.filter(compileFilter(row)).length);
}

function table(results: ReadonlyArray<readonly number[]>): string {
  const head = `| query | ${PATHS.map((p) => p.label).join(' | ')} |`;
  const rule = `| --- | ${PATHS.map(() => '---').join(' | ')} |`;
  const rows = ROWS.map((row, i) => `| \`${row}\` | ${results.map((r) => String(r[i])).join(' | ')} |`);
  return [head, rule, ...rows].join('\n');
}

test('runbook queries: the same counts on the X-Ray SDK, ADOT via the collector (indexed_attributes), and ADOT via the CloudWatch agent with the app-side list; dark without it', async () => {
  // GIVEN the collector the library writes indexes exactly the groups' keys
  const collector = synthesize(PATHS[1]);
  expect(agentConfigs(readAssembly(collector.dir)).byService.get(SERVICE)).toMatchObject({
    agent: 'adot-collector', indexedAttributes: ['endpoint', 'model_name'], deletedKeys: ['aws.auth.account.access_key'],
  });

  // WHEN each path serves the same requests
  const results: number[][] = [];
  for (const spec of PATHS) {
    results.push(await runPath(spec));
    for (const c of cleanups.splice(0).reverse()) await c();
  }

  // THEN the table, written for the report, has the expected counts on every path
  const text = table(results);
  fs.mkdirSync(path.dirname(REPORT), { recursive: true });
  fs.writeFileSync(REPORT, `# Runbook queries × paths (${N} requests: 2 × 4xx incl. a 429, 2 × 5xx, 2 slower than 5 s)\n\n${text}\n`);
  expect(text).toBe(table(PATHS.map((p) => p.expected)));
}, 90_000);

/** A loopback stand-in for the CloudWatch Logs API (JSON 1.1): every call answers "no log groups". */
async function fakeAwsEndpoint(): Promise<{ url: string; calls: string[] }> {
  const calls: string[] = [];
  const server = http.createServer((req, res) => {
    calls.push(String(req.headers['x-amz-target']));
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.1' });
      res.end('{"logGroups":[]}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  cleanups.push(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { url: `http://${LOOPBACK}:${(server.address() as net.AddressInfo).port}`, calls };
}

/** One `GET /aws` through the path's app; the trace local-agent kept of it. */
async function awsCall(spec: PathSpec): Promise<TraceView> {
  const { dir, env } = synthesize(spec);
  const endpoint = await fakeAwsEndpoint();
  const { agent, app } = await start(spec, dir, env, [`--aws-endpoint=${endpoint.url}`]);
  expect(await app.get('/aws')).toEqual({ status: 200, body: 'traced' });
  expect(endpoint.calls).toEqual(['Logs_20140328.DescribeLogGroups']);
  expect(await app.stop()).toBe(0);
  await waitFor('the trace of GET /aws', () => agent.traces().some((t) => t.complete), 10_000);
  return agent.traces()[0];
}

test('map and redaction on the real ADOT SDK: an AWS SDK call is an aws node named for the service; the access key ID shows only where the agent cannot drop it', async () => {
  // WHEN the app makes one AWS SDK call, on the collector (which deletes the key) and on the CloudWatch agent
  const collector = await awsCall(PATHS[1]);
  for (const c of cleanups.splice(0).reverse()) await c();
  const cloudwatch = await awsCall(PATHS[2]);

  for (const t of [collector, cloudwatch]) {
    // THEN the call is the node X-Ray infers for the AWS service (namespace aws), named as the
    // exporter names it (rpc.service of an aws-api span), with an edge from the service
    expect(t.inferred).toContainEqual({ name: 'CloudWatchLogs', namespace: 'aws' });
    expect(t.edges).toContainEqual({ from: SERVICE, to: 'CloudWatchLogs' });
  }
  // ... and the access key ID the ADOT SDK records on every AWS SDK span is gone where the
  // collector's attributes/redact deletes it, and exported as metadata by the CloudWatch agent
  expect(JSON.stringify(collector)).not.toContain('AKIAIOSFODNN7EXAMPLE');
  expect(JSON.stringify(cloudwatch)).toContain('"aws.auth.account.access_key":"AKIAIOSFODNN7EXAMPLE"');
}, 60_000);
