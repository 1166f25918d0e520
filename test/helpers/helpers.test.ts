import { Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as xray from 'aws-cdk-lib/aws-xray';
import { createCluster, createStack } from './app';
import { schemaTypes, validateXRayResources } from './cfn-schema';
import { expectError, expectMessage } from './messages';
import { awsSolutionsFindings, findingsUnder } from './nag';

describe('createStack', () => {
  test('returns a stack inside a fresh app', () => {
    const { app, stack } = createStack();
    expect(stack.node.scope).toBe(app);
    expect(app.node.children).toHaveLength(1);
  });

  test('createCluster adds a VPC and a cluster', () => {
    const { stack } = createStack();
    createCluster(stack);
    Template.fromStack(stack).resourceCountIs('AWS::ECS::Cluster', 1);
    Template.fromStack(stack).resourceCountIs('AWS::EC2::VPC', 1);
  });
});

describe('awsSolutionsFindings', () => {
  test('reports a bucket without SSL enforcement, and not once acknowledged', () => {
    // GIVEN a bucket that AwsSolutions-S10 (SSL requests only) flags
    const { stack } = createStack();
    const bucket = new s3.Bucket(stack, 'Bucket');

    // THEN the finding is reported on the bucket's policy-less resource
    const before = findingsUnder(awsSolutionsFindings(stack), bucket.node.path).map((f) => f.ruleId);
    expect(before).toContain('AwsSolutions-S10');

    // WHEN it is acknowledged on the CfnBucket alone
    Validations.of(bucket.node.defaultChild!).acknowledge({ id: 'AwsSolutions-S10', reason: 'test' });
    const after = findingsUnder(awsSolutionsFindings(stack), bucket.node.path).map((f) => f.ruleId);
    expect(after).not.toContain('AwsSolutions-S10');
    expect(after.length).toBe(before.length - 1);
  });
});

describe('validateXRayResources (CloudFormation registry schemas in test/fixtures/cfn-schemas)', () => {
  test('has schemas for both X-Ray resource types', () => {
    expect(schemaTypes()).toEqual(expect.arrayContaining(['AWS::XRay::Group', 'AWS::XRay::SamplingRule']));
  });

  test('accepts a valid sampling rule and group', () => {
    const { stack } = createStack();
    new xray.CfnSamplingRule(stack, 'Rule', {
      samplingRule: {
        ruleName: 'ok',
        priority: 10,
        fixedRate: 0.1,
        reservoirSize: 1,
        serviceName: '*',
        serviceType: '*',
        host: '*',
        httpMethod: '*',
        urlPath: '*',
        resourceArn: '*',
        version: 1,
      },
    });
    new xray.CfnGroup(stack, 'Group', { groupName: 'errors', filterExpression: 'error = true' });
    const report = validateXRayResources(Template.fromStack(stack).toJSON());
    expect(report).toEqual({ checked: 2, problems: [] });
  });

  test('reports a schema-invalid sampling rule: fixed rate above 1, name over 32 characters', () => {
    const { stack } = createStack();
    new xray.CfnSamplingRule(stack, 'Rule', {
      samplingRule: {
        ruleName: 'x'.repeat(33),
        priority: 10,
        fixedRate: 1.5,
        reservoirSize: 1,
        serviceName: '*',
        serviceType: '*',
        host: '*',
        httpMethod: '*',
        urlPath: '*',
        resourceArn: '*',
        version: 1,
      },
    });
    const report = validateXRayResources(Template.fromStack(stack).toJSON());
    expect(report.checked).toBe(1);
    const messages = report.problems.map((p) => p.message).join('\n');
    expect(messages).toMatch(/\/SamplingRule\/FixedRate must be <= 1/);
    expect(messages).toMatch(/\/SamplingRule\/RuleName must NOT have more than 32 characters/);
  });

  test('reports an unknown property and a read-only property on a group', () => {
    const template = {
      Resources: {
        G: { Type: 'AWS::XRay::Group', Properties: { GroupName: 'g', GroupARN: 'arn:x', Bogus: 1 } },
      },
    };
    const messages = validateXRayResources(template).problems.map((p) => p.message).join('\n');
    expect(messages).toMatch(/must NOT have additional properties.*Bogus/);
    expect(messages).toMatch(/read-only property GroupARN is set/);
  });

  test('reports an X-Ray type with no schema', () => {
    const report = validateXRayResources({ Resources: { R: { Type: 'AWS::XRay::ResourcePolicy', Properties: {} } } });
    expect(report.problems).toEqual([{ logicalId: 'R', type: 'AWS::XRay::ResourcePolicy', message: 'no registry schema for this type' }]);
  });
});

describe('expectError (what a library message must say)', () => {
  const throwing = (message: string) => () => {
    throw new Error(message);
  };
  const MESSAGE = 'TestStack/Svc: tracing.samplingRate must be a number from 0 to 1 (0.1 traces 10 % of requests), got 1.5';
  const PARTS = { path: 'TestStack/Svc', prop: 'tracing.samplingRate', value: 1.5, allowed: 'from 0 to 1' };

  test('passes when the message names the path, the prop, the value and what is allowed', () => {
    expect(() => expectError(throwing(MESSAGE), PARTS)).not.toThrow();
  });

  test.each([
    ['another path', { path: 'TestStack/Other' }, 'does not start with the path "TestStack/Other: "'],
    ['the tail of a longer prop', { prop: 'samplingRate' }, 'does not name the prop samplingRate'],
    ['another value', { value: 2 }, 'does not show the value 2'],
    ['a value inside the shown one', { value: 1 }, 'does not show the value 1'],
    ['another range', { allowed: 'from 0 to 100' }, 'does not say what is allowed: "from 0 to 100"'],
    ['a fix it does not give', { fix: 'XRaySidecar.of' }, 'does not say what to do: "XRaySidecar.of"'],
  ])('fails for %s', (_name, change, reason) => {
    expect(() => expectError(throwing(MESSAGE), { ...PARTS, ...change })).toThrow(reason);
  });

  test('fails when the value appears only in what is allowed', () => {
    const message = 'context key xray:enabled must be true or false (1, 0, yes and no are not accepted), got "1"';
    expect(() => expectError(throwing(message), { prop: 'xray:enabled', value: 1, allowed: '1, 0, yes and no are not accepted' }))
      .toThrow('does not show the value 1');
    expect(() => expectError(throwing(message), { prop: 'xray:enabled', value: '1', allowed: '1, 0, yes and no are not accepted' })).not.toThrow();
  });

  test('fails when the call does not throw', () => {
    expect(() => expectError(() => undefined, PARTS)).toThrow('expected the call to throw, and it returned');
  });

  test('expectMessage checks a message already in hand, and shows it when a part is missing', () => {
    expect(() => expectMessage(MESSAGE, PARTS)).not.toThrow();
    expect(() => expectMessage(MESSAGE, { says: 'no room' })).toThrow(MESSAGE);
    expect(() => expectMessage(undefined, PARTS)).toThrow('expected a message, got none');
  });
});
