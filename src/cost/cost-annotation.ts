import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { XRayCostBoostProps, XRayCostEstimator } from './cost-estimator';
import { isToken, renderNumber } from '../core/numbers';
import { validateNumberInRange } from '../core/validation';
import { WARNINGS } from '../core/warnings';

/** Inputs of a cost annotation. */
export interface CostAnnotationInput {
  readonly requestsPerMonth: number;
  readonly samplingRate: number;
  readonly reservoirPerSecond: number;
  readonly rules?: number;
  readonly monthlyBudgetUsd?: number;
}

/**
 * Adds an info annotation with the estimated monthly X-Ray cost to `scope`, or a warning when the
 * estimate is above `monthlyBudgetUsd`.
 */
export function annotateCost(scope: IConstruct, input: CostAnnotationInput): void {
  const inputs = { requestsPerMonth: input.requestsPerMonth, samplingRate: input.samplingRate, reservoirSize: input.reservoirPerSecond };
  if (noteTokens(scope, { ...inputs, ...budget(input.monthlyBudgetUsd) })) return;
  const estimate = XRayCostEstimator.estimate({
    requestsPerMonth: input.requestsPerMonth,
    samplingRate: input.samplingRate,
    reservoirPerSecond: input.reservoirPerSecond,
    rules: input.rules,
  });
  const detail = `(sampling rate ${renderNumber(input.samplingRate)}, reservoir ${input.reservoirPerSecond}/s)`;
  addCostAnnotation(scope, estimate.monthlyCostUsd, estimate.tracesRecordedPerMonth, input.requestsPerMonth, detail, input.monthlyBudgetUsd);
}

/** One part of a multi-service estimate. */
export interface ServiceTraffic {
  readonly serviceName: string;
  readonly requestsPerMonth: number;
  readonly samplingRate: number;
  readonly reservoirPerSecond: number;
}

/**
 * Like {@link annotateCost} for several services with a rule each: each service's traces are
 * estimated on its own (its own rate and reservoir), then priced together so that the account's
 * free tier counts once.
 */
export function annotateCostForServices(scope: IConstruct, parts: ServiceTraffic[], monthlyBudgetUsd?: number, boost?: XRayCostBoostProps): void {
  const inputs: { [prop: string]: number } = {};
  for (const part of parts) {
    inputs[`expectedRequestsPerMonth[${JSON.stringify(part.serviceName)}]`] = part.requestsPerMonth;
    inputs[`sampling rate of ${part.serviceName}`] = part.samplingRate;
    inputs.reservoirSize = part.reservoirPerSecond;
  }
  if (noteTokens(scope, { ...inputs, ...budget(monthlyBudgetUsd) })) return;
  let traces = 0;
  let requests = 0;
  let boostTraces = 0;
  for (const part of parts) {
    const estimate = XRayCostEstimator.estimate({
      requestsPerMonth: part.requestsPerMonth,
      samplingRate: part.samplingRate,
      reservoirPerSecond: part.reservoirPerSecond,
      includeFreeTier: false,
      samplingRateBoost: boost,
    });
    traces += estimate.tracesRecordedPerMonth;
    requests += part.requestsPerMonth;
    boostTraces += estimate.boostWorstCaseExtraTracesPerMonth;
  }
  // Every trace recorded, priced once with the free tier.
  const total = XRayCostEstimator.estimate({ requestsPerMonth: traces, samplingRate: 1, reservoirPerSecond: 0 });
  let detail = `(${parts.map((p) => `${p.serviceName} at ${p.samplingRate}`).join(', ')})`;
  if (boost !== undefined) {
    // The worst case of adaptive sampling, beside the estimate rather than in it.
    const boosted = XRayCostEstimator.estimate({ requestsPerMonth: traces + boostTraces, samplingRate: 1, reservoirPerSecond: 0 });
    detail += `; samplingRateBoost to ${boost.maxRate} once per ${boost.cooldownMinutes} min adds at most ` +
      `${Math.round(boostTraces).toLocaleString('en-US')} traces ($${(boosted.monthlyCostUsd - total.monthlyCostUsd).toFixed(2)}/month)`;
  }
  addCostAnnotation(scope, total.monthlyCostUsd, traces, requests, detail, monthlyBudgetUsd);
}

/** The budget as a cost input, when there is one. */
function budget(monthlyBudgetUsd: number | undefined): { [prop: string]: number } {
  return monthlyBudgetUsd === undefined ? {} : { monthlyBudgetUsd };
}

/**
 * A cost estimate needs numbers: when an input is a token (a `CfnParameter`, say), says so with a
 * warning naming the props instead of estimating, and returns true.
 */
function noteTokens(scope: IConstruct, inputs: { [prop: string]: number }): boolean {
  const tokens = Object.entries(inputs).filter(([, v]) => isToken(v)).map(([k]) => k);
  if (tokens.length === 0) return false;
  Annotations.of(scope).addWarningV2(WARNINGS.costNotEstimated,
    `no X-Ray cost estimate: ${tokens.join(', ')} ${tokens.length === 1 ? 'is' : 'are'} only known at deploy time (a token); ` +
    'pass numbers to get one, or call XRayCostEstimator.estimate with the values you expect');
  return true;
}

function addCostAnnotation(scope: IConstruct, costUsd: number, traces: number, requests: number, detail: string, budgetUsd?: number): void {
  validateNumberInRange(scope, 'monthlyBudgetUsd', budgetUsd, 0, Number.MAX_SAFE_INTEGER);
  const text = `estimated X-Ray cost: $${costUsd.toFixed(2)}/month for ` +
    `${Math.round(traces).toLocaleString('en-US')} traces recorded of ${requests.toLocaleString('en-US')} requests ${detail}`;
  if (budgetUsd !== undefined && costUsd > budgetUsd) {
    Annotations.of(scope).addWarningV2(WARNINGS.costOverBudget,
      `${text} is over the monthly budget of $${budgetUsd.toFixed(2)}: lower the sampling rate or the reservoir`);
  } else {
    Annotations.of(scope).addInfo(text);
  }
}
