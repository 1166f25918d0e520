import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { TransactionSearch } from '../../src/transaction-search/transaction-search';
import { createStack } from '../helpers/app';
import { validateXRayResources } from '../helpers/cfn-schema';
import { expectError, expectMessage, thrownMessage } from '../helpers/messages';
import { awsSolutionsFindings, findingsUnder } from '../helpers/nag';

const ENV = { account: '111111111111', region: 'us-east-1' };

/** A rendered `Fn::Join` as text, with `AWS::Partition` read as `aws` (the only token left once the stack names its environment). */
function joined(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join === undefined) throw new Error(`not a string or Fn::Join: ${JSON.stringify(value)}`);
  return join[1].map((part) => {
    if (typeof part === 'string') return part;
    if (JSON.stringify(part) === JSON.stringify({ Ref: 'AWS::Partition' })) return 'aws';
    throw new Error(`unexpected token ${JSON.stringify(part)}`);
  }).join(join[0]);
}

describe('TransactionSearch', () => {
  test('creates the logs resource policy for xray.amazonaws.com, scoped to the account, and the config depending on it', () => {
    // GIVEN / WHEN
    const { stack } = createStack({ env: ENV });
    const search = new TransactionSearch(stack, 'TransactionSearch');

    // THEN the policy lets X-Ray write aws/spans and /aws/application-signals/data, for this account only
    const template = Template.fromStack(stack);
    const policies = template.findResources('AWS::Logs::ResourcePolicy');
    expect(Object.keys(policies)).toHaveLength(1);
    const [policyId, policy] = Object.entries(policies)[0];
    const document = JSON.parse(joined(policy.Properties.PolicyDocument));
    expect(document).toEqual({
      Version: '2012-10-17',
      Statement: [{
        Sid: 'TransactionSearchXRayAccess',
        Effect: 'Allow',
        Principal: { Service: 'xray.amazonaws.com' },
        Action: 'logs:PutLogEvents',
        Resource: [
          'arn:aws:logs:us-east-1:111111111111:log-group:aws/spans:*',
          'arn:aws:logs:us-east-1:111111111111:log-group:/aws/application-signals/data:*',
        ],
        Condition: {
          ArnLike: { 'aws:SourceArn': 'arn:aws:xray:us-east-1:111111111111:*' },
          StringEquals: { 'aws:SourceAccount': '111111111111' },
        },
      }],
    });
    // AND the config indexes 1 % (the free share) and waits for the policy
    template.hasResource('AWS::XRay::TransactionSearchConfig', {
      Properties: { IndexingPercentage: 1 },
      DependsOn: [policyId],
    });
    expect(search.indexingPercentage).toBe(1);
    // AND without spansRetention, nothing touches aws/spans
    template.resourceCountIs('Custom::LogRetention', 0);
  });

  test('renders the partition, Region and account as tokens in an environment-agnostic stack', () => {
    const { stack } = createStack();
    new TransactionSearch(stack, 'TransactionSearch');
    const policy = Object.values(Template.fromStack(stack).findResources('AWS::Logs::ResourcePolicy'))[0];
    const text = JSON.stringify(policy.Properties.PolicyDocument);
    expect(text).toContain('AWS::Partition');
    expect(text).toContain('AWS::Region');
    expect(text).toContain('AWS::AccountId');
  });

  test('sets aws/spans to 7 days when asked, after the config, and keeps it on stack delete', () => {
    const { stack } = createStack({ env: ENV });
    new TransactionSearch(stack, 'TransactionSearch', { indexingPercentage: 5, spansRetention: logs.RetentionDays.ONE_WEEK });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::XRay::TransactionSearchConfig', { IndexingPercentage: 5 });
    const configId = Object.keys(template.findResources('AWS::XRay::TransactionSearchConfig'))[0];
    template.hasResource('Custom::LogRetention', {
      Properties: { LogGroupName: 'aws/spans', RetentionInDays: 7, RemovalPolicy: 'retain' },
      DependsOn: Match.arrayWith([configId]),
    });
    // no AWS::Logs::LogGroup: the group is X-Ray's, so CloudFormation never deletes the span data
    template.resourceCountIs('AWS::Logs::LogGroup', 0);
  });

  test('passes a deploy-time indexingPercentage through', () => {
    const { stack } = createStack();
    const pct = new CfnParameter(stack, 'Pct', { type: 'Number' }).valueAsNumber;
    new TransactionSearch(stack, 'TransactionSearch', { indexingPercentage: pct });
    Template.fromStack(stack).hasResourceProperties('AWS::XRay::TransactionSearchConfig', { IndexingPercentage: { Ref: 'Pct' } });
  });

  test('throws for indexingPercentage above 100', () => {
    const { stack } = createStack();
    expectError(() => new TransactionSearch(stack, 'TransactionSearch', { indexingPercentage: 101 }), {
      path: 'TestStack/TransactionSearch', prop: 'indexingPercentage', value: 101, allowed: 'number from 0 to 100',
    });
  });

  test('throws for a negative indexingPercentage', () => {
    const { stack } = createStack();
    expectError(() => new TransactionSearch(stack, 'TransactionSearch', { indexingPercentage: -1 }), {
      path: 'TestStack/TransactionSearch', prop: 'indexingPercentage', value: -1, allowed: 'number from 0 to 100',
    });
  });

  test('throws for an indexingPercentage that is not a number', () => {
    const { stack } = createStack();
    expectError(() => new TransactionSearch(stack, 'TransactionSearch', { indexingPercentage: '5' as unknown as number }), {
      path: 'TestStack/TransactionSearch', prop: 'indexingPercentage', value: '5', allowed: 'number from 0 to 100',
    });
  });

  test('throws for a spansRetention CloudWatch Logs does not accept', () => {
    const { stack } = createStack();
    expectError(() => new TransactionSearch(stack, 'TransactionSearch', { spansRetention: 8 as logs.RetentionDays }), {
      path: 'TestStack/TransactionSearch', prop: 'spansRetention', value: 8, allowed: 'logs.RetentionDays value',
    });
  });

  test('throws at synth for a second TransactionSearch in the same account and Region, naming both', () => {
    const app = new App();
    new TransactionSearch(new Stack(app, 'Dev', { env: ENV }), 'TransactionSearch');
    new TransactionSearch(new Stack(app, 'Prod', { env: ENV }), 'TransactionSearch');
    const message = thrownMessage(() => app.synth());
    expectMessage(message, {
      says: ['Prod/TransactionSearch and Dev/TransactionSearch both turn on Transaction Search', 'account 111111111111 in us-east-1', 'AlreadyExists'],
    });
    expect(message.match(/both turn on Transaction Search/g)).toHaveLength(1);
  });

  test('throws at synth for two in environment-agnostic stacks (they may share an account)', () => {
    const app = new App();
    const stack = new Stack(app, 'One');
    new TransactionSearch(stack, 'A');
    new TransactionSearch(stack, 'B');
    expectError(() => app.synth(), {
      says: ['One/B and One/A both turn on Transaction Search', 'their stacks do not both name an account and a Region'],
    });
  });

  test('allows one per account and Region: two Regions synthesize', () => {
    const app = new App();
    new TransactionSearch(new Stack(app, 'East', { env: ENV }), 'TransactionSearch');
    new TransactionSearch(new Stack(app, 'West', { env: { ...ENV, region: 'us-west-2' } }), 'TransactionSearch');
    expect(() => app.synth()).not.toThrow();
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding, with and without spansRetention', () => {
    const { stack } = createStack({ env: ENV });
    new TransactionSearch(stack, 'TransactionSearch', { spansRetention: logs.RetentionDays.ONE_WEEK });
    expect(awsSolutionsFindings(stack)).toEqual([]);
    const other = createStack({ env: ENV }).stack;
    new TransactionSearch(other, 'TransactionSearch');
    expect(findingsUnder(awsSolutionsFindings(other), 'TestStack/TransactionSearch')).toEqual([]);
  });

  describe('against the CloudFormation registry schema (TransactionSearchConfig)', () => {
    test('the config is schema-valid', () => {
      const { stack } = createStack({ env: ENV });
      new TransactionSearch(stack, 'TransactionSearch', { indexingPercentage: 100, spansRetention: logs.RetentionDays.ONE_WEEK });
      const report = validateXRayResources(Template.fromStack(stack).toJSON());
      expect(report.problems).toEqual([]);
      expect(report.checked).toBe(1);
    });
  });
});
