import { CfnElement, Tags, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CfnGroup } from 'aws-cdk-lib/aws-xray';
import { FilterExpression, FilterExpressionError } from '../../src/groups/filter-expression';
import { TraceGroup, TraceGroupProps } from '../../src/groups/trace-group';
import { createStack } from '../helpers/app';
import { validateXRayResources } from '../helpers/cfn-schema';
import { expectError } from '../helpers/messages';

const ERRORS = FilterExpression.service('afirgen-main-backend').and(FilterExpression.error());

function groupWith(props: Partial<TraceGroupProps>): void {
  const { stack } = createStack();
  new TraceGroup(stack, 'Group', { groupName: 'errors', filterExpression: ERRORS, ...props });
}

describe('TraceGroup', () => {
  test('renders its name, the normalized filter expression, and insights off by default', () => {
    // GIVEN
    const { stack } = createStack();

    // WHEN
    new TraceGroup(stack, 'Group', {
      groupName: 'afirgen-main-backend-slow',
      filterExpression: FilterExpression.service('afirgen-main-backend').and(FilterExpression.responseTime().greaterThan(5)),
    });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::XRay::Group', {
      GroupName: 'afirgen-main-backend-slow',
      FilterExpression: 'service("afirgen-main-backend") AND responsetime > 5',
      InsightsConfiguration: { InsightsEnabled: false, NotificationsEnabled: false },
    });
  });

  test('stores a parsed expression in its normalized form', () => {
    const { stack } = createStack();
    const parsed = FilterExpression.parse('service( "afirgen-main-backend" )   AND   error =true');
    new TraceGroup(stack, 'Group', { groupName: 'errors', filterExpression: parsed });
    Template.fromStack(stack).hasResourceProperties('AWS::XRay::Group', {
      FilterExpression: 'service("afirgen-main-backend") AND error = true',
    });
  });

  test('renders annotation filters', () => {
    const { stack } = createStack();
    new TraceGroup(stack, 'Group', {
      groupName: 'afirgen-endpoint-process',
      filterExpression: FilterExpression.annotation('endpoint').equalTo('/process'),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::XRay::Group', {
      FilterExpression: 'annotation.endpoint = "/process"',
    });
  });

  test('turns on insights and notifications', () => {
    const { stack } = createStack();
    new TraceGroup(stack, 'Group', { groupName: 'errors', filterExpression: ERRORS, insightsEnabled: true, notificationsEnabled: true });
    Template.fromStack(stack).hasResourceProperties('AWS::XRay::Group', {
      InsightsConfiguration: { InsightsEnabled: true, NotificationsEnabled: true },
    });
  });

  test('exposes its ARN from GroupARN and its name', () => {
    const { stack } = createStack();
    const group = new TraceGroup(stack, 'Group', { groupName: 'errors', filterExpression: ERRORS });
    const logicalId = stack.getLogicalId(group.node.defaultChild as CfnElement);
    expect(stack.resolve(group.groupArn)).toEqual({ 'Fn::GetAtt': [logicalId, 'GroupARN'] });
    expect(group.node.defaultChild).toBeInstanceOf(CfnGroup);
    expect(group.groupName).toBe('errors');
  });

  test('takes tags', () => {
    const { stack } = createStack();
    const group = new TraceGroup(stack, 'Group', { groupName: 'errors', filterExpression: ERRORS });
    Tags.of(group).add('project', 'afirgen');
    Template.fromStack(stack).hasResourceProperties('AWS::XRay::Group', {
      Tags: [{ Key: 'project', Value: 'afirgen' }],
    });
  });

  test('accepts a token name', () => {
    const { stack } = createStack();
    new TraceGroup(stack, 'Group', { groupName: Token.asString({ Ref: 'Name' }), filterExpression: ERRORS });
    Template.fromStack(stack).hasResourceProperties('AWS::XRay::Group', { GroupName: { Ref: 'Name' } });
  });

  describe('imports', () => {
    test('fromGroupArn reads the name and the environment from the ARN', () => {
      const { stack } = createStack();
      const arn = 'arn:aws:xray:eu-west-1:123456789012:group/afirgen-main-backend-errors/ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
      const group = TraceGroup.fromGroupArn(stack, 'Imported', arn);
      expect(group.groupName).toBe('afirgen-main-backend-errors');
      expect(group.groupArn).toBe(arn);
      expect(group.env).toEqual({ account: '123456789012', region: 'eu-west-1' });
    });

    test('fromGroupArn takes the name from a token ARN at deploy time', () => {
      const { stack } = createStack();
      const group = TraceGroup.fromGroupArn(stack, 'Imported', Token.asString({ Ref: 'GroupArn' }));
      expect(stack.resolve(group.groupName)).toEqual({
        'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::Select': [5, { 'Fn::Split': [':', { Ref: 'GroupArn' }] }] }] }],
      });
      expect(stack.resolve(group.groupArn)).toEqual({ Ref: 'GroupArn' });
    });

    test('throws for an ARN without the generated id', () => {
      const { stack } = createStack();
      expectError(() => TraceGroup.fromGroupArn(stack, 'Imported', 'arn:aws:xray:eu-west-1:123456789012:group/errors'), {
        path: 'TestStack/Imported',
        prop: 'groupArn',
        value: 'arn:aws:xray:eu-west-1:123456789012:group/errors',
        allowed: 'look like arn:<partition>:xray:<region>:<account>:group/<name>/<id>',
      });
    });

    test('fromGroupName gives the name, and throws when the unknowable ARN is read', () => {
      const { stack } = createStack();
      const group = TraceGroup.fromGroupName(stack, 'Imported', 'afirgen-main-backend-errors');
      expect(group.groupName).toBe('afirgen-main-backend-errors');
      expect(() => group.groupArn).toThrow(
        'TestStack/Imported: groupArn is unknown for the trace group "afirgen-main-backend-errors" imported by name: X-Ray group ARNs end in an id generated at creation. '
        + 'Import it with TraceGroup.fromGroupArn, or use the IAM resource pattern arn:<partition>:xray:<region>:<account>:group/afirgen-main-backend-errors/*',
      );
    });

    test('fromGroupName accepts the account\'s Default group', () => {
      const { stack } = createStack();
      expect(TraceGroup.fromGroupName(stack, 'Imported', 'Default').groupName).toBe('Default');
    });
  });

  describe('bad input', () => {
    test('throws for notifications without insights', () => {
      expectError(() => groupWith({ notificationsEnabled: true }), {
        path: 'TestStack/Group',
        prop: 'notificationsEnabled',
        allowed: 'needs insightsEnabled',
        says: 'notificationsEnabled: true and insightsEnabled: false',
      });
    });

    test('throws for an empty groupName', () => {
      expectError(() => groupWith({ groupName: '' }), {
        path: 'TestStack/Group', prop: 'groupName', value: '', allowed: ['1 to 32 characters', '(0 characters)'],
      });
    });

    test('throws for a groupName over 32 characters', () => {
      const groupName = 'g'.repeat(33);
      expectError(() => groupWith({ groupName }), {
        path: 'TestStack/Group', prop: 'groupName', value: `${groupName}`, allowed: ['1 to 32 characters', '(33 characters)'],
      });
    });

    test.each([
      ['main_backend', '_'],
      ['main backend', ' '],
      ['errors!', '!'],
      ['ünïcode', 'ü'],
    ])('throws for groupName %p with characters X-Ray rejects', (groupName, bad) => {
      expectError(() => groupWith({ groupName }), {
        path: 'TestStack/Group', prop: 'groupName', value: groupName, allowed: ['letters, digits and -', `(${JSON.stringify(bad)} is not allowed)`],
      });
    });

    test('throws for the reserved groupName Default', () => {
      expectError(() => groupWith({ groupName: 'Default' }),
        { path: 'TestStack/Group', prop: 'groupName', allowed: 'not be "Default"', says: 'reserves it for the account\'s default group' });
    });

    test('throws for an unparseable filter expression', () => {
      const build = (): void => groupWith({ filterExpression: FilterExpression.parse('service("afirgen-main-backend") AND') });
      expect(build).toThrow(FilterExpressionError);
      expect(build).toThrow(/^FilterExpression\.parse: invalid filter expression at column 36: expected .*, got end of input$/);
    });
  });

  describe('against the CloudFormation registry schema', () => {
    test('every group the tests build is schema-valid', () => {
      const { stack } = createStack();
      new TraceGroup(stack, 'Plain', { groupName: 'errors', filterExpression: ERRORS });
      new TraceGroup(stack, 'Insights', {
        groupName: 'x'.repeat(32),
        filterExpression: FilterExpression.annotation('model_name').equalTo('summariser'),
        insightsEnabled: true,
        notificationsEnabled: true,
      });
      Tags.of(stack).add('project', 'afirgen');

      const report = validateXRayResources(Template.fromStack(stack).toJSON());
      expect(report.problems).toEqual([]);
      expect(report.checked).toBe(2);
    });
  });

  test('the filter expression is stored as text, never as an object', () => {
    const { stack } = createStack();
    new TraceGroup(stack, 'Group', { groupName: 'errors', filterExpression: ERRORS });
    Template.fromStack(stack).hasResourceProperties('AWS::XRay::Group', {
      FilterExpression: Match.stringLikeRegexp('^service\\("afirgen-main-backend"\\) AND error = true$'),
    });
  });
});
