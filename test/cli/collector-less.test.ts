/**
 * Issue 25, "`local-agent` can play the endpoint for local runs": for a collector-less service
 * (`agentless: true`, the ADOT SDK exporting straight to `https://xray.<region>.amazonaws.com/v1/traces`)
 * the shipped `cdk-xray-ecs env` prints local-agent's OTLP/HTTP address instead and says so, and
 * `local-agent` takes the spans there as the endpoint would: the real ADOT Node.js SDK, run with
 * the variables `env` printed, shows up in local-agent's output.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { ensureBuiltCli, JsonTrace, RunningAgent, runCli, synthApp } from './cli';
import { collectorLessServiceName, xrayEndpointOf } from '../../src/cli/collector-less';
import { addCollectorLessService, AdotNodeApp, ADOT_NODE_REGISTER } from '../e2e/otlp-peers';
import { containerEnvironment, LOOPBACK, TemplateJson } from '../e2e/peers';
import { EC2_METADATA_SERVICE, LOOPBACK_ENDPOINT_PRELOAD, netEvents } from '../e2e/xray-endpoint';

const SERVICE = 'afirgen-main-backend';
const STACK = 'CollectorLess';
const REGION = 'eu-west-1';
const XRAY_ENDPOINT = `https://xray.${REGION}.amazonaws.com/v1/traces`;
/** Requests sent to the app's /process. */
const REQUESTS = 2;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

beforeAll(() => ensureBuiltCli(), 300_000);

/** A collector-less service in `region` (a concrete Region, or none: the Region is then a token). */
function collectorLessApp(region: string | undefined): (app: App) => void {
  return (app) => {
    const stack = new Stack(app, STACK, region === undefined ? {} : { env: { account: '123456789012', region } });
    addCollectorLessService(stack, SERVICE);
  };
}

function template(assembly: string): TemplateJson {
  return JSON.parse(fs.readFileSync(path.join(assembly, `${STACK}.template.json`), 'utf-8')) as TemplateJson;
}

/** `KEY=value` lines of `--format dotenv` output. */
function dotenv(stdout: string): Record<string, string> {
  return Object.fromEntries(stdout.split('\n').filter((l) => l !== '').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('which traces endpoints are X-Ray\'s (the ADOT SDKs\' own pattern)', () => {
  const endpoint = (value: unknown) => xrayEndpointOf(typeof value === 'string'
    ? { name: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', value }
    : { name: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', unresolved: value });

  test('X-Ray\'s endpoint in any Region, literal or built from a token Region', () => {
    expect(endpoint(XRAY_ENDPOINT)).toBe(XRAY_ENDPOINT);
    expect(endpoint('https://xray.us-gov-west-1.amazonaws.com/v1/traces')).toBeDefined();
    expect(endpoint({ 'Fn::Join': ['', ['https://xray.', { Ref: 'AWS::Region' }, '.amazonaws.com/v1/traces']] }))
      .toBe('https://xray.<region>.amazonaws.com/v1/traces');
  });

  test('not an agent, another service, another path or another variable', () => {
    expect(endpoint(`http://${LOOPBACK}:4318/v1/traces`)).toBeUndefined();
    expect(endpoint('https://logs.eu-west-1.amazonaws.com/v1/logs')).toBeUndefined();
    expect(endpoint('https://xray.eu-west-1.amazonaws.com/v1/traces/')).toBeUndefined();
    expect(endpoint('http://xray.eu-west-1.amazonaws.com/v1/traces')).toBeUndefined();
    expect(endpoint({ 'Fn::Join': ['', ['http://', { Ref: 'AWS::Region' }, ':4318/v1/traces']] })).toBeUndefined();
    expect(xrayEndpointOf({ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: XRAY_ENDPOINT })).toBeUndefined();
  });

  test('a collector-less container without AWS_XRAY_TRACING_NAME is named by OTEL_SERVICE_NAME; an agent\'s is not collector-less', () => {
    expect(collectorLessServiceName([
      { name: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', value: XRAY_ENDPOINT },
      { name: 'OTEL_SERVICE_NAME', value: SERVICE },
    ])).toBe(SERVICE);
    expect(collectorLessServiceName([
      { name: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', value: `http://${LOOPBACK}:4318/v1/traces` },
      { name: 'OTEL_SERVICE_NAME', value: SERVICE },
    ])).toBeUndefined();
  });
});

describe('env for a collector-less service prints a local OTLP address and says so', () => {
  test('concrete Region: X-Ray\'s endpoint becomes local-agent\'s http://127.0.0.1:4318/v1/traces; every other variable is the template\'s', () => {
    // GIVEN a collector-less service in eu-west-1
    const assembly = synthApp(collectorLessApp(REGION));
    const container = containerEnvironment(template(assembly), 'app');
    expect(container.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT).toBe(XRAY_ENDPOINT);

    // WHEN
    const r = runCli(['env', SERVICE, '--app', assembly, '--format', 'dotenv']);

    // THEN the traces endpoint is local-agent's OTLP/HTTP port on loopback ...
    expect(r.status).toBe(0);
    const printed = dotenv(r.stdout);
    expect(printed.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT).toBe(`http://${LOOPBACK}:4318/v1/traces`);
    // ... nothing printed names X-Ray's endpoint ...
    expect(r.stdout).not.toContain('amazonaws.com');
    // ... the rest is the container's tracing contract, unchanged
    const contract = Object.fromEntries(Object.entries(container).filter(([k]) => /^(XRAY_|AWS_XRAY_|OTEL_)/.test(k)));
    expect(printed).toEqual({ ...contract, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://${LOOPBACK}:4318/v1/traces` });
    expect(printed).toMatchObject({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_SERVICE_NAME: SERVICE, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio' });
    // ... and a line says so, naming both addresses
    expect(r.stderr).toContain(`# collector-less: in ECS the ADOT SDK exports straight to ${XRAY_ENDPOINT}, signed with SigV4`);
    expect(r.stderr).toContain(`here OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is local-agent's OTLP/HTTP address http://${LOOPBACK}:4318/v1/traces instead`);
  });

  test('token Region (environment-agnostic stack): still the local address, and the note shows the endpoint with <region>', () => {
    const assembly = synthApp(collectorLessApp(undefined));

    const r = runCli(['env', SERVICE, '--app', assembly, '--format', 'json']);

    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://${LOOPBACK}:4318/v1/traces`, OTEL_SERVICE_NAME: SERVICE });
    expect(r.stderr).toContain('# collector-less: in ECS the ADOT SDK exports straight to https://xray.<region>.amazonaws.com/v1/traces');
    // the endpoint is printed, not reported as a deploy-time value
    expect(r.stderr).not.toContain('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is not printed');
  });

  test('--agent-host and --otlp-port move the local address', () => {
    const assembly = synthApp(collectorLessApp(REGION));

    const r = runCli(['env', SERVICE, '--app', assembly, '--format', 'json', '--agent-host', '::1', '--otlp-port', '14318']);

    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).OTEL_EXPORTER_OTLP_TRACES_ENDPOINT).toBe('http://[::1]:14318/v1/traces');
  });

  test('throws for a bad --otlp-port, with commander\'s message', () => {
    const assembly = synthApp(collectorLessApp(REGION));

    const r = runCli(['env', SERVICE, '--app', assembly, '--otlp-port', '0']);

    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('--otlp-port must be a port number from 1 to 65535, got "0"');
  });
});

describe('local-agent plays the endpoint for a collector-less service', () => {
  test('the real ADOT Node SDK, run with the variables env printed, is shown per request with the service name', async () => {
    // GIVEN the assembly and the shipped local-agent on a free OTLP port ...
    const assembly = synthApp(collectorLessApp(REGION));
    const agent = await RunningAgent.start(['--app', assembly, '--json', '--port', '0', '--otlp-port', '0', '--settle-ms', '300']);
    cleanups.push(async () => { await agent.interrupt(); });
    const otlpPort = Number(new URL(agent.addresses.otlp!).port);
    // ... which says, at start, how to send the collector-less service's spans to it
    expect(agent.stderr).toContain(`local-agent: ${SERVICE} is collector-less (in ECS it exports to ${XRAY_ENDPOINT}): run it with \`cdk-xray-ecs env ${SERVICE}\`, which points it at ${agent.addresses.otlp}`);

    // ... and `env` for that port
    const r = runCli(['env', SERVICE, '--app', assembly, '--format', 'json', '--otlp-port', String(otlpPort)]);
    expect(r.status).toBe(0);
    const printed = JSON.parse(r.stdout) as Record<string, string>;
    expect(printed.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT).toBe(`http://${LOOPBACK}:${otlpPort}/v1/traces`);

    // WHEN the app runs under the ADOT Node SDK with exactly those variables (what a user does:
    // `eval "$(cdk-xray-ecs env ...)"`, then the language's ADOT agent) and serves requests
    // (loopback-endpoint.js keeps it on loopback: the SDK's EC2 resource detector would ask IMDS)
    const app = await AdotNodeApp.start({ ...printed, NODE_OPTIONS: `--require ${ADOT_NODE_REGISTER}` }, 20_000, { preload: LOOPBACK_ENDPOINT_PRELOAD });
    cleanups.push(() => app.kill());
    for (let i = 0; i < REQUESTS; i++) expect(await app.get('/process')).toEqual({ status: 200, body: 'processed (downstream 200)' });
    expect(await app.stop()).toBe(0);

    // THEN local-agent prints one trace per request, every span of the service
    await waitFor(`${REQUESTS} traces from local-agent`, () => agent.traces().length >= REQUESTS, 10_000);
    const done = await agent.interrupt();
    const traces: JsonTrace[] = agent.traces();
    expect(traces).toHaveLength(REQUESTS);
    for (const trace of traces) {
      expect(trace).toMatchObject({ complete: true, services: [SERVICE] });
      expect(trace.roots).toHaveLength(1);
      expect(trace.roots[0]).toMatchObject({ kind: 'span', service: SERVICE, http: { method: 'GET', status: 200 } });
      expect(String((trace.roots[0].http as { url?: string }).url)).toMatch(/\/process$/);
    }
    expect(done.stderr).toMatch(/[1-9]\d* OTLP span\(s\) in [1-9]\d* request\(s\)/);
    expect(done.stderr).toContain('malformed: 0 datagram(s), 0 OTLP body(ies)');
    // Nothing left loopback: the spans went to local-agent's port, IMDS was refused.
    const events = netEvents(app.output);
    expect(events).toContainEqual({ connect: `${LOOPBACK}:${otlpPort}` });
    expect(events.filter((e) => e.refused)).toEqual([{ connect: `${EC2_METADATA_SERVICE}:80`, refused: true }]);
    expect(events.filter((e) => e.connect !== undefined && !e.refused && !e.connect.startsWith(`${LOOPBACK}:`))).toEqual([]);
  });

  test('no agent configuration applies: only the attributes `aws.xray.annotations` lists become annotations', async () => {
    // GIVEN local-agent for the collector-less assembly
    const assembly = synthApp(collectorLessApp(REGION));
    const agent = await RunningAgent.start(['--app', assembly, '--json', '--port', '0', '--otlp-port', '0', '--settle-ms', '100']);
    cleanups.push(async () => { await agent.interrupt(); });

    // WHEN a span of the service arrives with two attributes, one of them listed
    const traceId = `${Math.floor(Date.now() / 1000).toString(16)}${'ab'.repeat(12)}`;
    const nanos = BigInt(Date.now()) * 1_000_000n;
    const body = {
      resourceSpans: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: SERVICE } }] },
        scopeSpans: [{
          spans: [{
            traceId,
            spanId: '0102030405060708',
            name: 'summarise',
            kind: 2,
            startTimeUnixNano: String(nanos),
            endTimeUnixNano: String(nanos + 5_000_000n),
            attributes: [
              { key: 'model_name', value: { stringValue: 'summariser' } },
              { key: 'endpoint', value: { stringValue: '/process' } },
              { key: 'aws.xray.annotations', value: { arrayValue: { values: [{ stringValue: 'model_name' }] } } },
            ],
          }],
        }],
      }],
    };
    const res = await fetch(agent.addresses.otlp!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);

    // THEN the listed attribute is an annotation and the other is not
    const trace = await agent.waitForTrace(`1-${traceId.slice(0, 8)}-${traceId.slice(8)}`, 10_000);
    expect(trace.roots[0]).toMatchObject({ service: SERVICE, annotations: { model_name: 'summariser' } });
    expect(trace.roots[0].annotations).toEqual({ model_name: 'summariser' });
  });
});
