import { CfnElement, Stack, Tags, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { CfnSamplingRule } from 'aws-cdk-lib/aws-xray';
import { SamplingRule, SamplingRuleProps, SamplingRuleServiceType } from '../../src/sampling/sampling-rule';
import { createStack } from '../helpers/app';
import { validateXRayResources } from '../helpers/cfn-schema';
import { expectError } from '../helpers/messages';

/** The rule's name as the template has it. */
function ruleNames(stack: Stack): string[] {
  const rules = Template.fromStack(stack).findResources('AWS::XRay::SamplingRule');
  return Object.values(rules).map((r) => (r.Properties as { SamplingRule: { RuleName: string } }).SamplingRule.RuleName);
}

function ruleWith(props: Partial<SamplingRuleProps>): void {
  const { stack } = createStack();
  new SamplingRule(stack, 'Rule', { priority: 100, fixedRate: 0.1, ...props });
}

describe('SamplingRule', () => {
  test('renders every match field with its default, version 1 and reservoir 1', () => {
    // GIVEN
    const { stack } = createStack();

    // WHEN
    new SamplingRule(stack, 'Rule', { ruleName: 'main-backend', priority: 1000, fixedRate: 0.1 });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::XRay::SamplingRule', {
      SamplingRule: {
        RuleName: 'main-backend',
        Priority: 1000,
        FixedRate: 0.1,
        ReservoirSize: 1,
        ServiceName: '*',
        ServiceType: '*',
        Host: '*',
        HTTPMethod: '*',
        URLPath: '*',
        ResourceARN: '*',
        Attributes: Match.absent(),
        Version: 1,
      },
    });
  });

  test('renders the match fields it is given', () => {
    const { stack } = createStack();

    new SamplingRule(stack, 'Rule', {
      priority: 5,
      fixedRate: 1,
      reservoirSize: 0,
      serviceName: 'afirgen-main-backend',
      serviceType: SamplingRuleServiceType.ECS_CONTAINER,
      host: 'api.example.com',
      httpMethod: 'POST',
      urlPath: '/process*',
    });

    Template.fromStack(stack).hasResourceProperties('AWS::XRay::SamplingRule', {
      SamplingRule: Match.objectLike({
        Priority: 5,
        FixedRate: 1,
        ReservoirSize: 0,
        ServiceName: 'afirgen-main-backend',
        ServiceType: 'AWS::ECS::Container',
        Host: 'api.example.com',
        HTTPMethod: 'POST',
        URLPath: '/process*',
      }),
    });
  });

  test('service types carry X-Ray origin strings', () => {
    expect(SamplingRuleServiceType.ANY.value).toBe('*');
    expect(SamplingRuleServiceType.ECS_CONTAINER.value).toBe('AWS::ECS::Container');
    expect(SamplingRuleServiceType.EC2_INSTANCE.value).toBe('AWS::EC2::Instance');
    expect(SamplingRuleServiceType.ELASTIC_BEANSTALK_ENVIRONMENT.value).toBe('AWS::ElasticBeanstalk::Environment');
    expect(SamplingRuleServiceType.API_GATEWAY_STAGE.value).toBe('AWS::APIGateway::Stage');
    expect(SamplingRuleServiceType.APPSYNC_GRAPHQL_API.value).toBe('AWS::AppSync::GraphQLAPI');
    expect(SamplingRuleServiceType.of('AWS::ECS::*').toString()).toBe('AWS::ECS::*');
  });

  test('generates names that are stable, unique and at most 32 characters', () => {
    // GIVEN two rules without names, one with a long construct id
    const { stack } = createStack();
    const short = new SamplingRule(stack, 'Rule', { priority: 1, fixedRate: 0.1, urlPath: '/a' });
    const long = new SamplingRule(stack, 'ARuleWithAVeryLongConstructIdThatWouldNotFitInThirtyTwo', { priority: 2, fixedRate: 0.1, urlPath: '/b' });

    // THEN
    const names = ruleNames(stack);
    expect(names).toHaveLength(2);
    expect(new Set(names).size).toBe(2);
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(32);
      expect(name).toMatch(/^[A-Za-z0-9_-]+-[0-9A-F]{8}$/);
    }
    // the readable part is the construct id (no serviceName), cut to fit; the tail hashes the path
    expect(short.samplingRuleName).toBe('Rule-3795E55D');
    expect(long.samplingRuleName).toMatch(/^ARuleWithAVeryLongConst-[0-9A-F]{8}$/);
    expect(names).toEqual(expect.arrayContaining([short.samplingRuleName, long.samplingRuleName]));

    // AND the same path in a fresh app gives the same name
    const again = createStack();
    new SamplingRule(again.stack, 'Rule', { priority: 1, fixedRate: 0.1 });
    expect(ruleNames(again.stack)).toContain('Rule-3795E55D');
  });

  test('the same construct path in two stacks gives two names', () => {
    const { app, stack } = createStack();
    const other = new Stack(app, 'OtherStack');
    const a = new SamplingRule(stack, 'Rule', { priority: 1, fixedRate: 0.1 });
    const b = new SamplingRule(other, 'Rule', { priority: 1, fixedRate: 0.1 });
    expect(stack.resolve(a.samplingRuleName)).not.toEqual(other.resolve(b.samplingRuleName));
  });

  test('exposes its ARN from RuleARN and its name', () => {
    const { stack } = createStack();
    const rule = new SamplingRule(stack, 'Rule', { ruleName: 'gguf', priority: 1, fixedRate: 0.1 });
    const logicalId = stack.getLogicalId(rule.node.defaultChild as CfnElement);
    expect(stack.resolve(rule.samplingRuleArn)).toEqual({ 'Fn::GetAtt': [logicalId, 'RuleARN'] });
    expect(rule.node.defaultChild).toBeInstanceOf(CfnSamplingRule);
    expect(rule.samplingRuleName).toBe('gguf');
  });

  test('takes tags', () => {
    const { stack } = createStack();
    const rule = new SamplingRule(stack, 'Rule', { priority: 1, fixedRate: 0.1 });
    Tags.of(rule).add('project', 'afirgen');
    Template.fromStack(stack).hasResourceProperties('AWS::XRay::SamplingRule', {
      Tags: [{ Key: 'project', Value: 'afirgen' }],
    });
  });

  test('accepts tokens without validating them', () => {
    const { stack } = createStack();
    const priority = Token.asNumber({ Ref: 'Priority' });
    new SamplingRule(stack, 'Rule', { priority, fixedRate: 0.1, ruleName: Token.asString({ Ref: 'Name' }) });
    Template.fromStack(stack).hasResourceProperties('AWS::XRay::SamplingRule', {
      SamplingRule: Match.objectLike({ Priority: { Ref: 'Priority' }, RuleName: { Ref: 'Name' } }),
    });
  });

  describe('warnings where the X-Ray SDKs ignore the rule', () => {
    test('warns when resourceArn is not *', () => {
      const { stack } = createStack();
      new SamplingRule(stack, 'Rule', { priority: 1, fixedRate: 0.1, resourceArn: 'arn:aws:ecs:eu-west-1:123456789012:service/x' });
      Annotations.fromStack(stack).hasWarning(
        '/TestStack/Rule',
        Match.stringLikeRegexp('resourceArn is "arn:aws:ecs:.*": the X-Ray SDKs only use rules whose resource ARN is "\\*"'),
      );
    });

    test('warns when attributes are set, and renders them', () => {
      const { stack } = createStack();
      new SamplingRule(stack, 'Rule', { priority: 1, fixedRate: 0.1, attributes: { 'x-tenant': 'gold' } });
      Annotations.fromStack(stack).hasWarning(
        '/TestStack/Rule',
        Match.stringLikeRegexp('attributes are set \\(x-tenant\\): the X-Ray SDKs skip rules with attributes'),
      );
      Template.fromStack(stack).hasResourceProperties('AWS::XRay::SamplingRule', {
        SamplingRule: Match.objectLike({ Attributes: { 'x-tenant': 'gold' } }),
      });
    });

    test('does not warn for a rule the SDKs use', () => {
      const { stack } = createStack();
      new SamplingRule(stack, 'Rule', { priority: 1, fixedRate: 0.1, attributes: {} });
      Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
      Template.fromStack(stack).hasResourceProperties('AWS::XRay::SamplingRule', {
        SamplingRule: Match.objectLike({ Attributes: Match.absent() }),
      });
    });
  });

  describe('imports', () => {
    test('fromSamplingRuleArn reads the name and the environment from the ARN', () => {
      const { stack } = createStack();
      const rule = SamplingRule.fromSamplingRuleArn(stack, 'Imported', 'arn:aws:xray:eu-west-1:123456789012:sampling-rule/main-backend');
      expect(rule.samplingRuleName).toBe('main-backend');
      expect(rule.samplingRuleArn).toBe('arn:aws:xray:eu-west-1:123456789012:sampling-rule/main-backend');
      expect(rule.env).toEqual({ account: '123456789012', region: 'eu-west-1' });
    });

    test('fromSamplingRuleArn splits a token ARN at deploy time', () => {
      const { stack } = createStack();
      const rule = SamplingRule.fromSamplingRuleArn(stack, 'Imported', Token.asString({ Ref: 'RuleArn' }));
      expect(stack.resolve(rule.samplingRuleName)).toEqual({
        'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::Select': [5, { 'Fn::Split': [':', { Ref: 'RuleArn' }] }] }] }],
      });
    });

    test('fromSamplingRuleName formats the ARN in the stack environment', () => {
      const { stack } = createStack();
      const rule = SamplingRule.fromSamplingRuleName(stack, 'Imported', 'Default');
      expect(rule.samplingRuleName).toBe('Default');
      expect(stack.resolve(rule.samplingRuleArn)).toEqual({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':xray:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':sampling-rule/Default']],
      });
    });

    test('throws for an ARN that is not a sampling rule ARN', () => {
      const { stack } = createStack();
      expectError(() => SamplingRule.fromSamplingRuleArn(stack, 'Imported', 'arn:aws:xray:eu-west-1:123456789012:group/errors/ABC'), {
        path: 'TestStack/Imported',
        prop: 'samplingRuleArn',
        value: 'arn:aws:xray:eu-west-1:123456789012:group/errors/ABC',
        allowed: 'look like arn:<partition>:xray:<region>:<account>:sampling-rule/<name>',
      });
    });

    test('throws for an imported name over 32 characters', () => {
      const { stack } = createStack();
      expect(() => SamplingRule.fromSamplingRuleName(stack, 'Imported', 'x'.repeat(33)))
        .toThrow(/^TestStack\/Imported: samplingRuleName must have 1 to 32 characters/);
    });
  });

  describe('bad input', () => {
    test.each([0, 10000, -1, 1.5])('throws for priority %p', (priority) => {
      expectError(() => ruleWith({ priority }), { path: 'TestStack/Rule', prop: 'priority', value: priority, allowed: 'integer from 1 to 9999' });
    });

    test.each([-0.1, 1.01, NaN, Infinity])('throws for fixedRate %p', (fixedRate) => {
      expectError(() => ruleWith({ fixedRate }), { path: 'TestStack/Rule', prop: 'fixedRate', value: fixedRate, allowed: 'number from 0 to 1' });
    });

    test.each([-1, 0.5])('throws for reservoirSize %p', (reservoirSize) => {
      expectError(() => ruleWith({ reservoirSize }), {
        path: 'TestStack/Rule', prop: 'reservoirSize', value: reservoirSize, allowed: 'integer 0 or more',
      });
    });

    test('throws for an empty ruleName', () => {
      expectError(() => ruleWith({ ruleName: '' }), {
        path: 'TestStack/Rule', prop: 'ruleName', value: '', allowed: ['1 to 32 characters', '(0 characters)'],
      });
    });

    test('throws for a ruleName over 32 characters', () => {
      expectError(() => ruleWith({ ruleName: 'r'.repeat(33) }), {
        path: 'TestStack/Rule', prop: 'ruleName', value: `${'r'.repeat(33)}`, allowed: ['1 to 32 characters', '(33 characters)'],
      });
    });

    test.each([
      ['main/backend', '/'],
      ['main*', '*'],
      ['line\nbreak', '\n'],
      ['say "hi"', '"'],
    ])('throws for ruleName %p with characters X-Ray rejects', (ruleName, bad) => {
      expectError(() => ruleWith({ ruleName }), {
        path: 'TestStack/Rule',
        prop: 'ruleName',
        value: ruleName,
        allowed: ['letters, numbers, spaces and _ . : % & # = + - @', `(${JSON.stringify(bad)} is not allowed)`],
      });
    });

    test('throws for the reserved ruleName Default', () => {
      expectError(() => ruleWith({ ruleName: 'Default' }),
        { path: 'TestStack/Rule', prop: 'ruleName', allowed: 'not be "Default"', says: 'reserves it for the account\'s default sampling rule' });
    });

    test('accepts a ruleName with spaces, dashes and digits', () => {
      expect(() => ruleWith({ ruleName: 'POST minimum-2' })).not.toThrow();
    });

    test('throws for more than 5 attributes', () => {
      const attributes = { a: '1', b: '2', c: '3', d: '4', e: '5', f: '6' };
      expectError(() => ruleWith({ attributes }),
        { path: 'TestStack/Rule', prop: 'attributes', value: 6, allowed: 'at most 5 entries', says: '"a", "b", "c", "d", "e", "f"' });
    });

    test('throws for an attribute key over 32 characters', () => {
      const key = 'k'.repeat(33);
      expectError(() => ruleWith({ attributes: { [key]: 'v' } }),
        { path: 'TestStack/Rule', prop: 'attributes', value: key, allowed: ['keys must have 1 to 32 characters', '(33 characters)'] });
    });

    test('throws for an attribute value over 32 characters', () => {
      const value = 'v'.repeat(33);
      expectError(() => ruleWith({ attributes: { tier: value } }), {
        path: 'TestStack/Rule', prop: 'attributes["tier"]', value: `${value}`, allowed: ['1 to 32 characters', '(33 characters)'],
      });
    });

    test.each([
      ['host', 64],
      ['serviceName', 64],
      ['httpMethod', 10],
      ['urlPath', 128],
      ['resourceArn', 500],
    ] as const)('throws for %s over %d characters', (prop, max) => {
      const value = 'a'.repeat(max + 1);
      expectError(() => ruleWith({ [prop]: value }),
        { path: 'TestStack/Rule', prop, value, allowed: [`1 to ${max} characters`, `(${max + 1} characters)`] });
    });

    test('accepts host, serviceName, httpMethod and urlPath at their limits', () => {
      expect(() => ruleWith({ host: 'h'.repeat(64), serviceName: 's'.repeat(64), httpMethod: 'm'.repeat(10), urlPath: '/'.repeat(128) }))
        .not.toThrow();
    });

    test('throws for a serviceType over 64 characters', () => {
      const value = 'AWS::' + 'X'.repeat(60);
      expectError(() => SamplingRuleServiceType.of(value), {
        path: 'SamplingRuleServiceType.of', prop: 'serviceType', value: `${value}`, allowed: ['1 to 64 characters', '(65 characters)'],
      });
    });
  });

  describe('against the CloudFormation registry schema', () => {
    test('every rule the tests build is schema-valid', () => {
      const { stack } = createStack();
      new SamplingRule(stack, 'Defaults', { priority: 1, fixedRate: 0.1 });
      new SamplingRule(stack, 'Everything', {
        ruleName: 'everything',
        priority: 9999,
        fixedRate: 0,
        reservoirSize: 0,
        serviceName: 'afirgen-main-backend',
        serviceType: SamplingRuleServiceType.ECS_CONTAINER,
        host: '*.example.com',
        httpMethod: 'GET',
        urlPath: '/health',
        resourceArn: 'arn:aws:apigateway:eu-west-1::/restapis/abc/stages/prod',
        attributes: { a: '1', b: '2', c: '3', d: '4', e: '5' },
      });
      Tags.of(stack).add('project', 'afirgen');

      const report = validateXRayResources(Template.fromStack(stack).toJSON());
      expect(report.problems).toEqual([]);
      expect(report.checked).toBe(2);
    });
  });
});

describe('SamplingRule attribute keys (found by fuzzing)', () => {
  test('throws for an attribute key of only a line break', () => {
    const { stack } = createStack();
    expectError(() => new SamplingRule(stack, 'Rule', { priority: 10, fixedRate: 0.1, attributes: { '\n': 'x' } }),
      { path: 'TestStack/Rule', prop: 'attributes', value: '\n', allowed: ['keys may only contain printable characters', '("\\n" is not allowed)'] });
  });
});
