import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AfirgenTracing } from '../../src/presets/afirgen-tracing';
import { TransactionSearch } from '../../src/transaction-search/transaction-search';

const ENV = { account: '111111111111', region: 'us-east-1' };
const WARNING = '@cdk-xray-ecs/transaction-search:groupSeesIndexedShareOnly';

function withSearch(indexingPercentage: number, props: { namePrefix?: string; spansRetention?: logs.RetentionDays } = {}) {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: ENV });
  const topic = new sns.Topic(stack, 'Alarms');
  const search = new TransactionSearch(stack, 'TransactionSearch', { indexingPercentage, spansRetention: props.spansRetention });
  const tracing = new AfirgenTracing(stack, 'Tracing', { alarmTopic: topic, transactionSearch: search, namePrefix: props.namePrefix });
  const topicRef = { Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) };
  return { app, stack, search, tracing, topicRef };
}

describe('issue 24 item 3: every-span alarms with Transaction Search below 100 %', () => {
  test('metric filters on aws/spans count the main backend\'s slow spans and its 4xx/5xx/error-status spans', () => {
    const { stack } = withSearch(1);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Logs::MetricFilter', 2);
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: 'aws/spans',
      FilterPattern: '{ ($.resource.attributes.[\'service.name\'] = "afirgen-main-backend") && ($.durationNano > 5000000000) }',
      MetricTransformations: [{
        MetricNamespace: 'AfirgenTracing/Spans',
        MetricName: 'SlowSpans',
        MetricValue: '1',
        Dimensions: [{ Key: 'Service', Value: '$.resource.attributes.[\'service.name\']' }],
      }],
    });
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: 'aws/spans',
      FilterPattern: '{ ($.resource.attributes.[\'service.name\'] = "afirgen-main-backend") && '
        + '(($.attributes.[\'http.response.status_code\'] >= 400) || ($.attributes.[\'http.status_code\'] >= 400) || ($.status.code = "ERROR")) }',
      MetricTransformations: [Match.objectLike({ MetricNamespace: 'AfirgenTracing/Spans', MetricName: 'ErrorSpans', MetricValue: '1' })],
    });
  });

  test('the two alarms watch those metrics for the service, notify the topic, and no alarm watches a group', () => {
    const { stack, tracing, topicRef } = withSearch(1);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    for (const [metricName, threshold] of [['SlowSpans', 5], ['ErrorSpans', 1]] as const) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AfirgenTracing/Spans',
        MetricName: metricName,
        Dimensions: [{ Name: 'Service', Value: 'afirgen-main-backend' }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [topicRef],
      });
    }
    expect(template.findResources('AWS::CloudWatch::Alarm', { Properties: { Namespace: 'AWS/X-Ray' } })).toEqual({});
    expect(tracing.errorsAlarm).toBeDefined();
  });

  test('the filters deploy after Transaction Search (and the retention that creates aws/spans)', () => {
    const { stack } = withSearch(1, { spansRetention: logs.RetentionDays.ONE_WEEK });
    const template = Template.fromStack(stack);
    const filters = Object.values(template.findResources('AWS::Logs::MetricFilter'));
    const configId = Object.keys(template.findResources('AWS::XRay::TransactionSearchConfig'))[0];
    const retentionId = Object.keys(template.findResources('Custom::LogRetention'))[0];
    for (const filter of filters) expect(filter.DependsOn).toEqual(expect.arrayContaining([configId, retentionId]));
  });

  test('the stage prefix reaches the filters and the alarms', () => {
    const template = Template.fromStack(withSearch(1, { namePrefix: 'dev' }).stack);
    template.hasResourceProperties('AWS::Logs::MetricFilter', { FilterPattern: Match.stringLikeRegexp('= "dev-afirgen-main-backend"') });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Dimensions: [{ Name: 'Service', Value: 'dev-afirgen-main-backend' }] });
  });

  test('the preset\'s alarms get no indexed-share warning; only the errors group\'s Insights does', () => {
    const { stack } = withSearch(1);
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('.*'))
      .map((w) => String(w.entry.data)).filter((m) => m.includes(WARNING));
    expect(warnings).toEqual([expect.stringMatching(/trace group Stack\/Tracing\/ErrorsGroup \("afirgen-main-backend-errors"\) has X-Ray Insights on/)]);
  });

  test('at 100 % the alarms stay on the groups and no metric filter is made', () => {
    const template = Template.fromStack(withSearch(100).stack);
    template.resourceCountIs('AWS::Logs::MetricFilter', 0);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/X-Ray', Dimensions: [{ Name: 'GroupName', Value: 'afirgen-main-backend-errors' }] });
  });

  test('throws for a transactionSearch that is not a TransactionSearch', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    expect(() => new AfirgenTracing(stack, 'Tracing', { transactionSearch: { indexingPercentage: 1 } as unknown as TransactionSearch }))
      .toThrow(/^S\/Tracing: transactionSearch must be a TransactionSearch construct, got \{"indexingPercentage":1\}$/);
  });
});
