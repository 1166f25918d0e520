import { App, CfnParameter, Lazy, Stack } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { XRayCostEstimator } from '../../src/cost';
import { expectError, MessageParts } from '../helpers/messages';

/** Seconds in the estimator's default 30-day month. */
const SECONDS_PER_MONTH = 30 * 86_400; // 2,592,000

describe('XRayCostEstimator.estimate with the fixed rate alone (reservoir 0)', () => {
  test('10,000,000 requests at 10 % record 1,000,000 traces and cost $4.50', () => {
    // WHEN
    const estimate = XRayCostEstimator.estimate({ requestsPerMonth: 10_000_000, samplingRate: 0.1, reservoirPerSecond: 0 });

    // THEN 1,000,000 traces - 100,000 free = 900,000 x $5.00 per million = $4.50
    expect(estimate.tracesRecordedPerMonth).toBeCloseTo(1_000_000, 6);
    expect(estimate.reservoirTracesPerMonth).toBe(0);
    expect(estimate.freeTierTracesRecorded).toBe(100_000);
    expect(estimate.billableTracesRecorded).toBeCloseTo(900_000, 6);
    expect(estimate.recordingCostUsd).toBeCloseTo(4.5, 10);
    expect(estimate.retrievalCostUsd).toBe(0);
    expect(estimate.monthlyCostUsd).toBeCloseTo(4.5, 10);
  });

  test('10,000,000 requests at 100 % record every request and cost $49.50', () => {
    const estimate = XRayCostEstimator.estimate({ requestsPerMonth: 10_000_000, samplingRate: 1, reservoirPerSecond: 0 });

    // 10,000,000 - 100,000 free = 9,900,000 x $5.00 per million = $49.50
    expect(estimate.tracesRecordedPerMonth).toBe(10_000_000);
    expect(estimate.monthlyCostUsd).toBeCloseTo(49.5, 10);
  });

  test('reproduces the pricing page example: 2,000 requests an hour at 10 % over 31 days cost $0.24', () => {
    // GIVEN 2,000 x 24 x 31 = 1,488,000 requests
    const estimate = XRayCostEstimator.estimate({ requestsPerMonth: 2_000 * 24 * 31, samplingRate: 0.1, reservoirPerSecond: 0, daysPerMonth: 31 });

    // THEN 148,800 traces - 100,000 free = 48,800 x $0.000005 = $0.244
    expect(estimate.tracesRecordedPerMonth).toBeCloseTo(148_800, 6);
    expect(estimate.monthlyCostUsd).toBeCloseTo(0.244, 10);
  });
});

describe('XRayCostEstimator.estimate with the default reservoir (1 a second, one rule, 30 days)', () => {
  test('10,000,000 requests at 10 % record 3,332,800 traces and cost $16.164', () => {
    // GIVEN 10,000,000 requests over 2,592,000 seconds: 3.86 requests a second
    // WHEN
    const estimate = XRayCostEstimator.estimate({ requestsPerMonth: 10_000_000, samplingRate: 0.1 });

    // THEN the reservoir records 1 request every second: 2,592,000 traces
    expect(estimate.reservoirTracesPerMonth).toBe(SECONDS_PER_MONTH);
    // the fixed rate records 10 % of the other 7,408,000 requests: 740,800 traces
    expect(estimate.fixedRateTracesPerMonth).toBeCloseTo(740_800, 6);
    // together 3,332,800 traces, a third of all requests rather than a tenth
    expect(estimate.tracesRecordedPerMonth).toBeCloseTo(3_332_800, 6);
    expect(estimate.effectiveSamplingRate).toBeCloseTo(0.33328, 10);
    // 3,332,800 - 100,000 free = 3,232,800 x $5.00 per million = $16.164, $11.66 more than reservoir 0
    expect(estimate.billableTracesRecorded).toBeCloseTo(3_232_800, 6);
    expect(estimate.monthlyCostUsd).toBeCloseTo(16.164, 10);
  });

  test('100,000 requests at 10 % (0.04 a second): the reservoir records every request, all within the free tier', () => {
    // GIVEN far fewer requests (100,000) than reservoir capacity (2,592,000)
    const estimate = XRayCostEstimator.estimate({ requestsPerMonth: 100_000, samplingRate: 0.1 });

    // THEN every request is traced, the fixed rate never applies, and 100,000 is exactly the free tier
    expect(estimate.reservoirTracesPerMonth).toBe(100_000);
    expect(estimate.fixedRateTracesPerMonth).toBe(0);
    expect(estimate.tracesRecordedPerMonth).toBe(100_000);
    expect(estimate.effectiveSamplingRate).toBe(1);
    expect(estimate.freeTierTracesRecorded).toBe(100_000);
    expect(estimate.billableTracesRecorded).toBe(0);
    expect(estimate.monthlyCostUsd).toBe(0);
  });

  test('1,000,000 requests a month cost $4.50 at any rate: under the reservoir, the rate does not matter', () => {
    // 1,000,000 requests < 2,592,000 reservoir capacity: all recorded; 900,000 billable
    for (const samplingRate of [0, 0.05, 0.1, 1]) {
      const estimate = XRayCostEstimator.estimate({ requestsPerMonth: 1_000_000, samplingRate });
      expect(estimate.tracesRecordedPerMonth).toBe(1_000_000);
      expect(estimate.monthlyCostUsd).toBeCloseTo(4.5, 10);
    }
  });

  test('at exactly the reservoir capacity, every request is traced and the fixed rate records none', () => {
    const estimate = XRayCostEstimator.estimate({ requestsPerMonth: SECONDS_PER_MONTH, samplingRate: 0.1 });
    expect(estimate.reservoirTracesPerMonth).toBe(SECONDS_PER_MONTH);
    expect(estimate.fixedRateTracesPerMonth).toBe(0);
  });

  test('three rules hold three reservoirs: 10,000,000 requests at 10 % record 7,998,400 traces', () => {
    // 3 x 2,592,000 = 7,776,000 from the reservoirs + 10 % of 2,224,000 = 222,400
    const estimate = XRayCostEstimator.estimate({ requestsPerMonth: 10_000_000, samplingRate: 0.1, rules: 3 });
    expect(estimate.reservoirTracesPerMonth).toBe(7_776_000);
    expect(estimate.tracesRecordedPerMonth).toBeCloseTo(7_998_400, 6);
    // 7,898,400 billable x $0.000005
    expect(estimate.monthlyCostUsd).toBeCloseTo(39.492, 10);
  });

  test('a 730-hour month gives the reservoir 2,628,000 seconds', () => {
    const estimate = XRayCostEstimator.estimate({ requestsPerMonth: 10_000_000, samplingRate: 0.1, daysPerMonth: 730 / 24 });
    expect(estimate.reservoirTracesPerMonth).toBeCloseTo(2_628_000, 6);
  });
});

describe('XRayCostEstimator.estimate free tier', () => {
  test('100,000 traces recorded cost nothing; one more costs $0.000005', () => {
    // GIVEN reservoir 0 and 100 %, so traces equal requests
    const atLimit = XRayCostEstimator.estimate({ requestsPerMonth: 100_000, samplingRate: 1, reservoirPerSecond: 0 });
    const overLimit = XRayCostEstimator.estimate({ requestsPerMonth: 100_001, samplingRate: 1, reservoirPerSecond: 0 });

    // THEN
    expect(atLimit.billableTracesRecorded).toBe(0);
    expect(atLimit.monthlyCostUsd).toBe(0);
    expect(overLimit.freeTierTracesRecorded).toBe(100_000);
    expect(overLimit.billableTracesRecorded).toBe(1);
    expect(overLimit.monthlyCostUsd).toBeCloseTo(0.000005, 12);
  });

  test('1,000,000 requests at 10 % (reservoir 0) record exactly the free 100,000 traces', () => {
    const estimate = XRayCostEstimator.estimate({ requestsPerMonth: 1_000_000, samplingRate: 0.1, reservoirPerSecond: 0 });
    expect(estimate.tracesRecordedPerMonth).toBeCloseTo(100_000, 6);
    expect(estimate.monthlyCostUsd).toBeCloseTo(0, 10);
  });

  test('fewer traces than the free tier use only what they record of it', () => {
    const estimate = XRayCostEstimator.estimate({ requestsPerMonth: 40_000, samplingRate: 1, reservoirPerSecond: 0 });
    expect(estimate.freeTierTracesRecorded).toBe(40_000);
    expect(estimate.billableTracesRecorded).toBe(0);
  });

  test('1,000,000 traces retrieved cost nothing; 3,000,000 cost $1.00', () => {
    // GIVEN no recording charge (reservoir 0, rate 0), only retrieval
    const free = XRayCostEstimator.estimate({ requestsPerMonth: 0, samplingRate: 0, tracesRetrievedPerMonth: 1_000_000 });
    const paid = XRayCostEstimator.estimate({ requestsPerMonth: 0, samplingRate: 0, tracesRetrievedPerMonth: 3_000_000 });

    // THEN (3,000,000 - 1,000,000 free) x $0.50 per million = $1.00
    expect(free.freeTierTracesRetrieved).toBe(1_000_000);
    expect(free.retrievalCostUsd).toBe(0);
    expect(paid.billableTracesRetrieved).toBe(2_000_000);
    expect(paid.retrievalCostUsd).toBeCloseTo(1, 10);
    expect(paid.monthlyCostUsd).toBeCloseTo(1, 10);
  });

  test('the monthly cost adds recording and retrieval', () => {
    const estimate = XRayCostEstimator.estimate({
      requestsPerMonth: 10_000_000, samplingRate: 0.1, reservoirPerSecond: 0, tracesRetrievedPerMonth: 2_000_000,
    });
    // $4.50 recording + 1,000,000 billable x $0.50 per million = $0.50 retrieval
    expect(estimate.recordingCostUsd).toBeCloseTo(4.5, 10);
    expect(estimate.retrievalCostUsd).toBeCloseTo(0.5, 10);
    expect(estimate.monthlyCostUsd).toBeCloseTo(5, 10);
  });

  test('without the free tier, every trace is charged', () => {
    const estimate = XRayCostEstimator.estimate({
      requestsPerMonth: 10_000_000, samplingRate: 0.1, reservoirPerSecond: 0, tracesRetrievedPerMonth: 1_000_000, includeFreeTier: false,
    });
    // 1,000,000 x $5.00 per million + 1,000,000 x $0.50 per million
    expect(estimate.freeTierTracesRecorded).toBe(0);
    expect(estimate.freeTierTracesRetrieved).toBe(0);
    expect(estimate.monthlyCostUsd).toBeCloseTo(5.5, 10);
  });

  test('no requests cost nothing and report an effective rate of 0', () => {
    const estimate = XRayCostEstimator.estimate({ requestsPerMonth: 0, samplingRate: 0.1 });
    expect(estimate.tracesRecordedPerMonth).toBe(0);
    expect(estimate.effectiveSamplingRate).toBe(0);
    expect(estimate.monthlyCostUsd).toBe(0);
  });
});

describe('XRayCostEstimator.estimate invariants', () => {
  test('traces recorded lie between rate x requests and requests, and grow with traffic and rate', () => {
    const props = fc.record({
      requestsPerMonth: fc.integer({ min: 0, max: 2_000_000_000 }),
      samplingRate: fc.double({ min: 0, max: 1, noNaN: true }),
      reservoirPerSecond: fc.integer({ min: 0, max: 100 }),
    });
    fc.assert(fc.property(props, fc.integer({ min: 0, max: 1_000_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (p, moreRequests, moreRate) => {
      const estimate = XRayCostEstimator.estimate(p);
      const tolerance = 1e-6 * Math.max(1, p.requestsPerMonth);
      expect(estimate.tracesRecordedPerMonth).toBeLessThanOrEqual(p.requestsPerMonth + tolerance);
      expect(estimate.tracesRecordedPerMonth).toBeGreaterThanOrEqual(p.samplingRate * p.requestsPerMonth - tolerance);
      expect(estimate.monthlyCostUsd).toBeGreaterThanOrEqual(0);

      const busier = XRayCostEstimator.estimate({ ...p, requestsPerMonth: p.requestsPerMonth + moreRequests });
      expect(busier.tracesRecordedPerMonth).toBeGreaterThanOrEqual(estimate.tracesRecordedPerMonth - tolerance);
      const higherRate = XRayCostEstimator.estimate({ ...p, samplingRate: Math.max(p.samplingRate, moreRate) });
      expect(higherRate.tracesRecordedPerMonth).toBeGreaterThanOrEqual(estimate.tracesRecordedPerMonth - tolerance);
    }));
  });
});

describe('XRayCostEstimator.estimate invalid props', () => {
  test.each([-1, NaN, Infinity])('throws requestsPerMonth must be a number of 0 or more for %p', (value) => {
    expectError(() => XRayCostEstimator.estimate({ requestsPerMonth: value, samplingRate: 0.1 }), {
      path: 'XRayCostEstimator.estimate', prop: 'requestsPerMonth', value: value, allowed: 'number of 0 or more',
    });
  });

  test.each([1.5, -0.1, NaN])('throws samplingRate must be a number from 0 to 1 for %p', (value) => {
    expectError(() => XRayCostEstimator.estimate({ requestsPerMonth: 1, samplingRate: value }), {
      path: 'XRayCostEstimator.estimate', prop: 'samplingRate', value: value, allowed: 'number from 0 to 1',
    });
  });

  test('throws samplingRate must be a number from 0 to 1 when it is missing (JavaScript)', () => {
    const props = { requestsPerMonth: 1 } as unknown as { requestsPerMonth: number; samplingRate: number };
    expectError(() => XRayCostEstimator.estimate(props), {
      path: 'XRayCostEstimator.estimate', prop: 'samplingRate', value: undefined, allowed: 'number from 0 to 1',
    });
  });

  test('throws requestsPerMonth must be a number of 0 or more for a string (JavaScript)', () => {
    const props = { requestsPerMonth: '100' as unknown as number, samplingRate: 0.1 };
    expectError(() => XRayCostEstimator.estimate(props), {
      path: 'XRayCostEstimator.estimate', prop: 'requestsPerMonth', value: '100', allowed: 'number of 0 or more',
    });
  });

  test.each([-1, 0.5])('throws reservoirPerSecond must be an integer of 0 or more for %p', (value) => {
    expectError(() => XRayCostEstimator.estimate({ requestsPerMonth: 1, samplingRate: 0.1, reservoirPerSecond: value }), {
      path: 'XRayCostEstimator.estimate', prop: 'reservoirPerSecond', value: value, allowed: 'integer of 0 or more',
    });
  });

  test.each([0, 1.5])('throws rules must be an integer of 1 or more for %p', (value) => {
    expectError(() => XRayCostEstimator.estimate({ requestsPerMonth: 1, samplingRate: 0.1, rules: value }), {
      path: 'XRayCostEstimator.estimate', prop: 'rules', value: value, allowed: 'integer of 1 or more',
    });
  });

  test.each([-5, NaN])('throws tracesRetrievedPerMonth must be a number of 0 or more for %p', (value) => {
    expectError(() => XRayCostEstimator.estimate({ requestsPerMonth: 1, samplingRate: 0.1, tracesRetrievedPerMonth: value }), {
      path: 'XRayCostEstimator.estimate', prop: 'tracesRetrievedPerMonth', value: value, allowed: 'number of 0 or more',
    });
  });

  test.each([27, 32, NaN])('throws daysPerMonth must be a number from 28 to 31 for %p', (value) => {
    expectError(() => XRayCostEstimator.estimate({ requestsPerMonth: 1, samplingRate: 0.1, daysPerMonth: value }), {
      path: 'XRayCostEstimator.estimate', prop: 'daysPerMonth', value: value, allowed: 'number from 28 to 31',
    });
  });
});

describe('XRayCostEstimator.markdownTable', () => {
  test('renders one row per traffic level and one column per rate, cost to the cent and traces', () => {
    // WHEN
    const table = XRayCostEstimator.markdownTable({ requestsPerMonth: [10_000_000], samplingRates: [0.1, 1], reservoirPerSecond: 0 });

    // THEN
    expect(table).toBe([
      '| Requests a month (average) | 10 % sampled | 100 % sampled |',
      '| --- | ---: | ---: |',
      '| 10,000,000 (3.86/s) | $4.50 (1M traces) | $49.50 (10M traces) |',
      '',
    ].join('\n'));
  });

  test('the default table uses the default reservoir: 10,000,000 requests at 10 % cost $16.16', () => {
    // WHEN
    const table = XRayCostEstimator.markdownTable();

    // THEN five traffic levels, four rates
    const lines = table.trimEnd().split('\n');
    expect(lines[0]).toBe('| Requests a month (average) | 1 % sampled | 5 % sampled | 10 % sampled | 100 % sampled |');
    expect(lines).toHaveLength(7);
    expect(lines).toContain('| 10,000,000 (3.86/s) | $12.83 (2.67M traces) | $14.31 (2.96M traces) | $16.16 (3.33M traces) | $49.50 (10M traces) |');
    expect(lines).toContain('| 1,000,000,000 (386/s) | $62.33 (12.6M traces) | $261.81 (52.5M traces) | $511.16 (102M traces) | $4,999.50 (1B traces) |');
  });

  test('every cell agrees with estimate(), rounded to the cent', () => {
    const requestLevels = [123_456, 98_765_432];
    const rates = [0.02, 0.3];
    const rows = XRayCostEstimator.markdownTable({ requestsPerMonth: requestLevels, samplingRates: rates }).trimEnd().split('\n').slice(2);
    requestLevels.forEach((requestsPerMonth, row) => {
      const cells = rows[row].split(' | ').slice(1);
      rates.forEach((samplingRate, column) => {
        const cost = XRayCostEstimator.estimate({ requestsPerMonth, samplingRate }).monthlyCostUsd;
        expect(cells[column].startsWith(`$${cost.toFixed(2)} (`)).toBe(true);
      });
    });
  });

  test('throws requestsPerMonth must list at least one traffic level', () => {
    expectError(() => XRayCostEstimator.markdownTable({ requestsPerMonth: [] }), {
      path: 'XRayCostEstimator.markdownTable', prop: 'requestsPerMonth', value: [], allowed: 'list at least one traffic level',
    });
  });

  test('throws samplingRates must list at least one sampling rate', () => {
    expectError(() => XRayCostEstimator.markdownTable({ samplingRates: [] }), {
      path: 'XRayCostEstimator.markdownTable', prop: 'samplingRates', value: [], allowed: 'list at least one sampling rate',
    });
  });

  test('throws samplingRate must be a number from 0 to 1 for a rate in the grid', () => {
    // (the grid's rate is checked by estimate, which the message names)
    expectError(() => XRayCostEstimator.markdownTable({ samplingRates: [0.1, 2] }), {
      path: 'XRayCostEstimator.estimate', prop: 'samplingRate', value: 2, allowed: 'number from 0 to 1',
    });
  });
});

describe('tokens end to end', () => {
  const tokenParts = (prop: string): MessageParts =>
    ({ path: 'XRayCostEstimator.estimate', prop, allowed: 'known at synth time', says: 'deploy-time value (token)' });

  test.each([
    ['requestsPerMonth'], ['samplingRate'], ['reservoirPerSecond'], ['rules'], ['tracesRetrievedPerMonth'], ['daysPerMonth'],
  ])('throws %s must be known at synth time for a token', (prop) => {
    const stack = new Stack(new App(), 'TestStack');
    const token = new CfnParameter(stack, 'Value', { type: 'Number' }).valueAsNumber;
    const props = { requestsPerMonth: 10_000_000, samplingRate: 0.1, [prop]: token };
    expectError(() => XRayCostEstimator.estimate(props), tokenParts(prop));
  });

  test('throws for a Lazy.number too, never estimating from its placeholder value', () => {
    expectError(() => XRayCostEstimator.estimate({ requestsPerMonth: Lazy.number({ produce: () => 5 }), samplingRate: 0.1 }),
      tokenParts('requestsPerMonth'));
  });
});
