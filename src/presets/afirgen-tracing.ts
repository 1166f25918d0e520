import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { APP_INDEX_KINDS, mayShareEnvironment, membersInApp, registerMember } from '../core/app-index';
import { fail, show } from '../core/errors';
import { isToken, requireKnownNumber } from '../core/numbers';
import { DEFAULT_SAMPLING_RATE } from '../core/tracing-options';
import {
  validateCharacters, validateIntegerInRange, validateLength, validateNumberAbove, validateNumberInRange, validateXRayServiceName,
  XRAY_SAMPLING_RULE_SERVICE_NAME_MAX,
} from '../core/validation';
import { validateBoolean, validateSamplingRate } from '../core/validation-tracing';
import { XRAY_GROUP_NAME_CHARACTER, XRAY_GROUP_NAME_MAX } from '../core/validation-xray-names';
import { annotateCostForServices } from '../cost/cost-annotation';
import { FilterExpression } from '../groups/filter-expression';
import { TraceGroup } from '../groups/trace-group';
import { SamplingRateBoost, SamplingRule, SamplingRuleServiceType } from '../sampling/sampling-rule';
import { TransactionSearch } from '../transaction-search/transaction-search';

/** The AFIRGen services, by the name each reports to X-Ray (string constants, not an enum). */
export class AfirgenServiceName {
  /** The API backend. */
  public static readonly MAIN_BACKEND: string = 'afirgen-main-backend';
  /** The LLM inference server, usually on GPU EC2 capacity. */
  public static readonly GGUF_SERVER: string = 'afirgen-gguf-server';
  /** The speech-recognition and OCR server. */
  public static readonly ASR_OCR_SERVER: string = 'afirgen-asr-ocr-server';

  private constructor() {}
}

/** Properties of {@link AfirgenTracing}. */
export interface AfirgenTracingProps {
  /**
   * The fraction of each service's requests to trace once the reservoir is used up, from 0 to 1.
   * @default 0.1
   */
  readonly samplingRate?: number;

  /**
   * Per-service rates that replace `samplingRate`, keyed by `AfirgenServiceName` values.
   * @default - every service uses `samplingRate`
   */
  readonly serviceSamplingRates?: { [serviceName: string]: number };

  /**
   * Requests each service traces every second before the rate applies, for all its tasks.
   * @default 1
   */
  readonly reservoirSize?: number;

  /**
   * The priority of the first of the three rules (1 to 9997); the others take the next two.
   * Keep it below any catch-all rule of your own.
   * @default 1000
   */
  readonly priority?: number;

  /**
   * The response time, in seconds, above which a main-backend request counts as slow.
   * @default 5
   */
  readonly slowRequestThresholdSeconds?: number;

  /**
   * Whether X-Ray Insights watches the main-backend errors group.
   * @default true
   */
  readonly insightsOnErrors?: boolean;

  /**
   * A stage prefix (1 to 4 letters, digits or dashes) for every X-Ray name the preset owns, so two
   * stages can share an account; name each traced service with `serviceNameFor(...)`.
   * @default - no prefix
   */
  readonly namePrefix?: string;

  /**
   * Expected requests a month per service (keyed by `AfirgenServiceName` values), for a cost note.
   * @default - no estimate
   */
  readonly expectedRequestsPerMonth?: { [serviceName: string]: number };

  /**
   * A monthly X-Ray budget in USD: an estimate above it is a warning. Needs `expectedRequestsPerMonth`.
   * @default - no budget
   */
  readonly monthlyBudgetUsd?: number;

  /**
   * Adaptive sampling on every service's rule; `maxRate` must be at least every service's rate.
   * @default - no boost
   */
  readonly samplingRateBoost?: SamplingRateBoost;

  /**
   * An SNS topic for alarms on the slow-requests and errors groups and for the errors group's insights.
   * @default - no alarms and no insight notifications
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Slow main-backend requests in one `alarmPeriod` at which the slow-requests alarm fires. Needs `alarmTopic`.
   * @default 5
   */
  readonly slowRequestsAlarmThreshold?: number;

  /**
   * Main-backend error traces in one `alarmPeriod` at which the errors alarm fires. Needs `alarmTopic`.
   * @default 1
   */
  readonly errorsAlarmThreshold?: number;

  /**
   * The period both alarms sum over, in whole minutes. Needs `alarmTopic`.
   * @default Duration.minutes(5)
   */
  readonly alarmPeriod?: Duration;

  /**
   * The account's Transaction Search: below 100 % indexing the alarms count every span in `aws/spans`
   * (groups count only indexed traces).
   * @default - Transaction Search is off: the alarms watch the groups
   */
  readonly transactionSearch?: TransactionSearch;
}

/** The boost as the estimator takes it; undefined when absent or only known at deploy time. */
function boostForEstimate(boost: SamplingRateBoost | undefined): { maxRate: number; cooldownMinutes: number } | undefined {
  if (boost === undefined || isToken(boost.maxRate) || boost.cooldown.isUnresolved()) return undefined;
  return { maxRate: boost.maxRate, cooldownMinutes: boost.cooldown.toMinutes() };
}

interface ServiceEntry {
  readonly service: string;
  readonly id: string;
}

/** The services in priority order, with the construct id of each one's rule. */
const SERVICES: readonly ServiceEntry[] = [
  { service: AfirgenServiceName.MAIN_BACKEND, id: 'MainBackendRule' },
  { service: AfirgenServiceName.GGUF_SERVER, id: 'GgufServerRule' },
  { service: AfirgenServiceName.ASR_OCR_SERVER, id: 'AsrOcrServerRule' },
];

const SERVICE_NAMES: readonly string[] = SERVICES.map((s) => s.service);

/** Group names before the prefix; the longest fixes how long a prefix may be. */
/** The kind under which presets find each other in an app (see `core/app-index.ts`). */
const KIND = 'AfirgenTracing';

const GROUP_NAMES = {
  slowRequests: `${AfirgenServiceName.MAIN_BACKEND}-slow`,
  errors: `${AfirgenServiceName.MAIN_BACKEND}-errors`,
  modelSummariser: 'afirgen-model-summariser',
  endpointProcess: 'afirgen-endpoint-process',
} as const;

const LONGEST_NAME = Math.max(...SERVICE_NAMES.map((n) => n.length), ...Object.values(GROUP_NAMES).map((n) => n.length));
const NAME_PREFIX_MAX = XRAY_GROUP_NAME_MAX - LONGEST_NAME - 1;

/** An AFIRGen service name with any stage prefix: `afirgen-main-backend`, `dev-afirgen-main-backend`, ... */
const AFIRGEN_SERVICE_NAME = new RegExp(`^(?:(.+)-)?(${SERVICE_NAMES.join('|')})$`);

/** CloudWatch Logs JSON selectors of the span fields the every-span alarms read (see docs/transaction-search.md). */
const SPAN_SERVICE_NAME = "$.resource.attributes.['service.name']";
const SPAN_HTTP_STATUS = "$.attributes.['http.response.status_code']";
const SPAN_HTTP_STATUS_OLD = "$.attributes.['http.status_code']";
const SPAN_STATUS_CODE = '$.status.code';
const SPAN_DURATION_NANO = '$.durationNano';

const DEFAULT_PRIORITY = 1000;
const DEFAULT_RESERVOIR_SIZE = 1;
const DEFAULT_SLOW_REQUEST_THRESHOLD_SECONDS = 5;
const DEFAULT_SLOW_REQUESTS_ALARM_THRESHOLD = 5;
const DEFAULT_ERRORS_ALARM_THRESHOLD = 1;
const DEFAULT_ALARM_PERIOD_MINUTES = 5;

/**
 * The AFIRGen tracing runbook in one construct: a sampling rule per service and the trace groups
 * behind the runbook's console queries (slow requests, errors, model and endpoint).
 *
 * ```ts
 * new AfirgenTracing(this, 'Tracing', { samplingRate: 0.05 });
 * ```
 */
export class AfirgenTracing extends Construct {
  /** The CloudWatch namespace of the every-span metrics (with `transactionSearch` below 100 %). */
  public static readonly SPAN_METRICS_NAMESPACE = 'AfirgenTracing/Spans';

  /** The sampling rules, keyed by service name (the values of `AfirgenServiceName`). */
  public readonly samplingRules: { [serviceName: string]: SamplingRule };

  /** The trace groups, keyed `slow-requests`, `errors`, `model-summariser` and `endpoint-process`. */
  public readonly traceGroups: { [key: string]: TraceGroup };

  /** Main-backend requests slower than `slowRequestThresholdSeconds`. */
  public readonly slowRequestsGroup: TraceGroup;

  /** Main-backend requests that ended in an error or a fault (4xx, 429 and 5xx). */
  public readonly errorsGroup: TraceGroup;

  /** Traces annotated `model_name = "summariser"`. */
  public readonly modelSummariserGroup: TraceGroup;

  /** Traces annotated `endpoint = "/process"`. */
  public readonly endpointProcessGroup: TraceGroup;

  /** The slow-requests alarm, with `alarmTopic`. */
  public readonly slowRequestsAlarm?: cloudwatch.Alarm;

  /** The errors alarm, with `alarmTopic`. */
  public readonly errorsAlarm?: cloudwatch.Alarm;

  /** The stage prefix, when one was given. */
  public readonly namePrefix?: string;

  private readonly rates: { [serviceName: string]: number };

  constructor(scope: Construct, id: string, props: AfirgenTracingProps = {}) {
    super(scope, id);

    validateSamplingRate(this, 'samplingRate', props.samplingRate);
    const overrides = props.serviceSamplingRates ?? {};
    for (const [serviceName, rate] of Object.entries(overrides)) {
      if (!SERVICE_NAMES.includes(serviceName)) {
        fail(this,
          `serviceSamplingRates has an unknown service ${JSON.stringify(serviceName)}: the keys must be AFIRGen service names (${SERVICE_NAMES.join(', ')})`);
      }
      validateSamplingRate(this, `serviceSamplingRates[${JSON.stringify(serviceName)}]`, rate);
    }
    validateIntegerInRange(this, 'reservoirSize', props.reservoirSize, 0);
    validateIntegerInRange(this, 'priority', props.priority, 1, 9999 - (SERVICES.length - 1));
    // Written into the slow-requests group's filter expression, which is text checked at synth.
    const threshold = requireKnownNumber(this, 'slowRequestThresholdSeconds',
      props.slowRequestThresholdSeconds ?? DEFAULT_SLOW_REQUEST_THRESHOLD_SECONDS, '(it is written into the slow-requests filter expression)');
    validateNumberAbove(this, 'slowRequestThresholdSeconds', threshold, 0);
    validateBoolean(this, 'insightsOnErrors', props.insightsOnErrors);
    validateLength(this, 'namePrefix', props.namePrefix, 1, NAME_PREFIX_MAX);
    // The prefix begins group names too, whose characters are the narrowest of the three.
    validateCharacters(this, 'namePrefix', props.namePrefix, XRAY_GROUP_NAME_CHARACTER,
      'letters, digits and - (it begins X-Ray service, sampling-rule and group names)');
    this.namePrefix = props.namePrefix;
    const name = (base: string): string => this.prefixed(base);
    for (const service of SERVICE_NAMES) {
      validateXRayServiceName(this, 'namePrefix', name(service), XRAY_SAMPLING_RULE_SERVICE_NAME_MAX);
    }
    const alarmPeriodMinutes = this.validateAlarmProps(props);

    const samplingRate = props.samplingRate ?? DEFAULT_SAMPLING_RATE;
    const priority = props.priority ?? DEFAULT_PRIORITY;
    this.rates = {};
    this.samplingRules = {};
    SERVICES.forEach(({ service, id: ruleId }, index) => {
      const rate = overrides[service] ?? samplingRate;
      this.rates[service] = rate;
      this.samplingRules[service] = new SamplingRule(this, ruleId, {
        ruleName: name(service),
        priority: priority + index,
        fixedRate: rate,
        reservoirSize: props.reservoirSize ?? DEFAULT_RESERVOIR_SIZE,
        serviceName: name(service),
        serviceType: SamplingRuleServiceType.ANY,
        samplingRateBoost: props.samplingRateBoost,
      });
    });

    this.annotateCost(props);

    const mainBackendName = name(AfirgenServiceName.MAIN_BACKEND);
    const mainBackend = FilterExpression.service(mainBackendName);
    this.slowRequestsGroup = new TraceGroup(this, 'SlowRequestsGroup', {
      groupName: name(GROUP_NAMES.slowRequests),
      filterExpression: mainBackend.and(FilterExpression.responseTime().greaterThan(threshold)),
    });
    const insightsOnErrors = props.insightsOnErrors ?? true;
    this.errorsGroup = new TraceGroup(this, 'ErrorsGroup', {
      groupName: name(GROUP_NAMES.errors),
      // X-Ray's `error` is 4xx (429 included), `fault` is 5xx: a human's "errors" are both.
      filterExpression: mainBackend.and(FilterExpression.error().or(FilterExpression.fault())),
      insightsEnabled: insightsOnErrors,
      // Insights reach the topic through EventBridge, which X-Ray only feeds with notifications on.
      notificationsEnabled: insightsOnErrors && props.alarmTopic !== undefined,
    });
    this.modelSummariserGroup = new TraceGroup(this, 'ModelSummariserGroup', {
      groupName: name(GROUP_NAMES.modelSummariser),
      filterExpression: FilterExpression.annotation('model_name').equalTo('summariser'),
    });
    this.endpointProcessGroup = new TraceGroup(this, 'EndpointProcessGroup', {
      groupName: name(GROUP_NAMES.endpointProcess),
      filterExpression: FilterExpression.annotation('endpoint').equalTo('/process'),
    });
    this.traceGroups = {
      'slow-requests': this.slowRequestsGroup,
      'errors': this.errorsGroup,
      'model-summariser': this.modelSummariserGroup,
      'endpoint-process': this.endpointProcessGroup,
    };

    const search = props.transactionSearch;
    if (search !== undefined && !(search instanceof TransactionSearch)) {
      fail(this, `transactionSearch must be a TransactionSearch construct, got ${show(search)}`);
    }
    const topic = props.alarmTopic;
    if (topic !== undefined) {
      const action = new cloudwatchActions.SnsAction(topic);
      const period = Duration.minutes(alarmPeriodMinutes);
      // No data point means nothing matched that minute.
      const alarmOn = (alarmId: string, metric: cloudwatch.Metric, alarmThreshold: number, description: string): cloudwatch.Alarm => {
        const alarm = metric.createAlarm(this, alarmId, {
          threshold: alarmThreshold,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          alarmDescription: `${alarmThreshold} or more ${description} in ${alarmPeriodMinutes} minute(s)`,
        });
        alarm.addAlarmAction(action);
        return alarm;
      };
      const slowThreshold = props.slowRequestsAlarmThreshold ?? DEFAULT_SLOW_REQUESTS_ALARM_THRESHOLD;
      const errorsThreshold = props.errorsAlarmThreshold ?? DEFAULT_ERRORS_ALARM_THRESHOLD;
      if (search !== undefined && !search.indexesEverySpan) {
        // Groups see only the indexed share of traces: count every span in aws/spans instead.
        const spans = this.spanMetrics(search, mainBackendName, threshold, period);
        this.slowRequestsAlarm = alarmOn('SlowSpansAlarm', spans.slow, slowThreshold,
          `${mainBackendName} spans slower than ${threshold} s (every span in aws/spans)`);
        this.errorsAlarm = alarmOn('ErrorSpansAlarm', spans.errors, errorsThreshold,
          `${mainBackendName} spans with a 4xx or 5xx status or an error status (every span in aws/spans)`);
      } else {
        this.slowRequestsAlarm = alarmOn('SlowRequestsAlarm', this.slowRequestsGroup.metricApproximateTraceCount({ period }), slowThreshold,
          `slow-request traces of ${mainBackendName} (X-Ray group ${this.slowRequestsGroup.groupName})`);
        this.errorsAlarm = alarmOn('ErrorsAlarm', this.errorsGroup.metricApproximateTraceCount({ period }), errorsThreshold,
          `error and fault traces of ${mainBackendName} (X-Ray group ${this.errorsGroup.groupName})`);
      }
      if (insightsOnErrors) {
        this.errorsGroup.onInsight('InsightsToTopic', {
          description: `X-Ray Insights of ${this.errorsGroup.groupName} to the alarm topic`,
          target: new targets.SnsTopic(topic),
        });
      }
    }

    registerMember(this, KIND);
    this.node.addValidation({ validate: () => this.validateGroupsNameOwnedServices() });
  }

  /**
   * The X-Ray service name of one AFIRGen service in this stage, to give the traced service.
   *
   * @param service the service's runbook name (`AfirgenServiceName.MAIN_BACKEND`, ...)
   */
  public serviceNameFor(service: string): string {
    if (!SERVICE_NAMES.includes(service)) {
      fail(this, `service must be one of ${SERVICE_NAMES.join(', ')}, got ${JSON.stringify(service)}`);
    }
    return this.prefixed(service);
  }

  /** `base` with the stage prefix. */
  private prefixed(base: string): string {
    return this.namePrefix === undefined ? base : `${this.namePrefix}-${base}`;
  }

  /** Metric filters on `aws/spans` counting every slow or failed main-backend span. */
  private spanMetrics(search: TransactionSearch, serviceName: string, thresholdSeconds: number, period: Duration):
  { readonly slow: cloudwatch.Metric; readonly errors: cloudwatch.Metric } {
    const spansLogGroup = logs.LogGroup.fromLogGroupName(this, 'SpansLogGroup', TransactionSearch.SPANS_LOG_GROUP_NAME);
    const ofService = logs.FilterPattern.stringValue(SPAN_SERVICE_NAME, '=', serviceName);
    const filterFor = (filterId: string, metricName: string, pattern: logs.JsonPattern): cloudwatch.Metric => {
      const filter = new logs.MetricFilter(this, filterId, {
        logGroup: spansLogGroup,
        metricNamespace: AfirgenTracing.SPAN_METRICS_NAMESPACE,
        metricName,
        filterPattern: pattern,
        metricValue: '1',
        dimensions: { Service: SPAN_SERVICE_NAME },
      });
      // X-Ray creates aws/spans when Transaction Search is turned on: the filter comes after it.
      filter.node.addDependency(search);
      return filter.metric({ statistic: cloudwatch.Stats.SUM, period, dimensionsMap: { Service: serviceName } });
    };
    return {
      slow: filterFor('SlowSpansFilter', 'SlowSpans', logs.FilterPattern.all(
        ofService,
        logs.FilterPattern.numberValue(SPAN_DURATION_NANO, '>', thresholdSeconds * 1e9),
      )),
      errors: filterFor('ErrorSpansFilter', 'ErrorSpans', logs.FilterPattern.all(
        ofService,
        logs.FilterPattern.any(
          logs.FilterPattern.numberValue(SPAN_HTTP_STATUS, '>=', 400),
          logs.FilterPattern.numberValue(SPAN_HTTP_STATUS_OLD, '>=', 400),
          logs.FilterPattern.stringValue(SPAN_STATUS_CODE, '=', 'ERROR'),
        ),
      )),
    };
  }

  /** Every trace group naming an AFIRGen service must name one a preset of its account and Region traces under. */
  private validateGroupsNameOwnedServices(): string[] {
    const presets = membersInApp(this, KIND).filter((c: IConstruct): c is AfirgenTracing => c instanceof AfirgenTracing);
    if (presets[0] !== this) return [];
    const groups = membersInApp(this, APP_INDEX_KINDS.traceGroup).filter((c: IConstruct): c is TraceGroup => c instanceof TraceGroup);
    const problems: string[] = [];
    for (const group of groups) {
      const stages = presets.filter((p) => mayShareEnvironment(p, group));
      if (stages.length === 0 || stages.some((p) => group.node.scope === p)) continue;
      const owned = stages.flatMap((p) => SERVICE_NAMES.map((s) => p.prefixed(s)));
      for (const serviceName of group.filterExpression.serviceNames) {
        const match = AFIRGEN_SERVICE_NAME.exec(serviceName);
        if (match === null || owned.includes(serviceName)) continue;
        const base = match[2];
        const allowed = stages.map((p) => `${p.prefixed(base)} (${p.node.path}${p.namePrefix === undefined ? ', no namePrefix' : `, namePrefix ${JSON.stringify(p.namePrefix)}`})`);
        problems.push(
          `trace group ${group.node.path}: filterExpression names service ${JSON.stringify(serviceName)}, which no AfirgenTracing of its account and Region traces under, so the group matches no request. `
          + `Allowed: ${allowed.join(', ')}. Fix: build the expression with tracing.serviceNameFor(${JSON.stringify(base)}) of the stage the group belongs to`,
        );
      }
    }
    return problems;
  }

  /** Validates the alarm props and returns the alarm period in minutes. */
  private validateAlarmProps(props: AfirgenTracingProps): number {
    const given = (['slowRequestsAlarmThreshold', 'errorsAlarmThreshold', 'alarmPeriod'] as const).filter((k) => props[k] !== undefined);
    if (props.alarmTopic === undefined && given.length > 0) {
      fail(this, `${given.join(', ')} need alarmTopic (the alarms notify it), got ${given.map((k) => `${k} ${show(props[k])}`).join(', ')} without alarmTopic`);
    }
    validateNumberInRange(this, 'slowRequestsAlarmThreshold', props.slowRequestsAlarmThreshold, 0, Number.MAX_SAFE_INTEGER);
    validateNumberInRange(this, 'errorsAlarmThreshold', props.errorsAlarmThreshold, 0, Number.MAX_SAFE_INTEGER);
    const period = props.alarmPeriod;
    if (period === undefined) return DEFAULT_ALARM_PERIOD_MINUTES;
    if (!(period instanceof Duration)) {
      return fail(this, `alarmPeriod must be a Duration (Duration.minutes(5)), got ${show(period)}`);
    }
    if (period.isUnresolved()) return period.toMinutes();
    const minutes = period.toMinutes({ integral: false });
    if (!Number.isInteger(minutes) || minutes < 1) {
      fail(this, `alarmPeriod must be whole minutes, at least 1 (X-Ray publishes group metrics every minute), got ${period.toHumanString()}`);
    }
    return minutes;
  }

  private annotateCost(props: AfirgenTracingProps): void {
    const traffic = props.expectedRequestsPerMonth;
    if (traffic === undefined) {
      if (props.monthlyBudgetUsd !== undefined) {
        fail(this, `monthlyBudgetUsd needs expectedRequestsPerMonth to estimate against, got monthlyBudgetUsd ${props.monthlyBudgetUsd} alone`);
      }
      return;
    }
    for (const serviceName of Object.keys(traffic)) {
      if (!SERVICE_NAMES.includes(serviceName)) {
        fail(this,
          `expectedRequestsPerMonth has an unknown service ${JSON.stringify(serviceName)}: the keys must be AFIRGen service names (${SERVICE_NAMES.join(', ')})`);
      }
      validateNumberInRange(this, `expectedRequestsPerMonth[${JSON.stringify(serviceName)}]`, traffic[serviceName], 0, Number.MAX_SAFE_INTEGER);
    }
    annotateCostForServices(this, Object.entries(traffic).map(([serviceName, requestsPerMonth]) => ({
      serviceName,
      requestsPerMonth,
      samplingRate: this.rates[serviceName],
      reservoirPerSecond: props.reservoirSize ?? DEFAULT_RESERVOIR_SIZE,
    })), props.monthlyBudgetUsd, boostForEstimate(props.samplingRateBoost));
  }

  /**
   * The sampling rule of one service.
   * @param service the service
   */
  public samplingRuleFor(service: string): SamplingRule {
    const rule = this.samplingRules[service];
    if (rule === undefined) {
      fail(this, `service must be one of ${SERVICE_NAMES.join(', ')}, got ${JSON.stringify(service)}`);
    }
    return rule;
  }

  /**
   * The fixed rate of one service's rule, for its app's `XRAY_SAMPLING_RATE`.
   * @param service the service
   */
  public samplingRateFor(service: string): number {
    this.samplingRuleFor(service);
    return this.rates[service];
  }
}
