import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { FilterExpression } from '../../src/groups/filter-expression';
import { TraceGroup } from '../../src/groups/trace-group';
import { TransactionSearch } from '../../src/transaction-search/transaction-search';

const ENV = { account: '111111111111', region: 'us-east-1' };
const WARNING = '@cdk-xray-ecs/transaction-search:groupSeesIndexedShareOnly';

/** An app with a shared stack (Transaction Search) and a service stack (a group, and an alarm on it). */
interface AppOptions {
  readonly alarm?: boolean;
  readonly insights?: boolean;
  readonly serviceEnv?: { account: string; region: string };
}

function appWith(indexingPercentage: number | undefined, options: AppOptions = {}) {
  const app = new App();
  const shared = new Stack(app, 'Shared', { env: ENV });
  const service = new Stack(app, 'Service', { env: options.serviceEnv ?? ENV });
  new TransactionSearch(shared, 'TransactionSearch', indexingPercentage === undefined ? {} : { indexingPercentage });
  const group = new TraceGroup(service, 'Errors', {
    groupName: 'orders-errors',
    filterExpression: FilterExpression.service('orders-api').and(FilterExpression.fault()),
    insightsEnabled: options.insights ?? false,
  });
  if (options.alarm ?? true) {
    group.metricApproximateTraceCount().createAlarm(service, 'ErrorsAlarm', { threshold: 1, evaluationPeriods: 1 });
  }
  return { app, shared, service };
}

function warningsOf(stack: Stack): string[] {
  return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('.*')).map((w) => String(w.entry.data))
    .filter((m) => m.includes(WARNING));
}

describe('issue 24 item 3: Transaction Search below 100 % and trace-group alarms', () => {
  test('warns on an alarm on a group\'s ApproximateTraceCount at 1 %, naming the alarm, the group and the percentage', () => {
    const { service } = appWith(1);
    const warnings = warningsOf(service);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/alarm Service\/ErrorsAlarm counts the ApproximateTraceCount of trace group "orders-errors", but TransactionSearch Shared\/TransactionSearch indexes 1 % of spans \(indexingPercentage 1\)/);
    expect(warnings[0]).toMatch(/it sees only that share/);
  });

  test('warns at the default percentage (1) when none is given', () => {
    expect(warningsOf(appWith(undefined).service)[0]).toMatch(/indexes 1 % of spans \(indexingPercentage 1\)/);
  });

  test('warns when the percentage is a deploy-time value', () => {
    const app = new App();
    const shared = new Stack(app, 'Shared', { env: ENV });
    new TransactionSearch(shared, 'TransactionSearch', {
      indexingPercentage: new CfnParameter(shared, 'Pct', { type: 'Number' }).valueAsNumber,
    });
    const group = new TraceGroup(shared, 'Slow', { groupName: 'slow', filterExpression: FilterExpression.responseTime().greaterThan(5) });
    group.metricApproximateTraceCount().createAlarm(shared, 'SlowAlarm', { threshold: 1, evaluationPeriods: 1 });
    expect(warningsOf(shared)[0]).toMatch(/known only at deploy time/);
  });

  test('warns on each group with Insights, naming the group and the percentage', () => {
    const { service } = appWith(5, { alarm: false, insights: true });
    const warnings = warningsOf(service);
    expect(warnings).toEqual([expect.stringMatching(/trace group Service\/Errors \("orders-errors"\) has X-Ray Insights on, but .* indexes 5 % of spans/)]);
  });

  test('warns on alarms created after the TransactionSearch, and on math expressions over a group metric', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    new TransactionSearch(stack, 'TransactionSearch');
    const group = new TraceGroup(stack, 'G', { groupName: 'g', filterExpression: FilterExpression.error() });
    new cloudwatch.MathExpression({ expression: 'm * 100', usingMetrics: { m: group.metricApproximateTraceCount() } })
      .createAlarm(stack, 'Scaled', { threshold: 1, evaluationPeriods: 1 });
    expect(warningsOf(stack)).toEqual([expect.stringMatching(/alarm Stack\/Scaled counts the ApproximateTraceCount of trace group "g"/)]);
  });

  test('no warning at 100 %', () => {
    expect(warningsOf(appWith(100, { insights: true }).service)).toEqual([]);
  });

  test('no warning without group alarms or Insights', () => {
    expect(warningsOf(appWith(1, { alarm: false }).service)).toEqual([]);
  });

  test('no warning for an alarm on any other metric', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    new TransactionSearch(stack, 'TransactionSearch');
    new cloudwatch.Metric({ namespace: 'AWS/X-Ray', metricName: 'Other', dimensionsMap: { GroupName: 'g' } })
      .createAlarm(stack, 'Other', { threshold: 1, evaluationPeriods: 1 });
    expect(warningsOf(stack)).toEqual([]);
  });

  test('no warning for a group alarm in another account', () => {
    expect(warningsOf(appWith(1, { serviceEnv: { account: '222222222222', region: 'us-east-1' } }).service)).toEqual([]);
  });

  test('a second synth adds no second warning', () => {
    const { app, service } = appWith(1);
    app.synth();
    expect(warningsOf(service)).toHaveLength(1);
  });
});
