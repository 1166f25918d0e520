/**
 * `cdk-xray-ecs env`, run as shipped (bin/cdk-xray-ecs.js → lib/cli), against the AFIRGen
 * example app's assembly: a Fargate service (awsvpc, agent on 127.0.0.1) and the bridge-mode
 * EC2 service (agent at the link name xray-daemon, which becomes 127.0.0.1 on a laptop).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnParameter, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { ensureBuiltCli, runCli, synthApp, synthExample } from './cli';
import { TracedFargateService } from '../../src/services/traced-fargate-service';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.12-slim');
let example: string;

beforeAll(() => {
  ensureBuiltCli();
  example = synthExample();
}, 300_000);

/** `export NAME='value'` lines, evaluated by a real shell: what `eval "$(... env ...)"` gives. */
function evalInShell(script: string): Record<string, string> {
  const r = spawnSync('sh', ['-c', `${script}\nenv`], { encoding: 'utf-8', env: {} });
  expect(r.status).toBe(0);
  return Object.fromEntries(r.stdout.split('\n').filter((l) => /^(XRAY_|AWS_XRAY_|OTEL_)/.test(l)).map((l) => {
    const i = l.indexOf('=');
    return [l.slice(0, i), l.slice(i + 1)];
  }));
}

describe('env of the example app', () => {
  test('Fargate service by X-Ray name: the ECS contract, agent on loopback, evaluable by sh', () => {
    // WHEN
    const r = runCli(['env', 'afirgen-main-backend', '--app', example]);

    // THEN the shell gets exactly the container's tracing variables
    expect(r.status).toBe(0);
    expect(evalInShell(r.stdout)).toEqual({
      // auto-instrumented: the X-Ray SDK and an XRAY_ENABLED helper stay off (issue 24 item 4)
      XRAY_ENABLED: 'false',
      XRAY_SAMPLING_RATE: '0.1',
      XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      AWS_XRAY_TRACING_NAME: 'afirgen-main-backend',
      AWS_XRAY_SDK_ENABLED: 'false',
      XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
      AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_SERVICE_NAME: 'afirgen-main-backend',
      OTEL_TRACES_SAMPLER: 'xray',
      OTEL_TRACES_SAMPLER_ARG: 'endpoint=http://127.0.0.1:2000,polling_interval=300',
      // the example's main backend runs AutoInstrumentation.python(): its OTLP and ADOT variables
      OTEL_AWS_APPLICATION_SIGNALS_ENABLED: 'false',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces',
      OTEL_LOGS_EXPORTER: 'none',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_PROPAGATORS: 'tracecontext,baggage,xray',
      OTEL_PYTHON_CONFIGURATOR: 'aws_configurator',
      OTEL_PYTHON_DISTRO: 'aws_distro',
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=afirgen-main-backend',
    });
    // PYTHONPATH points at the init container's volume: not printed, and the note says what to run instead
    expect(r.stdout).not.toContain('PYTHONPATH');
    expect(r.stderr).toContain('auto-instrumented: in ECS PYTHONPATH loads the ADOT agent');
    expect(r.stderr).toContain('afirgen-main-backend (container app of AfirgenTracing/MainBackend/TaskDefinition/Resource), awsvpc network mode');
  });

  test('bridge-mode service: xray-daemon becomes 127.0.0.1 in every address', () => {
    const r = runCli(['env', 'afirgen-gguf-server', '--app', example, '--format', 'json']);

    expect(r.status).toBe(0);
    const env = JSON.parse(r.stdout);
    expect(env).toMatchObject({
      AWS_XRAY_TRACING_NAME: 'afirgen-gguf-server',
      XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
      AWS_XRAY_DAEMON_ADDRESS: 'tcp:127.0.0.1:2000 udp:127.0.0.1:2000',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      OTEL_TRACES_SAMPLER_ARG: 'endpoint=http://127.0.0.1:2000,polling_interval=300',
    });
    expect(JSON.stringify(env)).not.toContain('xray-daemon');
    expect(r.stderr).toContain('bridge mode: the agent host xray-daemon (a container link in ECS) is 127.0.0.1 here');
  });

  test('a construct path names the service too; --agent-host moves the agent', () => {
    const r = runCli(['env', 'AfirgenTracing/GgufServer', '--app', example, '--format', 'dotenv', '--agent-host', '192.168.1.5']);

    expect(r.status).toBe(0);
    expect(r.stdout).toContain('AWS_XRAY_TRACING_NAME=afirgen-gguf-server\n');
    expect(r.stdout).toContain('AWS_XRAY_DAEMON_ADDRESS="tcp:192.168.1.5:2000 udp:192.168.1.5:2000"\n');
    expect(r.stdout).toContain('XRAY_DAEMON_ADDRESS=192.168.1.5:2000\n');
  });

  test('throws for an unknown service, listing the known ones with their construct paths', () => {
    const r = runCli(['env', 'afirgen-nope', '--app', example]);

    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('no traced service "afirgen-nope" in the assembly at');
    expect(r.stderr).toContain('afirgen-main-backend (AfirgenTracing/MainBackend/TaskDefinition, container app, awsvpc)');
    expect(r.stderr).toContain('afirgen-gguf-server (AfirgenTracing/GgufServer/TaskDefinition, container app, bridge)');
    expect(r.stderr).toContain('afirgen-asr-ocr-server (AfirgenTracing/AsrOcrServer/TaskDefinition, container app, awsvpc)');
  });

  test('throws for an unknown --stack and a bad --format', () => {
    const stack = runCli(['env', 'afirgen-main-backend', '--app', example, '--stack', 'Other']);
    expect(stack.status).toBe(1);
    expect(stack.stderr).toContain('has no stack "Other"; its stacks: AfirgenTracing');

    const format = runCli(['env', 'afirgen-main-backend', '--app', example, '--format', 'yaml']);
    expect(format.status).toBe(1);
    expect(format.stderr).toContain('--format must be one of sh, dotenv, json, got "yaml"');
  });
});

describe('env reports what it cannot print', () => {
  test('a value that resolves at deploy time is reported, not printed as [object Object]', () => {
    // GIVEN a sampling rate from a CloudFormation parameter
    const dir = synthApp((app) => {
      const stack = new Stack(app, 'Tokens');
      const rate = new CfnParameter(stack, 'Rate', { type: 'Number', default: 0.2 });
      new TracedFargateService(stack, 'Svc', {
        cluster: new ecs.Cluster(stack, 'Cluster', { vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 }) }),
        serviceName: 'token-service',
        image: IMAGE,
        tracing: { samplingRate: rate.valueAsNumber },
      });
    });

    // WHEN
    const r = runCli(['env', 'token-service', '--app', dir]);

    // THEN
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('XRAY_SAMPLING_RATE');
    expect(r.stdout).not.toContain('[object Object]');
    expect(r.stdout).toContain("export AWS_XRAY_TRACING_NAME='token-service'\n");
    expect(r.stderr).toMatch(/XRAY_SAMPLING_RATE is not printed: its value resolves only at deploy time \(.*"Ref":"Rate"/);
  });

  test('throws for a missing cdk.out, an unsynthesized folder and an assembly without traced services', () => {
    const missing = runCli(['env', 'x', '--app', path.join(os.tmpdir(), 'no-such-cdk-out')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('no cloud assembly at');
    expect(missing.stderr).toContain('run `npx cdk synth` first');

    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'not-synth-'));
    const unsynth = runCli(['env', 'x', '--app', empty]);
    expect(unsynth.status).toBe(1);
    expect(unsynth.stderr).toContain('is not a synthesized cloud assembly (no manifest.json)');

    const plain = synthApp((app) => { new Stack(app, 'Plain'); });
    const none = runCli(['env', 'x', '--app', plain]);
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('has no traced service (no container with AWS_XRAY_TRACING_NAME)');

    const agent = runCli(['local-agent', '--app', plain, '--port', '0']);
    expect(agent.status).toBe(1);
    expect(agent.stderr).toContain('has no traced service');
  });
});

describe('--help', () => {
  test.each([
    [['--help'], ['env [options] <service>', 'local-agent [options]']],
    [['env', '--help'], ['--app <dir>', '--stack <name>', '--format <format>', 'eval "$(npx cdk-xray-ecs env orders-api)"']],
    [['local-agent', '--help'], ['--port <port>', '--otlp-port <port>', '--ui <port>', '--json', '--max-traces <n>', '--host <address>']],
  ])('%j', (args, expected) => {
    const r = runCli(args);
    expect(r.status).toBe(0);
    for (const e of expected) expect(r.stdout).toContain(e);
  });

  test('throws for a bad port, with commander\'s message', () => {
    const r = runCli(['local-agent', '--port', '70000']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('--port must be a port number from 0 to 65535, got "70000"');
  });
});
