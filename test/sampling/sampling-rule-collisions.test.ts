import { App, CfnParameter, Environment, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SamplingRule, SamplingRuleProps, SamplingRuleServiceType } from '../../src/sampling/sampling-rule';

const ACCOUNT = '111111111111';
const REGION = 'us-east-1';

/** An app with a dev and a prod stack, in `devEnv` and `prodEnv` (env-agnostic when undefined). */
function twoStacks(devEnv?: Environment, prodEnv?: Environment): { app: App; dev: Stack; prod: Stack } {
  const app = new App();
  return { app, dev: new Stack(app, 'Dev', { env: devEnv }), prod: new Stack(app, 'Prod', { env: prodEnv }) };
}

const RULE: SamplingRuleProps = { ruleName: 'afirgen-main-backend', priority: 1000, fixedRate: 0.1, serviceName: 'afirgen-main-backend' };

describe('SamplingRule names across the app', () => {
  test('throws for one ruleName in a dev and a prod stack of one account and Region, naming both paths, the name and the fix', () => {
    // GIVEN a dev and a prod stack in account 111111111111, us-east-1, each with the same explicit name
    const { app, dev, prod } = twoStacks({ account: ACCOUNT, region: REGION }, { account: ACCOUNT, region: REGION });
    new SamplingRule(dev, 'Rule', RULE);
    new SamplingRule(prod, 'Rule', { ...RULE, urlPath: '/other' });

    // WHEN synthesized THEN the deploy-time collision is a synth error
    let message = '';
    try {
      app.synth();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/ruleName "afirgen-main-backend" of Prod\/Rule is also the ruleName of Dev\/Rule/);
    expect(message).toMatch(/both deploy to account 111111111111 in us-east-1/);
    expect(message).toMatch(/Fix: give one of them a different ruleName/);
    // reported once, not once per rule
    expect(message.match(/is also the ruleName of/g)).toHaveLength(1);
  });

  test('throws from Template.fromStack too', () => {
    const { dev, prod } = twoStacks({ account: ACCOUNT, region: REGION }, { account: ACCOUNT, region: REGION });
    new SamplingRule(dev, 'Rule', RULE);
    new SamplingRule(prod, 'Rule', { ...RULE, urlPath: '/other' });
    expect(() => Template.fromStack(dev)).toThrow(/\[Prod\/Rule\] ruleName "afirgen-main-backend" of Prod\/Rule is also the ruleName of Dev\/Rule/);
  });

  test.each([
    ['accounts', { account: '222222222222', region: REGION }],
    ['Regions', { account: ACCOUNT, region: 'eu-west-1' }],
  ])('passes for one ruleName in stacks of different %s', (_what, prodEnv) => {
    const { app, dev, prod } = twoStacks({ account: ACCOUNT, region: REGION }, prodEnv);
    new SamplingRule(dev, 'Rule', RULE);
    new SamplingRule(prod, 'Rule', RULE);
    expect(() => app.synth()).not.toThrow();
  });

  test('throws for one ruleName in two env-agnostic stacks: they may deploy to the same account and Region', () => {
    const { app, dev, prod } = twoStacks();
    new SamplingRule(dev, 'Rule', RULE);
    new SamplingRule(prod, 'Rule', { ...RULE, urlPath: '/other' });
    expect(() => app.synth()).toThrow(/of Prod\/Rule is also the ruleName of Dev\/Rule, and their stacks do not both name an account and a Region \(environment-agnostic\)/);
  });

  test('throws for one ruleName in an env-agnostic stack and a stack with an environment', () => {
    const { app, dev, prod } = twoStacks(undefined, { account: ACCOUNT, region: REGION });
    new SamplingRule(dev, 'Rule', RULE);
    new SamplingRule(prod, 'Rule', { ...RULE, urlPath: '/other' });
    expect(() => app.synth()).toThrow(/of Prod\/Rule is also the ruleName of Dev\/Rule/);
  });

  test('throws for one ruleName twice in one stack', () => {
    const { app, dev } = twoStacks();
    new SamplingRule(dev, 'A', RULE);
    new SamplingRule(dev, 'B', { ...RULE, host: 'api.example.com' });
    expect(() => app.synth()).toThrow(/\[Dev\/B\] ruleName "afirgen-main-backend" of Dev\/B is also the ruleName of Dev\/A/);
  });

  test('passes for generated names: the same rule in dev and prod gets two names', () => {
    const { app, dev, prod } = twoStacks({ account: ACCOUNT, region: REGION }, { account: ACCOUNT, region: REGION });
    const props = { priority: 1000, fixedRate: 0.1, serviceName: 'afirgen-main-backend' };
    new SamplingRule(dev, 'Rule', props);
    new SamplingRule(prod, 'Rule', { ...props, urlPath: '/other' });
    expect(() => app.synth()).not.toThrow();
  });

  test('skips names that are tokens', () => {
    const { app, dev } = twoStacks();
    const name = new CfnParameter(dev, 'Name').valueAsString;
    new SamplingRule(dev, 'A', { ...RULE, ruleName: name });
    new SamplingRule(dev, 'B', { ...RULE, ruleName: name, urlPath: '/other' });
    expect(() => app.synth()).not.toThrow();
  });

  test('sees a rule added after a first synth', () => {
    // GIVEN an app synthesized once, clean
    const { app, dev, prod } = twoStacks();
    new SamplingRule(dev, 'Rule', RULE);
    expect(() => app.synth()).not.toThrow();
    // WHEN a colliding rule is added THEN the next synth sees it
    new SamplingRule(prod, 'Rule', { ...RULE, urlPath: '/other' });
    expect(() => app.synth({ force: true })).toThrow(/of Prod\/Rule is also the ruleName of Dev\/Rule/);
  });

  test('walks the app once per synth, however many rules it has', () => {
    // GIVEN apps with 2 and with 60 rules
    const walks = (rules: number): number => {
      const app = new App();
      const stack = new Stack(app, 'Many');
      for (let i = 0; i < rules; i++) new SamplingRule(stack, `Rule${i}`, { priority: i + 1, fixedRate: 0.1, serviceName: `service-${i}` });
      const findAll = jest.spyOn(app.node, 'findAll');
      app.synth();
      const calls = findAll.mock.calls.length;
      findAll.mockRestore();
      return calls;
    };
    // THEN the root is walked as often for 60 rules as for 2 (not once per rule)
    expect(walks(60)).toBe(walks(2));
  });
});

describe('SamplingRules that match the same requests', () => {
  test('throws naming both paths and which one wins, on the rule that never matches', () => {
    // GIVEN a traced service's rule and a preset's rule for one service, in one account and Region
    const { app, dev, prod } = twoStacks({ account: ACCOUNT, region: REGION }, { account: ACCOUNT, region: REGION });
    new SamplingRule(dev, 'ServiceRule', { priority: 1000, fixedRate: 0.1, serviceName: 'afirgen-main-backend' });
    new SamplingRule(prod, 'PresetRule', {
      ruleName: 'preset-main-backend', priority: 100, fixedRate: 0.05, serviceName: 'afirgen-main-backend', serviceType: SamplingRuleServiceType.ANY,
    });
    // WHEN synthesized THEN
    expect(() => app.synth()).toThrow(
      /\[Dev\/ServiceRule\] sampling rule Dev\/ServiceRule never matches a request: it and Prod\/PresetRule match exactly the same requests \(serviceName "afirgen-main-backend", .*\), and both deploy to account 111111111111 in us-east-1; Prod\/PresetRule wins because its priority 100 is lower than 1000/,
    );
  });

  test('between equal priorities, names the one X-Ray orders first', () => {
    const { app, dev } = twoStacks();
    new SamplingRule(dev, 'B', { ruleName: 'b-rule', priority: 10, fixedRate: 0.1, serviceName: 'svc' });
    new SamplingRule(dev, 'A', { ruleName: 'a-rule', priority: 10, fixedRate: 0.1, serviceName: 'svc' });
    expect(() => app.synth()).toThrow(/\[Dev\/B\] sampling rule Dev\/B never matches a request: .*Dev\/A wins because both have priority 10 and X-Ray then orders rules by name, "a-rule" first/);
  });

  test('compares as X-Ray matches: letter case does not make two rules different', () => {
    const { app, dev } = twoStacks();
    new SamplingRule(dev, 'Upper', { priority: 1, fixedRate: 0.1, serviceName: 'Afirgen-Main-Backend', httpMethod: 'GET' });
    new SamplingRule(dev, 'Lower', { priority: 2, fixedRate: 0.1, serviceName: 'afirgen-main-backend', httpMethod: 'get' });
    expect(() => app.synth()).toThrow(/sampling rule Dev\/Lower never matches a request/);
  });

  test('says the higher priority number loses when priorities are deploy-time values', () => {
    const { app, dev } = twoStacks();
    const priority = new CfnParameter(dev, 'Priority', { type: 'Number' }).valueAsNumber;
    new SamplingRule(dev, 'A', { priority, fixedRate: 0.1, serviceName: 'svc' });
    new SamplingRule(dev, 'B', { priority: 5, fixedRate: 0.1, serviceName: 'svc' });
    expect(() => app.synth()).toThrow(
      /\[Dev\/B\] sampling rules Dev\/A and Dev\/B match exactly the same requests .*: the one with the higher priority number at deploy time never matches a request/,
    );
  });

  test.each<[string, Partial<SamplingRuleProps>]>([
    ['serviceName', { serviceName: 'afirgen-gguf-server' }],
    ['serviceType', { serviceType: SamplingRuleServiceType.ECS_CONTAINER }],
    ['host', { host: 'api.example.com' }],
    ['httpMethod', { httpMethod: 'POST' }],
    ['urlPath', { urlPath: '/health' }],
    ['resourceArn', { resourceArn: 'arn:aws:apigateway:us-east-1::/restapis/abc/stages/prod' }],
    ['attributes', { attributes: { tier: 'gold' } }],
  ])('passes when the rules differ in %s', (_what, difference) => {
    const { app, dev } = twoStacks();
    new SamplingRule(dev, 'A', { priority: 1, fixedRate: 0.1, serviceName: 'afirgen-main-backend' });
    new SamplingRule(dev, 'B', { priority: 2, fixedRate: 0.1, serviceName: 'afirgen-main-backend', ...difference });
    expect(() => app.synth()).not.toThrow();
  });

  test('passes when the rules deploy to different accounts', () => {
    const { app, dev, prod } = twoStacks({ account: ACCOUNT, region: REGION }, { account: '222222222222', region: REGION });
    new SamplingRule(dev, 'A', { priority: 1, fixedRate: 0.1, serviceName: 'svc' });
    new SamplingRule(prod, 'A', { priority: 1, fixedRate: 0.1, serviceName: 'svc' });
    expect(() => app.synth()).not.toThrow();
  });

  test('skips match values that are tokens', () => {
    const { app, dev } = twoStacks();
    const service = new CfnParameter(dev, 'Service').valueAsString;
    new SamplingRule(dev, 'A', { priority: 1, fixedRate: 0.1, serviceName: service });
    new SamplingRule(dev, 'B', { priority: 2, fixedRate: 0.1, serviceName: service });
    expect(() => app.synth()).not.toThrow();
  });
});

describe('issue 24 item 6: the overlap error names the fix that applies', () => {
  test('throws for two stages in one account with one service name, naming the stage-prefix fix', () => {
    // GIVEN a dev and a prod stack in one account and Region whose services trace under one name
    const { app, dev, prod } = twoStacks({ account: ACCOUNT, region: REGION }, { account: ACCOUNT, region: REGION });
    new SamplingRule(dev, 'Rule', { ruleName: 'dev-orders', priority: 1000, fixedRate: 1, serviceName: 'orders-api' });
    new SamplingRule(prod, 'Rule', { ruleName: 'prod-orders', priority: 1001, fixedRate: 0.05, serviceName: 'orders-api' });
    // WHEN synthesized THEN the hint is the per-stage service name, not "turn one off"
    expect(() => app.synth()).toThrow(/Prod\/Rule never matches a request.*Fix: when the two stacks are two stages \(dev and prod\) in one account and Region, give each stage its own service names \(a stage prefix: dev-orders-api and prod-orders-api/);
    expect(() => app.synth()).not.toThrow(/turn the service's own rule off/);
  });

  test('throws for two rules for one service in one stack, naming the keep-one fix', () => {
    const { app, dev } = twoStacks();
    new SamplingRule(dev, 'Shared', { ruleName: 'shared', priority: 100, fixedRate: 0.1, serviceName: 'orders-api' });
    new SamplingRule(dev, 'Own', { ruleName: 'own', priority: 200, fixedRate: 0.1, serviceName: 'orders-api' });
    expect(() => app.synth()).toThrow(/Dev\/Own never matches a request.*Fix: keep one rule per service: pass the shared rule to the service as samplingRule\.existingRule, or turn the service's own rule off/);
  });
});
