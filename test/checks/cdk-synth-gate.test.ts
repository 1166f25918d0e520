import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { XRayTracingRule } from '../../src/checks/xray-tracing-rule';

// Issue 26, "checks that stop `cdk synth`": the real `aws-cdk@2` CLI (the devDependency) runs a
// tiny app against the dev copy of aws-cdk-lib (the peer floor). The app loads the library from
// src/ through ts-node, so no build is needed first.

const REPO = path.resolve(__dirname, '..', '..');
const CDK_CLI = require.resolve('aws-cdk/bin/cdk', { paths: [REPO] });

/** The app: one Fargate task definition, traced or not, checked the way `MODE` says. */
const APP = `
require(${JSON.stringify(require.resolve('ts-node', { paths: [REPO] }))}).register({
  transpileOnly: true, project: ${JSON.stringify(path.join(REPO, 'test', 'tsconfig.json'))},
});
const repoRequire = require('module').createRequire(${JSON.stringify(path.join(REPO, 'package.json'))});
const { App, AspectPriority, Aspects, Stack, Validations } = repoRequire('aws-cdk-lib');
const ecs = repoRequire('aws-cdk-lib/aws-ecs');
const { XRayTracingChecks } = repoRequire('./src/checks/xray-tracing-checks');
const { XRaySidecar } = repoRequire('./src/sidecar/xray-sidecar');

const app = new App();
const stack = new Stack(app, 'Gate');
const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
const container = taskDefinition.addContainer('App', {
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27'),
  memoryLimitMiB: 512,
});
if (process.env.GATE_TRACED === 'true') {
  new XRaySidecar(stack, 'XRay', { taskDefinition }).instrument(container, { serviceName: 'afirgen-main-backend' });
}
if (process.env.GATE_MODE === 'readme-plugins') {
  // The README's cdk-nag 3 snippet: cdk-nag's own pack and this one, as validation plugins.
  const { AwsSolutionsChecks } = repoRequire('cdk-nag');
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new XRayTracingChecks(app));
} else {
  Aspects.of(app).add(new XRayTracingChecks(app), { priority: AspectPriority.READONLY });
}
app.synth();
`;

interface CliRun {
  readonly status: number | null;
  readonly output: string;
}

/** Runs `cdk synth --quiet` on the app in a fresh folder. */
function cdkSynth(env: Record<string, string>): CliRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-synth-gate-'));
  fs.writeFileSync(path.join(dir, 'app.js'), APP);
  const result = spawnSync(process.execPath, [CDK_CLI, 'synth', '--quiet', '--no-notices', '--app', 'node app.js', '--output', 'cdk.out'], {
    cwd: dir,
    env: { ...process.env, ...env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true', CI: 'true' },
    encoding: 'utf-8',
    timeout: 120_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

describe('issue 26: `cdk synth` stops on an error-level finding', () => {
  test('the pack as an aspect: an untraced task definition makes `cdk synth` print the finding and exit non-zero', () => {
    // GIVEN an app whose task definition runs no tracing agent, checked by the pack as an aspect
    // WHEN the aws-cdk@2 CLI synthesizes it
    const run = cdkSynth({ GATE_MODE: 'aspect', GATE_TRACED: 'false' });

    // THEN the CLI prints the finding on the task definition and fails
    expect(run.output).toContain(`${XRayTracingRule.AGENT_MISSING}: The ECS task definition runs no tracing agent`);
    expect(run.output).toMatch(/Gate\/Task\/Resource/);
    expect(run.status).not.toBe(0);
  });

  test('the pack as an aspect: a traced task definition synthesizes with exit 0 (warnings do not fail it)', () => {
    // GIVEN the same app with the sidecar attached (the daemon: a warning-level finding only)
    // WHEN the CLI synthesizes it
    const run = cdkSynth({ GATE_MODE: 'aspect', GATE_TRACED: 'true' });

    // THEN it succeeds and reports no error-level finding
    expect(run.output).not.toContain(XRayTracingRule.AGENT_MISSING);
    expect(run.status).toBe(0);
  });

  test('the README\'s cdk-nag 3 snippet (AwsSolutionsChecks and XRayTracingChecks as plugins) runs at the floor and fails the synth', () => {
    // GIVEN the untraced app with both packs registered as validation plugins
    // WHEN the CLI synthesizes it
    const run = cdkSynth({ GATE_MODE: 'readme-plugins', GATE_TRACED: 'false' });

    // THEN neither pack crashes, both report, and the CLI fails
    expect(run.output).not.toContain('requires a construct tree');
    expect(run.output).toContain(XRayTracingRule.AGENT_MISSING);
    expect(run.output).toMatch(/AwsSolutions-/);
    expect(run.status).not.toBe(0);
  });
});
