import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IConstruct } from 'constructs';

/**
 * Facts about trace groups and their alarms that folders other than `groups/` read without
 * importing it (`transaction-search/` may import only `core/`).
 */

/** The group metric X-Ray publishes every minute in which traces matched (dimension `GroupName`). */
export const GROUP_METRIC_NAMESPACE = 'AWS/X-Ray';
export const GROUP_METRIC_NAME = 'ApproximateTraceCount';

/** A trace group as the app index holds it: its name and whether X-Ray Insights watches it. */
export interface TraceGroupFacts {
  readonly groupName: string;
  readonly insightsEnabled: boolean;
}

/** The name and Insights setting of a construct registered as a trace group; undefined for any other. */
export function traceGroupFacts(construct: IConstruct): TraceGroupFacts | undefined {
  const candidate = construct as Partial<Record<keyof TraceGroupFacts, unknown>>;
  if (typeof candidate.groupName !== 'string' || typeof candidate.insightsEnabled !== 'boolean') return undefined;
  return { groupName: candidate.groupName, insightsEnabled: candidate.insightsEnabled };
}

/**
 * The group names whose `ApproximateTraceCount` an alarm watches: its metric, or the metrics of
 * its math expression. Empty for an alarm on anything else.
 */
export function groupsWatchedBy(alarm: cloudwatch.Alarm): string[] {
  const metrics: cloudwatch.IMetric[] = alarm.metric instanceof cloudwatch.MathExpression
    ? Object.values(alarm.metric.usingMetrics)
    : [alarm.metric];
  const names: string[] = [];
  for (const metric of metrics) {
    if (!(metric instanceof cloudwatch.Metric)) continue;
    if (metric.namespace !== GROUP_METRIC_NAMESPACE || metric.metricName !== GROUP_METRIC_NAME) continue;
    const group = metric.dimensions?.GroupName;
    if (typeof group === 'string' && !names.includes(group)) names.push(group);
  }
  return names;
}
