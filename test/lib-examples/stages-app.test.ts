import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { StageStack } from '../../lib-examples/stages/stage-stack';

const ROOT = path.resolve(__dirname, '..', '..');
const ENV = { account: '111111111111', region: 'eu-west-1' };

function rules(template: Template): Array<{ ServiceName: string; FixedRate: number; RuleName: string }> {
  return Object.values(template.findResources('AWS::XRay::SamplingRule')).map((r) => r.Properties.SamplingRule);
}

function appEnv(template: Template): Record<string, string> {
  const td = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0].Properties;
  const app = td.ContainerDefinitions.find((c: { Name: string }) => c.Name === 'app');
  return Object.fromEntries(app.Environment.map((kv: { Name: string; Value: string }) => [kv.Name, kv.Value]));
}

describe('dev and prod in one account example', () => {
  function synthBoth() {
    const app = new App();
    const dev = new StageStack(app, 'OrdersDev', { env: ENV, stage: 'dev', samplingRate: 1 });
    const prod = new StageStack(app, 'OrdersProd', { env: ENV, stage: 'prod', samplingRate: 0.05 });
    return { dev: Template.fromStack(dev), prod: Template.fromStack(prod) };
  }

  test('each stage traces under its own name at its own rate; names do not collide', () => {
    const { dev, prod } = synthBoth();
    expect(rules(dev)).toEqual([expect.objectContaining({ ServiceName: 'dev-orders-api', FixedRate: 1 })]);
    expect(rules(prod)).toEqual([expect.objectContaining({ ServiceName: 'prod-orders-api', FixedRate: 0.05 })]);
    expect(rules(dev)[0].RuleName).not.toBe(rules(prod)[0].RuleName);
    expect(appEnv(dev)).toMatchObject({ XRAY_SAMPLING_RATE: '1', AWS_XRAY_TRACING_NAME: 'dev-orders-api' });
    expect(appEnv(prod)).toMatchObject({ XRAY_SAMPLING_RATE: '0.05', AWS_XRAY_TRACING_NAME: 'prod-orders-api' });
    dev.hasResourceProperties('AWS::XRay::Group', { GroupName: 'dev-orders-errors' });
    prod.hasResourceProperties('AWS::XRay::Group', { GroupName: 'prod-orders-errors' });
  });

  test('throws when both stages trace under the same service name in one account (why each stage has its own)', () => {
    const app = new App();
    new StageStack(app, 'A', { env: ENV, stage: 'same', samplingRate: 1 });
    new StageStack(app, 'B', { env: ENV, stage: 'same', samplingRate: 0.05 });
    expect(() => app.synth()).toThrow(/A\/Api\/SamplingRule never matches a request: it and B\/Api\/SamplingRule match exactly the same requests \(serviceName "same-orders-api"/);
  });

  test('the app synthesizes as its own process, both stacks', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'stages-synth-'));
    try {
      const result = spawnSync('npx', ['ts-node', '--transpile-only', '--project', 'lib-examples/tsconfig.json', 'lib-examples/stages/app.ts'], {
        cwd: ROOT, env: { ...process.env, CDK_OUTDIR: out }, encoding: 'utf-8', timeout: 120_000,
      });
      expect({ status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({ status: 0, stderr: '' });
      expect(fs.readdirSync(out).filter((f) => f.endsWith('.template.json')).sort()).toEqual(['OrdersDev.template.json', 'OrdersProd.template.json']);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  test('snapshot', () => {
    const { dev, prod } = synthBoth();
    expect({ dev: dev.toJSON(), prod: prod.toJSON() }).toMatchSnapshot();
  });
});
