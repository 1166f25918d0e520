/**
 * AWS X-Ray prices: the one place they live. Everything that turns traces into dollars
 * (`XRayCostEstimator`, its markdown table, the README's cost section) reads them from here.
 *
 * Source: the AWS X-Ray pricing page, https://aws.amazon.com/xray/pricing/ (the "always free" tier
 * and the per-trace charges; the same figures as DESIGN.md). Read on 2026-11-27.
 *
 * Not modelled: X-Ray Insights (billed per trace processed) and CloudWatch Application Signals,
 * which bill separately. Check the page again before relying on these figures for a budget.
 *
 * These are internal constants, not part of the jsii API.
 */

/** Where the prices below come from. */
export const XRAY_PRICING_SOURCE_URL = 'https://aws.amazon.com/xray/pricing/';

/** The date (ISO 8601) the prices below were read from {@link XRAY_PRICING_SOURCE_URL}. */
export const XRAY_PRICING_READ_ON = '2026-11-27';

/** US dollars per trace recorded, beyond the free tier: $5.00 per million. */
export const USD_PER_TRACE_RECORDED = 5.0 / 1_000_000;

/** Traces recorded each month at no charge (per account). */
export const FREE_TRACES_RECORDED_PER_MONTH = 100_000;

/** US dollars per trace retrieved or scanned, beyond the free tier: $0.50 per million. */
export const USD_PER_TRACE_RETRIEVED = 0.5 / 1_000_000;

/** Traces retrieved or scanned each month at no charge (per account). */
export const FREE_TRACES_RETRIEVED_PER_MONTH = 1_000_000;

/** Days X-Ray keeps trace data, at no extra charge; not configurable. */
export const TRACE_RETENTION_DAYS = 30;
