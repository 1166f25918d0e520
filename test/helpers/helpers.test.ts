import { Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as xray from 'aws-cdk-lib/aws-xray';
import { createCluster, createStack } from './app';
import { schemaTypes, validateXRayResources } from './cfn-schema';
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
