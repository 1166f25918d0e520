/**
 * The sampling API the agents' TCP proxy serves on port 2000 (`POST /GetSamplingRules`,
 * `POST /SamplingTargets`), answered locally from the assembly's `AWS::XRay::SamplingRule`s in the
 * X-Ray API's own JSON shapes (API reference: GetSamplingRules, GetSamplingTargets).
 *
 * What aws-xray-sdk-core 3.12.0 reads (its middleware/sampling/service_connector.js):
 * `SamplingRuleRecords[].SamplingRule.{RuleName, Priority, FixedRate, ReservoirSize, Host,
 * HTTPMethod, URLPath, ServiceName, ServiceType}`, keeping only rules with Version 1,
 * ResourceARN "*" and an empty Attributes object; and `SamplingTargetDocuments[].{RuleName,
 * FixedRate, ReservoirQuota, ReservoirQuotaTTL, Interval}` with a numeric `LastRuleModification`.
 * Timestamps are epoch seconds.
 */
import { AssemblySamplingRule } from './assembly';

/** The account's `Default` rule as X-Ray creates it: 1 request a second, then 5 %. */
const DEFAULT_RULE = {
  RuleName: 'Default',
  Priority: 10000,
  FixedRate: 0.05,
  ReservoirSize: 1,
  ServiceName: '*',
  ServiceType: '*',
  Host: '*',
  HTTPMethod: '*',
  URLPath: '*',
  ResourceARN: '*',
  Version: 1,
};

/** How often the SDK is told to report again, in seconds (what X-Ray answers). */
const TARGET_INTERVAL_S = 10;
/** How long a reservoir quota holds, in seconds. */
const QUOTA_TTL_S = 60;

/** One rule as `GetSamplingRules` returns it. */
export interface SamplingRuleRecord {
  readonly SamplingRule: Record<string, unknown>;
  readonly CreatedAt: number;
  readonly ModifiedAt: number;
}

/** The sampling API of one `local-agent`. */
export class SamplingApi {
  public readonly records: SamplingRuleRecord[];
  /** Rules of the same name in several stacks: the first is served. */
  public readonly duplicates: string[] = [];
  public requests = 0;
  private readonly modifiedAt: number;

  constructor(rules: readonly AssemblySamplingRule[], now: number = Date.now()) {
    this.modifiedAt = Math.floor(now / 1000);
    const byName = new Map<string, Record<string, unknown>>();
    for (const { rule, stack, logicalId } of rules) {
      const name = String(rule.RuleName ?? logicalId);
      if (byName.has(name)) {
        this.duplicates.push(`${name} (${stack}/${logicalId})`);
        continue;
      }
      byName.set(name, rule);
    }
    if (!byName.has('Default')) byName.set('Default', DEFAULT_RULE);
    this.records = [...byName.entries()].map(([name, rule]) => ({
      SamplingRule: {
        ...rule,
        RuleName: name,
        // What the X-Ray API adds to a stored rule: its ARN, and Attributes as an object (empty
        // when CloudFormation has none).
        RuleARN: `arn:aws:xray:local:000000000000:sampling-rule/${name}`,
        Attributes: rule.Attributes ?? {},
      },
      CreatedAt: this.modifiedAt,
      ModifiedAt: this.modifiedAt,
    }));
  }

  /** The answer to `method path` with `body`, or undefined for an unknown API. */
  public answer(method: string, path: string, body: string, now: number = Date.now()): { status: number; body: unknown } {
    if (method !== 'POST') return { status: 405, body: { message: `${method} ${path}: only POST is served` } };
    const route = path.split('?')[0];
    if (route === '/GetSamplingRules') {
      this.requests++;
      return { status: 200, body: { SamplingRuleRecords: this.records } };
    }
    if (route === '/SamplingTargets' || route === '/GetSamplingTargets') {
      this.requests++;
      let docs: unknown;
      try {
        docs = (JSON.parse(body) as { SamplingStatisticsDocuments?: unknown }).SamplingStatisticsDocuments;
      } catch {
        return { status: 400, body: { message: 'body is not JSON' } };
      }
      if (!Array.isArray(docs)) return { status: 400, body: { message: 'SamplingStatisticsDocuments must be an array' } };
      const nowS = Math.floor(now / 1000);
      return {
        status: 200,
        body: {
          // One client (this laptop): it gets each rule's whole reservoir, at the rule's rate.
          SamplingTargetDocuments: docs.flatMap((doc) => {
            const name = typeof doc === 'object' && doc !== null ? (doc as { RuleName?: unknown }).RuleName : undefined;
            const rule = this.records.find((r) => r.SamplingRule.RuleName === name)?.SamplingRule;
            if (!rule) return [];
            return [{
              RuleName: name,
              FixedRate: rule.FixedRate,
              ReservoirQuota: rule.ReservoirSize,
              ReservoirQuotaTTL: nowS + QUOTA_TTL_S,
              Interval: TARGET_INTERVAL_S,
            }];
          }),
          LastRuleModification: this.modifiedAt,
          UnprocessedStatistics: [],
        },
      };
    }
    return { status: 404, body: { message: `no such API: ${method} ${path} (this agent serves POST /GetSamplingRules and POST /SamplingTargets)` } };
  }
}
