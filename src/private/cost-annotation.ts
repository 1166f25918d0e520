import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { XRayCostEstimator } from '../config/cost-estimator';
import { validateNumberInRange } from './validation';

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
  validateNumberInRange('monthlyBudgetUsd', input.monthlyBudgetUsd, 0, Number.MAX_SAFE_INTEGER);
  const estimate = XRayCostEstimator.estimate({
    requestsPerMonth: input.requestsPerMonth,
    samplingRate: input.samplingRate,
    reservoirPerSecond: input.reservoirPerSecond,
    rules: input.rules,
  });
  const text = `estimated X-Ray cost: $${estimate.monthlyCostUsd.toFixed(2)}/month for ` +
    `${Math.round(estimate.tracesRecordedPerMonth).toLocaleString('en-US')} traces recorded of ` +
    `${input.requestsPerMonth.toLocaleString('en-US')} requests (sampling rate ${input.samplingRate}, reservoir ${input.reservoirPerSecond}/s)`;
  if (input.monthlyBudgetUsd !== undefined && estimate.monthlyCostUsd > input.monthlyBudgetUsd) {
    Annotations.of(scope).addWarningV2('cdk-xray-ecs:overBudget',
      `${text} is over the monthly budget of $${input.monthlyBudgetUsd.toFixed(2)}: lower the sampling rate or the reservoir`);
  } else {
    Annotations.of(scope).addInfo(text);
  }
}
