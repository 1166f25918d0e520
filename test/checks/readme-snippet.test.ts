import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { APP_IMAGE, DAEMON_IMAGE, fargateTask, samplingRule, trace } from './fixtures';
import { XRayTracingChecks, XRayTracingChecksProps } from '../../src/checks/xray-tracing-checks';
import { XRayTracingRule } from '../../src/checks/xray-tracing-rule';

/** What `validation-report.json` holds (the parts read here; aws-cdk-lib 2.258 and later). */
interface ReportJson {
  readonly pluginReports: ReadonlyArray<{
    readonly pluginName: string;
    readonly conclusion: string;
    readonly violations: ReadonlyArray<{ readonly ruleName: string; readonly severity: string }>;
  }>;
}

/** How a synth with the pack registered went: the exit code CDK set, its report, what it printed. */
interface SynthOutcome {
  readonly exitCode: number | string | undefined;
  readonly report: ReportJson;
  readonly printed: string;
}

/**
 * Builds an app, registers the pack as the README does, and synthesizes it. With
 * `@aws-cdk/core:failSynthOnValidationErrors` at its default, a failed report does not throw:
 * CDK prints the report and sets `process.exitCode = 1` (so `cdk synth` fails). Both are
 * captured here and the exit code put back.
 */
function synthLikeTheReadme(build: (stack: Stack) => void, props: XRayTracingChecksProps = { maxFixedRate: 0.5 }): SynthOutcome {
  const app = new App();
  build(new Stack(app, 'TestStack'));
  Validations.of(app).addPlugins(new XRayTracingChecks(app, props));

  const printed: string[] = [];
  const log = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    printed.push(args.map(String).join(' '));
  });
  const exitCodeBefore = process.exitCode;
  process.exitCode = undefined;
  let directory: string;
  let exitCode: number | string | undefined;
  try {
    directory = app.synth().directory;
  } finally {
    exitCode = process.exitCode;
    process.exitCode = exitCodeBefore;
    log.mockRestore();
  }
  const report = JSON.parse(fs.readFileSync(path.join(directory, 'validation-report.json'), 'utf-8')) as ReportJson;
  return { exitCode, report, printed: printed.join('\n') };
}

/** The pack's report in the file: its status and `rule severity` pairs. */
function packReport(outcome: SynthOutcome): { status: string; findings: string[] } {
  const plugin = outcome.report.pluginReports.find((r) => r.pluginName === 'XRayTracing');
  if (plugin === undefined) throw new Error(`no XRayTracing report in ${JSON.stringify(outcome.report)}`);
  return { status: plugin.conclusion, findings: plugin.violations.map((v) => `${v.ruleName} ${v.severity}`).sort() };
}

/** A Fargate task traced with the default agent (the X-Ray daemon), and its service's sampling rule. */
function daemonTracedApp(stack: Stack): void {
  const { taskDefinition, app } = fargateTask(stack, 'Api');
  trace(taskDefinition, app); // no agent given: the X-Ray daemon
  samplingRule(stack, 'ApiRule', 0.1);
}

describe('the README\'s checks snippet works as shown', () => {
  test('with the default agent, app.synth() does not throw or fail, and the daemon\'s end of support is a warning', () => {
    // GIVEN an app traced with the X-Ray daemon, and `Validations.of(app).addPlugins(new XRayTracingChecks(app, { maxFixedRate: 0.5 }))`
    // WHEN synthesized
    let outcome: SynthOutcome | undefined;
    expect(() => {
      outcome = synthLikeTheReadme(daemonTracedApp);
    }).not.toThrow();

    // THEN the report holds the finding as a warning, and the synth succeeds
    const { status, findings } = packReport(outcome!);
    expect(findings).toEqual([`${XRayTracingRule.DAEMON_MAINTENANCE} warning`]);
    expect(status).toBe('success');
    expect(outcome!.exitCode).toBeUndefined();
    expect(outcome!.printed).not.toContain('Validation failed');
  });

  test('every warning at once still lets the synth succeed: fixed rate, end of support, sampling rule', () => {
    const outcome = synthLikeTheReadme((stack) => {
      const { taskDefinition, app } = fargateTask(stack, 'Api');
      trace(taskDefinition, app);
      samplingRule(stack, 'Everything', 1); // for afirgen-main-backend, at rate 1: too high, and not the app's 0.1
    });
    const { status, findings } = packReport(outcome);
    expect(findings).toEqual([
      `${XRayTracingRule.DAEMON_MAINTENANCE} warning`,
      `${XRayTracingRule.FIXED_RATE_TOO_HIGH} warning`,
      `${XRayTracingRule.SAMPLING_RULE_MISSING} warning`,
    ]);
    expect(status).toBe('success');
    expect(outcome.exitCode).toBeUndefined();
  });

  test('failOnWarnings makes the warnings fail the synth', () => {
    const outcome = synthLikeTheReadme(daemonTracedApp, { maxFixedRate: 0.5, failOnWarnings: true });
    expect(packReport(outcome).status).toBe('failure');
    expect(outcome.exitCode).toBe(1);
  });

  test.each<[string, string, (stack: Stack) => void]>([
    ['a task definition with no agent', XRayTracingRule.AGENT_MISSING, (stack) => {
      daemonTracedApp(stack);
      fargateTask(stack, 'Untraced');
    }],
    ['an agent the app cannot reach', XRayTracingRule.DAEMON_ADDRESS_UNREACHABLE, (stack) => {
      daemonTracedApp(stack);
      const { taskDefinition, app } = fargateTask(stack, 'HandMade');
      taskDefinition.addContainer('Agent', { image: ecs.ContainerImage.fromRegistry(DAEMON_IMAGE), essential: false });
      app.addEnvironment('AWS_XRAY_DAEMON_ADDRESS', 'xray-daemon:2000'); // awsvpc: the agent is on 127.0.0.1
    }],
    ['a task role that cannot read sampling rules', XRayTracingRule.SAMPLING_RULES_UNREADABLE, (stack) => {
      daemonTracedApp(stack);
      const { taskDefinition } = fargateTask(stack, 'WriteOnly');
      taskDefinition.addContainer('Agent', { image: ecs.ContainerImage.fromRegistry(DAEMON_IMAGE), essential: false });
      taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({ actions: ['xray:PutTraceSegments'], resources: ['*'] }));
    }],
  ])('%s still fails the synth (an error-level finding)', (_what, rule, build) => {
    // GIVEN the same registration WHEN the app has an error-level finding THEN CDK fails the synth
    const outcome = synthLikeTheReadme(build);
    const { status, findings } = packReport(outcome);
    expect(findings).toContain(`${rule} error`);
    expect(status).toBe('failure');
    expect(outcome.exitCode).toBe(1);
    expect(outcome.printed).toContain('Validation failed');
  });

  test('an acknowledged error no longer fails the synth', () => {
    const outcome = synthLikeTheReadme((stack) => {
      daemonTracedApp(stack);
      const { taskDefinition } = fargateTask(stack, 'Untraced');
      Validations.of(taskDefinition.node.defaultChild!).acknowledge({ id: XRayTracingRule.AGENT_MISSING, reason: 'a batch task, traced elsewhere' });
    });
    expect(packReport(outcome).status).toBe('success');
    expect(outcome.exitCode).toBeUndefined();
  });

  test('the app image used here is not an agent', () => {
    // (a guard for the cases above: the "untraced" task really has no agent)
    expect(APP_IMAGE.bind(new Stack(), {} as ecs.ContainerDefinition).imageName).not.toMatch(/xray|cloudwatch-agent|otel/);
  });
});
