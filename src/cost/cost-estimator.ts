import type * as agentCompute from './agent-compute';
import type { XRayAgentComputeProps } from './agent-compute-props';
import {
  FREE_INDEXING_PERCENTAGE,
  FREE_TRACES_RECORDED_PER_MONTH,
  MAX_BOOST_MINUTES,
  USD_PER_GB_SPANS_INGESTED,
  USD_PER_SPAN_INDEXED,
  FREE_TRACES_RETRIEVED_PER_MONTH,
  USD_PER_TRACE_RECORDED,
  USD_PER_TRACE_RETRIEVED,
} from './pricing';
import { fail, show } from '../core/errors';
import { requireKnownNumber } from '../core/numbers';
import { validateSamplingRate } from '../core/validation-tracing';

/** The reservoir of X-Ray's default sampling rule: 1 request a second. */
const DEFAULT_RESERVOIR_PER_SECOND = 1;
const DEFAULT_RULES = 1;
const DEFAULT_DAYS_PER_MONTH = 30;
const SECONDS_PER_DAY = 86_400;

/** Spans per trace when {@link XRayTransactionSearchCostProps.spansPerTrace} is not given. */
const DEFAULT_SPANS_PER_TRACE = 10;
/** Bytes per span when {@link XRayTransactionSearchCostProps.bytesPerSpan} is not given. */
const DEFAULT_BYTES_PER_SPAN = 1_024;
const BYTES_PER_GB = 1024 ** 3;

/** CloudWatch Transaction Search in an estimate: spans are billed as `aws/spans` ingestion and indexing. */
export interface XRayTransactionSearchCostProps {
  /** The percentage of spans indexed as trace summaries, from 0 to 100 (`TransactionSearch`'s `indexingPercentage`). */
  readonly indexingPercentage: number;

  /**
   * Spans in one trace: one per service the request crosses plus one per call it makes.
   * @default 10
   */
  readonly spansPerTrace?: number;

  /**
   * The size of one span as ingested into `aws/spans`, in bytes (`IncomingBytes` / `IncomingLogEvents`).
   * @default 1024 - an assumption, not a measured figure
   */
  readonly bytesPerSpan?: number;
}

/** Adaptive sampling on the rule in an estimate, to show the worst case it can add. */
export interface XRayCostBoostProps {
  /** The highest rate a boost reaches, from the estimate's `samplingRate` to 1. */
  readonly maxRate: number;

  /** The cooldown window, in whole minutes, 1 or more. */
  readonly cooldownMinutes: number;
}

/** Traffic and sampling to estimate an X-Ray bill from; see {@link XRayCostEstimator}. */
export interface XRayCostEstimateProps {
  /** Requests a month that reach the traced entry point, where the sampling decision is made. */
  readonly requestsPerMonth: number;

  /** The sampling rule's fixed rate, from 0 to 1, applied once the reservoir is used up. */
  readonly samplingRate: number;

  /**
   * The sampling rule's reservoir: requests a second traced before the fixed rate applies.
   * @default 1
   */
  readonly reservoirPerSecond?: number;

  /**
   * How many reservoirs the traffic fills: the sampling rules that match it (or, sampling locally, the SDK instances).
   * @default 1
   */
  readonly rules?: number;

  /**
   * Traces retrieved or scanned a month (console views, `BatchGetTraces`, `GetTraceSummaries`).
   * @default 0
   */
  readonly tracesRetrievedPerMonth?: number;

  /**
   * Days in the month the reservoir runs for, from 28 to 31.
   * @default 30
   */
  readonly daysPerMonth?: number;

  /**
   * Whether to subtract the monthly free tier (per account: turn it off when others use it).
   * @default true
   */
  readonly includeFreeTier?: boolean;

  /**
   * CloudWatch Transaction Search: prices spans ingested and indexed instead of X-Ray traces recorded.
   * @default - no Transaction Search: traces recorded are billed by X-Ray
   */
  readonly transactionSearch?: XRayTransactionSearchCostProps;

  /**
   * The rule's adaptive-sampling boost: its worst case is shown beside `monthlyCostUsd`, not in it.
   * @default - no boost
   */
  readonly samplingRateBoost?: XRayCostBoostProps;

  /**
   * The compute the tracing agent reserves in every task, added to `monthlyCostUsd` as `agentComputeCostUsd`.
   * @default - agent compute not counted (0)
   */
  readonly agentCompute?: XRayAgentComputeProps;
}

/** An estimated monthly X-Ray bill; figures are expected values, not rounded. */
export interface XRayCostEstimate {
  /** The requests a month the estimate is for. */
  readonly requestsPerMonth: number;

  /** Traces the reservoirs record: min(requests, reservoir a second x rules x seconds in the month). */
  readonly reservoirTracesPerMonth: number;

  /** Traces the fixed rate records from the requests the reservoirs leave. */
  readonly fixedRateTracesPerMonth: number;

  /** All traces recorded a month: reservoir plus fixed rate. */
  readonly tracesRecordedPerMonth: number;

  /** Traces recorded divided by requests (0 with no requests); above the fixed rate when the reservoir matters. */
  readonly effectiveSamplingRate: number;

  /** Traces recorded that the free tier covers. */
  readonly freeTierTracesRecorded: number;

  /** Traces recorded that are charged. */
  readonly billableTracesRecorded: number;

  /** What recording costs a month, in US dollars. */
  readonly recordingCostUsd: number;

  /** Traces retrieved or scanned a month. */
  readonly tracesRetrievedPerMonth: number;

  /** Traces retrieved or scanned that the free tier covers. */
  readonly freeTierTracesRetrieved: number;

  /** Traces retrieved or scanned that are charged. */
  readonly billableTracesRetrieved: number;

  /** What retrieving and scanning cost a month, in US dollars. */
  readonly retrievalCostUsd: number;

  /** Spans ingested into `aws/spans` a month; 0 without Transaction Search. */
  readonly spansIngestedPerMonth: number;

  /** Spans indexed as trace summaries a month (the indexing percentage of the spans ingested). */
  readonly spansIndexedPerMonth: number;

  /** What Transaction Search costs a month, in US dollars; 0 without it. */
  readonly transactionSearchCostUsd: number;

  /** The most traces a boost can add a month; 0 without a boost. */
  readonly boostWorstCaseExtraTracesPerMonth: number;

  /** What those extra traces would cost at most, in US dollars a month (not in `monthlyCostUsd`). */
  readonly boostWorstCaseExtraCostUsd: number;

  /** What the agent's reserved compute costs a month, in US dollars; 0 when not estimated. */
  readonly agentComputeCostUsd: number;

  /** Whether `agentComputeCostUsd` is an estimate: false without `agentCompute`, or on EC2 without `ec2Instance` (not estimated). */
  readonly agentComputeEstimated: boolean;

  /** Recording, retrieval, Transaction Search and agent compute, in US dollars a month. */
  readonly monthlyCostUsd: number;
}

/** The grid and assumptions of {@link XRayCostEstimator.markdownTable}. */
export interface XRayCostTableProps {
  /**
   * Traffic levels, one row each, in requests a month.
   * @default [100000, 1000000, 10000000, 100000000, 1000000000]
   */
  readonly requestsPerMonth?: number[];

  /**
   * Fixed sampling rates, one column each, from 0 to 1.
   * @default [0.01, 0.05, 0.1, 1]
   */
  readonly samplingRates?: number[];

  /**
   * The reservoir of the sampling rule, in requests a second.
   * @default 1
   */
  readonly reservoirPerSecond?: number;

  /**
   * How many reservoirs the traffic fills (see `XRayCostEstimateProps.rules`).
   * @default 1
   */
  readonly rules?: number;

  /**
   * Days in the month, from 28 to 31.
   * @default 30
   */
  readonly daysPerMonth?: number;

  /**
   * Whether to subtract the monthly free tier.
   * @default true
   */
  readonly includeFreeTier?: boolean;
}

const DEFAULT_TABLE_REQUESTS = [100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];
const DEFAULT_TABLE_RATES = [0.01, 0.05, 0.1, 1];

const OWNER = 'XRayCostEstimator.estimate';
const AT_SYNTH = '(the estimate is computed at synth time)';

function validateAtLeast(prop: string, value: number, min: number, integer: boolean): void {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && (!integer || Number.isInteger(value));
  if (!ok) {
    fail(OWNER, `${prop} must be ${integer ? 'an integer' : 'a number'} of ${min} or more, got ${show(value)}`);
  }
}

function validateBetween(prop: string, value: number, min: number, max: number): void {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
  if (!ok) {
    fail(OWNER, `${prop} must be a number from ${min} to ${max}, got ${show(value)}`);
  }
}

/** Digits with a comma every three: 1234567.5 -> "1,234,567.5". */
function groupThousands(text: string): string {
  const [whole, fraction] = text.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** Dollars to the cent: 4999.5 -> "$4,999.50". */
function formatUsd(usd: number): string {
  return `$${groupThousands((Math.round(usd * 100) / 100).toFixed(2))}`;
}

/** A count with three significant digits and a unit: 3332800 -> "3.33M". */
function formatCount(count: number): string {
  const units: Array<[number, string]> = [[1e9, 'B'], [1e6, 'M'], [1e3, 'k']];
  for (const [size, unit] of units) {
    if (count >= size * 0.9995) return `${Number((count / size).toPrecision(3))}${unit}`;
  }
  return String(Math.round(count));
}

/** A rate as a percentage: 0.05 -> "5 %". */
function formatPercent(rate: number): string {
  return `${Number((rate * 100).toFixed(4))} %`;
}

/** Requests a second: 10000000 a month -> "3.86/s". */
function formatPerSecond(perSecond: number): string {
  if (perSecond < 10) return `${perSecond.toFixed(2)}/s`;
  if (perSecond < 100) return `${perSecond.toFixed(1)}/s`;
  return `${groupThousands(perSecond.toFixed(0))}/s`;
}

/** Validates the Transaction Search inputs and prices the spans of `tracesRecorded`. */
function transactionSearchCost(props: XRayTransactionSearchCostProps | undefined, tracesRecorded: number):
{ readonly spansIngested: number; readonly spansIndexed: number; readonly costUsd: number } | undefined {
  if (props === undefined) return undefined;
  const spansPerTrace = props.spansPerTrace ?? DEFAULT_SPANS_PER_TRACE;
  const bytesPerSpan = props.bytesPerSpan ?? DEFAULT_BYTES_PER_SPAN;
  for (const [prop, value] of [['indexingPercentage', props.indexingPercentage], ['spansPerTrace', spansPerTrace], ['bytesPerSpan', bytesPerSpan]] as const) {
    requireKnownNumber(OWNER, `transactionSearch.${prop}`, value, AT_SYNTH);
  }
  validateBetween('transactionSearch.indexingPercentage', props.indexingPercentage, 0, 100);
  validateAtLeast('transactionSearch.spansPerTrace', spansPerTrace, 1, false);
  validateAtLeast('transactionSearch.bytesPerSpan', bytesPerSpan, 1, false);
  const spansIngested = tracesRecorded * spansPerTrace;
  const spansIndexed = spansIngested * props.indexingPercentage / 100;
  const billableIndexed = Math.max(0, spansIndexed - spansIngested * FREE_INDEXING_PERCENTAGE / 100);
  const costUsd = (spansIngested * bytesPerSpan / BYTES_PER_GB) * USD_PER_GB_SPANS_INGESTED + billableIndexed * USD_PER_SPAN_INDEXED;
  return { spansIngested, spansIndexed, costUsd };
}

/** The most traces a boost adds a month: `maxRate` for one minute in each cooldown window. */
function boostWorstCase(boost: XRayCostBoostProps | undefined, samplingRate: number, fixedRateRequests: number): number {
  if (boost === undefined) return 0;
  requireKnownNumber(OWNER, 'samplingRateBoost.maxRate', boost.maxRate, AT_SYNTH);
  requireKnownNumber(OWNER, 'samplingRateBoost.cooldownMinutes', boost.cooldownMinutes, AT_SYNTH);
  validateBetween('samplingRateBoost.maxRate', boost.maxRate, samplingRate, 1);
  validateAtLeast('samplingRateBoost.cooldownMinutes', boost.cooldownMinutes, 1, true);
  const boostedShare = Math.min(1, MAX_BOOST_MINUTES / boost.cooldownMinutes);
  return (boost.maxRate - samplingRate) * fixedRateRequests * boostedShare;
}

/** The agent-compute part, loaded only when asked for. */
function agentComputeOf(props: XRayAgentComputeProps | undefined): { costUsd: number; estimated: boolean } {
  if (props === undefined) return { costUsd: 0, estimated: false };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { estimateAgentCompute } = require('./agent-compute') as typeof agentCompute;
  return estimateAgentCompute(props);
}

/**
 * Estimates the monthly AWS X-Ray bill of traced traffic from the request rate, the sampling rule
 * and the prices in `pricing.ts`, assuming uniform traffic (an upper bound for bursty traffic),
 * one trace per sampled request and the free tier applied once.
 */
export class XRayCostEstimator {
  /**
   * The estimated monthly bill for `props`.
   * @param props traffic, sampling rule and retrieval to estimate
   */
  public static estimate(props: XRayCostEstimateProps): XRayCostEstimate {
    const reservoirPerSecond = props.reservoirPerSecond ?? DEFAULT_RESERVOIR_PER_SECOND;
    const rules = props.rules ?? DEFAULT_RULES;
    const tracesRetrievedPerMonth = props.tracesRetrievedPerMonth ?? 0;
    const daysPerMonth = props.daysPerMonth ?? DEFAULT_DAYS_PER_MONTH;
    const includeFreeTier = props.includeFreeTier ?? true;

    const inputs: Array<[string, number | undefined]> = [
      ['requestsPerMonth', props.requestsPerMonth], ['samplingRate', props.samplingRate], ['reservoirPerSecond', reservoirPerSecond],
      ['rules', rules], ['tracesRetrievedPerMonth', tracesRetrievedPerMonth], ['daysPerMonth', daysPerMonth],
    ];
    for (const [prop, value] of inputs) {
      if (value !== undefined) requireKnownNumber(OWNER, prop, value, AT_SYNTH);
    }
    validateAtLeast('requestsPerMonth', props.requestsPerMonth, 0, false);
    if (props.samplingRate === undefined) {
      fail(OWNER, 'samplingRate must be a number from 0 to 1, got undefined');
    }
    validateSamplingRate(OWNER, 'samplingRate', props.samplingRate);
    validateAtLeast('reservoirPerSecond', reservoirPerSecond, 0, true);
    validateAtLeast('rules', rules, 1, true);
    validateAtLeast('tracesRetrievedPerMonth', tracesRetrievedPerMonth, 0, false);
    validateBetween('daysPerMonth', daysPerMonth, 28, 31);

    const requests = props.requestsPerMonth;
    const secondsPerMonth = daysPerMonth * SECONDS_PER_DAY;
    const reservoirTraces = Math.min(requests, reservoirPerSecond * rules * secondsPerMonth);
    const fixedRateTraces = (requests - reservoirTraces) * props.samplingRate;
    const recorded = reservoirTraces + fixedRateTraces;

    const freeRecorded = includeFreeTier ? Math.min(recorded, FREE_TRACES_RECORDED_PER_MONTH) : 0;
    const billableRecorded = recorded - freeRecorded;
    const recordingCostUsd = billableRecorded * USD_PER_TRACE_RECORDED;

    const search = transactionSearchCost(props.transactionSearch, recorded);
    // With Transaction Search, span ingestion replaces X-Ray's per-trace recording charge.
    const billedRecording = search === undefined ? recordingCostUsd : 0;
    const boost = boostWorstCase(props.samplingRateBoost, props.samplingRate, requests - reservoirTraces);
    const freeTier = includeFreeTier ? FREE_TRACES_RECORDED_PER_MONTH : 0;
    const billable = (traces: number): number => Math.max(0, traces - freeTier);
    const boostExtraCost = search === undefined
      ? (billable(recorded + boost) - billable(recorded)) * USD_PER_TRACE_RECORDED
      : transactionSearchCost(props.transactionSearch, recorded + boost)!.costUsd - search.costUsd;

    const freeRetrieved = includeFreeTier ? Math.min(tracesRetrievedPerMonth, FREE_TRACES_RETRIEVED_PER_MONTH) : 0;
    const billableRetrieved = tracesRetrievedPerMonth - freeRetrieved;
    const retrievalCostUsd = billableRetrieved * USD_PER_TRACE_RETRIEVED;

    const compute = agentComputeOf(props.agentCompute);

    return {
      requestsPerMonth: requests,
      reservoirTracesPerMonth: reservoirTraces,
      fixedRateTracesPerMonth: fixedRateTraces,
      tracesRecordedPerMonth: recorded,
      effectiveSamplingRate: requests === 0 ? 0 : recorded / requests,
      freeTierTracesRecorded: search === undefined ? freeRecorded : 0,
      billableTracesRecorded: search === undefined ? billableRecorded : 0,
      recordingCostUsd: billedRecording,
      tracesRetrievedPerMonth,
      freeTierTracesRetrieved: freeRetrieved,
      billableTracesRetrieved: billableRetrieved,
      retrievalCostUsd,
      spansIngestedPerMonth: search?.spansIngested ?? 0,
      spansIndexedPerMonth: search?.spansIndexed ?? 0,
      transactionSearchCostUsd: search?.costUsd ?? 0,
      boostWorstCaseExtraTracesPerMonth: boost,
      boostWorstCaseExtraCostUsd: boostExtraCost,
      agentComputeCostUsd: compute.costUsd,
      agentComputeEstimated: compute.estimated,
      monthlyCostUsd: billedRecording + retrievalCostUsd + (search?.costUsd ?? 0) + compute.costUsd,
    };
  }

  /**
   * A markdown table of monthly cost (to the cent) and traces recorded, by traffic and sampling rate.
   *
   * @param props the grid and the sampling-rule assumptions
   */
  public static markdownTable(props: XRayCostTableProps = {}): string {
    const requestLevels = props.requestsPerMonth ?? DEFAULT_TABLE_REQUESTS;
    const rates = props.samplingRates ?? DEFAULT_TABLE_RATES;
    if (requestLevels.length === 0) fail('XRayCostEstimator.markdownTable', 'requestsPerMonth must list at least one traffic level, got []');
    if (rates.length === 0) fail('XRayCostEstimator.markdownTable', 'samplingRates must list at least one sampling rate, got []');
    const daysPerMonth = props.daysPerMonth ?? DEFAULT_DAYS_PER_MONTH;

    const header = ['Requests a month (average)', ...rates.map((rate) => `${formatPercent(rate)} sampled`)];
    const lines = [
      `| ${header.join(' | ')} |`,
      `| --- | ${rates.map(() => '---:').join(' | ')} |`,
    ];
    for (const requestsPerMonth of requestLevels) {
      const cells = rates.map((samplingRate) => {
        const estimate = XRayCostEstimator.estimate({
          requestsPerMonth,
          samplingRate,
          reservoirPerSecond: props.reservoirPerSecond,
          rules: props.rules,
          daysPerMonth,
          includeFreeTier: props.includeFreeTier,
        });
        return `${formatUsd(estimate.monthlyCostUsd)} (${formatCount(estimate.tracesRecordedPerMonth)} traces)`;
      });
      const perSecond = formatPerSecond(requestsPerMonth / (daysPerMonth * SECONDS_PER_DAY));
      lines.push(`| ${groupThousands(String(requestsPerMonth))} (${perSecond}) | ${cells.join(' | ')} |`);
    }
    return lines.join('\n') + '\n';
  }

  private constructor() {}
}
