import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { GravitonSpotStack, WEB_SERVICE_NAME } from '../../lib-examples/graviton-spot/graviton-spot-stack';
import { awsSolutionsFindings, findingsUnder } from '../helpers/nag';

const ROOT = path.resolve(__dirname, '..', '..');

function synthStack(): GravitonSpotStack {
  return new GravitonSpotStack(new App(), 'GravitonSpot');
}

describe('Graviton + Fargate Spot + ECS Exec example (ecs_patterns with XRaySidecar)', () => {
  test('ARM64 task with the agent, Spot capacity, exec and its SSM permissions, the rule', () => {
    const stack = synthStack();
    const template = Template.fromStack(stack);
    const td = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0].Properties;
    expect(td.RuntimePlatform).toEqual({ CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' });
    const [web, agent] = td.ContainerDefinitions;
    expect(agent.Image).toMatch(/^public\.ecr\.aws\/xray\/aws-xray-daemon:3\.6\.6$/);
    expect(web.Environment).toEqual(expect.arrayContaining([{ Name: 'AWS_XRAY_TRACING_NAME', Value: WEB_SERVICE_NAME }]));
    const service = Object.values(template.findResources('AWS::ECS::Service'))[0].Properties;
    expect(service.LaunchType).toBeUndefined();
    expect(service.EnableExecuteCommand).toBe(true);
    expect(service.CapacityProviderStrategy).toEqual([
      { CapacityProvider: 'FARGATE_SPOT', Weight: 3 },
      { CapacityProvider: 'FARGATE', Weight: 1, Base: 1 },
    ]);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['ssmmessages:CreateControlChannel']) })]) },
    });
    template.hasResourceProperties('AWS::XRay::SamplingRule', { SamplingRule: Match.objectLike({ ServiceName: WEB_SERVICE_NAME, FixedRate: 0.1 }) });
  });

  test('cdk-nag AwsSolutions: nothing under the sidecar or the rule', () => {
    const stack = synthStack();
    const findings = awsSolutionsFindings(stack);
    expect(findingsUnder(findings, stack.xray.node.path)).toEqual([]);
    expect(findingsUnder(findings, stack.samplingRule.node.path)).toEqual([]);
    expect(findingsUnder(findings, `${stack.web.taskDefinition.node.path}/XRayTracing`)).toEqual([]);
  });

  test('the app synthesizes as its own process', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'graviton-synth-'));
    try {
      const result = spawnSync('npx', ['ts-node', '--transpile-only', '--project', 'lib-examples/tsconfig.json', 'lib-examples/graviton-spot/app.ts'], {
        cwd: ROOT, env: { ...process.env, CDK_OUTDIR: out }, encoding: 'utf-8', timeout: 120_000,
      });
      expect({ status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({ status: 0, stderr: '' });
      expect(fs.existsSync(path.join(out, 'GravitonSpot.template.json'))).toBe(true);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  test('snapshot', () => {
    expect(Template.fromStack(synthStack()).toJSON()).toMatchSnapshot();
  });
});
