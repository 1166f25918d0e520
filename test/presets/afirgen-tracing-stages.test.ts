import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { FilterExpression } from '../../src/groups/filter-expression';
import { TraceGroup } from '../../src/groups/trace-group';
import { AfirgenServiceName, AfirgenTracing } from '../../src/presets/afirgen-tracing';
import { TracedFargateService } from '../../src/services/traced-fargate-service';
import { expectError } from '../helpers/messages';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const RECIPE_DOC = path.join(__dirname, '..', '..', 'docs', 'afirgen.md');

/** docs/afirgen.md's "Dev and prod in one account" recipe, character for character (checked below). */
const RECIPE = `function traceStage(stack: cdk.Stack, prefix: string) {
  const tracing = new AfirgenTracing(stack, 'Tracing', { namePrefix: prefix });
  new TracedFargateService(stack, 'MainBackend', {
    cluster: new ecs.Cluster(stack, 'Cluster'),
    serviceName: tracing.serviceNameFor(AfirgenServiceName.MAIN_BACKEND), // dev-afirgen-main-backend, prod-...
    image,
    samplingRule: { existingRule: tracing.samplingRuleFor(AfirgenServiceName.MAIN_BACKEND) },
  });
}
traceStage(devStack, 'dev');
traceStage(prodStack, 'prod');`;

/** Builds the recipe: the same statements as RECIPE, in a dev and a prod stack of one account and Region. */
function buildRecipe(): { app: App; devStack: Stack; prodStack: Stack } {
  const app = new App();
  const devStack = new Stack(app, 'Dev', { env: ENV });
  const prodStack = new Stack(app, 'Prod', { env: ENV });
  const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.12-slim');
  function traceStage(stack: Stack, prefix: string) {
    const tracing = new AfirgenTracing(stack, 'Tracing', { namePrefix: prefix });
    new TracedFargateService(stack, 'MainBackend', {
      cluster: new ecs.Cluster(stack, 'Cluster'),
      serviceName: tracing.serviceNameFor(AfirgenServiceName.MAIN_BACKEND), // dev-afirgen-main-backend, prod-...
      image,
      samplingRule: { existingRule: tracing.samplingRuleFor(AfirgenServiceName.MAIN_BACKEND) },
    });
  }
  traceStage(devStack, 'dev');
  traceStage(prodStack, 'prod');
  return { app, devStack, prodStack };
}

function appEnv(template: Template): Record<string, string> {
  const td = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0].Properties;
  const app = td.ContainerDefinitions.find((c: { Name: string }) => c.Name === 'app');
  return Object.fromEntries(app.Environment.map((kv: { Name: string; Value: string }) => [kv.Name, kv.Value]));
}

describe('issue 24 item 6: dev and prod in one account with the preset', () => {
  test('the docs/afirgen.md recipe is the one this file builds', () => {
    expect(fs.readFileSync(RECIPE_DOC, 'utf-8')).toContain(`\`\`\`ts\n${RECIPE}\n\`\`\``);
  });

  test('the recipe synthesizes: service names, filter expressions and rules carry the stage prefix', () => {
    // GIVEN / WHEN the recipe
    const { app, devStack, prodStack } = buildRecipe();
    expect(() => app.synth()).not.toThrow();

    // THEN each stage traces, samples and groups under its own names
    for (const [stack, stage] of [[devStack, 'dev'], [prodStack, 'prod']] as const) {
      const template = Template.fromStack(stack);
      const rules = Object.values(template.findResources('AWS::XRay::SamplingRule')).map((r) => r.Properties.SamplingRule);
      expect(rules.map((r) => [r.RuleName, r.ServiceName]).sort()).toEqual([
        [`${stage}-afirgen-asr-ocr-server`, `${stage}-afirgen-asr-ocr-server`],
        [`${stage}-afirgen-gguf-server`, `${stage}-afirgen-gguf-server`],
        [`${stage}-afirgen-main-backend`, `${stage}-afirgen-main-backend`],
      ]);
      const groups = Object.values(template.findResources('AWS::XRay::Group'))
        .map((g) => [g.Properties.GroupName, g.Properties.FilterExpression]).sort();
      expect(groups).toEqual([
        [`${stage}-afirgen-endpoint-process`, 'annotation.endpoint = "/process"'],
        [`${stage}-afirgen-main-backend-errors`, `service("${stage}-afirgen-main-backend") AND (error = true OR fault = true)`],
        [`${stage}-afirgen-main-backend-slow`, `service("${stage}-afirgen-main-backend") AND responsetime > 5`],
        [`${stage}-afirgen-model-summariser`, 'annotation.model_name = "summariser"'],
      ]);
      // the joined service reports the prefixed name, so the stage's rule and groups see it
      expect(appEnv(template)).toMatchObject({ AWS_XRAY_TRACING_NAME: `${stage}-afirgen-main-backend`, XRAY_SAMPLING_RATE: '0.1' });
    }
  });

  test('serviceNameFor without a prefix is the runbook name', () => {
    const app = new App();
    const tracing = new AfirgenTracing(new Stack(app, 'S'), 'Tracing');
    expect(tracing.serviceNameFor(AfirgenServiceName.GGUF_SERVER)).toBe('afirgen-gguf-server');
  });

  test('a group of the user\'s own that names a stage\'s service passes', () => {
    const { app, devStack } = buildRecipe();
    const tracing = devStack.node.findChild('Tracing') as AfirgenTracing;
    new TraceGroup(devStack, 'Mine', {
      groupName: 'dev-backend-throttles',
      filterExpression: FilterExpression.service(tracing.serviceNameFor(AfirgenServiceName.MAIN_BACKEND)).and(FilterExpression.throttle()),
    });
    expect(() => app.synth()).not.toThrow();
  });

  describe('bad input', () => {
    test('throws for a group whose service name no stage owns, naming the group, prop, value and the names allowed', () => {
      // GIVEN the two stages, and a group on the runbook's unprefixed name
      const { app, devStack } = buildRecipe();
      new TraceGroup(devStack, 'Orphan', {
        groupName: 'backend-faults',
        filterExpression: FilterExpression.service('afirgen-main-backend').and(FilterExpression.fault()),
      });
      // WHEN synthesized THEN
      expect(() => app.synth()).toThrow(
        /trace group Dev\/Orphan: filterExpression names service "afirgen-main-backend", which no AfirgenTracing of its account and Region traces under, so the group matches no request\. Allowed: dev-afirgen-main-backend \(Dev\/Tracing, namePrefix "dev"\), prod-afirgen-main-backend \(Prod\/Tracing, namePrefix "prod"\)\. Fix: build the expression with tracing\.serviceNameFor\("afirgen-main-backend"\)/,
      );
    });

    test('throws for a group on a stage prefix that no preset has', () => {
      const { app, prodStack } = buildRecipe();
      new TraceGroup(prodStack, 'Staging', {
        groupName: 'staging-gguf',
        filterExpression: FilterExpression.edge('prod-afirgen-main-backend', 'staging-afirgen-gguf-server'),
      });
      expect(() => app.synth()).toThrow(/trace group Prod\/Staging: filterExpression names service "staging-afirgen-gguf-server".*Allowed: dev-afirgen-gguf-server/);
    });

    test('skips groups in another account, and services that are not AFIRGen\'s', () => {
      const { app } = buildRecipe();
      const other = new Stack(app, 'Other', { env: { account: '222222222222', region: 'eu-west-1' } });
      new TraceGroup(other, 'Runbook', { groupName: 'rb', filterExpression: FilterExpression.service('afirgen-main-backend') });
      const dev = app.node.findChild('Dev') as Stack;
      new TraceGroup(dev, 'Orders', { groupName: 'orders', filterExpression: FilterExpression.service('orders-api') });
      expect(() => app.synth()).not.toThrow();
    });

    test.each(['d.1', 'dév', 'd v'])('throws for a prefix %p that is not a valid X-Ray name, naming path, prop, value and what is allowed', (namePrefix) => {
      const app = new App();
      expect(() => new AfirgenTracing(new Stack(app, 'S'), 'Tracing', { namePrefix }))
        .toThrow(new RegExp(`^S/Tracing: namePrefix may only contain letters, digits and - \\(it begins X-Ray service, sampling-rule and group names\\), got "${namePrefix}"`));
    });

    test('throws for serviceNameFor of a service that is not AFIRGen\'s', () => {
      const app = new App();
      const tracing = new AfirgenTracing(new Stack(app, 'S'), 'Tracing', { namePrefix: 'dev' });
      expectError(() => tracing.serviceNameFor('dev-afirgen-main-backend'), {
        path: 'S/Tracing',
        prop: 'service',
        value: 'dev-afirgen-main-backend',
        allowed: 'afirgen-main-backend, afirgen-gguf-server, afirgen-asr-ocr-server',
      });
    });
  });
});
