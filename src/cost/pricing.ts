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

/*
 * AWS Fargate prices, for the compute an agent container reserves in each task.
 *
 * Source: the AWS Fargate pricing page, https://aws.amazon.com/fargate/pricing/, On-Demand, Linux,
 * Region US East (N. Virginia) `us-east-1`. The page itself renders its price tables with
 * JavaScript, so the figures were read on 2026-12-02 from pages that quote it for us-east-1 and
 * agree to the last digit: Vantage "AWS Fargate Pricing Explained" (vantage.sh/blog/fargate-pricing),
 * Wring "AWS Fargate Pricing" (2026-03-10) and FactualMinds "Amazon Fargate & ECS Task Pricing"
 * (2026-06-17). Other Regions cost more (typically 10 to 30 %); Fargate Spot and Savings Plans
 * cost less; none of these are modelled. Fargate bills the task's size (vCPU and GB, per second
 * with a one-minute minimum), not each container: the figures price the share of the task the
 * agent's reservation takes.
 */

/** Where the Fargate prices below come from. */
export const FARGATE_PRICING_SOURCE_URL = 'https://aws.amazon.com/fargate/pricing/';

/** The Region the Fargate prices below are for. */
export const FARGATE_PRICING_REGION = 'us-east-1';

/** The date (ISO 8601) the Fargate prices below were read. */
export const FARGATE_PRICING_READ_ON = '2026-12-02';

/** US dollars per vCPU-hour, Fargate On-Demand, Linux x86_64, us-east-1. */
export const FARGATE_USD_PER_VCPU_HOUR_X86_64 = 0.04048;

/** US dollars per GB-hour of memory, Fargate On-Demand, Linux x86_64, us-east-1. */
export const FARGATE_USD_PER_GB_HOUR_X86_64 = 0.004445;

/** US dollars per vCPU-hour, Fargate On-Demand, Linux ARM64 (Graviton), us-east-1. */
export const FARGATE_USD_PER_VCPU_HOUR_ARM64 = 0.03238;

/** US dollars per GB-hour of memory, Fargate On-Demand, Linux ARM64 (Graviton), us-east-1. */
export const FARGATE_USD_PER_GB_HOUR_ARM64 = 0.00356;

/** Hours in the month agent compute is priced over (AWS's own 730-hour month: 24 x 365 / 12). */
export const HOURS_PER_MONTH = 730;

/** CPU units in one vCPU (ECS task and container `cpu`). */
export const CPU_UNITS_PER_VCPU = 1024;

/** MiB in one GB as Fargate counts memory (a 512 MiB task is billed as 0.5 GB). */
export const MIB_PER_GB = 1024;
