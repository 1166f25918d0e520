import { App, CfnParameter, Environment, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FilterExpression } from '../../src/groups/filter-expression';
import { TraceGroup, TraceGroupProps } from '../../src/groups/trace-group';
import { createStack } from '../helpers/app';

const ACCOUNT = '111111111111';
const REGION = 'us-east-1';
const ERRORS = FilterExpression.service('afirgen-main-backend').and(FilterExpression.error());

function twoStacks(devEnv?: Environment, prodEnv?: Environment): { app: App; dev: Stack; prod: Stack } {
  const app = new App();
  return { app, dev: new Stack(app, 'Dev', { env: devEnv }), prod: new Stack(app, 'Prod', { env: prodEnv }) };
}

describe('TraceGroup names across the app', () => {
  test('throws for one groupName in a dev and a prod stack of one account and Region, naming both paths, the name and the fix', () => {
    // GIVEN two stacks of account 111111111111 in us-east-1 with the same group
    const { app, dev, prod } = twoStacks({ account: ACCOUNT, region: REGION }, { account: ACCOUNT, region: REGION });
    new TraceGroup(dev, 'Errors', { groupName: 'afirgen-errors', filterExpression: ERRORS });
    new TraceGroup(prod, 'Errors', { groupName: 'afirgen-errors', filterExpression: ERRORS });
    // WHEN synthesized THEN
    let message = '';
    try {
      app.synth();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/\[Prod\/Errors\] groupName "afirgen-errors" of Prod\/Errors is also the groupName of Dev\/Errors, and both deploy to account 111111111111 in us-east-1/);
    expect(message).toMatch(/Fix: give one of them a different groupName/);
    expect(message.match(/is also the groupName of/g)).toHaveLength(1);
  });

  test('throws from Template.fromStack for env-agnostic stacks', () => {
    const { dev, prod } = twoStacks();
    new TraceGroup(dev, 'Errors', { groupName: 'afirgen-errors', filterExpression: ERRORS });
    new TraceGroup(prod, 'Errors', { groupName: 'afirgen-errors', filterExpression: ERRORS });
    expect(() => Template.fromStack(prod)).toThrow(/of Prod\/Errors is also the groupName of Dev\/Errors, and their stacks do not both name an account and a Region/);
  });

  test.each([
    ['accounts', { account: '222222222222', region: REGION }],
    ['Regions', { account: ACCOUNT, region: 'eu-west-1' }],
  ])('passes for one groupName in stacks of different %s', (_what, prodEnv) => {
    const { app, dev, prod } = twoStacks({ account: ACCOUNT, region: REGION }, prodEnv);
    new TraceGroup(dev, 'Errors', { groupName: 'afirgen-errors', filterExpression: ERRORS });
    new TraceGroup(prod, 'Errors', { groupName: 'afirgen-errors', filterExpression: ERRORS });
    expect(() => app.synth()).not.toThrow();
  });

  test('passes for different names, and skips names that are tokens', () => {
    const { app, dev, prod } = twoStacks();
    new TraceGroup(dev, 'Errors', { groupName: 'dev-errors', filterExpression: ERRORS });
    new TraceGroup(prod, 'Errors', { groupName: 'prod-errors', filterExpression: ERRORS });
    const name = new CfnParameter(dev, 'Name').valueAsString;
    new TraceGroup(dev, 'A', { groupName: name, filterExpression: ERRORS });
    new TraceGroup(dev, 'B', { groupName: name, filterExpression: ERRORS });
    expect(() => app.synth()).not.toThrow();
  });
});

describe('TraceGroup from JavaScript (props TypeScript requires, left out)', () => {
  test.each([
    ['groupName', { filterExpression: ERRORS }, /^TestStack\/Group: groupName is required: 1 to 32 letters, digits and -, got undefined$/],
    ['filterExpression', { groupName: 'errors' }, /^TestStack\/Group: filterExpression is required: a FilterExpression/],
  ])('throws for a group without %s', (_what, props, message) => {
    const { stack } = createStack();
    expect(() => new TraceGroup(stack, 'Group', props as unknown as TraceGroupProps)).toThrow(message);
  });

  test('throws for a filter expression given as text', () => {
    const { stack } = createStack();
    const props = { groupName: 'errors', filterExpression: 'error = true' } as unknown as TraceGroupProps;
    expect(() => new TraceGroup(stack, 'Group', props))
      .toThrow(/^TestStack\/Group: filterExpression must be a FilterExpression \(FilterExpression\.parse\(text\), .*\), got "error = true"$/);
  });

  test('throws for insightsEnabled given as a string', () => {
    const { stack } = createStack();
    const props = { groupName: 'errors', filterExpression: ERRORS, insightsEnabled: 'false' } as unknown as TraceGroupProps;
    expect(() => new TraceGroup(stack, 'Group', props)).toThrow(/^TestStack\/Group: insightsEnabled must be true or false, got "false"$/);
  });
});
