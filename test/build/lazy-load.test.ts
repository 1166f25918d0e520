/**
 * The lazy index's promise, measured on the built package: an app that builds traced services
 * (Fargate and EC2) and synthesizes loads none of the library's other parts (the cdk-nag pack,
 * the cost estimator, trace groups and their filter parser, the aspect, the config reader).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const LIB = path.join(__dirname, '..', '..', 'lib');

/** The lib/ folders an app of traced services must not load. */
const NOT_LOADED = ['checks', 'cost', 'groups', 'aspects', 'config'];

/** The app, run in a fresh Node process: prints the lib/ modules in require.cache after synth. */
const APP = `
  const path = require('path');
  const { App, Stack } = require('aws-cdk-lib');
  const ec2 = require('aws-cdk-lib/aws-ec2');
  const ecs = require('aws-cdk-lib/aws-ecs');
  const lib = ${JSON.stringify(LIB)};
  const { TracedEc2Service, TracedFargateService } = require(lib);
  const app = new App();
  const stack = new Stack(app, 'LazyLoad');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  cluster.addCapacity('Capacity', { instanceType: new ec2.InstanceType('m6i.large'), minCapacity: 1 });
  const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27');
  new TracedFargateService(stack, 'Api', { cluster, serviceName: 'api', image, containerPort: 8080 });
  new TracedEc2Service(stack, 'Worker', { cluster, serviceName: 'worker', image, memoryLimitMiB: 512 });
  const template = app.synth().getStackByName('LazyLoad').template;
  const loaded = Object.keys(require.cache)
    .filter((file) => file.startsWith(lib + path.sep))
    .map((file) => path.relative(lib, file).split(path.sep).join('/'))
    .sort();
  const types = Object.values(template.Resources).map((r) => r.Type);
  process.stdout.write(JSON.stringify({ loaded, services: types.filter((t) => t === 'AWS::ECS::Service').length }));`;

const describeLib = fs.existsSync(path.join(LIB, 'index.js')) ? describe : describe.skip;
describeLib('lazy loading of lib/ (skipped when lib/ is not built: run `npx projen compile`)', () => {
  let out: { loaded: string[]; services: number };
  beforeAll(() => {
    const result = spawnSync(process.execPath, ['-e', APP], { encoding: 'utf-8', timeout: 120_000 });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    out = JSON.parse(result.stdout);
    // What the app loaded, for the record (the test output shows it when an assertion fails too).
    console.log(`lib/ modules loaded by an app of traced services (${out.loaded.length}):\n  ${out.loaded.join('\n  ')}`);
  }, 120_000);

  test('the app built and synthesized both services', () => {
    expect(out.services).toBe(2);
    expect(out.loaded).toEqual(expect.arrayContaining([
      'index.js', 'services/traced-fargate-service.js', 'services/traced-ec2-service.js', 'sidecar/xray-sidecar.js',
    ]));
  });

  test.each(NOT_LOADED)('loads nothing under lib/%s/', (folder) => {
    expect(out.loaded.filter((file) => file.startsWith(`${folder}/`))).toEqual([]);
  });
});
