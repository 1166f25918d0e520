import { Annotations as CdkAnnotations, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { WARNINGS } from '../../src/core/warnings';
import { XRayHostAgent } from '../../src/host-agent/xray-host-agent';
import { TracedEc2Service } from '../../src/services/traced-ec2-service';
import { TracedFargateService } from '../../src/services/traced-fargate-service';
import { AutoInstrumentation } from '../../src/sidecar/auto-instrumentation';
import { XRayAgent } from '../../src/sidecar/xray-agent';
import { TransactionSearch } from '../../src/transaction-search/transaction-search';
import { createCluster, createStack } from '../helpers/app';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:22-slim');

type Json = Record<string, any>;

function taskOf(stack: Stack): Json {
  const defs = Object.values(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'));
  expect(defs).toHaveLength(1);
  return defs[0];
}

function appEnv(stack: Stack, name = 'app'): Record<string, unknown> {
  const app = (taskOf(stack).Properties.ContainerDefinitions as Json[]).find((c) => c.Name === name)!;
  return Object.fromEntries((app.Environment ?? []).map((kv: { Name: string; Value: unknown }) => [kv.Name, kv.Value]));
}

function fargate(props: Partial<ConstructorParameters<typeof TracedFargateService>[2]> = {}, env?: { region: string; account: string }) {
  const { app, stack } = createStack(env ? { env } : {});
  const cluster = createCluster(stack);
  const service = new TracedFargateService(stack, 'Api', {
    cluster,
    serviceName: 'afirgen-main-backend',
    image: IMAGE,
    agentless: true,
    autoInstrumentation: AutoInstrumentation.node(),
    ...props,
  });
  return { app, stack, cluster, service };
}

describe('collector-less (agentless) traced services', () => {
  test('agentless: no agent container, no agent log group, only the app and the ADOT init container', () => {
    // GIVEN / WHEN
    const { stack, service } = fargate();

    // THEN
    const names = (taskOf(stack).Properties.ContainerDefinitions as Json[]).map((c) => c.Name);
    expect(names.sort()).toEqual(['app', 'app-adot-init']);
    expect(service.sidecar).toBeUndefined();
    expect(service.agentlessTracing).toBeDefined();
    // The only log group is the app's (the init container logs to it under its own prefix).
    expect(Object.keys(Template.fromStack(stack).findResources('AWS::Logs::LogGroup'))).toHaveLength(1);
    const init = (taskOf(stack).Properties.ContainerDefinitions as Json[]).find((c) => c.Name === 'app-adot-init')!;
    expect(init.LogConfiguration.Options['awslogs-stream-prefix']).toEqual('adot-init-node');
    expect(stack.node.tryFindChild('Api')!.node.findAll().some((c) => c.node.id === 'XRayTracingAgent')).toBe(false);
  });

  test('agentless: the app gets the collector-less contract for the stack Region, nothing points at an agent', () => {
    // GIVEN / WHEN
    const { stack } = fargate({ tracing: { samplingRate: 0.05 } }, { region: 'eu-west-1', account: '123456789012' });

    // THEN
    const env = appEnv(stack);
    expect(env).toMatchObject({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://xray.eu-west-1.amazonaws.com/v1/traces',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      OTEL_AWS_APPLICATION_SIGNALS_ENABLED: 'false',
      OTEL_SERVICE_NAME: 'afirgen-main-backend',
      OTEL_PROPAGATORS: 'tracecontext,baggage,xray',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.05',
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=afirgen-main-backend',
    });
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    expect(env.AWS_XRAY_DAEMON_ADDRESS).toBeUndefined();
    expect(env.XRAY_DAEMON_ADDRESS).toBeUndefined();
    expect(env.OTEL_AWS_APPLICATION_SIGNALS_EXPORTER_ENDPOINT).toBeUndefined();
    const text = JSON.stringify(taskOf(stack));
    expect(text).not.toMatch(/127\.0\.0\.1|:2000|:4318|localhost/);
  });

  test('agentless: a token Region renders the endpoint as a token (Fn::Join with AWS::Region), never undefined', () => {
    // GIVEN / WHEN
    const { stack } = fargate();

    // THEN
    const endpoint = appEnv(stack).OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
    expect(endpoint).toEqual({ 'Fn::Join': ['', ['https://xray.', { Ref: 'AWS::Region' }, '.amazonaws.com/v1/traces']] });
    expect(JSON.stringify(endpoint)).not.toContain('undefined');
  });

  test('agentless: .NET also gets OTEL_AWS_SIG_V4_ENABLED=true, with the OTel traces exporter off (the plugin adds its own)', () => {
    // GIVEN / WHEN
    const { stack } = fargate({ autoInstrumentation: AutoInstrumentation.dotnet() }, { region: 'us-east-1', account: '123456789012' });

    // THEN
    expect(appEnv(stack)).toMatchObject({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://xray.us-east-1.amazonaws.com/v1/traces',
      OTEL_AWS_SIG_V4_ENABLED: 'true',
      OTEL_TRACES_EXPORTER: 'none',
    });
  });

  test.each([
    ['python', () => AutoInstrumentation.python()],
    ['node', () => AutoInstrumentation.node()],
    ['java', () => AutoInstrumentation.java()],
  ])('agentless: %s does not get OTEL_AWS_SIG_V4_ENABLED (the SDK signs for the X-Ray endpoint by itself)', (_language, make) => {
    const { stack } = fargate({ autoInstrumentation: make() });
    expect(appEnv(stack).OTEL_AWS_SIG_V4_ENABLED).toBeUndefined();
    expect(appEnv(stack).OTEL_TRACES_EXPORTER).toEqual('otlp');
  });

  test('agentless IAM: inline xray:PutSpans and xray:PutSpansForIndexing on *, no wildcard action, before tasks start', () => {
    // GIVEN / WHEN
    const { stack } = fargate();
    const template = Template.fromStack(stack);

    // THEN
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['xray:PutSpans', 'xray:PutSpansForIndexing'] })]) } },
    });
    const [policyId] = Object.keys(policies);
    expect(policyId).toBeDefined();
    const statements = policies[policyId].Properties.PolicyDocument.Statement as Json[];
    expect(statements).toEqual([{ Effect: 'Allow', Action: ['xray:PutSpans', 'xray:PutSpansForIndexing'], Resource: '*' }]);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/"xray:\*"|xray:PutTraceSegments|xray:GetSamplingRules/);
    // The task definition and the service wait for the policy.
    expect(taskOf(stack).DependsOn).toContain(policyId);
    const services = Object.values(template.findResources('AWS::ECS::Service'));
    expect(services[0].DependsOn).toContain(policyId);
  });

  test('agentless sampling: no SamplingRule, and one warning per service that centralized rules and samplingRateBoost do not apply', () => {
    // GIVEN
    const { stack, cluster, service } = fargate();
    new TracedFargateService(stack, 'Asr', {
      cluster, serviceName: 'afirgen-asr-ocr-server', image: IMAGE, agentless: true, autoInstrumentation: AutoInstrumentation.python(),
    });

    // THEN
    Template.fromStack(stack).resourceCountIs('AWS::XRay::SamplingRule', 0);
    expect(service.samplingRule).toBeUndefined();
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(WARNINGS.agentlessLocalSampling));
    expect(warnings.map((w) => w.id).sort()).toEqual(['/TestStack/Api/XRay', '/TestStack/Asr/XRay']);
    expect(warnings[0].entry.data).toMatch(/centralized sampling rules and samplingRateBoost do not apply/);
  });

  test('Transaction Search: an app with collector-less services and no TransactionSearch gets one note', () => {
    // GIVEN
    const { stack, cluster } = fargate();
    new TracedFargateService(stack, 'Asr', {
      cluster, serviceName: 'afirgen-asr-ocr-server', image: IMAGE, agentless: true, autoInstrumentation: AutoInstrumentation.python(),
    });

    // THEN
    const notes = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(WARNINGS.agentlessTransactionSearch));
    expect(notes).toHaveLength(1);
    expect(notes[0].entry.data).toMatch(/rejects spans unless Transaction Search is on/);
    expect(notes[0].entry.data).toMatch(/acknowledgeWarning/);
  });

  test('Transaction Search: silent when the app has a TransactionSearch (in another stack too)', () => {
    // GIVEN
    const { app } = fargate();
    new TransactionSearch(new Stack(app, 'Account'), 'TransactionSearch');

    // THEN
    const stack = app.node.findChild('TestStack') as Stack;
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(WARNINGS.agentlessTransactionSearch))).toHaveLength(0);
  });

  test('Transaction Search: the note is acknowledged on the stack', () => {
    // GIVEN
    const { stack } = fargate();
    CdkAnnotations.of(stack).acknowledgeWarning(WARNINGS.agentlessTransactionSearch, 'Transaction Search is on in this account');

    // THEN
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(WARNINGS.agentlessTransactionSearch))).toHaveLength(0);
  });

  test('Transaction Search: no note for an app without collector-less services', () => {
    const { stack } = createStack();
    new TracedFargateService(stack, 'Api', {
      cluster: createCluster(stack), serviceName: 'svc', image: IMAGE,
      sidecar: { agent: XRayAgent.cloudWatchAgent() }, autoInstrumentation: AutoInstrumentation.node(),
    });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(WARNINGS.agentlessTransactionSearch))).toHaveLength(0);
  });

  test('cost note: collector-less counts agent compute 0', () => {
    // GIVEN / WHEN
    const { stack } = fargate({ expectedRequestsPerMonth: 10_000_000, desiredCount: 3 });

    // THEN
    const infos = Annotations.fromStack(stack).findInfo('/TestStack/Api', Match.stringLikeRegexp('estimated tracing cost'));
    expect(infos).toHaveLength(1);
    expect(infos[0].entry.data).toMatch(/agent compute \$0\.00 \(collector-less: no agent in the task\)/);
    // 10 M x 0.1 = 1 M traces, 900,000 billed at $5 per million.
    expect(infos[0].entry.data).toMatch(/^estimated tracing cost: \$4\.50\/month/);
  });

  test('TracedEc2Service agentless in bridge mode: no agent, no link, the contract', () => {
    // GIVEN
    const { stack } = createStack();
    const cluster = createCluster(stack);
    cluster.addCapacity('Capacity', { instanceType: new ec2.InstanceType('t3.medium') });

    // WHEN
    const service = new TracedEc2Service(stack, 'Gguf', {
      cluster, serviceName: 'afirgen-gguf-server', image: IMAGE, networkMode: ecs.NetworkMode.BRIDGE,
      agentless: true, autoInstrumentation: AutoInstrumentation.python(),
    });

    // THEN
    expect(service.sidecar).toBeUndefined();
    const app = (taskOf(stack).Properties.ContainerDefinitions as Json[]).find((c) => c.Name === 'app')!;
    expect(app.Links).toBeUndefined();
    expect(appEnv(stack).OTEL_TRACES_SAMPLER).toEqual('parentbased_traceidratio');
    Template.fromStack(stack).resourceCountIs('AWS::XRay::SamplingRule', 0);
  });

  test('throws when agentless is set without autoInstrumentation, naming the prop', () => {
    const { stack } = createStack();
    expect(() => new TracedFargateService(stack, 'Api', { cluster: createCluster(stack), serviceName: 'svc', image: IMAGE, agentless: true }))
      .toThrow(/autoInstrumentation is required with agentless/);
  });

  test.each([
    ['python', () => AutoInstrumentation.python({ version: 'v0.8.0' }), 'v0.9.0'],
    ['node', () => AutoInstrumentation.node({ version: 'v0.5.0' }), 'v0.6.0'],
    ['java', () => AutoInstrumentation.java({ version: 'v2.0.1' }), 'v2.10.0'],
    ['dotnet', () => AutoInstrumentation.dotnet({ version: 'v1.6.0' }), 'v1.7.0'],
  ])('throws when agentless pins a %s release older than the first with the SigV4 exporter, naming the minimum', (language, make, min) => {
    const { stack } = createStack();
    expect(() => new TracedFargateService(stack, 'Api', {
      cluster: createCluster(stack), serviceName: 'svc', image: IMAGE, agentless: true, autoInstrumentation: make(),
    })).toThrow(new RegExp(`autoInstrumentation \\(${language}\\) version must be at least ${min.replace(/\./g, '\\.')}.*got "v`));
  });

  test('agentless accepts exactly the minimum release, and a digest-pinned one', () => {
    expect(() => fargate({ autoInstrumentation: AutoInstrumentation.node({ version: AutoInstrumentation.MIN_AGENTLESS_NODE_VERSION }) })).not.toThrow();
    expect(() => fargate({ autoInstrumentation: AutoInstrumentation.java({ version: `v2.10.0@sha256:${'a'.repeat(64)}` }) })).not.toThrow();
  });

  test('throws when agentless and sidecar are both set, naming both', () => {
    const { stack } = createStack();
    expect(() => new TracedFargateService(stack, 'Api', {
      cluster: createCluster(stack), serviceName: 'svc', image: IMAGE, agentless: true, autoInstrumentation: AutoInstrumentation.node(),
      sidecar: { agent: XRayAgent.adotCollector() },
    })).toThrow(/agentless and sidecar must not both be set/);
  });

  test('throws when agentless and hostAgent are both set, naming both', () => {
    const { stack } = createStack();
    const cluster = createCluster(stack);
    cluster.addCapacity('Capacity', { instanceType: new ec2.InstanceType('t3.medium') });
    const hostAgent = new XRayHostAgent(stack, 'HostAgent', { cluster });
    expect(() => new TracedEc2Service(stack, 'Gguf', {
      cluster, serviceName: 'svc', image: IMAGE, networkMode: ecs.NetworkMode.HOST, hostAgent,
      agentless: true, autoInstrumentation: AutoInstrumentation.python(),
    })).toThrow(/agentless and hostAgent must not both be set/);
  });

  test('throws when agentless is set with samplingRule options (the SDK reads no rule)', () => {
    const { stack } = createStack();
    expect(() => new TracedFargateService(stack, 'Api', {
      cluster: createCluster(stack), serviceName: 'svc', image: IMAGE, agentless: true, autoInstrumentation: AutoInstrumentation.node(),
      samplingRule: { priority: 10 },
    })).toThrow(/samplingRule must not be set with agentless/);
  });

  test('agentless with tracing.enabled false: the SDK is turned off, no ADOT init container, no sampling note', () => {
    const { stack } = fargate({ tracing: { enabled: false } });
    expect(appEnv(stack)).toMatchObject({ XRAY_ENABLED: 'false' });
    const names = (taskOf(stack).Properties.ContainerDefinitions as Json[]).map((c) => c.Name);
    expect(names).toEqual(['app']);
  });
});
