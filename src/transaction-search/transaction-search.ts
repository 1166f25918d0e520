import { Annotations, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CfnTransactionSearchConfig } from 'aws-cdk-lib/aws-xray';
import { Construct, IConstruct } from 'constructs';
import { APP_INDEX_KINDS, describeSharedEnvironment, mayShareEnvironment, membersInApp, registerMember } from '../core/app-index';
import { fail, show } from '../core/errors';
import { groupsWatchedBy, traceGroupFacts } from '../core/group-facts';
import { isToken } from '../core/numbers';
import { requireResourceTypeInRegion } from '../core/region-availability';
import { validateNumberInRange } from '../core/validation';
import { WARNINGS } from '../core/warnings';

/** The kind under which Transaction Search constructs find each other in an app (`core/app-index.ts`). */
const KIND = APP_INDEX_KINDS.transactionSearch;

/** The retention values CloudWatch Logs accepts (the `RetentionDays` enum). */
const RETENTION_VALUES: ReadonlySet<number> = new Set(
  Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number'),
);

/** Properties of {@link TransactionSearch}. */
export interface TransactionSearchProps {
  /**
   * The percentage of ingested spans X-Ray indexes as trace summaries, from 0 to 100 (above 1 % is charged).
   * @default 1 - the free share
   */
  readonly indexingPercentage?: number;

  /**
   * How long CloudWatch Logs keeps the spans in `aws/spans` (the group is X-Ray's and is kept on delete).
   * @default - the retention of `aws/spans` is left as it is (a group X-Ray creates never expires)
   */
  readonly spansRetention?: logs.RetentionDays;
}

/**
 * CloudWatch Transaction Search for the account and Region (`AWS::XRay::TransactionSearchConfig`):
 * X-Ray writes every span to the log group `aws/spans` and indexes `indexingPercentage` of them.
 * Adds the logs resource policy X-Ray needs; one per account and Region.
 *
 * ```ts
 * new TransactionSearch(this, 'TransactionSearch', { spansRetention: logs.RetentionDays.ONE_WEEK });
 * ```
 */
export class TransactionSearch extends Construct {
  /** The indexing percentage X-Ray indexes at no charge, and the default. */
  public static readonly DEFAULT_INDEXING_PERCENTAGE = 1;

  /** The CloudWatch Logs group X-Ray writes spans to. */
  public static readonly SPANS_LOG_GROUP_NAME = 'aws/spans';

  /** The CloudWatch Logs group X-Ray writes Application Signals data to. */
  public static readonly APPLICATION_SIGNALS_LOG_GROUP_NAME = '/aws/application-signals/data';

  /** The logs resource policy that lets X-Ray write the two groups. */
  public readonly resourcePolicy: logs.CfnResourcePolicy;

  /** The `AWS::XRay::TransactionSearchConfig`. */
  public readonly config: CfnTransactionSearchConfig;

  /** The indexing percentage (a token when it was given as one). */
  public readonly indexingPercentage: number;

  /** The retention set on `aws/spans`, when one was asked for. */
  public readonly spansRetention?: logs.RetentionDays;

  /** Constructs already warned about the indexed share, so a second synth adds no second warning. */
  private readonly warnedIndexedShare = new Set<string>();

  constructor(scope: Construct, id: string, props: TransactionSearchProps = {}) {
    super(scope, id);
    const given: TransactionSearchProps = props ?? {};

    validateNumberInRange(this, 'indexingPercentage', given.indexingPercentage, 0, 100,
      ' (the percentage of spans indexed as trace summaries; 1 is free)');
    if (given.spansRetention !== undefined && !isToken(given.spansRetention) && !RETENTION_VALUES.has(given.spansRetention)) {
      fail(this, `spansRetention must be a logs.RetentionDays value (RetentionDays.ONE_WEEK, ...), got ${show(given.spansRetention)}`);
    }
    requireResourceTypeInRegion(this, 'AWS::XRay::TransactionSearchConfig', 'TransactionSearch');
    this.indexingPercentage = given.indexingPercentage ?? TransactionSearch.DEFAULT_INDEXING_PERCENTAGE;
    this.spansRetention = given.spansRetention;

    const stack = Stack.of(this);
    const statement = new iam.PolicyStatement({
      sid: 'TransactionSearchXRayAccess',
      principals: [new iam.ServicePrincipal('xray.amazonaws.com')],
      actions: ['logs:PutLogEvents'],
      resources: [TransactionSearch.SPANS_LOG_GROUP_NAME, TransactionSearch.APPLICATION_SIGNALS_LOG_GROUP_NAME].map((name) =>
        `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:${name}:*`),
      conditions: {
        ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:xray:${stack.region}:${stack.account}:*` },
        StringEquals: { 'aws:SourceAccount': stack.account },
      },
    });
    this.resourcePolicy = new logs.CfnResourcePolicy(this, 'LogsResourcePolicy', {
      policyName: `${stack.stackName}-TransactionSearchAccess`,
      policyDocument: stack.toJsonString(new iam.PolicyDocument({ statements: [statement] }).toJSON()),
    });

    this.config = new CfnTransactionSearchConfig(this, 'Resource', { indexingPercentage: this.indexingPercentage });
    // Construct-level: CfnResource#addDependency is deprecated, its replacement newer than our floor.
    this.config.node.addDependency(this.resourcePolicy);

    if (given.spansRetention !== undefined) {
      // X-Ray creates `aws/spans`; owning it here would delete the spans with the stack.
      const retention = new logs.LogRetention(this, 'SpansRetention', {
        logGroupName: TransactionSearch.SPANS_LOG_GROUP_NAME,
        retention: given.spansRetention,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      retention.node.addDependency(this.config);
      acknowledgeLogRetentionProvider(stack);
    }

    registerMember(this, KIND);
    this.node.addValidation({ validate: () => [...this.validateOnePerAccount(), ...this.warnIndexedShare()] });
  }

  /** Whether `indexingPercentage` is known to be 100. */
  public get indexesEverySpan(): boolean {
    return !isToken(this.indexingPercentage) && this.indexingPercentage >= 100;
  }

  /** Below 100 %, groups see only indexed traces: warns on alarms on their trace count and on Insights. */
  private warnIndexedShare(): string[] {
    if (this.indexesEverySpan) return [];
    const share = isToken(this.indexingPercentage)
      ? 'a share of spans known only at deploy time (indexingPercentage is a token)'
      : `${this.indexingPercentage} % of spans (indexingPercentage ${this.indexingPercentage})`;
    const why = `TransactionSearch ${this.node.path} indexes ${share} as trace summaries in this account and Region, `
      + 'and X-Ray groups, their metrics and X-Ray Insights work on trace summaries';
    const warn = (target: IConstruct, message: string): void => {
      if (this.warnedIndexedShare.has(target.node.path)) return;
      this.warnedIndexedShare.add(target.node.path);
      Annotations.of(target).addWarningV2(WARNINGS.transactionSearchIndexedShare, message);
    };
    for (const construct of this.node.root.node.findAll()) {
      if (!(construct instanceof cloudwatch.Alarm) || !mayShareEnvironment(this, construct)) continue;
      const groups = groupsWatchedBy(construct);
      if (groups.length === 0) continue;
      warn(construct,
        `alarm ${construct.node.path} counts the ApproximateTraceCount of trace group ${groups.map((g) => JSON.stringify(g)).join(', ')}, `
        + `but ${why}: it sees only that share of the matching requests. `
        + 'Fix: alarm on every span instead (a metric filter on aws/spans), '
        + 'or set indexingPercentage to 100 (indexing above 1 % is charged), or acknowledge this warning. See docs/transaction-search.md');
    }
    for (const group of membersInApp(this, APP_INDEX_KINDS.traceGroup)) {
      const facts = traceGroupFacts(group);
      if (facts === undefined || !facts.insightsEnabled || !mayShareEnvironment(this, group)) continue;
      warn(group,
        `trace group ${group.node.path} (${JSON.stringify(facts.groupName)}) has X-Ray Insights on, but ${why}: `
        + 'Insights sees only that share of the matching requests. '
        + 'Fix: set indexingPercentage to 100 (indexing above 1 % is charged), or acknowledge this warning. See docs/transaction-search.md');
    }
    return [];
  }

  /** No other `TransactionSearch` of the app may deploy to this account and Region. */
  private validateOnePerAccount(): string[] {
    const all = membersInApp(this, KIND).filter((c: IConstruct): c is TransactionSearch => c instanceof TransactionSearch);
    const me = all.indexOf(this);
    return all
      .filter((other, index) => index < me && mayShareEnvironment(this, other))
      .map((other) =>
        `TransactionSearch ${this.node.path} and ${other.node.path} both turn on Transaction Search, and ${describeSharedEnvironment(this, other)}: ` +
        'Transaction Search is one per account and Region (AWS::XRay::TransactionSearchConfig), so the second deploy fails with AlreadyExists. ' +
        'Fix: keep one TransactionSearch per account and Region, e.g. in a shared stack',
      );
  }
}

/** The id aws-cdk-lib gives the singleton Lambda function behind every `LogRetention` of a stack. */
const LOG_RETENTION_PROVIDER_ID = 'LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a';

/** Acknowledges the cdk-nag findings on aws-cdk-lib's `LogRetention` provider. */
function acknowledgeLogRetentionProvider(stack: Stack): void {
  const provider = stack.node.tryFindChild(LOG_RETENTION_PROVIDER_ID);
  if (provider === undefined) return;
  const role = provider.node.tryFindChild('ServiceRole');
  const roleResource = role?.node.defaultChild;
  if (roleResource) {
    // The finding id holds the policy ARN, whose `::` `Validations.acknowledge` refuses: write the metadata cdk-nag reads.
    roleResource.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, {
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
        'aws-cdk-lib\'s LogRetention provider (which sets the retention of aws/spans) logs with the AWS managed basic execution policy.',
    });
  }
  const policyResource = role?.node.tryFindChild('DefaultPolicy')?.node.tryFindChild('Resource');
  if (policyResource) {
    Validations.of(policyResource).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'aws-cdk-lib\'s LogRetention provider calls logs:PutRetentionPolicy / DeleteRetentionPolicy on the log groups of this stack by name; its policy is written by aws-cdk-lib with Resource "*".',
    });
  }
}
