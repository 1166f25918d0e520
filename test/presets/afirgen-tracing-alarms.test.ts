import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AfirgenTracing } from '../../src/presets/afirgen-tracing';
import { createStack } from '../helpers/app';
import { validateXRayResources } from '../helpers/cfn-schema';
import { expectError } from '../helpers/messages';
import { awsSolutionsFindings, findingsUnder } from '../helpers/nag';

function withTopic(props: Record<string, unknown> = {}) {
  const { stack } = createStack();
  const topic = new sns.Topic(stack, 'Alarms');
  const tracing = new AfirgenTracing(stack, 'Tracing', { alarmTopic: topic, ...props });
  const topicRef = { Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) };
  return { stack, topic, tracing, topicRef };
}

describe('AfirgenTracing alarms and insights', () => {
  test('two alarms on the slow-requests and errors groups notify the topic, missing data not breaching', () => {
    const { stack, topicRef } = withTopic();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    for (const [group, threshold] of [['afirgen-main-backend-slow', 5], ['afirgen-main-backend-errors', 1]] as const) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/X-Ray',
        MetricName: 'ApproximateTraceCount',
        Dimensions: [{ Name: 'GroupName', Value: group }],
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [topicRef],
      });
    }
  });

  test('the errors group sends its insights to EventBridge, and a rule routes them to the topic', () => {
    const { stack, topicRef } = withTopic();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::XRay::Group', {
      GroupName: 'afirgen-main-backend-errors',
      InsightsConfiguration: { InsightsEnabled: true, NotificationsEnabled: true },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.xray'],
        'detail-type': ['AWS X-Ray Insight Update'],
        'detail': { GroupName: ['afirgen-main-backend-errors'] },
      },
      Targets: [Match.objectLike({ Arn: topicRef })],
    });
  });

  test('thresholds and period are the caller\'s; insightsOnErrors false means no insights rule', () => {
    const { stack } = withTopic({
      slowRequestsAlarmThreshold: 20, errorsAlarmThreshold: 3, alarmPeriod: Duration.minutes(1), insightsOnErrors: false,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Dimensions: [{ Name: 'GroupName', Value: 'afirgen-main-backend-slow' }], Threshold: 20, Period: 60 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Dimensions: [{ Name: 'GroupName', Value: 'afirgen-main-backend-errors' }], Threshold: 3, Period: 60 });
    template.resourceCountIs('AWS::Events::Rule', 0);
    template.hasResourceProperties('AWS::XRay::Group', {
      GroupName: 'afirgen-main-backend-errors', InsightsConfiguration: { InsightsEnabled: false, NotificationsEnabled: false },
    });
  });

  test('without alarmTopic: no alarms, no rule, and insight notifications stay off', () => {
    const { stack } = createStack();
    const tracing = new AfirgenTracing(stack, 'Tracing');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.resourceCountIs('AWS::Events::Rule', 0);
    expect(tracing.errorsAlarm).toBeUndefined();
    template.hasResourceProperties('AWS::XRay::Group', {
      GroupName: 'afirgen-main-backend-errors', InsightsConfiguration: { InsightsEnabled: true, NotificationsEnabled: false },
    });
  });

  test('samplingRateBoost goes on every service\'s rule', () => {
    const { stack } = createStack();
    new AfirgenTracing(stack, 'Tracing', { samplingRate: 0.05, samplingRateBoost: { maxRate: 0.5, cooldown: Duration.minutes(10) } });
    const rules = Object.values(Template.fromStack(stack).findResources('AWS::XRay::SamplingRule'));
    expect(rules).toHaveLength(3);
    for (const rule of rules) {
      expect(rule.Properties.SamplingRule.SamplingRateBoost).toEqual({ MaxRate: 0.5, CooldownWindowMinutes: 10 });
    }
  });

  test('the cost note shows the boost\'s worst-case extra traces beside the estimate', () => {
    const { stack } = createStack();
    new AfirgenTracing(stack, 'Tracing', {
      samplingRate: 0.1,
      reservoirSize: 0,
      samplingRateBoost: { maxRate: 0.5, cooldown: Duration.minutes(10) },
      expectedRequestsPerMonth: { 'afirgen-main-backend': 10_000_000 },
    });
    // 1,000,000 traces ($4.50); the boost adds at most 0.4 x 10,000,000 / 10 = 400,000 traces ($2.00)
    Annotations.fromStack(stack).hasInfo('/TestStack/Tracing', Match.stringLikeRegexp(
      'estimated X-Ray cost: \\$4\\.50/month for 1,000,000 traces recorded .*samplingRateBoost to 0\\.5 once per 10 min adds at most 400,000 traces \\(\\$2\\.00/month\\)'));
  });

  test('throws for a boost below a service\'s rate, on that service\'s rule', () => {
    const { stack } = createStack();
    expect(() => new AfirgenTracing(stack, 'Tracing', {
      samplingRate: 0.05, serviceSamplingRates: { 'afirgen-gguf-server': 0.6 }, samplingRateBoost: { maxRate: 0.5, cooldown: Duration.minutes(10) },
    })).toThrow("TestStack/Tracing/GgufServerRule: samplingRateBoost.maxRate must be from the rule's fixedRate 0.6 to 1 (a boost only raises the rate), got 0.5");
  });

  test('throws for a negative slowRequestsAlarmThreshold', () => {
    expectError(() => withTopic({ slowRequestsAlarmThreshold: -1 }), {
      path: 'TestStack/Tracing', prop: 'slowRequestsAlarmThreshold', value: -1, allowed: 'number from 0 to 9007199254740991',
    });
  });

  test('throws for a negative errorsAlarmThreshold', () => {
    expectError(() => withTopic({ errorsAlarmThreshold: -0.5 }), {
      path: 'TestStack/Tracing', prop: 'errorsAlarmThreshold', value: -0.5, allowed: 'number from 0 to 9007199254740991',
    });
  });

  test('throws for an alarmPeriod that is not whole minutes', () => {
    expectError(() => withTopic({ alarmPeriod: Duration.seconds(90) }),
      { path: 'TestStack/Tracing', prop: 'alarmPeriod', allowed: 'whole minutes, at least 1', says: '1 minute 30 seconds' });
  });

  test('throws for thresholds without alarmTopic (they would do nothing)', () => {
    const { stack } = createStack();
    expectError(() => new AfirgenTracing(stack, 'Tracing', { errorsAlarmThreshold: 2 }),
      { path: 'TestStack/Tracing', prop: 'errorsAlarmThreshold', value: 2, allowed: 'need alarmTopic' });
  });

  test('cdk-nag AwsSolutions: nothing new from the alarms and the insights rule', () => {
    const { stack } = withTopic();
    expect(findingsUnder(awsSolutionsFindings(stack), 'TestStack/Tracing')).toEqual([]);
  });

  describe('against the CloudFormation registry schemas', () => {
    test('groups with notifications and boosted rules are schema-valid', () => {
      const { stack } = withTopic({ samplingRateBoost: { maxRate: 1, cooldown: Duration.minutes(1) } });
      const report = validateXRayResources(Template.fromStack(stack).toJSON());
      expect(report.problems).toEqual([]);
      expect(report.checked).toBe(7);
    });
  });
});
