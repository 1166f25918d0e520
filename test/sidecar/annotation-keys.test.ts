import { Annotations as CoreAnnotations, App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { parse as parseYaml } from 'yaml';
import { FilterExpression as F } from '../../src/groups/filter-expression';
import { TraceGroup } from '../../src/groups/trace-group';
import { AutoInstrumentation } from '../../src/sidecar/auto-instrumentation';
import { AdotCollectorOptions, XRayAgent } from '../../src/sidecar/xray-agent';
import { XRaySidecar } from '../../src/sidecar/xray-sidecar';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27');
const EU = { account: '111111111111', region: 'eu-west-1' };

/** The runbook's operation groups: the keys the agent must index. */
function operationGroups(stack: Stack): void {
  new TraceGroup(stack, 'Summariser', { groupName: 'summariser', filterExpression: F.parse('annotation.model_name = "summariser"') });
  new TraceGroup(stack, 'Process', { groupName: 'process', filterExpression: F.parse('annotation.endpoint = "/process"') });
  new TraceGroup(stack, 'Errors', { groupName: 'errors', filterExpression: F.parse('service("afirgen-main-backend") AND error') });
}

function collectorStack(app: App, id: string, options: AdotCollectorOptions = {}, env = EU): { stack: Stack; sidecar: XRaySidecar } {
  const stack = new Stack(app, id, { env });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
  taskDefinition.addContainer('App', { containerName: 'app', image: IMAGE });
  const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition, agent: XRayAgent.adotCollector(options) });
  return { stack, sidecar };
}

function collectorYaml(stack: Stack): string {
  const defs = Object.values(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'));
  const agent = defs[0].Properties.ContainerDefinitions.find((d: { Name: string }) => d.Name === 'xray-daemon');
  const env = agent.Environment.find((kv: { Name: string }) => kv.Name === 'AOT_CONFIG_CONTENT');
  expect(typeof env.Value).toBe('string');
  return env.Value;
}

function indexed(stack: Stack): unknown {
  return parseYaml(collectorYaml(stack)).exporters.awsxray.indexed_attributes;
}

describe('issue 24 item 1: the ADOT collector indexes the app\'s trace groups\' annotation keys', () => {
  test('exactly the groups\' keys and the user\'s, sorted, in the agreed YAML shape', () => {
    // GIVEN
    const app = new App();
    const { stack } = collectorStack(app, 'Service', { annotationKeys: ['tenant_id', 'model_name'] });
    operationGroups(stack);
    // WHEN
    const yaml = collectorYaml(stack);
    // THEN
    expect(yaml).toContain([
      'exporters:',
      '  awsxray:',
      '    region: "eu-west-1"',
      '    indexed_attributes:',
      '      - "endpoint"',
      '      - "model_name"',
      '      - "tenant_id"',
      '    telemetry:',
    ].join('\n'));
    expect(parseYaml(yaml).exporters.awsxray).toEqual({
      region: 'eu-west-1', indexed_attributes: ['endpoint', 'model_name', 'tenant_id'], telemetry: { enabled: true },
    });
  });

  test('groups in another stack of the app count, and groups made after the sidecar', () => {
    // GIVEN the agent first, the groups later and elsewhere
    const app = new App();
    const { stack } = collectorStack(app, 'Service');
    const tracing = new Stack(app, 'Tracing', { env: EU });
    operationGroups(tracing);
    new TraceGroup(stack, 'Late', { groupName: 'late', filterExpression: F.parse('annotation[order.id] = "x"') });
    // THEN
    expect(indexed(stack)).toEqual(['endpoint', 'model_name', 'order.id']);
  });

  test('groups of another account or Region are left out; an environment-agnostic stack\'s count', () => {
    const app = new App();
    const { stack } = collectorStack(app, 'Service');
    operationGroups(new Stack(app, 'OtherRegion', { env: { ...EU, region: 'us-east-1' } }));
    new TraceGroup(new Stack(app, 'OtherAccount', { env: { ...EU, account: '222222222222' } }), 'G', {
      groupName: 'g', filterExpression: F.parse('annotation.other_account'),
    });
    new TraceGroup(new Stack(app, 'Agnostic'), 'G', { groupName: 'agnostic', filterExpression: F.parse('annotation.anywhere') });
    expect(indexed(stack)).toEqual(['anywhere']);
  });

  test('no groups with annotations and no user keys: no indexed_attributes at all', () => {
    const app = new App();
    const { stack } = collectorStack(app, 'Service');
    new TraceGroup(stack, 'Errors', { groupName: 'errors', filterExpression: F.parse('error = true') });
    const yaml = collectorYaml(stack);
    expect(yaml).not.toContain('indexed_attributes');
    expect(parseYaml(yaml).exporters.awsxray).toEqual({ region: 'eu-west-1', telemetry: { enabled: true } });
  });

  test('throws for a user key X-Ray filters cannot name, with the valid form', () => {
    expect(() => XRayAgent.adotCollector({ annotationKeys: ['model-name'] }))
      .toThrow(/^XRayAgent\.adotCollector: annotationKeys has annotation key "model-name", which X-Ray filters cannot name .*: use "model_name"$/);
    expect(() => XRayAgent.adotCollector({ annotationKeys: ['a..b '] })).toThrow(/annotation key "a\.\.b ".*: use "a\._\.b_"$/);
    expect(() => XRayAgent.adotCollector({ annotationKeys: [''] })).toThrow(/annotationKeys must be non-empty strings known at synth, got ""/);
  });

  test('more than 50 keys: a warning that X-Ray keeps at most 50 annotations per trace', () => {
    const app = new App();
    const keys = Array.from({ length: 51 }, (_, i) => `k${i}`);
    const { stack } = collectorStack(app, 'Service', { annotationKeys: keys.slice(1) });
    new TraceGroup(stack, 'G', { groupName: 'g', filterExpression: F.parse('annotation.k0') });
    Annotations.fromStack(stack).hasWarning('/Service/XRay',
      'X-Ray keeps at most 50 annotations per trace, and 51 keys are to be indexed: a span that sets more of them loses the rest, so some groups may match no trace. Index fewer: drop keys from annotationKeys, or filter the groups on fewer annotations. [ack: @cdk-xray-ecs/sidecar:annotationKeysOverLimit]');
  });

  test('50 keys: no warning', () => {
    const app = new App();
    const { stack } = collectorStack(app, 'Service', { annotationKeys: Array.from({ length: 50 }, (_, i) => `k${i}`) });
    expect(Annotations.fromStack(stack).findWarning('*', /annotations per trace/)).toHaveLength(0);
  });
});

describe('issue 24 item 5: the ADOT collector deletes attributes that must not leave the task', () => {
  test('attributes/redact deletes the access key ID (and the user\'s list) before batch/traces', () => {
    // GIVEN
    const app = new App();
    const { stack } = collectorStack(app, 'Service', { redactAttributes: ['user.email', 'aws.auth.account.access_key'] });
    // WHEN
    const yaml = collectorYaml(stack);
    const parsed = parseYaml(yaml);
    // THEN
    expect(yaml).toContain([
      'processors:',
      '  attributes/redact:',
      '    actions:',
      '      - key: "aws.auth.account.access_key"',
      '        action: delete',
      '      - key: "user.email"',
      '        action: delete',
      '  batch/traces:',
    ].join('\n'));
    expect(parsed.processors['attributes/redact']).toEqual({
      actions: [{ key: 'aws.auth.account.access_key', action: 'delete' }, { key: 'user.email', action: 'delete' }],
    });
    expect(parsed.service.pipelines.traces.processors).toEqual(['attributes/redact', 'batch/traces']);
  });

  test('by default only the access key ID, which XRayAgent.DEFAULT_REDACTED_ATTRIBUTES names', () => {
    const app = new App();
    const { stack } = collectorStack(app, 'Service');
    expect(XRayAgent.DEFAULT_REDACTED_ATTRIBUTES).toEqual(['aws.auth.account.access_key']);
    expect(parseYaml(collectorYaml(stack)).processors['attributes/redact'].actions).toEqual([{ key: 'aws.auth.account.access_key', action: 'delete' }]);
  });

  test('throws for a key both indexed and redacted', () => {
    expect(() => XRayAgent.adotCollector({ annotationKeys: ['user_id'], redactAttributes: ['user_id'] }))
      .toThrow(/^XRayAgent\.adotCollector: annotationKeys and redactAttributes must not share a key .*, got "user_id" in both$/);
  });

  test('throws at synth when redactAttributes deletes a key a trace group filters on', () => {
    const app = new App();
    const { stack } = collectorStack(app, 'Service', { redactAttributes: ['model_name'] });
    operationGroups(stack);
    expect(() => app.synth()).toThrow(/Service\/XRay.*redactAttributes of XRayAgent\.adotCollector deletes "model_name", which trace groups of this app filter on/);
  });
});

describe('issue 24 item 1: the CloudWatch agent cannot index, so auto-instrumented containers get a warning', () => {
  function cloudWatchService(app: App, options: { readonly auto?: boolean; readonly agent?: XRayAgent } = {}): Stack {
    const stack = new Stack(app, 'Service', { env: EU });
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
    const container = taskDefinition.addContainer('App', { containerName: 'app', image: IMAGE });
    const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition, agent: options.agent ?? XRayAgent.cloudWatchAgent() });
    sidecar.instrument(container, {
      serviceName: 'afirgen-main-backend',
      autoInstrumentation: options.auto === false ? undefined : AutoInstrumentation.python(),
    });
    return stack;
  }

  test('names the groups and keys, and the app-side fix (aws.xray.annotations as a list)', () => {
    // GIVEN groups in another stack, made after the service
    const app = new App();
    const stack = cloudWatchService(app);
    operationGroups(new Stack(app, 'Tracing', { env: EU }));
    // THEN
    const warnings = Annotations.fromStack(stack).findWarning('/Service/Task/App', Match.stringLikeRegexp('annotationsNotIndexed'));
    expect(warnings).toHaveLength(1);
    const text = String(warnings[0].entry.data);
    expect(text).toContain('the CloudWatch agent cannot make span attributes X-Ray annotations');
    expect(text).toContain('trace group "summariser" (Tracing/Summariser) on model_name; trace group "process" (Tracing/Process) on endpoint');
    expect(text).toContain('set the span attribute aws.xray.annotations to a list of the keys to index (a plain string is ignored), e.g. ["endpoint","model_name"]');
    expect(text).toContain('cannot delete span attributes either: aws.auth.account.access_key');
    expect(text).not.toContain('errors');
  });

  test('more than 50 keys: the warning says X-Ray keeps at most 50 per trace', () => {
    const app = new App();
    const stack = cloudWatchService(app);
    for (let i = 0; i < 51; i++) new TraceGroup(stack, `G${i}`, { groupName: `g${i}`, filterExpression: F.parse(`annotation.k${i}`) });
    const warnings = Annotations.fromStack(stack).findWarning('/Service/Task/App', Match.stringLikeRegexp('annotationsNotIndexed'));
    expect(String(warnings[0].entry.data)).toContain('X-Ray keeps at most 50 annotations per trace, and 51 keys are to be indexed');
  });

  test('no warning without groups that filter on annotations', () => {
    const app = new App();
    const stack = cloudWatchService(app);
    new TraceGroup(stack, 'Errors', { groupName: 'errors', filterExpression: F.parse('error = true') });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('annotationsNotIndexed'))).toHaveLength(0);
  });

  test('no warning with the ADOT collector, nor without auto-instrumentation (the X-Ray SDK annotates itself)', () => {
    for (const options of [{ agent: XRayAgent.adotCollector() }, { auto: false }]) {
      const app = new App();
      const stack = cloudWatchService(app, options);
      operationGroups(stack);
      expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('annotationsNotIndexed'))).toHaveLength(0);
    }
  });

  test('the warning can be acknowledged by its id', () => {
    const app = new App();
    const stack = cloudWatchService(app);
    operationGroups(stack);
    CoreAnnotations.of(stack).acknowledgeWarning('@cdk-xray-ecs/sidecar:annotationsNotIndexed', 'the app sets aws.xray.annotations');
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('annotationsNotIndexed'))).toHaveLength(0);
  });
});
