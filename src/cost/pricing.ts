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
 * CloudWatch Transaction Search (X-Ray spans ingested into the CloudWatch Logs group `aws/spans`).
 *
 * Sources, read 2026-12-02:
 * - https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Enable-TransactionSearch.html:
 *   Transaction Search is set for the whole account and moves all span ingestion through X-Ray to
 *   CloudWatch pricing; 1 % of ingested spans is indexed as trace summaries at no charge.
 * - https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-Transaction-Search-ingesting-span-log-groups.html:
 *   span ingestion is charged separately from log ingestion.
 * - https://aws.amazon.com/cloudwatch/pricing/ (the per-GB and per-indexed-span prices below).
 *   The pricing table itself could not be read from the sandbox this was written in: the two
 *   figures marked UNVERIFIED are the US East list prices as remembered, not re-read. Check the
 *   page before relying on them for a budget.
 */

/** Where the Transaction Search prices below come from. */
export const TRANSACTION_SEARCH_PRICING_SOURCE_URL = 'https://aws.amazon.com/cloudwatch/pricing/';

/** The date (ISO 8601) the Transaction Search facts above were read. */
export const TRANSACTION_SEARCH_PRICING_READ_ON = '2026-12-02';

/** UNVERIFIED: US dollars per GB (2^30 bytes) of spans ingested into `aws/spans`: $0.75. */
export const USD_PER_GB_SPANS_INGESTED = 0.75;

/**
 * UNVERIFIED: US dollars per span indexed as a trace summary beyond the free share, modelled at
 * the X-Ray rate for a trace recorded ($5.00 per million).
 */
export const USD_PER_SPAN_INDEXED = 5.0 / 1_000_000;

/** The percentage of ingested spans indexed at no charge. */
export const FREE_INDEXING_PERCENTAGE = 1;

/**
 * Adaptive sampling: X-Ray documents boosts of up to one minute, at most one per cooldown window
 * (https://docs.aws.amazon.com/xray/latest/devguide/xray-adaptive-sampling.html, read 2026-12-02).
 */
export const MAX_BOOST_MINUTES = 1;

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
