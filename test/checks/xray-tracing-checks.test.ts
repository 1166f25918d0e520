import * as fs from 'fs';
import * as path from 'path';
import { App, AspectPriority, Aspects, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as iam from 'aws-cdk-lib/aws-iam';
import { APP_IMAGE, fargateTask, samplingRule, tracingFindings, trace } from './fixtures';
import { XRayTracingChecks } from '../../src/checks/xray-tracing-checks';
import { XRayTracingRule } from '../../src/checks/xray-tracing-rule';
import { TracedFargateService } from '../../src/services/traced-fargate-service';
import { AutoInstrumentation } from '../../src/sidecar/auto-instrumentation';
import { XRayAgent } from '../../src/sidecar/xray-agent';
import { XRaySidecar } from '../../src/sidecar/xray-sidecar';
import { createCluster, createStack } from '../helpers/app';

/** A stack that breaks every rule once. */
function everythingWrong(stack: Stack): void {
  fargateTask(stack, 'Untraced');
  const hand = fargateTask(stack, 'HandMade');
  hand.taskDefinition.addContainer('Agent', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/xray/aws-xray-daemon:latest'), essential: false,
  });
  hand.app.addEnvironment('AWS_XRAY_DAEMON_ADDRESS', 'xray-daemon:2000');
  hand.app.addEnvironment('AWS_XRAY_TRACING_NAME', 'afirgen-hand-made');
  hand.app.addEnvironment('PYTHONPATH', '/otel-auto-instrumentation-python/opentelemetry/instrumentation/auto_instrumentation');
  hand.taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({ actions: ['xray:PutTraceSegments'], resources: ['*'] }));
  samplingRule(stack, 'Everything', 1);
  // Collector-less, in isolated subnets with no X-Ray endpoint.
  const vpc = new ec2.Vpc(stack, 'IsolatedVpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  new TracedFargateService(stack, 'Stranded', {
    cluster: new ecs.Cluster(stack, 'IsolatedCluster', { vpc }),
    serviceName: 'afirgen-stranded',
    image: APP_IMAGE,
    agentless: true,
    autoInstrumentation: AutoInstrumentation.node(),
  });
}

describe('XRayTracingChecks', () => {
  test('is the XRayTracing pack', () => {
    const pack = new XRayTracingChecks();
    expect(pack.name).toBe('XRayTracing');
    expect(pack.readPackName).toBe('XRayTracing');
  });

  test('reports each rule under the id XRayTracingRule names, on the resource it is about', () => {
    const { stack } = createStack();
    everythingWrong(stack);
    const findings = tracingFindings(stack).map((f) => `${f.ruleId} ${f.path}`).sort();
    expect(findings).toEqual([
      'XRayTracing-AgentImageUnpinned TestStack/HandMade/Resource',
      'XRayTracing-AgentMissing TestStack/Untraced/Resource',
      'XRayTracing-AgentlessNoEgress TestStack/Stranded/Service/Service',
      'XRayTracing-DaemonAddressUnreachable TestStack/HandMade/Resource',
      'XRayTracing-DaemonMaintenance TestStack/HandMade/Resource',
      'XRayTracing-FixedRateTooHigh TestStack/Everything',
      'XRayTracing-SamplingRuleMissing TestStack/HandMade/Resource',
      'XRayTracing-SamplingRulesUnreadable TestStack/HandMade/TaskRole/Resource',
      'XRayTracing-XRaySdkBesideOtelAgent TestStack/HandMade/Resource',
    ]);
    expect(new Set(findings.map((f) => f.split(' ')[0]))).toEqual(new Set(Object.values(XRayTracingRule)));
  });

  test('severities: broken tracing is an error, cost, end of support and sampling rules are warnings', () => {
    const { app, stack } = createStack();
    everythingWrong(stack);
    app.synth();
    const severities = Object.fromEntries(new XRayTracingChecks().validateScope(stack).violations.map((v) => [v.ruleName, v.severity]));
    expect(severities).toEqual({
      [XRayTracingRule.AGENT_MISSING]: 'error',
      [XRayTracingRule.AGENT_IMAGE_UNPINNED]: 'error',
      [XRayTracingRule.DAEMON_ADDRESS_UNREACHABLE]: 'error',
      [XRayTracingRule.SAMPLING_RULES_UNREADABLE]: 'error',
      [XRayTracingRule.AGENTLESS_NO_EGRESS]: 'error',
      [XRayTracingRule.FIXED_RATE_TOO_HIGH]: 'warning',
      [XRayTracingRule.DAEMON_MAINTENANCE]: 'warning',
      [XRayTracingRule.SAMPLING_RULE_MISSING]: 'warning',
      [XRayTracingRule.XRAY_SDK_BESIDE_OTEL_AGENT]: 'warning',
    });
  });

  describe('a fully traced stack', () => {
    function traced(agentless = false) {
      const { stack } = createStack();
      const cluster = createCluster(stack);
      const web = new ecsPatterns.ApplicationLoadBalancedFargateService(stack, 'Web', {
        cluster, cpu: 512, memoryLimitMiB: 1024, taskImageOptions: { image: APP_IMAGE },
      });
      const sidecar = new XRaySidecar(stack, 'WebXRay', { taskDefinition: web.taskDefinition, agent: agentless ? undefined : XRayAgent.cloudWatchAgent() });
      sidecar.instrument(web.taskDefinition.defaultContainer!, { serviceName: 'afirgen-main-backend' });
      const gpu = new ecs.Ec2TaskDefinition(stack, 'Gguf', { networkMode: ecs.NetworkMode.BRIDGE });
      const gguf = gpu.addContainer('Gguf', { image: APP_IMAGE, memoryLimitMiB: 1024 });
      trace(gpu, gguf, agentless ? undefined : XRayAgent.cloudWatchAgent());
      samplingRule(stack, 'Backend', 0.1);
      return stack;
    }

    test('has zero findings (sidecar + instrument, Fargate behind an ALB and EC2 bridge)', () => {
      expect(tracingFindings(traced())).toEqual([]);
    });

    test('with the default daemon agent, only the daemon\'s end of support is reported', () => {
      const stack = traced(true);
      expect(tracingFindings(stack).map((f) => f.ruleId)).toEqual([XRayTracingRule.DAEMON_MAINTENANCE, XRayTracingRule.DAEMON_MAINTENANCE]);
      expect(tracingFindings(stack, { reportDaemonMaintenance: false })).toEqual([]);
    });
  });

  test('a deliberately untraced task definition beside a traced one is reported, alone', () => {
    const { stack } = createStack();
    const traced = fargateTask(stack, 'Traced');
    trace(traced.taskDefinition, traced.app, XRayAgent.cloudWatchAgent());
    samplingRule(stack, 'Backend', 0.1);
    fargateTask(stack, 'Untraced');
    expect(tracingFindings(stack)).toEqual([{ ruleId: XRayTracingRule.AGENT_MISSING, path: 'TestStack/Untraced/Resource' }]);
  });

  test('acknowledgements are per resource and per rule', () => {
    const { stack } = createStack();
    everythingWrong(stack);
    const handMade = stack.node.findChild('HandMade') as ecs.FargateTaskDefinition;
    Validations.of(handMade.node.defaultChild!).acknowledge(
      { id: XRayTracingRule.AGENT_IMAGE_UNPINNED, reason: 'sandbox' },
      { id: XRayTracingRule.DAEMON_MAINTENANCE, reason: 'sandbox' },
    );
    const ids = tracingFindings(stack).map((f) => f.ruleId).sort();
    expect(ids).toEqual([
      XRayTracingRule.AGENT_MISSING,
      XRayTracingRule.AGENTLESS_NO_EGRESS,
      XRayTracingRule.DAEMON_ADDRESS_UNREACHABLE,
      XRayTracingRule.FIXED_RATE_TOO_HIGH,
      XRayTracingRule.SAMPLING_RULE_MISSING,
      XRayTracingRule.SAMPLING_RULES_UNREADABLE,
      XRayTracingRule.XRAY_SDK_BESIDE_OTEL_AGENT,
    ]);
  });

  describe('as a CDK validation plugin', () => {
    test('validate() checks the construct tree CDK hands over (aws-cdk-lib 2.258 and later)', () => {
      const { app, stack } = createStack();
      fargateTask(stack, 'Untraced');
      const report = new XRayTracingChecks().validate({ templatePaths: [], appConstruct: app });
      expect(report.success).toBe(false);
      expect(report.violations.map((v) => [v.ruleName, v.violatingResources.map((r) => r.constructPath)])).toEqual([
        [XRayTracingRule.AGENT_MISSING, ['TestStack/Untraced/Resource']],
      ]);
    });

    test('without a scope it still requires the tree, as cdk-nag does', () => {
      const noTree = { templatePaths: [] } as unknown as Parameters<XRayTracingChecks['validate']>[0];
      expect(() => new XRayTracingChecks().validate(noTree)).toThrow(/requires a construct tree/);
    });

    test('Validations.of(app).addPlugins runs it at synth and writes its findings to the report', () => {
      const app = new App({ context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
      const stack = new Stack(app, 'TestStack');
      fargateTask(stack, 'Untraced');
      const traced = fargateTask(stack, 'Traced');
      trace(traced.taskDefinition, traced.app, XRayAgent.cloudWatchAgent());
      samplingRule(stack, 'Backend', 0.1);
      Validations.of(app).addPlugins(new XRayTracingChecks(app));
      const log = jest.spyOn(console, 'error').mockImplementation(() => undefined); // CDK announces the validation run
      const assembly = app.synth();
      log.mockRestore();
      const report = fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf-8');
      expect(report).toContain(XRayTracingRule.AGENT_MISSING);
      expect(report).toContain('TestStack/Untraced/Resource');
      expect(report).not.toContain('TestStack/Traced/Resource');
    });
  });

  // Issue 26: as an aspect, the findings are annotations, which `cdk synth` prints and fails on
  // (test/checks/cdk-synth-gate.test.ts runs the CLI).
  describe('as an aspect (issue 26: checks that stop `cdk synth`)', () => {
    function checkedStack(props = {}): { stack: Stack; untraced: ecs.FargateTaskDefinition } {
      const { app, stack } = createStack();
      const untraced = fargateTask(stack, 'Untraced').taskDefinition;
      const traced = fargateTask(stack, 'Traced');
      trace(traced.taskDefinition, traced.app); // the daemon: a warning-level finding
      samplingRule(stack, 'Backend', 0.1);
      Aspects.of(app).add(new XRayTracingChecks(app, props), { priority: AspectPriority.READONLY });
      return { stack, untraced };
    }

    test('an error-level finding is an error annotation on its resource, naming the rule', () => {
      const { stack } = checkedStack();
      Annotations.fromStack(stack).hasError('/TestStack/Untraced/Resource', Match.stringLikeRegexp(`^${XRayTracingRule.AGENT_MISSING}: .*no tracing agent`));
      expect(Annotations.fromStack(stack).findError('/TestStack/Traced/Resource', Match.anyValue())).toEqual([]);
    });

    test('a warning-level finding is a warning with the id @cdk-xray-ecs/checks:<rule>, unless failOnWarnings', () => {
      const { stack } = checkedStack();
      Annotations.fromStack(stack).hasWarning('/TestStack/Traced/Resource', Match.stringLikeRegexp(`^${XRayTracingRule.DAEMON_MAINTENANCE}: .*\\[ack: @cdk-xray-ecs/checks:${XRayTracingRule.DAEMON_MAINTENANCE}\\]`));

      const strict = checkedStack({ failOnWarnings: true });
      Annotations.fromStack(strict.stack).hasError('/TestStack/Traced/Resource', Match.stringLikeRegexp(`^${XRayTracingRule.DAEMON_MAINTENANCE}: `));
    });

    test('an acknowledged finding adds no annotation', () => {
      const { app, stack } = createStack();
      const untraced = fargateTask(stack, 'Untraced').taskDefinition;
      Validations.of(untraced.node.defaultChild!).acknowledge({ id: XRayTracingRule.AGENT_MISSING, reason: 'traced by the app itself' });
      Aspects.of(app).add(new XRayTracingChecks(app), { priority: AspectPriority.READONLY });
      expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    });
  });
});
