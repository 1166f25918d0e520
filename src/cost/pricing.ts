// The prices the library uses, the one place they live (internal, not jsii API).

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

// CloudWatch Transaction Search (spans in `aws/spans`); UNVERIFIED figures were not re-read from the page.

/** Where the Transaction Search prices below come from. */
export const TRANSACTION_SEARCH_PRICING_SOURCE_URL = 'https://aws.amazon.com/cloudwatch/pricing/';

/** The date (ISO 8601) the Transaction Search prices were read. */
export const TRANSACTION_SEARCH_PRICING_READ_ON = '2026-12-02';

/** UNVERIFIED: US dollars per GB (2^30 bytes) of spans ingested into `aws/spans`: $0.75. */
export const USD_PER_GB_SPANS_INGESTED = 0.75;

/** UNVERIFIED: US dollars per span indexed beyond the free share, modelled at the X-Ray per-trace rate. */
export const USD_PER_SPAN_INDEXED = 5.0 / 1_000_000;

/** The percentage of ingested spans indexed at no charge. */
export const FREE_INDEXING_PERCENTAGE = 1;

/** Adaptive sampling boosts last up to one minute, at most one per cooldown window. */
export const MAX_BOOST_MINUTES = 1;

// AWS Fargate On-Demand Linux prices, for the share of a task the agent reserves (Spot, Savings Plans not modelled).

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
