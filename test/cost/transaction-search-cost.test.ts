import { CfnParameter, Stack } from 'aws-cdk-lib';
import { XRayCostEstimator } from '../../src/cost/cost-estimator';
import {
  FREE_INDEXING_PERCENTAGE, MAX_BOOST_MINUTES, USD_PER_GB_SPANS_INGESTED, USD_PER_SPAN_INDEXED, USD_PER_TRACE_RECORDED,
} from '../../src/cost/pricing';
import { expectError } from '../helpers/messages';

const GB = 1024 ** 3;

describe('XRayCostEstimator.estimate with transactionSearch', () => {
  // 10,000,000 requests a month at 10 % with no reservoir: exactly 1,000,000 traces recorded.
  const BASE = { requestsPerMonth: 10_000_000, samplingRate: 0.1, reservoirPerSecond: 0 };

  test('prices the spans of the recorded traces: ingestion per GB, indexing beyond the free 1 %', () => {
    const estimate = XRayCostEstimator.estimate({ ...BASE, transactionSearch: { indexingPercentage: 5, spansPerTrace: 20, bytesPerSpan: 2048 } });
    expect(estimate.tracesRecordedPerMonth).toBe(1_000_000);
    expect(estimate.spansIngestedPerMonth).toBe(20_000_000);
    expect(estimate.spansIndexedPerMonth).toBeCloseTo(1_000_000, 6);
    const ingestion = (20_000_000 * 2048 / GB) * USD_PER_GB_SPANS_INGESTED;
    const indexing = (1_000_000 - 200_000) * USD_PER_SPAN_INDEXED;
    expect(estimate.transactionSearchCostUsd).toBeCloseTo(ingestion + indexing, 10);
    // X-Ray no longer bills traces recorded: span ingestion replaces it
    expect(estimate.recordingCostUsd).toBe(0);
    expect(estimate.billableTracesRecorded).toBe(0);
    expect(estimate.monthlyCostUsd).toBeCloseTo(estimate.transactionSearchCostUsd + estimate.retrievalCostUsd, 10);
  });

  test('at the default 1 % indexing is free; defaults are 10 spans of 1,024 bytes', () => {
    const estimate = XRayCostEstimator.estimate({ ...BASE, transactionSearch: { indexingPercentage: FREE_INDEXING_PERCENTAGE } });
    expect(estimate.spansIngestedPerMonth).toBe(10_000_000);
    expect(estimate.transactionSearchCostUsd).toBeCloseTo((10_000_000 * 1024 / GB) * USD_PER_GB_SPANS_INGESTED, 10);
  });

  test('without transactionSearch the parts are 0 and the X-Ray bill is unchanged', () => {
    const estimate = XRayCostEstimator.estimate(BASE);
    expect(estimate.transactionSearchCostUsd).toBe(0);
    expect(estimate.spansIngestedPerMonth).toBe(0);
    expect(estimate.recordingCostUsd).toBeCloseTo(900_000 * USD_PER_TRACE_RECORDED, 10);
    expect(estimate.monthlyCostUsd).toBeCloseTo(4.5, 10);
  });

  test('throws for indexingPercentage above 100', () => {
    expectError(() => XRayCostEstimator.estimate({ ...BASE, transactionSearch: { indexingPercentage: 150 } }), {
      path: 'XRayCostEstimator.estimate', prop: 'transactionSearch.indexingPercentage', value: 150, allowed: 'number from 0 to 100',
    });
  });

  test('throws for spansPerTrace below 1', () => {
    expectError(() => XRayCostEstimator.estimate({ ...BASE, transactionSearch: { indexingPercentage: 1, spansPerTrace: 0 } }), {
      path: 'XRayCostEstimator.estimate', prop: 'transactionSearch.spansPerTrace', value: 0, allowed: 'number of 1 or more',
    });
  });

  test('throws for a token indexingPercentage (the estimate is made at synth)', () => {
    const pct = new CfnParameter(new Stack(), 'Pct', { type: 'Number' }).valueAsNumber;
    expectError(() => XRayCostEstimator.estimate({ ...BASE, transactionSearch: { indexingPercentage: pct } }), {
      path: 'XRayCostEstimator.estimate',
      prop: 'transactionSearch.indexingPercentage',
      allowed: 'known at synth time',
      says: 'deploy-time value (token)',
    });
  });
});

describe('XRayCostEstimator.estimate with samplingRateBoost (worst case beside the estimate)', () => {
  test('a boost to 50 % every 10 minutes adds at most (0.5 - 0.1) x the fixed-rate traffic x 1/10', () => {
    const estimate = XRayCostEstimator.estimate({
      requestsPerMonth: 10_000_000, samplingRate: 0.1, reservoirPerSecond: 0, samplingRateBoost: { maxRate: 0.5, cooldownMinutes: 10 },
    });
    expect(MAX_BOOST_MINUTES).toBe(1);
    expect(estimate.boostWorstCaseExtraTracesPerMonth).toBeCloseTo(400_000, 6);
    expect(estimate.boostWorstCaseExtraCostUsd).toBeCloseTo(400_000 * USD_PER_TRACE_RECORDED, 10);
    // not counted in the bill itself
    expect(estimate.monthlyCostUsd).toBeCloseTo(4.5, 10);
  });

  test('the free tier absorbs what it can of the extra traces', () => {
    const estimate = XRayCostEstimator.estimate({
      requestsPerMonth: 500_000, samplingRate: 0.1, reservoirPerSecond: 0, samplingRateBoost: { maxRate: 1, cooldownMinutes: 1 },
    });
    // 50,000 recorded; the boost could add 450,000; 50,000 of those are still free
    expect(estimate.boostWorstCaseExtraTracesPerMonth).toBeCloseTo(450_000, 6);
    expect(estimate.boostWorstCaseExtraCostUsd).toBeCloseTo(400_000 * USD_PER_TRACE_RECORDED, 10);
  });

  test('throws for a boost maxRate below the sampling rate', () => {
    const samplingRateBoost = { maxRate: 0.1, cooldownMinutes: 5 };
    expectError(() => XRayCostEstimator.estimate({ requestsPerMonth: 1, samplingRate: 0.2, samplingRateBoost }), {
      path: 'XRayCostEstimator.estimate', prop: 'samplingRateBoost.maxRate', value: 0.1, allowed: 'number from 0.2 to 1',
    });
  });

  test('throws for a cooldown that is not whole minutes', () => {
    const samplingRateBoost = { maxRate: 0.5, cooldownMinutes: 1.5 };
    expectError(() => XRayCostEstimator.estimate({ requestsPerMonth: 1, samplingRate: 0.2, samplingRateBoost }), {
      path: 'XRayCostEstimator.estimate', prop: 'samplingRateBoost.cooldownMinutes', value: 1.5, allowed: 'integer of 1 or more',
    });
  });
});
