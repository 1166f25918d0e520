/**
 * CloudWatch Application Signals on the CloudWatch agent, and every CloudWatch agent
 * configuration the library writes checked against the agent's own JSON schema
 * (`test/fixtures/agent-schemas/cloudwatch-agent-config.schema.json`, draft-04: the agent refuses at
 * start-up a configuration that fails it; source and licence in that folder's README).
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv-draft-04';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { TracedFargateService } from '../../src/services/traced-fargate-service';
import { AutoInstrumentation } from '../../src/sidecar/auto-instrumentation';
import { XRayAgent } from '../../src/sidecar/xray-agent';
import { XRaySidecar } from '../../src/sidecar/xray-sidecar';
import { createCluster, createStack } from '../helpers/app';
import { awsSolutionsFindings } from '../helpers/nag';

const SCHEMA_PATH = path.resolve(__dirname, '..', 'fixtures', 'agent-schemas', 'cloudwatch-agent-config.schema.json');
const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.12-slim');
const REGIONAL = { env: { account: '111111111111', region: 'eu-west-1' } };

type ContainerJson = Record<string, any>;

function instrumented(
  stack: Stack, agent: XRayAgent, networkMode?: ecs.NetworkMode, auto: AutoInstrumentation | undefined = AutoInstrumentation.python(),
) {
  const taskDefinition = networkMode
    ? new ecs.Ec2TaskDefinition(stack, 'Task', { networkMode })
    : new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
  const app = taskDefinition.addContainer('App', { containerName: 'app', image: IMAGE, memoryLimitMiB: networkMode ? 512 : undefined });
  const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition, agent });
  sidecar.instrument(app, { serviceName: 'afirgen-main-backend', autoInstrumentation: auto });
  return sidecar;
}

function containers(stack: Stack): { template: Template; byName: (n: string) => ContainerJson } {
  const template = Template.fromStack(stack);
  const defs = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
  expect(defs).toHaveLength(1);
  const list = defs[0].Properties.ContainerDefinitions as ContainerJson[];
  return { template, byName: (n) => list.find((c) => c.Name === n)! };
}

function envOf(c: ContainerJson): Record<string, unknown> {
  return Object.fromEntries((c.Environment ?? []).map((kv: { Name: string; Value: unknown }) => [kv.Name, kv.Value]));
}

/** The agent's CW_CONFIG_CONTENT, parsed (regional stacks only: literal JSON). */
function agentConfig(stack: Stack): Record<string, any> {
  const raw = envOf(containers(stack).byName('xray-daemon')).CW_CONFIG_CONTENT;
  expect(typeof raw).toBe('string');
  return JSON.parse(raw as string);
}

describe('XRayAgent.cloudWatchAgent({ applicationSignals: true })', () => {
  test('the configuration gains both application_signals sections and keeps the trace receivers', () => {
    const { stack } = createStack(REGIONAL);
    instrumented(stack, XRayAgent.cloudWatchAgent({ applicationSignals: true }));
    expect(agentConfig(stack)).toEqual({
      agent: { region: 'eu-west-1' },
      traces: {
        traces_collected: {
          xray: { bind_address: '0.0.0.0:2000', tcp_proxy: { bind_address: '0.0.0.0:2000' } },
          otlp: { grpc_endpoint: '0.0.0.0:4317', http_endpoint: '0.0.0.0:4318' },
          application_signals: {},
        },
      },
      logs: { metrics_collected: { application_signals: {} } },
    });
  });

  test('the agent publishes 4316 beside UDP/TCP 2000 and the OTLP ports; the app sends traces and metrics there', () => {
    const { stack } = createStack(REGIONAL);
    instrumented(stack, XRayAgent.cloudWatchAgent({ applicationSignals: true }));
    const { byName } = containers(stack);
    expect(byName('xray-daemon').PortMappings).toEqual([
      { ContainerPort: 2000, Protocol: 'udp' },
      { ContainerPort: 2000, Protocol: 'tcp' },
      { ContainerPort: 4317, Protocol: 'tcp' },
      { ContainerPort: 4318, Protocol: 'tcp' },
      { ContainerPort: 4316, Protocol: 'tcp' },
    ]);
    expect(envOf(byName('app'))).toMatchObject({
      OTEL_AWS_APPLICATION_SIGNALS_ENABLED: 'true',
      OTEL_AWS_APPLICATION_SIGNALS_EXPORTER_ENDPOINT: 'http://127.0.0.1:4316/v1/metrics',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4316/v1/traces',
      OTEL_TRACES_SAMPLER_ARG: 'endpoint=http://127.0.0.1:2000,polling_interval=300',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
    });
  });

  test('bridge mode: the app reaches 4316 through the xray-daemon link', () => {
    const { stack } = createStack(REGIONAL);
    instrumented(stack, XRayAgent.cloudWatchAgent({ applicationSignals: true }), ecs.NetworkMode.BRIDGE);
    const app = containers(stack).byName('app');
    expect(envOf(app)).toMatchObject({
      OTEL_AWS_APPLICATION_SIGNALS_EXPORTER_ENDPOINT: 'http://xray-daemon:4316/v1/metrics',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://xray-daemon:4316/v1/traces',
    });
    expect(app.Links).toEqual(['xray-daemon:xray-daemon']);
  });

  test('IAM: the X-Ray actions plus logs writes on /aws/application-signals/data only; no managed policy, no logs on *', () => {
    const { stack } = createStack(REGIONAL);
    instrumented(stack, XRayAgent.cloudWatchAgent({ applicationSignals: true }));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          { Action: XRayAgent.ACTIONS, Effect: 'Allow', Resource: '*' },
          {
            Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
            Effect: 'Allow',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:111111111111:log-group:/aws/application-signals/data:*']] },
          },
        ],
      },
    });
    const roles = template.findResources('AWS::IAM::Role');
    for (const role of Object.values(roles)) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(JSON.stringify(template.toJSON())).not.toContain('CloudWatchAgentServerPolicy');
  });

  test('without Application Signals the agent keeps its trace-only configuration, ports and permissions', () => {
    const { stack } = createStack(REGIONAL);
    instrumented(stack, XRayAgent.cloudWatchAgent());
    const config = agentConfig(stack);
    expect(config.logs).toBeUndefined();
    expect(config.traces.traces_collected.application_signals).toBeUndefined();
    const { byName, template } = containers(stack);
    expect(byName('xray-daemon').PortMappings.map((p: { ContainerPort: number }) => p.ContainerPort)).toEqual([2000, 2000, 4317, 4318]);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: XRayAgent.ACTIONS, Effect: 'Allow', Resource: '*' }] },
    });
    expect(envOf(byName('app'))).toMatchObject({
      OTEL_AWS_APPLICATION_SIGNALS_ENABLED: 'false',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces',
    });
    expect(envOf(byName('app')).OTEL_AWS_APPLICATION_SIGNALS_EXPORTER_ENDPOINT).toBeUndefined();
  });

  test('environment-agnostic stack: the log group ARN uses the pseudo parameters', () => {
    const { stack } = createStack();
    instrumented(stack, XRayAgent.cloudWatchAgent({ applicationSignals: true }));
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Resource: {
            'Fn::Join': ['', [
              'arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' },
              ':log-group:/aws/application-signals/data:*',
            ]],
          },
        })]),
      },
    });
  });

  test('cdk-nag AwsSolutions: nothing unacknowledged from the library\'s resources, incl. the log-group wildcard', () => {
    for (const env of [REGIONAL, {}]) {
      const { stack } = createStack(env);
      new TracedFargateService(stack, 'Svc', {
        cluster: createCluster(stack),
        serviceName: 'afirgen-main-backend',
        image: IMAGE,
        sidecar: { agent: XRayAgent.cloudWatchAgent({ applicationSignals: true }) },
        autoInstrumentation: AutoInstrumentation.python(),
      });
      const findings = awsSolutionsFindings(stack).filter((f) => f.path.includes('XRayTracing') || f.path.includes('TaskDef'));
      // ECS2 (environment variables) stands only for variables the user adds; the task here has
      // the contract and the agent config only.
      expect(findings).toEqual([]);
    }
  });

  test('throws for applicationSignals that is not a boolean', () => {
    expect(() => XRayAgent.cloudWatchAgent({ applicationSignals: 'yes' as any })).toThrow(/XRayAgent.cloudWatchAgent: applicationSignals must be/);
  });
});

describe('every CloudWatch agent configuration the library writes passes the agent\'s own schema', () => {
  const cases: Array<[string, () => Stack]> = [
    ['trace-only, awsvpc', () => {
      const { stack } = createStack(REGIONAL); instrumented(stack, XRayAgent.cloudWatchAgent(), undefined, undefined); return stack;
    }],
    ['trace-only, bridge', () => {
      const { stack } = createStack(REGIONAL); instrumented(stack, XRayAgent.cloudWatchAgent(), ecs.NetworkMode.BRIDGE, undefined); return stack;
    }],
    ['Application Signals, awsvpc', () => {
      const { stack } = createStack(REGIONAL); instrumented(stack, XRayAgent.cloudWatchAgent({ applicationSignals: true })); return stack;
    }],
    ['Application Signals, host', () => {
      const { stack } = createStack(REGIONAL);
      instrumented(stack, XRayAgent.cloudWatchAgent({ applicationSignals: true }), ecs.NetworkMode.HOST);
      return stack;
    }],
  ];

  test.each(cases)('%s', (_name, make) => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf-8')));
    const config = agentConfig(make());
    const ok = validate(config);
    expect({ ok, errors: validate.errors ?? [] }).toEqual({ ok: true, errors: [] });
  });

  test('the schema can fail: a config with an unknown traces key is refused', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf-8')));
    expect(validate({ traces: { traces_collected: { xray: { bind_address: 5 } } } })).toBe(false);
  });
});
