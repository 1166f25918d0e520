import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AfirgenStack } from '../../lib-examples/afirgen/afirgen-stack';
import { AutoInstrumentation, XRayAgent, XRayTracingChecks } from '../../src';
import { validateXRayResources } from '../helpers/cfn-schema';
import { awsSolutionsFindings, findingsUnder, nagFindings } from '../helpers/nag';

const ROOT = path.resolve(__dirname, '..', '..');

function appContainerEnv(template: Template, serviceName: string): Record<string, string> {
  for (const td of Object.values(template.findResources('AWS::ECS::TaskDefinition'))) {
    for (const def of td.Properties.ContainerDefinitions as Array<{ Environment?: Array<{ Name: string; Value: string }> }>) {
      const env = Object.fromEntries((def.Environment ?? []).map((kv) => [kv.Name, kv.Value]));
      if (env.AWS_XRAY_TRACING_NAME === serviceName) return env;
    }
  }
  throw new Error(`no container traced as ${serviceName}`);
}

function ruleRates(template: Template): Record<string, number> {
  return Object.fromEntries(Object.values(template.findResources('AWS::XRay::SamplingRule'))
    .map((r) => [r.Properties.SamplingRule.ServiceName, r.Properties.SamplingRule.FixedRate]));
}

function synthStack(context: Record<string, string> = {}): { app: App; stack: AfirgenStack } {
  const app = new App({ context });
  const stack = new AfirgenStack(app, 'AfirgenTracing');
  return { app, stack };
}

/**
 * The example with no context and no tracing variables in the environment, synthesized once for
 * the tests that only read its template (the nag tests add aspects, so they build their own).
 */
let defaultExample: { stack: AfirgenStack; template: Template } | undefined;
function defaultTemplate(): { stack: AfirgenStack; template: Template } {
  if (!defaultExample) {
    const saved = process.env.XRAY_SAMPLING_RATE;
    delete process.env.XRAY_SAMPLING_RATE;
    try {
      const { stack } = synthStack();
      defaultExample = { stack, template: Template.fromStack(stack) };
    } finally {
      if (saved !== undefined) process.env.XRAY_SAMPLING_RATE = saved;
    }
  }
  return defaultExample;
}

describe('AFIRGen example app', () => {
  const saved = process.env.XRAY_SAMPLING_RATE;
  beforeEach(() => { delete process.env.XRAY_SAMPLING_RATE; });
  afterAll(() => { if (saved === undefined) delete process.env.XRAY_SAMPLING_RATE; else process.env.XRAY_SAMPLING_RATE = saved; });

  test('three traced services, one rule each at 10 %, and the runbook\'s groups', () => {
    const { template } = defaultTemplate();
    expect(ruleRates(template)).toEqual({ 'afirgen-main-backend': 0.1, 'afirgen-gguf-server': 0.1, 'afirgen-asr-ocr-server': 0.1 });
    const groups = Object.values(template.findResources('AWS::XRay::Group')).map((g) => g.Properties.FilterExpression).sort();
    expect(groups).toEqual([
      'annotation.endpoint = "/process"',
      'annotation.model_name = "summariser"',
      'service("afirgen-main-backend") AND (error = true OR fault = true)',
      'service("afirgen-main-backend") AND responsetime > 5',
    ]);
    expect(appContainerEnv(template, 'afirgen-gguf-server')).toMatchObject({
      XRAY_DAEMON_ADDRESS: 'xray-daemon:2000', AWS_XRAY_DAEMON_ADDRESS: 'tcp:xray-daemon:2000 udp:xray-daemon:2000',
    });
    expect(appContainerEnv(template, 'afirgen-main-backend')).toMatchObject({ XRAY_DAEMON_ADDRESS: '127.0.0.1:2000', XRAY_SAMPLING_RATE: '0.1' });
  });

  test('Transaction Search at 1 % with 7 days of spans, and the preset\'s two alarms on every span (item 3), on the alarm topic', () => {
    const { stack, template } = defaultTemplate();
    template.hasResourceProperties('AWS::XRay::TransactionSearchConfig', { IndexingPercentage: 1 });
    template.hasResourceProperties('Custom::LogRetention', { LogGroupName: 'aws/spans', RetentionInDays: 7 });
    const topicRef = { Ref: stack.getLogicalId(stack.alarmTopic.node.defaultChild as CfnElement) };
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    // At 1 % indexing no alarm watches a group's ApproximateTraceCount: both count spans in aws/spans.
    expect(alarms.map((a) => [a.Properties.Namespace, a.Properties.MetricName, a.Properties.Dimensions[0].Value, a.Properties.AlarmActions]).sort())
      .toEqual([
        ['AfirgenTracing/Spans', 'ErrorSpans', 'afirgen-main-backend', [topicRef]],
        ['AfirgenTracing/Spans', 'SlowSpans', 'afirgen-main-backend', [topicRef]],
      ]);
    template.resourceCountIs('AWS::Logs::MetricFilter', 2);
  });

  test('transactionSearch: false leaves Transaction Search out (another stack of the account has it)', () => {
    const app = new App();
    const stack = new AfirgenStack(app, 'AfirgenTracing', { transactionSearch: false });
    Template.fromStack(stack).resourceCountIs('AWS::XRay::TransactionSearchConfig', 0);
    expect(stack.transactionSearch).toBeUndefined();
  });

  test('the main backend is moved to AutoInstrumentation.python() on the ADOT collector; the other two keep their SDK', () => {
    const { template } = defaultTemplate();
    expect(appContainerEnv(template, 'afirgen-main-backend')).toMatchObject({
      PYTHONPATH: '/otel-auto-instrumentation-python/opentelemetry/instrumentation/auto_instrumentation:/otel-auto-instrumentation-python',
      OTEL_PYTHON_DISTRO: 'aws_distro',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces',
      OTEL_TRACES_SAMPLER: 'xray',
    });
    for (const s of ['afirgen-gguf-server', 'afirgen-asr-ocr-server']) expect(appContainerEnv(template, s).PYTHONPATH).toBeUndefined();
    const inits = Object.values(template.findResources('AWS::ECS::TaskDefinition'))
      .flatMap((td) => td.Properties.ContainerDefinitions as Array<{ Name: string; Image: string }>)
      .filter((c) => c.Name.endsWith('-adot-init'))
      .map((c) => c.Image);
    expect(inits).toEqual([`public.ecr.aws/aws-observability/adot-autoinstrumentation-python:${AutoInstrumentation.DEFAULT_PYTHON_VERSION}`]);
  });

  test('with the daemon the example keeps the X-Ray SDK on every service (no auto-instrumentation)', () => {
    const app = new App();
    const template = Template.fromStack(new AfirgenStack(app, 'Daemon', { agent: XRayAgent.daemon({ endOfLifeNotice: false }) }));
    expect(appContainerEnv(template, 'afirgen-main-backend').PYTHONPATH).toBeUndefined();
  });

  test('XRAY_SAMPLING_RATE=0.05 in the synth environment makes a 5 % app', () => {
    process.env.XRAY_SAMPLING_RATE = '0.05';
    const template = Template.fromStack(synthStack().stack);
    expect(Object.values(ruleRates(template))).toEqual([0.05, 0.05, 0.05]);
    for (const s of ['afirgen-main-backend', 'afirgen-gguf-server', 'afirgen-asr-ocr-server']) {
      expect(appContainerEnv(template, s).XRAY_SAMPLING_RATE).toBe('0.05');
    }
  });

  test('-c xray:samplingRate=0.05 makes a 5 % app, and wins over the environment', () => {
    process.env.XRAY_SAMPLING_RATE = '0.2';
    const template = Template.fromStack(synthStack({ 'xray:samplingRate': '0.05' }).stack);
    expect(Object.values(ruleRates(template))).toEqual([0.05, 0.05, 0.05]);
    expect(appContainerEnv(template, 'afirgen-asr-ocr-server').XRAY_SAMPLING_RATE).toBe('0.05');
  });

  test('throws naming the variable for XRAY_SAMPLING_RATE=abc', () => {
    process.env.XRAY_SAMPLING_RATE = 'abc';
    expect(() => synthStack()).toThrow(/XRAY_SAMPLING_RATE.*"abc"/);
  });

  test('cdk-nag AwsSolutions: no finding under the library\'s constructs', () => {
    const { stack } = synthStack();
    const findings = awsSolutionsFindings(stack);
    for (const construct of [stack.tracing, stack.mainBackend, stack.asrOcrServer, stack.ggufServer, stack.transactionSearch!, stack.alarmTopic]) {
      expect(findingsUnder(findings, construct.node.path)).toEqual([]);
    }
  });

  test('XRayTracingChecks: zero findings with the default (ADOT) agent', () => {
    const { app } = synthStack();
    expect(nagFindings(app, new XRayTracingChecks())).toEqual([]);
  });

  test('XRayTracingChecks reports the daemon\'s end of support when the example runs the daemon', () => {
    const app = new App();
    new AfirgenStack(app, 'AfirgenTracing', { agent: XRayAgent.daemon() });
    const ids = nagFindings(app, new XRayTracingChecks()).map((f) => f.ruleId);
    expect(ids).toEqual(['XRayTracing-DaemonMaintenance', 'XRayTracing-DaemonMaintenance', 'XRayTracing-DaemonMaintenance']);
  });

  test('every X-Ray resource validates against the registry schemas', () => {
    const report = validateXRayResources(defaultTemplate().template.toJSON());
    expect(report).toEqual({ checked: 8, problems: [] });
  });

  test('snapshot', () => {
    expect(defaultTemplate().template.toJSON()).toMatchSnapshot();
  });
});

describe('npx cdk synth of the example (the README\'s main job)', () => {
  function cdkSynth(args: string[], extraEnv: Record<string, string>): Template {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'afirgen-synth-'));
    const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
    for (const name of ['XRAY_ENABLED', 'XRAY_SAMPLING_RATE', 'XRAY_CONTEXT_MISSING']) {
      if (!(name in extraEnv)) delete env[name];
    }
    try {
      const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', out, ...args], {
        cwd: ROOT, env, encoding: 'utf-8', timeout: 120_000,
      });
      expect({ status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({ status: 0, stderr: '' });
      const json = JSON.parse(fs.readFileSync(path.join(out, 'AfirgenTracing.template.json'), 'utf-8'));
      return Template.fromJSON(json);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }

  test('XRAY_SAMPLING_RATE=0.05 npx cdk synth yields rules and env at 0.05', () => {
    const template = cdkSynth([], { XRAY_SAMPLING_RATE: '0.05' });
    expect(Object.values(ruleRates(template))).toEqual([0.05, 0.05, 0.05]);
    expect(appContainerEnv(template, 'afirgen-main-backend').XRAY_SAMPLING_RATE).toBe('0.05');
  });

  test('npx cdk synth -c xray:samplingRate=0.05 yields rules and env at 0.05', () => {
    const template = cdkSynth(['-c', 'xray:samplingRate=0.05'], {});
    expect(Object.values(ruleRates(template))).toEqual([0.05, 0.05, 0.05]);
    expect(appContainerEnv(template, 'afirgen-gguf-server').XRAY_SAMPLING_RATE).toBe('0.05');
  });
});
