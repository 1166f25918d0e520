import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { XRayTracingChecks } from '../../../src/checks/xray-tracing-checks';
import { XRayTracingRule } from '../../../src/checks/xray-tracing-rule';
import { XRayAgent } from '../../../src/sidecar/xray-agent';
import { createStack } from '../../helpers/app';
import { DAEMON_IMAGE, fargateTask, pathsOf, trace } from '../fixtures';

const RULE = XRayTracingRule.DAEMON_MAINTENANCE;

describe('XRayTracing-DaemonMaintenance', () => {
  test('fires for an XRaySidecar running the daemon (the default agent)', () => {
    const { stack } = createStack();
    const { taskDefinition, app } = fargateTask(stack);
    trace(taskDefinition, app);
    expect(pathsOf(stack, RULE)).toEqual(['TestStack/Task/Resource']);
  });

  test('fires for a mirrored daemon and for the Docker Hub image', () => {
    const { stack } = createStack();
    fargateTask(stack, 'Mirror').taskDefinition.addContainer('Agent', {
      image: ecs.ContainerImage.fromRegistry('mirror.example.com/xray/aws-xray-daemon:3.6.6'), essential: false,
    });
    const { taskDefinition, app } = fargateTask(stack, 'Hub');
    trace(taskDefinition, app, XRayAgent.daemon({ repository: 'amazon/aws-xray-daemon' }));
    expect(pathsOf(stack, RULE).sort()).toEqual(['TestStack/Hub/Resource', 'TestStack/Mirror/Resource']);
  });

  test('is a warning whose message says how to switch agents', () => {
    const { app: cdkApp, stack } = createStack();
    const { taskDefinition, app } = fargateTask(stack);
    trace(taskDefinition, app);
    cdkApp.synth();
    const report = new XRayTracingChecks().validateScope(stack);
    const violation = report.violations.find((v) => v.ruleName === RULE)!;
    expect(violation.severity).toBe('warning');
    expect(violation.description).toContain('agent: XRayAgent.cloudWatchAgent()');
    expect(violation.description).toContain('2027-02-25');
  });

  test('does not fire for the CloudWatch agent or the ADOT collector', () => {
    const { stack } = createStack();
    const cw = fargateTask(stack, 'Cw');
    trace(cw.taskDefinition, cw.app, XRayAgent.cloudWatchAgent());
    fargateTask(stack, 'Adot').taskDefinition.addContainer('Collector', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3'), essential: false,
    });
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test('is off with reportDaemonMaintenance: false', () => {
    const { stack } = createStack();
    const { taskDefinition, app } = fargateTask(stack);
    trace(taskDefinition, app);
    expect(pathsOf(stack, RULE, { reportDaemonMaintenance: false })).toEqual([]);
  });

  test.each([[false], ['false'], ['FALSE'], ['False']])('is off when the context key xray:daemonEndOfLifeNotice is %p, unless asked for', (value) => {
    const app = new App({ context: { 'xray:daemonEndOfLifeNotice': value } });
    const stack = new Stack(app, 'TestStack');
    const { taskDefinition, app: appContainer } = fargateTask(stack);
    trace(taskDefinition, appContainer);
    expect(pathsOf(stack, RULE)).toEqual([]);
    expect(pathsOf(stack, RULE, { reportDaemonMaintenance: true })).toEqual(['TestStack/Task/Resource']);
  });

  test.each([[true], ['TRUE'], ['true']])('is on when the context key xray:daemonEndOfLifeNotice is %p', (value) => {
    const app = new App({ context: { 'xray:daemonEndOfLifeNotice': value } });
    const stack = new Stack(app, 'TestStack');
    const { taskDefinition, app: appContainer } = fargateTask(stack);
    trace(taskDefinition, appContainer);
    expect(pathsOf(stack, RULE)).toEqual(['TestStack/Task/Resource']);
  });

  test('throws for a context value that is not a boolean, naming the key', () => {
    // GIVEN `-c xray:daemonEndOfLifeNotice=no` WHEN checked THEN the pack refuses to guess
    const app = new App({ context: { 'xray:daemonEndOfLifeNotice': 'no' } });
    const stack = new Stack(app, 'TestStack');
    // (a daemon container added by hand: XRaySidecar itself refuses the value when it is created)
    fargateTask(stack).taskDefinition.addContainer('Agent', { image: ecs.ContainerImage.fromRegistry(DAEMON_IMAGE), essential: false });
    expect(() => pathsOf(stack, RULE)).toThrow(/context key xray:daemonEndOfLifeNotice must be true or false .*, got "no"/);
  });

  test('an acknowledgement on the task definition resource suppresses it', () => {
    const { stack } = createStack();
    const { taskDefinition, app } = fargateTask(stack);
    trace(taskDefinition, app);
    Validations.of(taskDefinition.node.defaultChild!).acknowledge({ id: RULE, reason: 'move to the CloudWatch agent planned for Q4' });
    expect(pathsOf(stack, RULE)).toEqual([]);
  });
});
