/**
 * `cdk-xray-ecs local-agent`, run as shipped, with the real `aws-xray-sdk-core` (3.12.0) in an app
 * process whose environment is what `cdk-xray-ecs env` prints for the service. The agent listens
 * on a free loopback port (`--port 0`), so these tests never wait for the e2e suites' port 2000;
 * the app's agent address is the env's, with that port.
 */
import * as dgram from 'dgram';
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { ensureBuiltCli, envJson, RunningAgent, synthApp, synthExample, withAgentPort } from './cli';
import { TracedFargateService } from '../../src/services/traced-fargate-service';
import { AppProcess, CachedRule } from '../e2e/peers';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.12-slim');
const HEADER = '{"format":"json","version":1}\n';
let example: string;
const agents: RunningAgent[] = [];
const apps: AppProcess[] = [];

beforeAll(() => {
  ensureBuiltCli();
  example = synthExample();
}, 300_000);

afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.stop()));
  await Promise.all(agents.splice(0).map((a) => a.interrupt()));
});

async function startAgent(args: string[]): Promise<RunningAgent> {
  const agent = await RunningAgent.start(['--port', '0', '--otlp-port', '0', '--settle-ms', '200', ...args]);
  agents.push(agent);
  return agent;
}

async function startApp(env: Record<string, string>): Promise<AppProcess> {
  const app = await AppProcess.start(env);
  apps.push(app);
  return app;
}

function send(port: number, payloads: Array<string | Buffer>): Promise<void> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    let i = 0;
    const next = (err?: Error | null) => {
      if (err) return reject(err);
      if (i === payloads.length) return socket.close(() => resolve());
      socket.send(payloads[i++], port, '127.0.0.1', next);
    };
    next();
  });
}

function segment(trace: string, id: string, extra: Record<string, unknown> = {}): string {
  const now = Date.now() / 1000;
  return HEADER + JSON.stringify({ trace_id: trace, id, name: 'afirgen-main-backend', start_time: now - 0.01, end_time: now, ...extra });
}

function traceId(n: number): string {
  return `1-${Math.floor(Date.now() / 1000).toString(16)}-${n.toString(16).padStart(24, '0')}`;
}

/**
 * The main backend's `env` as an app that still runs the X-Ray SDK gets it. The example
 * auto-instruments that service, so `env` turns the X-Ray switches off (one trace per request,
 * issue 24 item 4); these tests play the X-Ray SDK path, so they turn them back on.
 */
function xraySdkEnv(assembly: string, service: string): Record<string, string> {
  return { ...envJson(assembly, service), XRAY_ENABLED: 'true', AWS_XRAY_SDK_ENABLED: 'true' };
}

describe('segments from the real SDK', () => {
  test('a segment of afirgen-main-backend is printed as a tree with its service name and annotation; Ctrl-C exits 0 with a summary', async () => {
    // GIVEN the agent, and the app with the service's env from `env`
    const agent = await startAgent(['--app', example]);
    const app = await startApp(withAgentPort(xraySdkEnv(example, 'afirgen-main-backend'), agent.addresses.udpPort));

    // WHEN the app's SDK emits a segment
    const sent = await app.request<{ sent: boolean; traceId: string; name: string }>('segment', { requestId: 'req-42' });
    expect(sent).toMatchObject({ sent: true, name: 'afirgen-main-backend' });

    // THEN the agent prints the trace with the service and the annotation
    const [block] = await agent.waitForOutput(new RegExp(`trace ${sent.traceId}[^\\n]*\\n[^\\n]*\\n`));
    expect(block).toContain('services: afirgen-main-backend');
    expect(block).toMatch(/\n {2}afirgen-main-backend {2}[\d.]+ ms {2}annotations: e2e_request="req-42"\n/);

    const done = await agent.interrupt();
    expect(done.code).toBe(0);
    expect(done.stderr).toContain('local-agent summary: 1 trace(s) reported, 1 kept (at most 1000, 0 evicted)');
    expect(done.stderr).toContain('1 X-Ray segment document(s) in 1 datagram(s)');
    expect(done.stderr).toContain('malformed: 0 datagram(s), 0 OTLP body(ies)');
  });

  test('--json prints one JSON object a line, with the HTTP request the SDK middleware recorded', async () => {
    const agent = await startAgent(['--app', example, '--json']);
    const app = await startApp(withAgentPort(xraySdkEnv(example, 'afirgen-main-backend'), agent.addresses.udpPort));
    await app.request('waitForRules', { timeoutMs: 10_000 }, 15_000);

    // The example's rule samples 1 a second plus 10 %: the first request of a second is sampled.
    const { outcomes } = await app.request<{ outcomes: Array<{ sampled: boolean; traceId: string }> }>('serve', { paths: ['/process'] });
    expect(outcomes[0].sampled).toBe(true);

    const [line] = await agent.waitForOutput(new RegExp(`\\{"traceId":"${outcomes[0].traceId}".*\\n`));
    const trace = JSON.parse(line);
    expect(trace).toMatchObject({
      traceId: outcomes[0].traceId,
      complete: true,
      services: ['afirgen-main-backend'],
      roots: [{ kind: 'segment', service: 'afirgen-main-backend', http: { method: 'GET', status: 200 } }],
    });
    expect(trace.roots[0].http.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/process$/);
  });
});

describe('centralized sampling against local-agent follows the synthesized rules', () => {
  let assembly: string;
  beforeAll(() => {
    assembly = synthApp((app) => {
      const stack = new Stack(app, 'Sampling');
      const cluster = new ecs.Cluster(stack, 'Cluster', { vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 }) });
      new TracedFargateService(stack, 'Quiet', {
        cluster, serviceName: 'afirgen-quiet', image: IMAGE, tracing: { samplingRate: 0 }, samplingRule: { reservoirSize: 0 },
      });
      new TracedFargateService(stack, 'Loud', {
        cluster, serviceName: 'afirgen-loud', image: IMAGE, tracing: { samplingRate: 1 }, samplingRule: { reservoirSize: 0 },
      });
    });
  });

  type Outcome = { sampled: boolean; rule: string | null; traceId: string };
  async function serveTen(service: string): Promise<{ agent: RunningAgent; outcomes: Outcome[]; rules: CachedRule[] }> {
    const agent = await startAgent(['--app', assembly]);
    const app = await startApp(withAgentPort(envJson(assembly, service), agent.addresses.udpPort));
    const { loaded, rules } = await app.request<{ loaded: boolean; rules: CachedRule[] }>('waitForRules', { timeoutMs: 10_000 }, 15_000);
    expect(loaded).toBe(true);
    const paths = Array.from({ length: 10 }, (_, i) => `/process/${i}`);
    const { outcomes } = await app.request<{ outcomes: Outcome[] }>('serve', { paths });
    return { agent, outcomes, rules };
  }

  test('fixed rate 0, no reservoir: the SDK samples nothing, the agent gets nothing', async () => {
    const { agent, outcomes, rules } = await serveTen('afirgen-quiet');

    // The SDK holds the template's rule, from the agent, at rate 0.
    expect(rules.find((r) => r.serviceName === 'afirgen-quiet')).toMatchObject({ rate: 0, borrow: false });
    expect(outcomes.map((o) => o.sampled)).toEqual(Array(10).fill(false));
    await new Promise((r) => setTimeout(r, 1000));
    const done = await agent.interrupt();
    expect(done.stdout).toBe('');
    expect(done.stderr).toContain('0 trace(s) reported');
    expect(done.stderr).toMatch(/[1-9]\d* sampling request\(s\)/);
  });

  test('fixed rate 1: the SDK samples every request by the template\'s rule, and the agent prints every trace', async () => {
    const { agent, outcomes, rules } = await serveTen('afirgen-loud');

    const rule = rules.find((r) => r.serviceName === 'afirgen-loud');
    expect(rule).toMatchObject({ rate: 1 });
    expect(outcomes.map((o) => o.sampled)).toEqual(Array(10).fill(true));
    expect(new Set(outcomes.map((o) => o.rule))).toEqual(new Set([rule!.name]));
    for (const o of outcomes) await agent.waitForOutput(new RegExp(`trace ${o.traceId} `));
    const done = await agent.interrupt();
    expect(done.stdout.match(/^trace /gm)).toHaveLength(10);
    expect(done.stdout).toMatch(/afirgen-loud {2}[\d.]+ ms {2}GET http:\/\/127\.0\.0\.1:\d+\/process\/9 200/);
  });
});

describe('robust by design', () => {
  test('malformed datagrams are counted and shown; the agent keeps serving', async () => {
    const agent = await startAgent(['--app', example]);
    const good = traceId(1);

    await send(agent.addresses.udpPort, [
      'no header at all',
      `${HEADER}{not json`,
      `${HEADER}${JSON.stringify({ trace_id: 'nope', id: '1111111111111111', name: 'x', start_time: 1, end_time: 2 })}`,
      '{"format":"json","version":2}\n{}',
      Buffer.from([0xff, 0xfe, 0x00, 0x0a, 0x7b]),
      segment(good, 'aaaaaaaaaaaaaaaa'),
    ]);

    await agent.waitForOutput(new RegExp(`trace ${good} `));
    const done = await agent.interrupt();
    expect(done.code).toBe(0);
    expect(done.stderr).toContain('malformed: 5 datagram(s), 0 OTLP body(ies)');
    expect(done.stderr).toContain('no header line');
    expect(done.stderr).toContain('segment is not JSON');
    expect(done.stderr).toContain('trace_id must be 1-<8 hex>-<24 hex>, got "nope"');
    expect(done.stderr).toContain('header is not {"format":"json","version":1}');
    expect(done.stderr).toContain('1 trace(s) reported');
  });

  test('memory is bounded: --max-traces keeps the newest', async () => {
    const agent = await startAgent(['--app', example, '--max-traces', '2']);
    await send(agent.addresses.udpPort, [1, 2, 3, 4, 5].map((n) => segment(traceId(n), `${n}`.repeat(16))));
    await agent.waitForOutput(/^trace .*$/m);
    const done = await agent.interrupt();
    expect(done.stderr).toContain('2 kept (at most 2, 3 evicted)');
    expect(done.stderr).toContain('5 X-Ray segment document(s) in 5 datagram(s)');
  });

  test('a subsegment sent on its own joins its segment; an in-progress segment is completed by its final copy', async () => {
    const agent = await startAgent(['--app', example]);
    const id = traceId(7);
    const now = Date.now() / 1000;
    await send(agent.addresses.udpPort, [
      HEADER + JSON.stringify({ trace_id: id, id: 'bbbbbbbbbbbbbbbb', name: 'afirgen-main-backend', start_time: now - 0.05, in_progress: true }),
      HEADER + JSON.stringify({
        type: 'subsegment',
        trace_id: id,
        parent_id: 'bbbbbbbbbbbbbbbb',
        id: 'cccccccccccccccc',
        name: 'gguf-call',
        start_time: now - 0.04,
        end_time: now - 0.01,
        namespace: 'remote',
        http: { request: { method: 'POST', url: 'http://xray-daemon/x' }, response: { status: 503 } },
        fault: true,
      }),
      HEADER + JSON.stringify({ trace_id: id, id: 'bbbbbbbbbbbbbbbb', name: 'afirgen-main-backend', start_time: now - 0.05, end_time: now }),
    ]);
    const [block] = await agent.waitForOutput(new RegExp(`trace ${id}[^\\n]*\\n[^\\n]*\\n[^\\n]*\\n`));
    expect(block).toContain('2 node(s)');
    expect(block).not.toContain('incomplete');
    expect(block).toMatch(/└─ gguf-call {2}[\d.]+ ms {2}POST http:\/\/xray-daemon\/x 503 {2}FAULT/);
  });

  test('throws for a port in use, saying what to do', async () => {
    const holder = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind(0, '127.0.0.1', () => resolve()));
    const port = holder.address().port;
    try {
      await expect(RunningAgent.start(['--app', example, '--port', String(port), '--no-otlp'])).rejects.toThrow(
        new RegExp(`127\\.0\\.0\\.1:${port} is in use, so X-Ray segments \\(UDP, --port\\) cannot listen there: stop what holds it`),
      );
    } finally {
      holder.close();
    }
  });
});
