import { Annotations, Arn, ArnFormat, Duration, IResource, Lazy, Resource, Stack, Token } from 'aws-cdk-lib';
import { CfnSamplingRule } from 'aws-cdk-lib/aws-xray';
import { Construct, IConstruct } from 'constructs';
import { describeSharedEnvironment, mayShareEnvironment, membersInApp, registerMember } from '../core/app-index';
import { importOwner, problemsOf } from '../core/owners';
import { generatedRuleName } from './private/rule-name';
import { fail, show } from '../core/errors';
import { knownNumber } from '../core/numbers';
import { requirePropertyInRegion } from '../core/region-availability';
import { validateIntegerInRange, validateLength, validateRequired } from '../core/validation';
import { validateSamplingRate } from '../core/validation-tracing';
import { validateSamplingRuleAttributes, validateSamplingRuleName } from '../core/validation-xray-names';
import { WARNINGS } from '../core/warnings';

/** The longest value X-Ray accepts for each match field of a sampling rule. */
const SAMPLING_RULE_MATCH_MAX = {
  serviceName: 64,
  serviceType: 64,
  host: 64,
  httpMethod: 10,
  urlPath: 128,
  resourceArn: 500,
} as const;

const MATCH_ALL = '*';
const DEFAULT_RESERVOIR_SIZE = 1;
const SAMPLING_RULE_ARN = /^arn:[^:]+:xray:[^:]*:[^:]*:sampling-rule\/[^/]+$/;

/** The kind under which sampling rules find each other in an app (see `core/app-index.ts`). */
const KIND = 'SamplingRule';


/** The `origin` a sampling rule matches (`ServiceType`), as the SDKs' plugins report it. */
export class SamplingRuleServiceType {
  /** Any origin, or none (`*`). */
  public static readonly ANY = new SamplingRuleServiceType('*');

  /** An Amazon ECS container, as the SDKs' ECS plugin reports it (`AWS::ECS::Container`). */
  public static readonly ECS_CONTAINER = new SamplingRuleServiceType('AWS::ECS::Container');

  /** An Amazon EC2 instance, as the SDKs' EC2 plugin reports it (`AWS::EC2::Instance`). */
  public static readonly EC2_INSTANCE = new SamplingRuleServiceType('AWS::EC2::Instance');

  /** An AWS Elastic Beanstalk environment (`AWS::ElasticBeanstalk::Environment`). */
  public static readonly ELASTIC_BEANSTALK_ENVIRONMENT = new SamplingRuleServiceType('AWS::ElasticBeanstalk::Environment');

  /** An Amazon API Gateway stage with active tracing (`AWS::APIGateway::Stage`). */
  public static readonly API_GATEWAY_STAGE = new SamplingRuleServiceType('AWS::APIGateway::Stage');

  /** An AWS AppSync API with active tracing (`AWS::AppSync::GraphQLAPI`). */
  public static readonly APPSYNC_GRAPHQL_API = new SamplingRuleServiceType('AWS::AppSync::GraphQLAPI');

  /**
   * Any other origin, 1 to 64 characters; `*` and `?` are wildcards.
   *
   * @param serviceType the `ServiceType` to match, e.g. `AWS::ECS::*`
   */
  public static of(serviceType: string): SamplingRuleServiceType {
    validateRequired('SamplingRuleServiceType.of', 'serviceType', serviceType, 'a service type such as AWS::ECS::Container');
    validateLength('SamplingRuleServiceType.of', 'serviceType', serviceType, 1, SAMPLING_RULE_MATCH_MAX.serviceType);
    return new SamplingRuleServiceType(serviceType);
  }

  /** The `ServiceType` value. */
  public readonly value: string;

  private constructor(value: string) {
    this.value = value;
  }

  /** The `ServiceType` value. */
  public toString(): string {
    return this.value;
  }
}

/**
 * Adaptive sampling for one rule: during an anomaly X-Ray raises the rate up to `maxRate`, at most
 * once per `cooldown`. Only the ADOT SDKs (Java, Python) with an OTLP agent honour it.
 */
export interface SamplingRateBoost {
  /** The highest rate X-Ray may boost the rule to, from the rule's `fixedRate` to 1. */
  readonly maxRate: number;

  /** The window in which at most one boost happens, in whole minutes, 1 or more. */
  readonly cooldown: Duration;
}

/** A sampling rule, created here or imported. */
export interface ISamplingRule extends IResource {
  /**
   * The rule's ARN.
   * @attribute
   */
  readonly samplingRuleArn: string;

  /**
   * The rule's name.
   * @attribute
   */
  readonly samplingRuleName: string;
}

/** Properties of a {@link SamplingRule}. */
export interface SamplingRuleProps {
  /**
   * The rule's name, 1 to 32 characters, unique per account and Region; renaming replaces the rule.
   * @default - `<serviceName or construct id>-<hash of the construct path>`, at most 32 characters
   */
  readonly ruleName?: string;

  /** The rule's priority, an integer from 1 (tried first) to 9999. */
  readonly priority: number;

  /** The fraction of matching requests to trace once the reservoir is used up, from 0 to 1. */
  readonly fixedRate: number;

  /**
   * Matching requests to trace each second before the fixed rate applies, shared by all instances.
   * @default 1
   */
  readonly reservoirSize?: number;

  /**
   * The service name to match, up to 64 characters; `*` and `?` are wildcards.
   * @default '*'
   */
  readonly serviceName?: string;

  /**
   * The service type (the segments' `origin`) to match.
   * @default SamplingRuleServiceType.ANY
   */
  readonly serviceType?: SamplingRuleServiceType;

  /**
   * The host name to match, up to 64 characters; `*` and `?` are wildcards.
   * @default '*'
   */
  readonly host?: string;

  /**
   * The HTTP method to match, up to 10 characters; `*` and `?` are wildcards.
   * @default '*'
   */
  readonly httpMethod?: string;

  /**
   * The URL path to match, up to 128 characters; `*` and `?` are wildcards.
   * @default '*'
   */
  readonly urlPath?: string;

  /**
   * The ARN of the resource the service runs on, up to 500 characters; the X-Ray SDKs skip rules with any but `*`.
   * @default '*'
   */
  readonly resourceArn?: string;

  /**
   * Segment attributes to match, at most 5; the X-Ray SDKs skip rules with attributes.
   * @default - no attributes
   */
  readonly attributes?: { [key: string]: string };

  /**
   * Adaptive sampling (see `SamplingRateBoost`); not available in every Region's CloudFormation.
   * @default - no boost: the rate stays `fixedRate`
   */
  readonly samplingRateBoost?: SamplingRateBoost;
}

/**
 * An X-Ray sampling rule (`AWS::XRay::SamplingRule`): which requests the SDKs trace, for every
 * instance of a service at once, changed without a redeploy.
 *
 * ```ts
 * new SamplingRule(this, 'Orders', {
 *   priority: 1000,
 *   fixedRate: 0.1,
 *   serviceName: 'orders',
 * });
 * ```
 */
export class SamplingRule extends Resource implements ISamplingRule {
  /**
   * Imports a sampling rule by its ARN.
   *
   * @param scope the scope of the imported rule
   * @param id its construct id
   * @param samplingRuleArn the rule's ARN
   */
  public static fromSamplingRuleArn(scope: Construct, id: string, samplingRuleArn: string): ISamplingRule {
    const owner = importOwner(scope, id);
    validateRequired(owner, 'samplingRuleArn', samplingRuleArn, 'arn:<partition>:xray:<region>:<account>:sampling-rule/<name>');
    if (!Token.isUnresolved(samplingRuleArn) && (typeof samplingRuleArn !== 'string' || !SAMPLING_RULE_ARN.test(samplingRuleArn))) {
      fail(owner, `samplingRuleArn must look like arn:<partition>:xray:<region>:<account>:sampling-rule/<name>, got ${show(samplingRuleArn)}`);
    }
    const name = Arn.split(samplingRuleArn, ArnFormat.SLASH_RESOURCE_NAME).resourceName;
    if (name === undefined) {
      return fail(owner, `samplingRuleArn has no rule name, got ${show(samplingRuleArn)}`);
    }
    return new ImportedSamplingRule(scope, id, samplingRuleArn, name, { environmentFromArn: samplingRuleArn });
  }

  /**
   * Imports a sampling rule of this stack's account and region by its name.
   *
   * @param scope the scope of the imported rule
   * @param id its construct id
   * @param samplingRuleName the rule's name
   */
  public static fromSamplingRuleName(scope: Construct, id: string, samplingRuleName: string): ISamplingRule {
    const owner = importOwner(scope, id);
    validateRequired(owner, 'samplingRuleName', samplingRuleName, 'the name of a sampling rule of this account and Region');
    validateSamplingRuleName(owner, 'samplingRuleName', samplingRuleName, { allowReserved: true });
    const arn = Stack.of(scope).formatArn({
      service: 'xray',
      resource: 'sampling-rule',
      resourceName: samplingRuleName,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    return new ImportedSamplingRule(scope, id, arn, samplingRuleName, {});
  }

  /** Which of two rules matching the same requests wins: lower priority, then first name; undefined if unknown at synth. */
  private static winnerOf(a: SamplingRule, b: SamplingRule): { readonly winner: SamplingRule; readonly why: string } | undefined {
    const pa = a.priorityAtSynth();
    const pb = b.priorityAtSynth();
    if (pa === undefined || pb === undefined) return undefined;
    if (pa !== pb) {
      return pa < pb
        ? { winner: a, why: `its priority ${pa} is lower than ${pb}` }
        : { winner: b, why: `its priority ${pb} is lower than ${pa}` };
    }
    const na = a.samplingRuleName;
    const nb = b.samplingRuleName;
    if (Token.isUnresolved(na) || Token.isUnresolved(nb) || na === nb) return undefined;
    const why = `both have priority ${pa} and X-Ray then orders rules by name, ${JSON.stringify(na < nb ? na : nb)} first`;
    return na < nb ? { winner: a, why } : { winner: b, why };
  }

  /** The rule's ARN. */
  public readonly samplingRuleArn: string;

  /** The rule's name (generated unless `ruleName` was given). */
  public readonly samplingRuleName: string;

  /** The fraction of matching requests the rule traces beyond its reservoir (may be a token). */
  public readonly fixedRate: number;

  /** The service name the rule matches: `serviceName`, or `*` (any service). */
  public readonly serviceName: string;

  /** The rule's adaptive-sampling boost, when it has one. */
  public readonly samplingRateBoost?: SamplingRateBoost;

  /** Whether `ruleName` was given: only given names can collide (generated ones differ by path). */
  private readonly explicitName: boolean;

  /** The priority as given (maybe a token). */
  private readonly priority: number;

  /** The match criteria as X-Ray compares them (case ignored); undefined when one is a token. */
  private readonly matchKey?: string;

  /** The match criteria, for messages. */
  private readonly matchDescription: string;

  constructor(scope: Construct, id: string, props: SamplingRuleProps) {
    const given: SamplingRuleProps = props ?? ({} as SamplingRuleProps);
    let generatedName: string | undefined;
    super(scope, id, {
      physicalName: given.ruleName ?? Lazy.string({ produce: () => generatedName }),
    });

    validateRequired(this, 'priority', given.priority, 'an integer from 1 to 9999 (services try rules in ascending order of priority)');
    validateRequired(this, 'fixedRate', given.fixedRate, 'a number from 0 to 1 (0.1 traces 10 % of requests)');
    validateSamplingRuleName(this, 'ruleName', given.ruleName);
    validateIntegerInRange(this, 'priority', given.priority, 1, 9999);
    validateSamplingRate(this, 'fixedRate', given.fixedRate);
    validateIntegerInRange(this, 'reservoirSize', given.reservoirSize, 0);
    for (const prop of ['serviceName', 'host', 'httpMethod', 'urlPath', 'resourceArn'] as const) {
      validateLength(this, prop, given[prop], 1, SAMPLING_RULE_MATCH_MAX[prop]);
    }
    validateSamplingRuleAttributes(this, 'attributes', given.attributes);
    const boost = renderBoost(this, given.samplingRateBoost, given.fixedRate);
    if (given.samplingRateBoost !== undefined) {
      requirePropertyInRegion(this, 'AWS::XRay::SamplingRule', 'SamplingRateBoost', 'samplingRateBoost');
    }
    if (given.serviceType !== undefined && !(given.serviceType instanceof SamplingRuleServiceType)) {
      fail(this, `serviceType must be a SamplingRuleServiceType (SamplingRuleServiceType.ECS_CONTAINER, SamplingRuleServiceType.of('AWS::ECS::*'), ...), got ${show(given.serviceType)}`);
    }

    const serviceName = given.serviceName ?? MATCH_ALL;
    const serviceType = (given.serviceType ?? SamplingRuleServiceType.ANY).value;
    const host = given.host ?? MATCH_ALL;
    const httpMethod = given.httpMethod ?? MATCH_ALL;
    const urlPath = given.urlPath ?? MATCH_ALL;
    const resourceArn = given.resourceArn ?? MATCH_ALL;
    if (resourceArn !== MATCH_ALL) {
      Annotations.of(this).addWarningV2(
        WARNINGS.samplingResourceArnIgnored,
        `resourceArn is ${Token.isUnresolved(resourceArn) ? 'a token' : JSON.stringify(resourceArn)}: the X-Ray SDKs only use rules whose resource ARN is "*" and will skip this rule (only services such as API Gateway match on it). Use "*" for services instrumented with an X-Ray SDK.`,
      );
    }
    const attributes = given.attributes !== undefined && Object.keys(given.attributes).length > 0 ? given.attributes : undefined;
    if (attributes !== undefined) {
      Annotations.of(this).addWarningV2(
        WARNINGS.samplingAttributesIgnored,
        `attributes are set (${Object.keys(attributes).join(', ')}): the X-Ray SDKs skip rules with attributes, because they decide before any attribute is known (only services such as API Gateway match on them). Leave attributes out for services instrumented with an X-Ray SDK.`,
      );
    }

    const ruleName = given.ruleName ?? generatedRuleName(this, given.serviceName);
    generatedName = ruleName;

    const resource = new CfnSamplingRule(this, 'Resource', {
      samplingRule: {
        ruleName,
        priority: given.priority,
        fixedRate: given.fixedRate,
        reservoirSize: given.reservoirSize ?? DEFAULT_RESERVOIR_SIZE,
        serviceName,
        serviceType,
        host,
        httpMethod,
        urlPath,
        resourceArn,
        attributes,
        samplingRateBoost: boost,
        version: 1,
      },
    });

    this.samplingRuleArn = this.getResourceArnAttribute(resource.attrRuleArn, {
      service: 'xray',
      resource: 'sampling-rule',
      resourceName: this.physicalName,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    this.samplingRuleName = ruleName;
    this.fixedRate = given.fixedRate;
    this.serviceName = serviceName;
    this.samplingRateBoost = given.samplingRateBoost;
    this.explicitName = given.ruleName !== undefined;
    this.priority = given.priority;

    const criteria: ReadonlyArray<readonly [string, string]> = [
      ['serviceName', serviceName],
      ['serviceType', serviceType],
      ['host', host],
      ['httpMethod', httpMethod],
      ['urlPath', urlPath],
      ['resourceArn', resourceArn],
    ];
    const attributeEntries = Object.entries(attributes ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const allKnown = [...criteria.map(([, v]) => v), ...attributeEntries.flat()].every((v) => !Token.isUnresolved(v));
    // X-Ray matches every field with wildcards, ignoring letter case: `GET` and `get` are the same.
    this.matchKey = allKnown
      ? JSON.stringify([criteria.map(([, v]) => v.toLowerCase()), attributeEntries.map(([k, v]) => [k.toLowerCase(), v.toLowerCase()])])
      : undefined;
    this.matchDescription = [
      ...criteria.map(([k, v]) => `${k} ${JSON.stringify(v)}`),
      ...(attributeEntries.length > 0 ? [`attributes ${JSON.stringify(Object.fromEntries(attributeEntries))}`] : []),
    ].join(', ');

    registerMember(this, KIND);
    this.node.addValidation({ validate: () => [...this.validateResolvedNumbers(given), ...this.validateUniqueInApp()] });
  }

  /** Synth-time tokens are validated once resolved; deploy-time values are left to CloudFormation. */
  private validateResolvedNumbers(props: SamplingRuleProps): string[] {
    const resolved = (value: number | undefined): number | undefined => {
      if (value === undefined || knownNumber(value) !== undefined) return undefined;
      const out: unknown = Stack.of(this).resolve(value);
      return typeof out === 'number' ? out : undefined;
    };
    const suffix = (messages: string[]): string[] => messages.map((m) => `${m} (the value its token resolves to at synth)`);
    return suffix([
      ...problemsOf(() => validateIntegerInRange('', 'priority', resolved(props.priority), 1, 9999)),
      ...problemsOf(() => validateSamplingRate('', 'fixedRate', resolved(props.fixedRate))),
      ...problemsOf(() => validateIntegerInRange('', 'reservoirSize', resolved(props.reservoirSize), 0)),
    ]);
  }

  /** The priority, when known at synth (a `Lazy.number` is resolved). */
  private priorityAtSynth(): number | undefined {
    const known = knownNumber(this.priority);
    if (known !== undefined) return known;
    const out: unknown = Stack.of(this).resolve(this.priority);
    return typeof out === 'number' ? out : undefined;
  }

  /** No other rule in the same account and Region has this rule's name or exactly its match criteria. */
  private validateUniqueInApp(): string[] {
    const rules = membersInApp(this, KIND).filter((c: IConstruct): c is SamplingRule => c instanceof SamplingRule);
    const me = rules.indexOf(this);
    const problems: string[] = [];
    rules.forEach((other, index) => {
      if (other === this || !mayShareEnvironment(this, other)) return;
      const earlier = me !== -1 && index < me;
      const env = describeSharedEnvironment(this, other);
      const sameName = this.explicitName && other.explicitName
        && !Token.isUnresolved(this.samplingRuleName) && this.samplingRuleName === other.samplingRuleName;
      if (earlier && sameName) {
        problems.push(
          `ruleName ${JSON.stringify(this.samplingRuleName)} of ${this.node.path} is also the ruleName of ${other.node.path}, and ${env}: ` +
          'X-Ray sampling rule names are unique in an account and Region, so the second stack to deploy fails. Fix: give one of them a different ruleName',
        );
      }
      if (this.matchKey === undefined || this.matchKey !== other.matchKey) return;
      const decided = SamplingRule.winnerOf(this, other);
      const sameRequests = `match exactly the same requests (${this.matchDescription})`;
      const fix = Stack.of(this) === Stack.of(other)
        // One stack, two rules for one service: a duplicate.
        ? 'Fix: keep one rule per service: pass the shared rule to the service as samplingRule.existingRule, '
          + 'or turn the service\'s own rule off (samplingRule: { enabled: false }), or change one rule\'s match criteria'
        // Two stacks in one account and Region: usually two stages of one app tracing under one name.
        : 'Fix: when the two stacks are two stages (dev and prod) in one account and Region, give each stage its own service names '
          + '(a stage prefix: dev-orders-api and prod-orders-api, or a preset\'s namePrefix) so each rule matches only its stage\'s requests; '
          + 'otherwise remove one rule or change its match criteria';
      if (decided !== undefined && decided.winner === other) {
        problems.push(
          `sampling rule ${this.node.path} never matches a request: it and ${other.node.path} ${sameRequests}, and ${env}; ` +
          `${other.node.path} wins because ${decided.why}. ${fix}`,
        );
      } else if (decided === undefined && earlier) {
        problems.push(
          `sampling rules ${other.node.path} and ${this.node.path} ${sameRequests}, and ${env}: ` +
          `the one with the higher priority number at deploy time never matches a request. ${fix}`,
        );
      }
    });
    return problems;
  }
}

/** Validates a boost and renders it as CloudFormation's `SamplingRateBoost`; tokens pass through. */
function renderBoost(
  owner: IConstruct, boost: SamplingRateBoost | undefined, fixedRate: number,
): CfnSamplingRule.SamplingRateBoostProperty | undefined {
  if (boost === undefined) return undefined;
  if (typeof boost !== 'object' || boost === null) {
    return fail(owner, `samplingRateBoost must be { maxRate, cooldown }, got ${show(boost)}`);
  }
  validateRequired(owner, 'samplingRateBoost.maxRate', boost.maxRate, 'a number from the rule\'s fixedRate to 1');
  validateRequired(owner, 'samplingRateBoost.cooldown', boost.cooldown, 'a Duration of whole minutes, at least Duration.minutes(1)');
  validateSamplingRate(owner, 'samplingRateBoost.maxRate', boost.maxRate);
  const maxRate = knownNumber(boost.maxRate);
  const floor = knownNumber(fixedRate);
  if (maxRate !== undefined && floor !== undefined && maxRate < floor) {
    fail(owner, `samplingRateBoost.maxRate must be from the rule's fixedRate ${floor} to 1 (a boost only raises the rate), got ${maxRate}`);
  }
  if (!(boost.cooldown instanceof Duration)) {
    return fail(owner, `samplingRateBoost.cooldown must be a Duration (Duration.minutes(5)), got ${show(boost.cooldown)}`);
  }
  let minutes: number;
  if (boost.cooldown.isUnresolved()) {
    minutes = boost.cooldown.toMinutes();
  } else {
    const exact = boost.cooldown.toMinutes({ integral: false });
    if (!Number.isInteger(exact) || exact < 1) {
      fail(owner, `samplingRateBoost.cooldown must be whole minutes, at least 1 (CooldownWindowMinutes), got ${boost.cooldown.toHumanString()}`);
    }
    minutes = exact;
  }
  return { maxRate: boost.maxRate, cooldownWindowMinutes: minutes };
}

/** What {@link SamplingRule.fromSamplingRuleArn} and `fromSamplingRuleName` return. */
class ImportedSamplingRule extends Resource implements ISamplingRule {
  constructor(
    scope: Construct,
    id: string,
    public readonly samplingRuleArn: string,
    public readonly samplingRuleName: string,
    resourceProps: { readonly environmentFromArn?: string },
  ) {
    super(scope, id, resourceProps);
  }
}
