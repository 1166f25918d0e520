import { Arn, ArnFormat, Duration, IResource, Resource, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import { CfnGroup } from 'aws-cdk-lib/aws-xray';
import { Construct, IConstruct } from 'constructs';
import { FilterExpression } from './filter-expression';
import { registerAnnotationKeys, validateAnnotationKey } from '../core/annotation-keys';
import { APP_INDEX_KINDS, describeSharedEnvironment, mayShareEnvironment, membersInApp, registerMember } from '../core/app-index';
import { fail, show } from '../core/errors';
import { GROUP_METRIC_NAME, GROUP_METRIC_NAMESPACE } from '../core/group-facts';
import { importOwner } from '../core/owners';
import { validateRequired } from '../core/validation';
import { validateBoolean } from '../core/validation-tracing';
import { validateTraceGroupName } from '../core/validation-xray-names';

const GROUP_ARN = /^arn:[^:]+:xray:[^:]*:[^:]*:group\/([^/]+)\/[^/]+$/;

/** The kind under which trace groups find each other in an app (see `core/app-index.ts`). */
const KIND = APP_INDEX_KINDS.traceGroup;

/** The EventBridge event X-Ray Insights sends for a group with notifications on. */
const INSIGHT_SOURCE = 'aws.xray';
const INSIGHT_DETAIL_TYPE = 'AWS X-Ray Insight Update';

/** An X-Ray group, created here or imported. */
export interface ITraceGroup extends IResource {
  /**
   * The group's ARN, ending in an id X-Ray generates.
   * @attribute
   */
  readonly groupArn: string;

  /**
   * The group's name.
   * @attribute
   */
  readonly groupName: string;
}

/** Properties of a {@link TraceGroup}. */
export interface TraceGroupProps {
  /** The group's name, 1 to 32 letters, digits and dashes, unique in the account and Region. */
  readonly groupName: string;

  /** The traces that belong to the group (a change applies to traces recorded afterwards). */
  readonly filterExpression: FilterExpression;

  /**
   * Whether X-Ray Insights watches the group's traces for anomalies.
   * @default false
   */
  readonly insightsEnabled?: boolean;

  /**
   * Whether Insights sends notifications to EventBridge. Needs `insightsEnabled`.
   * @default false
   */
  readonly notificationsEnabled?: boolean;
}

/**
 * An X-Ray group (`AWS::XRay::Group`): the traces that match a filter expression, with their own
 * service map, metrics and, optionally, Insights.
 *
 * ```ts
 * new TraceGroup(this, 'Errors', {
 *   groupName: 'orders-errors',
 *   filterExpression: FilterExpression.service('orders').and(FilterExpression.error()),
 *   insightsEnabled: true,
 * });
 * ```
 */
export class TraceGroup extends Resource implements ITraceGroup {
  /**
   * Imports a group by its ARN.
   *
   * @param scope the scope of the imported group
   * @param id its construct id
   * @param groupArn the group's ARN
   */
  public static fromGroupArn(scope: Construct, id: string, groupArn: string): ITraceGroup {
    const owner = importOwner(scope, id);
    validateRequired(owner, 'groupArn', groupArn, 'arn:<partition>:xray:<region>:<account>:group/<name>/<id>');
    let groupName: string;
    if (Token.isUnresolved(groupArn)) {
      // arn:<partition>:xray:<region>:<account>:group/<name>/<id>: the name is the second `/` part.
      const resourceName = Arn.split(groupArn, ArnFormat.SLASH_RESOURCE_NAME).resourceName;
      if (resourceName === undefined) {
        return fail(owner, `groupArn has no group name, got ${show(groupArn)}`);
      }
      groupName = resourceName;
    } else {
      const match = typeof groupArn === 'string' ? GROUP_ARN.exec(groupArn) : null;
      if (match === null) {
        return fail(owner, `groupArn must look like arn:<partition>:xray:<region>:<account>:group/<name>/<id>, got ${show(groupArn)}`);
      }
      groupName = match[1];
    }
    return new ImportedTraceGroup(scope, id, groupArn, groupName, { environmentFromArn: groupArn });
  }

  /**
   * Imports a group of this stack's account and Region by its name. Its `groupArn` throws: the
   * ARN ends in an id X-Ray generates, so use {@link TraceGroup.fromGroupArn} when you need it.
   *
   * @param scope the scope of the imported group
   * @param id its construct id
   * @param groupName the group's name
   */
  public static fromGroupName(scope: Construct, id: string, groupName: string): ITraceGroup {
    const owner = importOwner(scope, id);
    validateRequired(owner, 'groupName', groupName, 'the name of a group of this account and Region');
    validateTraceGroupName(owner, 'groupName', groupName, { allowReserved: true });
    return new ImportedTraceGroup(scope, id, undefined, groupName, {});
  }

  /** The group's ARN (`GroupARN`, known at deploy time). */
  public readonly groupArn: string;

  /** The group's name. */
  public readonly groupName: string;

  /** Whether X-Ray Insights watches the group. */
  public readonly insightsEnabled: boolean;

  /** The traces that belong to the group. */
  public readonly filterExpression: FilterExpression;

  /** Whether X-Ray Insights sends the group's insights to EventBridge. */
  public readonly notificationsEnabled: boolean;

  /** The annotation keys the group's filter expression filters on; the library's agents index them. */
  public readonly annotationKeys: string[];

  constructor(scope: Construct, id: string, props: TraceGroupProps) {
    const given: TraceGroupProps = props ?? ({} as TraceGroupProps);
    super(scope, id, { physicalName: given.groupName });

    validateRequired(this, 'groupName', given.groupName, '1 to 32 letters, digits and -');
    validateRequired(this, 'filterExpression', given.filterExpression, 'a FilterExpression, e.g. FilterExpression.parse(\'error = true\')');
    validateTraceGroupName(this, 'groupName', given.groupName);
    if (!(given.filterExpression instanceof FilterExpression)) {
      fail(this, `filterExpression must be a FilterExpression (FilterExpression.parse(text), FilterExpression.service(name), ...), got ${show(given.filterExpression)}`);
    }
    const annotationKeys = given.filterExpression.annotationKeys;
    for (const key of annotationKeys) validateAnnotationKey(this, 'filterExpression', key);
    validateBoolean(this, 'insightsEnabled', given.insightsEnabled);
    validateBoolean(this, 'notificationsEnabled', given.notificationsEnabled);
    const insightsEnabled = given.insightsEnabled ?? false;
    const notificationsEnabled = given.notificationsEnabled ?? false;
    if (notificationsEnabled && !insightsEnabled) {
      fail(this,
        'notificationsEnabled needs insightsEnabled: X-Ray sends insight notifications only for groups with insights, got notificationsEnabled: true and insightsEnabled: false',
      );
    }

    const resource = new CfnGroup(this, 'Resource', {
      groupName: given.groupName,
      filterExpression: given.filterExpression.toString(),
      insightsConfiguration: { insightsEnabled, notificationsEnabled },
    });

    // The ARN ends in an id X-Ray generates: only the resource's attribute has it.
    this.groupArn = resource.attrGroupArn;
    this.groupName = given.groupName;
    this.insightsEnabled = insightsEnabled;
    this.notificationsEnabled = notificationsEnabled;
    this.filterExpression = given.filterExpression;

    this.annotationKeys = annotationKeys;

    registerMember(this, KIND);
    const label = Token.isUnresolved(given.groupName) ? `trace group ${this.node.path}` : `trace group ${JSON.stringify(given.groupName)} (${this.node.path})`;
    registerAnnotationKeys(this, label, annotationKeys);
    this.node.addValidation({ validate: () => this.validateUniqueInApp() });
  }

  /**
   * The group's `ApproximateTraceCount` metric; minutes without a matching trace have no data point.
   *
   * @param options period, statistic, label, ... of the metric
   * @default - statistic Sum over 1 minute (X-Ray's publishing interval)
   */
  public metricApproximateTraceCount(options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(1),
      ...options,
      namespace: GROUP_METRIC_NAMESPACE,
      metricName: GROUP_METRIC_NAME,
      dimensionsMap: { ...options.dimensionsMap, GroupName: this.groupName },
    });
  }

  /**
   * An EventBridge rule for this group's Insights events; needs `insightsEnabled` and `notificationsEnabled`.
   *
   * @param id the construct id of the rule (a child of the group)
   * @param options the rule's target, name, description and any extra event pattern
   */
  public onInsight(id: string, options: events.OnEventOptions = {}): events.Rule {
    if (!this.insightsEnabled || !this.notificationsEnabled) {
      fail(this,
        `onInsight needs insightsEnabled: true and notificationsEnabled: true (X-Ray sends insight events to EventBridge only then), got insightsEnabled: ${this.insightsEnabled} and notificationsEnabled: ${this.notificationsEnabled}`);
    }
    const rule = new events.Rule(this, id, {
      description: options.description,
      ruleName: options.ruleName,
      eventPattern: options.eventPattern,
    });
    rule.addEventPattern({
      source: [INSIGHT_SOURCE],
      detailType: [INSIGHT_DETAIL_TYPE],
      detail: { GroupName: [this.groupName] },
    });
    if (options.target !== undefined) rule.addTarget(options.target);
    return rule;
  }

  /** No other group in the same account and Region has this group's name (reported once, on the later group). */
  private validateUniqueInApp(): string[] {
    if (Token.isUnresolved(this.groupName)) return [];
    const groups = membersInApp(this, KIND).filter((c: IConstruct): c is TraceGroup => c instanceof TraceGroup);
    const me = groups.indexOf(this);
    return groups
      .filter((other, index) => index < me && other.groupName === this.groupName && mayShareEnvironment(this, other))
      .map((other) =>
        `groupName ${JSON.stringify(this.groupName)} of ${this.node.path} is also the groupName of ${other.node.path}, and ${describeSharedEnvironment(this, other)}: ` +
        'X-Ray group names are unique in an account and Region, so the second stack to deploy fails. ' +
        'Fix: give one of them a different groupName',
      );
  }
}

/** What {@link TraceGroup.fromGroupArn} and `fromGroupName` return. */
class ImportedTraceGroup extends Resource implements ITraceGroup {
  public readonly groupName: string;
  private readonly knownArn: string | undefined;

  constructor(
    scope: Construct,
    id: string,
    groupArn: string | undefined,
    groupName: string,
    resourceProps: { readonly environmentFromArn?: string },
  ) {
    super(scope, id, resourceProps);
    this.knownArn = groupArn;
    this.groupName = groupName;
  }

  public get groupArn(): string {
    if (this.knownArn === undefined) {
      return fail(this,
        `groupArn is unknown for the trace group "${this.groupName}" imported by name: X-Ray group ARNs end in an id generated at creation. Import it with TraceGroup.fromGroupArn, or use the IAM resource pattern arn:<partition>:xray:<region>:<account>:group/${this.groupName}/*`,
      );
    }
    return this.knownArn;
  }
}
