import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { fail, show } from '../core/errors';
import { isToken, requireKnownNumber } from '../core/numbers';
import { DEFAULT_SAMPLING_RATE } from '../core/tracing-options';
import { validateCharacters, validateIntegerInRange, validateLength, validateNumberAbove, validateNumberInRange } from '../core/validation';
import { validateBoolean, validateSamplingRate } from '../core/validation-tracing';
import { XRAY_GROUP_NAME_CHARACTER, XRAY_GROUP_NAME_MAX } from '../core/validation-xray-names';
import { annotateCostForServices } from '../cost/cost-annotation';
import { FilterExpression } from '../groups/filter-expression';
import { TraceGroup } from '../groups/trace-group';
import { SamplingRateBoost, SamplingRule, SamplingRuleServiceType } from '../sampling/sampling-rule';

/**
 * The AFIRGen services, by the name each reports to X-Ray (its segment name). String constants,
 * not an enum: they go where a string is typed (`serviceName`), and in Python, Java, C# and Go a
 * jsii enum member is not its string.
 */
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
   * The fraction of each service's requests to trace once the reservoir is used up, from 0 to 1:
   * the runbook's cost lever (0.05 under cost pressure).
   *
   * @default 0.1
   */
  readonly samplingRate?: number;

  /**
   * Per-service sampling rates that replace `samplingRate` for the services named, keyed by
   * X-Ray service name (the values of `AfirgenServiceName`), e.g.
   * `{ 'afirgen-gguf-server': 0.05 }`. Any other key is an error.
   *
   * @default - every service uses `samplingRate`
   */
  readonly serviceSamplingRates?: { [serviceName: string]: number };

  /**
   * Requests each service traces every second before the rate applies (shared by all of a
   * service's tasks). An integer of 0 or more.
   *
   * @default 1
   */
  readonly reservoirSize?: number;

  /**
   * The priority of the first sampling rule, an integer from 1 to 9997; the rules of
   * `afirgen-main-backend`, `afirgen-gguf-server` and `afirgen-asr-ocr-server` take this priority,
   * the next and the one after. Services use the first matching rule in ascending priority, so
   * keep these numbers below those of any catch-all rule of your own (`ServiceName` `*`), or
   * that rule decides for these services instead.
   *
   * @default 1000
   */
  readonly priority?: number;

  /**
   * The response time, in seconds, above which a main-backend request counts as slow (the slow
   * requests group). A number greater than 0.
   *
   * @default 5
   */
  readonly slowRequestThresholdSeconds?: number;

  /**
   * Whether X-Ray Insights watches the main-backend errors group.
   *
   * @default true
   */
  readonly insightsOnErrors?: boolean;

  /**
   * A prefix for every rule and group name, joined with `-` (e.g. `prod` gives
   * `prod-afirgen-main-backend`), so that two deployments can share an account and region: the
   * names are unique there. 1 to 4 letters, digits or dashes, because the longest name,
   * `<prefix>-afirgen-main-backend-errors`, must fit X-Ray's 32 characters.
   *
   * @default - no prefix: the rules are named after the services
   */
  readonly namePrefix?: string;

  /**
   * Expected requests a month per service, keyed by X-Ray service name (the values of
   * `AfirgenServiceName`), to add an info annotation with the estimated monthly X-Ray cost of
   * all three rules together (the free tier counted once).
   * @default - no estimate
   */
  readonly expectedRequestsPerMonth?: { [serviceName: string]: number };

  /**
   * A monthly X-Ray budget in USD: an estimate above it becomes a warning. Needs
   * `expectedRequestsPerMonth`.
   * @default - no budget
   */
  readonly monthlyBudgetUsd?: number;

  /**
   * Adaptive sampling on every service's rule: X-Ray may raise a rule's rate up to `maxRate`
   * during anomalies, once per `cooldown`. `maxRate` must be at least every service's rate. Only
   * the ADOT SDKs for Java (v2.11.5+) and Python (v0.15.0+) honour it.
   *
   * @default - no boost
   */
  readonly samplingRateBoost?: SamplingRateBoost;

  /**
   * An SNS topic for the runbook's alarms and insights: with it, CloudWatch alarms watch the
   * slow-requests and errors groups (their `ApproximateTraceCount`) and notify the topic, and the
   * errors group's X-Ray Insights (turned on with `insightsOnErrors`) send their notifications to
   * it through EventBridge.
   *
   * @default - no alarms and no insight notifications
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Slow main-backend requests in one `alarmPeriod` at which the slow-requests alarm fires (the
   * group's traces, so sampled requests only). A number of 0 or more. Needs `alarmTopic`.
   *
   * @default 5
   */
  readonly slowRequestsAlarmThreshold?: number;

  /**
   * Main-backend error traces in one `alarmPeriod` at which the errors alarm fires. A number of 0
   * or more. Needs `alarmTopic`.
   *
   * @default 1
   */
  readonly errorsAlarmThreshold?: number;

  /**
   * The period both alarms sum the group's traces over, whole minutes, 1 or more. Needs
   * `alarmTopic`.
   *
   * @default Duration.minutes(5)
   */
  readonly alarmPeriod?: Duration;
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
const GROUP_NAMES = {
  slowRequests: `${AfirgenServiceName.MAIN_BACKEND}-slow`,
  errors: `${AfirgenServiceName.MAIN_BACKEND}-errors`,
  modelSummariser: 'afirgen-model-summariser',
  endpointProcess: 'afirgen-endpoint-process',
} as const;

const LONGEST_NAME = Math.max(...SERVICE_NAMES.map((n) => n.length), ...Object.values(GROUP_NAMES).map((n) => n.length));
const NAME_PREFIX_MAX = XRAY_GROUP_NAME_MAX - LONGEST_NAME - 1;

const DEFAULT_PRIORITY = 1000;
const DEFAULT_RESERVOIR_SIZE = 1;
const DEFAULT_SLOW_REQUEST_THRESHOLD_SECONDS = 5;
const DEFAULT_SLOW_REQUESTS_ALARM_THRESHOLD = 5;
const DEFAULT_ERRORS_ALARM_THRESHOLD = 1;
const DEFAULT_ALARM_PERIOD_MINUTES = 5;

/**
 * The AFIRGen tracing runbook in one construct: a sampling rule per service and the trace groups
 * behind the runbook's console queries.
 *
 * Sampling rules, one per service (`ServiceName` = the service, named after it): a fixed rate of
 * 10 % (`samplingRate`, per service `serviceSamplingRates`) after a reservoir of 1 request a
 * second. Their service type is `*`, not `AWS::ECS::Container`: the service name already singles
 * the service out, and the origin a service reports depends on the SDK plugins it loads (the
 * GGUF server on GPU EC2 capacity may report `AWS::EC2::Instance`), so matching on it could only
 * make a rule miss.
 *
 * Trace groups:
 * - `slowRequestsGroup`: `service("afirgen-main-backend") AND responsetime > 5`
 * - `errorsGroup`: `service("afirgen-main-backend") AND error = true`, with X-Ray Insights
 * - `modelSummariserGroup`: `annotation.model_name = "summariser"`
 * - `endpointProcessGroup`: `annotation.endpoint = "/process"`
 *
 * ```ts
 * new AfirgenTracing(this, 'Tracing', { samplingRate: 0.05 });
 * ```
 */
export class AfirgenTracing extends Construct {
  /**
   * The sampling rules, keyed by service name (the values of `AfirgenServiceName`).
   */
  public readonly samplingRules: { [serviceName: string]: SamplingRule };

  /**
   * The trace groups, keyed `slow-requests`, `errors`, `model-summariser` and `endpoint-process`.
   */
  public readonly traceGroups: { [key: string]: TraceGroup };

  /** Main-backend requests slower than `slowRequestThresholdSeconds`. */
  public readonly slowRequestsGroup: TraceGroup;

  /** Main-backend requests that ended in an error, watched by X-Ray Insights unless turned off. */
  public readonly errorsGroup: TraceGroup;

  /** Traces annotated `model_name = "summariser"`. */
  public readonly modelSummariserGroup: TraceGroup;

  /** Traces annotated `endpoint = "/process"`. */
  public readonly endpointProcessGroup: TraceGroup;

  /** The alarm on the slow-requests group, with `alarmTopic`. */
  public readonly slowRequestsAlarm?: cloudwatch.Alarm;

  /** The alarm on the errors group, with `alarmTopic`. */
  public readonly errorsAlarm?: cloudwatch.Alarm;

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
    validateCharacters(this, 'namePrefix', props.namePrefix, XRAY_GROUP_NAME_CHARACTER, 'letters, digits and -');
    const name = (base: string): string => (props.namePrefix === undefined ? base : `${props.namePrefix}-${base}`);
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
        serviceName: service,
        serviceType: SamplingRuleServiceType.ANY,
        samplingRateBoost: props.samplingRateBoost,
      });
    });

    this.annotateCost(props);

    const mainBackend = FilterExpression.service(AfirgenServiceName.MAIN_BACKEND);
    this.slowRequestsGroup = new TraceGroup(this, 'SlowRequestsGroup', {
      groupName: name(GROUP_NAMES.slowRequests),
      filterExpression: mainBackend.and(FilterExpression.responseTime().greaterThan(threshold)),
    });
    const insightsOnErrors = props.insightsOnErrors ?? true;
    this.errorsGroup = new TraceGroup(this, 'ErrorsGroup', {
      groupName: name(GROUP_NAMES.errors),
      filterExpression: mainBackend.and(FilterExpression.error()),
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

    const topic = props.alarmTopic;
    if (topic !== undefined) {
      const action = new cloudwatchActions.SnsAction(topic);
      const period = Duration.minutes(alarmPeriodMinutes);
      // A group's metric has data points only for minutes in which traces matched: no data means
      // no slow requests (or no errors), not a broken alarm.
      const alarmOn = (alarmId: string, group: TraceGroup, alarmThreshold: number, what: string): cloudwatch.Alarm => {
        const alarm = group.metricApproximateTraceCount({ period }).createAlarm(this, alarmId, {
          threshold: alarmThreshold,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          alarmDescription: `${alarmThreshold} or more ${what} traces of ${AfirgenServiceName.MAIN_BACKEND} in ${alarmPeriodMinutes} minute(s) (X-Ray group ${group.groupName})`,
        });
        alarm.addAlarmAction(action);
        return alarm;
      };
      this.slowRequestsAlarm = alarmOn('SlowRequestsAlarm', this.slowRequestsGroup,
        props.slowRequestsAlarmThreshold ?? DEFAULT_SLOW_REQUESTS_ALARM_THRESHOLD, 'slow-request');
      this.errorsAlarm = alarmOn('ErrorsAlarm', this.errorsGroup, props.errorsAlarmThreshold ?? DEFAULT_ERRORS_ALARM_THRESHOLD, 'error');
      if (insightsOnErrors) {
        this.errorsGroup.onInsight('InsightsToTopic', {
          description: `X-Ray Insights of ${this.errorsGroup.groupName} to the alarm topic`,
          target: new targets.SnsTopic(topic),
        });
      }
    }
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
   *
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
   * The fixed rate of one service's rule: what its app's `XRAY_SAMPLING_RATE` should say, so that
   * the app and the rule agree.
   *
   * @param service the service
   */
  public samplingRateFor(service: string): number {
    this.samplingRuleFor(service);
    return this.rates[service];
  }
}
