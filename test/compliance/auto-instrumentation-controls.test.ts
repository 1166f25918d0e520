import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { AutoInstrumentation } from '../../src/sidecar/auto-instrumentation';
import { XRayAgent } from '../../src/sidecar/xray-agent';
import { XRaySidecar } from '../../src/sidecar/xray-sidecar';
import { createStack } from '../helpers/app';
import { CfnTemplate, describeResult, runEcsControls } from '../helpers/cfn-guard';

/*
 * AWS Control Tower's proactive ECS controls over the auto-instrumentation init container, with
 * the ADOT collector (an agent that passes every container control itself) and a compliant app.
 * The init container runs the image's own `cp` as root, once: the task volume it copies into is
 * created root-owned, so a non-root copy could not write there. That is its one documented
 * exception (CT.ECS.PR.3, and CT.ECS.PR.8 in host mode, which asks the same); every other
 * container control passes on it.
 */
const INIT = 'app-adot-init';
const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.12-slim');

function run(networkMode: ecs.NetworkMode | 'fargate') {
  const { stack } = createStack({ env: { account: '111111111111', region: 'eu-west-1' } });
  const taskDefinition = networkMode === 'fargate'
    ? new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 1024, memoryLimitMiB: 4096 })
    : new ecs.Ec2TaskDefinition(stack, 'Task', { networkMode });
  const app = taskDefinition.addContainer('App', {
    containerName: 'app',
    image: IMAGE,
    cpu: 256,
    memoryLimitMiB: 512,
    user: '1000',
    readonlyRootFilesystem: true,
    privileged: false,
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'app' }),
    environment: { APP_MODE: 'compliance' },
  });
  new XRaySidecar(stack, 'XRay', { taskDefinition, agent: XRayAgent.adotCollector() })
    .instrument(app, { serviceName: 'svc', autoInstrumentation: AutoInstrumentation.python() });
  const results = runEcsControls(Template.fromStack(stack).toJSON() as CfnTemplate);
  const errors = results.filter((r) => r.outcome !== 'PASS' && r.outcome !== 'SKIP' && r.outcome !== 'FAIL');
  expect(errors.map(describeResult)).toEqual([]);
  expect(results.length).toBeGreaterThan(0);
  // What fails on a container, as `<control> <container>: <property>`, sorted and unique.
  const lines = results.flatMap((r) => r.violations
    .filter((v) => v.containerName !== undefined)
    .map((v) => `${r.control.controlId} ${v.containerName}: ${v.property}`));
  return [...new Set(lines)].sort();
}

describe('Control Tower ECS controls on the auto-instrumentation init container', () => {
  test('Fargate: only CT.ECS.PR.3 (User) on the init container; the app and the collector pass everything', () => {
    expect(run('fargate')).toEqual([`CT.ECS.PR.3 ${INIT}: User`]);
  });

  test('EC2 host: CT.ECS.PR.3 and CT.ECS.PR.8 (non-root or privileged) on the init container only', () => {
    expect(run(ecs.NetworkMode.HOST)).toEqual([`CT.ECS.PR.3 ${INIT}: User`, `CT.ECS.PR.8 ${INIT}: Privileged`, `CT.ECS.PR.8 ${INIT}: User`]);
  });
});
