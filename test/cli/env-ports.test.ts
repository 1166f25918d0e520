/**
 * What `env` prints and what `local-agent` serves agree: every agent port in a service's
 * contract is one the agent listens on by default (Application Signals' 4316 included), and an
 * auto-instrumented service is told what a leftover X-Ray SDK does. In-process, from src/.
 */
import * as http from 'http';
import { Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { synthApp } from './cli';
import { Assembly, readAssembly, TracedContainer } from '../../src/cli/assembly';
import { envCommand } from '../../src/cli/env-command';
import { LocalAgent } from '../../src/cli/local-agent';
import { program } from '../../src/cli/main';
import { FilterExpression } from '../../src/groups/filter-expression';
import { TraceGroup } from '../../src/groups/trace-group';
import { TracedFargateService } from '../../src/services/traced-fargate-service';
import { AutoInstrumentation } from '../../src/sidecar/auto-instrumentation';
import { XRayAgent } from '../../src/sidecar/xray-agent';
import { createCluster } from '../helpers/app';

const SERVICE = 'afirgen-main-backend';
const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:20-slim');

function applicationSignalsAssembly(): Assembly {
  return readAssembly(synthApp((app) => {
    const stack = new Stack(app, 'Signals', { env: { account: '123456789012', region: 'eu-west-1' } });
    new TracedFargateService(stack, 'Backend', {
      cluster: createCluster(stack),
      serviceName: SERVICE,
      image: IMAGE,
      sidecar: { agent: XRayAgent.cloudWatchAgent({ applicationSignals: true }) },
      autoInstrumentation: AutoInstrumentation.node(),
    });
  }));
}

function post(port: number, path: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'Content-Type': 'application/json' }, agent: false, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

describe('every port env prints is served', () => {
  test('ports: every agent port in an Application Signals service\'s env (2000, 4318, 4316) is one local-agent listens on by default', () => {
    const out = envCommand(applicationSignalsAssembly(), SERVICE, 'json', '127.0.0.1');
    const printed = new Set(Object.values(out.variables).flatMap((v) => [...v.matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]))));
    expect(out.variables).toMatchObject({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4316/v1/traces',
      OTEL_AWS_APPLICATION_SIGNALS_EXPORTER_ENDPOINT: 'http://127.0.0.1:4316/v1/metrics',
    });
    const command = program().commands.find((c) => c.name() === 'local-agent')!;
    const defaults = ['--port', '--otlp-port', '--app-signals-port'].map((flag) => command.options.find((o) => o.long === flag)?.defaultValue as number);
    expect(defaults).toEqual([2000, 4318, 4316]);
    expect([...printed].sort()).toEqual([2000, 4316, 4318]);
    for (const p of printed) expect(defaults).toContain(p);
  });

  test('ports: the Application Signals listener takes traces (shown like any OTLP span) and metrics (taken and dropped)', async () => {
    const agent = await LocalAgent.start(applicationSignalsAssembly(), {
      host: '127.0.0.1', port: 0, otlpPort: 0, appSignalsPort: 0, json: true, maxTraces: 10, settleMs: 50, timeoutMs: 1000, out: () => undefined, log: () => undefined,
    });
    try {
      const port = Number(new URL(agent.addresses.appSignals!).port);
      const span = {
        traceId: '5f4e3d2c1b0a99887766554433221100',
        spanId: 'a000000000000001',
        name: 'GET /process',
        kind: 2,
        startTimeUnixNano: '1700000000000000000',
        endTimeUnixNano: '1700000000010000000',
        attributes: [{ key: 'http.response.status_code', value: { intValue: '500' } }],
      };
      const traces = JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: SERVICE } }] }, scopeSpans: [{ spans: [span] }] }] });
      expect(await post(port, '/v1/traces', traces)).toBe(200);
      expect(await post(port, '/v1/metrics', '{}')).toBe(200);
      expect(agent.traces().map((t) => ({ services: t.services, fault: t.fault }))).toEqual([{ services: [SERVICE], fault: true }]);
      expect(agent.counters).toMatchObject({ spans: 1, otlpIgnored: 1, malformedOtlp: 0 });
    } finally {
      await agent.stop();
    }
  });
});

describe('env names what the service\'s agent indexes and deletes', () => {
  function synthesized(agent: () => XRayAgent): Assembly {
    return readAssembly(synthApp((app) => {
      const stack = new Stack(app, 'Agents', { env: { account: '123456789012', region: 'eu-west-1' } });
      new TracedFargateService(stack, 'Backend', {
        cluster: createCluster(stack),
        serviceName: SERVICE,
        image: IMAGE,
        sidecar: { agent: agent() },
        autoInstrumentation: AutoInstrumentation.node(),
      });
      new TraceGroup(stack, 'Model', { groupName: 'model', filterExpression: FilterExpression.parse('annotation.model_name = "summariser"') });
    }));
  }

  test('env: on the ADOT collector, the notes name the group keys it indexes and the access key ID it deletes', () => {
    const out = envCommand(synthesized(() => XRayAgent.adotCollector()), SERVICE, 'sh', '127.0.0.1');
    expect(out.notes).toContain('OpenTelemetry spans: the ADOT collector makes these span attributes X-Ray annotations: model_name; ' +
      'it deletes aws.auth.account.access_key before export (local-agent does the same)');
  });

  test('env: on the CloudWatch agent, the notes say it indexes nothing and name the app-side aws.xray.annotations list', () => {
    const out = envCommand(synthesized(() => XRayAgent.cloudWatchAgent()), SERVICE, 'sh', '127.0.0.1');
    expect(out.notes.join('\n')).toContain(
      'the CloudWatch agent makes no span attribute an X-Ray annotation; list the keys your queries need in the span attribute aws.xray.annotations');
  });
});

describe('env of an auto-instrumented service: what a leftover X-Ray SDK does', () => {
  function synthesized(auto: AutoInstrumentation): Assembly {
    return readAssembly(synthApp((app) => {
      const stack = new Stack(app, 'Auto', { env: { account: '123456789012', region: 'eu-west-1' } });
      new TracedFargateService(stack, 'Backend', {
        cluster: createCluster(stack),
        serviceName: SERVICE,
        image: IMAGE,
        sidecar: { agent: XRayAgent.adotCollector() },
        autoInstrumentation: auto,
      });
    }));
  }

  test('env: Python — the X-Ray SDK is off (AWS_XRAY_SDK_ENABLED=false, and XRAY_ENABLED=false for an own tracing helper): a leftover SDK costs nothing', () => {
    const out = envCommand(synthesized(AutoInstrumentation.python()), SERVICE, 'json', '127.0.0.1');
    expect(out.variables).toMatchObject({ AWS_XRAY_SDK_ENABLED: 'false', XRAY_ENABLED: 'false' });
    expect(out.notes).toContain('the X-Ray SDK for Python is off on this container (AWS_XRAY_SDK_ENABLED=false) and so is a helper that reads ' +
      'XRAY_ENABLED=false: the ADOT agent traces it, so an X-Ray SDK still in the app records nothing and costs nothing (one trace per request)');
  });

  test('env: .NET — XRay__DisableXRayTracing=true is printed and named as what keeps the X-Ray SDK off', () => {
    const out = envCommand(synthesized(AutoInstrumentation.dotnet()), SERVICE, 'json', '127.0.0.1');
    expect(out.variables).toMatchObject({ XRay__DisableXRayTracing: 'true' });
    expect(out.notes.join('\n')).toContain('the X-Ray SDK for .NET is off on this container (XRay__DisableXRayTracing=true)');
  });

  test('env: Node.js — the SDK reads no switch, so the notes say a leftover SDK records every request twice and to remove it', () => {
    const out = envCommand(synthesized(AutoInstrumentation.node()), SERVICE, 'json', '127.0.0.1');
    expect(out.notes).toContain('a helper that reads XRAY_ENABLED is off (XRAY_ENABLED=false), but the X-Ray SDK for Node.js reads no on/off switch: ' +
      'if it is still in the app, it records every request a second time, beside the ADOT agent; remove it from the app');
  });

  test('env: Python with AWS_XRAY_SDK_ENABLED=true (a hand-written task) — the notes say a leftover SDK records every request a second time', () => {
    const c: TracedContainer = {
      serviceName: SERVICE,
      stack: 'S',
      containerName: 'app',
      taskDefinitionLogicalId: 'Task',
      networkMode: 'awsvpc',
      hasAgent: true,
      environment: [
        { name: 'AWS_XRAY_TRACING_NAME', value: SERVICE },
        { name: 'AWS_XRAY_SDK_ENABLED', value: 'true' },
        { name: 'PYTHONPATH', value: '/otel-auto-instrumentation-python/opentelemetry/instrumentation/auto_instrumentation:/otel-auto-instrumentation-python' },
      ],
    };
    const assembly: Assembly = { directory: '/nowhere', stacks: [], tracedContainers: [c], samplingRules: [], skippedRules: [], traceGroups: [] };
    const out = envCommand(assembly, SERVICE, 'sh', '127.0.0.1');
    expect(out.notes.join('\n')).toContain('AWS_XRAY_SDK_ENABLED is "true": the X-Ray SDK for Python, if still in the app, would record every request a second time');
  });
});
