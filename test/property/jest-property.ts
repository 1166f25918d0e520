/**
 * How a construct property runs under jest: `FUZZ_RUNS` cases (default 500) from a fixed seed
 * (`FUZZ_SEED` to change it), fast-check shrinking any failure to a small counterexample, and
 * checks that the run exercised both outcomes (a property that only ever rejects proves nothing).
 *
 * 500 cases per construct keep the four property suites to a few seconds of the build (2000 took
 * a quarter of the suite's CPU); the deep run is `bench/fuzz-props.ts`, 50,000 cases per
 * construct, and `FUZZ_RUNS=2000 npx projen test:jest test/property` reruns these wider.
 */
import * as fc from 'fast-check';
import { cleanup, ConstructProperty, emptyStats, fuzzRuns, record, runCase, RunStats } from './harness';

export const RUNS = fuzzRuns(500);
export const SEED = Number(process.env.FUZZ_SEED ?? 20261127);

/** Time allowed for the whole run: generous for a busy 2-core machine. */
const RUN_TIMEOUT_MS = RUNS * 150 + 30_000;

/** Minimum shares of accepted and rejected cases for the run to count as exercising both. */
export interface Mix {
  readonly minAccepted: number;
  readonly minRejected: number;
}

/** Defines the property test of one construct in the current `describe`. */
export function propertyTest<T>(property: ConstructProperty<T>, mix: Mix = { minAccepted: 0.1, minRejected: 0.1 }): void {
  afterAll(() => cleanup());

  test(`${RUNS} random props: each synthesizes (X-Ray resources checked against the registry schemas; invariants hold) or throws a clear library error`, () => {
    const stats: RunStats = emptyStats();
    fc.assert(
      fc.property(property.arbitrary, (input) => {
        record(stats, runCase(property, input), input);
      }),
      { numRuns: RUNS, seed: SEED },
    );
    // fast-check also runs shrink attempts on failure; on success `cases` is exactly RUNS.
    expect(stats.cases).toBe(RUNS);
    expect(stats.failures).toBe(0);
    expect(stats.accepted).toBeGreaterThanOrEqual(Math.floor(RUNS * mix.minAccepted));
    expect(stats.rejected).toBeGreaterThanOrEqual(Math.floor(RUNS * mix.minRejected));
    expect(stats.discarded).toBeLessThanOrEqual(Math.ceil(RUNS * 0.05));
  }, RUN_TIMEOUT_MS);
}
