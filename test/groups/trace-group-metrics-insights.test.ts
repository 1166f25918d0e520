import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { FilterExpression } from '../../src/groups/filter-expression';
import { TraceGroup, TraceGroupProps } from '../../src/groups/trace-group';
import { createStack } from '../helpers/app';

const ERRORS: TraceGroupProps = {
  groupName: 'afirgen-main-backend-errors',
  filterExpression: FilterExpression.service('afirgen-main-backend').and(FilterExpression.error()),
};

describe('TraceGroup.metricApproximateTraceCount', () => {
  test('is AWS/X-Ray ApproximateTraceCount by GroupName, Sum over 1 minute by default', () => {
    const { stack } = createStack();
    const group = new TraceGroup(stack, 'Errors', ERRORS);
    const metric = group.metricApproximateTraceCount();
    expect(metric.namespace).toBe('AWS/X-Ray');
    expect(metric.metricName).toBe('ApproximateTraceCount');
    expect(metric.dimensions).toEqual({ GroupName: 'afirgen-main-backend-errors' });
    expect(metric.statistic).toBe('Sum');
    expect(metric.period.toSeconds()).toBe(60);
  });

  test('takes the caller\'s period and statistic, never its namespace or GroupName', () => {
    const { stack } = createStack();
    const group = new TraceGroup(stack, 'Errors', ERRORS);
    const metric = group.metricApproximateTraceCount({ period: Duration.minutes(5), statistic: 'Maximum', dimensionsMap: { GroupName: 'other' } });
    expect(metric.period.toSeconds()).toBe(300);
    expect(metric.statistic).toBe('Maximum');
    expect(metric.dimensions).toEqual({ GroupName: 'afirgen-main-backend-errors' });
  });

  test('an alarm on it renders the metric in the template', () => {
    const { stack } = createStack();
    const group = new TraceGroup(stack, 'Errors', ERRORS);
    group.metricApproximateTraceCount().createAlarm(stack, 'Alarm', {
      threshold: 1, evaluationPeriods: 1, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/X-Ray',
      MetricName: 'ApproximateTraceCount',
      Dimensions: [{ Name: 'GroupName', Value: 'afirgen-main-backend-errors' }],
      Statistic: 'Sum',
      Period: 60,
      TreatMissingData: 'notBreaching',
    });
  });
});

describe('TraceGroup.onInsight', () => {
  test('returns a rule for the group\'s AWS X-Ray Insight Update events, with the target', () => {
    const { stack } = createStack();
    const group = new TraceGroup(stack, 'Errors', { ...ERRORS, insightsEnabled: true, notificationsEnabled: true });
    const topic = new sns.Topic(stack, 'Topic');
    group.onInsight('Insights', { target: new targets.SnsTopic(topic), description: 'errors insights' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', {
      Description: 'errors insights',
      EventPattern: {
        'source': ['aws.xray'],
        'detail-type': ['AWS X-Ray Insight Update'],
        'detail': { GroupName: ['afirgen-main-backend-errors'] },
      },
      Targets: [{ Arn: { Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) } }],
    });
  });

  test('merges an extra pattern (only ACTIVE insights)', () => {
    const { stack } = createStack();
    const group = new TraceGroup(stack, 'Errors', { ...ERRORS, insightsEnabled: true, notificationsEnabled: true });
    group.onInsight('Active', { eventPattern: { detail: { State: ['ACTIVE'] } } });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.xray'], 'detail-type': ['AWS X-Ray Insight Update'], 'detail': { State: ['ACTIVE'], GroupName: ['afirgen-main-backend-errors'] } },
    });
  });

  test('throws on a group without insights, naming the props to set', () => {
    const { stack } = createStack();
    const group = new TraceGroup(stack, 'Errors', ERRORS);
    expect(() => group.onInsight('Insights')).toThrow(
      'TestStack/Errors: onInsight needs insightsEnabled: true and notificationsEnabled: true (X-Ray sends insight events to EventBridge only then), got insightsEnabled: false and notificationsEnabled: false');
  });

  test('throws on a group with insights but no notifications', () => {
    const { stack } = createStack();
    const group = new TraceGroup(stack, 'Errors', { ...ERRORS, insightsEnabled: true });
    expect(() => group.onInsight('Insights')).toThrow(
      'TestStack/Errors: onInsight needs insightsEnabled: true and notificationsEnabled: true (X-Ray sends insight events to EventBridge only then), got insightsEnabled: true and notificationsEnabled: false');
  });
});
