import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { validateNumberInRange } from '../../core/validation';
import { XRayCostEstimator } from '../cost-estimator';

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
  const estimate = XRayCostEstimator.estimate({
    requestsPerMonth: input.requestsPerMonth,
    samplingRate: input.samplingRate,
    reservoirPerSecond: input.reservoirPerSecond,
    rules: input.rules,
  });
  const detail = `(sampling rate ${input.samplingRate}, reservoir ${input.reservoirPerSecond}/s)`;
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
export function annotateCostForServices(scope: IConstruct, parts: ServiceTraffic[], monthlyBudgetUsd?: number): void {
  let traces = 0;
  let requests = 0;
  for (const part of parts) {
    const estimate = XRayCostEstimator.estimate({
      requestsPerMonth: part.requestsPerMonth,
      samplingRate: part.samplingRate,
      reservoirPerSecond: part.reservoirPerSecond,
      includeFreeTier: false,
    });
    traces += estimate.tracesRecordedPerMonth;
    requests += part.requestsPerMonth;
  }
  // Every trace recorded, priced once with the free tier.
  const total = XRayCostEstimator.estimate({ requestsPerMonth: traces, samplingRate: 1, reservoirPerSecond: 0 });
  const detail = `(${parts.map((p) => `${p.serviceName} at ${p.samplingRate}`).join(', ')})`;
  addCostAnnotation(scope, total.monthlyCostUsd, traces, requests, detail, monthlyBudgetUsd);
}

function addCostAnnotation(scope: IConstruct, costUsd: number, traces: number, requests: number, detail: string, budgetUsd?: number): void {
  validateNumberInRange('monthlyBudgetUsd', budgetUsd, 0, Number.MAX_SAFE_INTEGER);
  const text = `estimated X-Ray cost: $${costUsd.toFixed(2)}/month for ` +
    `${Math.round(traces).toLocaleString('en-US')} traces recorded of ${requests.toLocaleString('en-US')} requests ${detail}`;
  if (budgetUsd !== undefined && costUsd > budgetUsd) {
    Annotations.of(scope).addWarningV2('cdk-xray-ecs:overBudget',
      `${text} is over the monthly budget of $${budgetUsd.toFixed(2)}: lower the sampling rate or the reservoir`);
  } else {
    Annotations.of(scope).addInfo(text);
  }
}
