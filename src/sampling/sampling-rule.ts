import { Annotations, Arn, ArnFormat, IResource, Lazy, Names, Resource, Stack, Token } from 'aws-cdk-lib';
import { CfnSamplingRule } from 'aws-cdk-lib/aws-xray';
import { Construct } from 'constructs';
import { validateIntegerInRange, validateLength } from '../core/validation';
import { validateSamplingRate } from '../core/validation-tracing';
import {
  validateSamplingRuleAttributes,
  validateSamplingRuleName,
  XRAY_RULE_NAME_MAX,
} from '../core/validation-xray-names';

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

/**
 * The `origin` a sampling rule matches (`ServiceType`): the type an instrumented service reports in
 * its segments. The X-Ray SDKs set it through their plugins (ECS, EC2, Elastic Beanstalk); with no
 * plugin a service reports no origin, and the X-Ray SDK for Node.js, for one, then applies the rule
 * whatever its `ServiceType`.
 */
export class SamplingRuleServiceType {
  /** Any origin, or none (`*`). */
  public static readonly ANY = new SamplingRuleServiceType('*');

  /** An Amazon ECS container, as the SDKs' ECS plugin reports it (`AWS::ECS::Container`). */
  public static readonly ECS_CONTAINER = new SamplingRuleServiceType('AWS::ECS::Container');

  /** An Amazon EC2 instance, as the SDKs' EC2 plugin reports it (`AWS::EC2::Instance`). */
  public static readonly EC2_INSTANCE = new SamplingRuleServiceType('AWS::EC2::Instance');

  /**
   * An AWS Elastic Beanstalk environment, as the SDKs' Elastic Beanstalk plugin reports it
   * (`AWS::ElasticBeanstalk::Environment`).
   */
  public static readonly ELASTIC_BEANSTALK_ENVIRONMENT = new SamplingRuleServiceType('AWS::ElasticBeanstalk::Environment');

  /** An Amazon API Gateway stage with active tracing (`AWS::APIGateway::Stage`). */
  public static readonly API_GATEWAY_STAGE = new SamplingRuleServiceType('AWS::APIGateway::Stage');

  /** An AWS AppSync API with active tracing (`AWS::AppSync::GraphQLAPI`). */
  public static readonly APPSYNC_GRAPHQL_API = new SamplingRuleServiceType('AWS::AppSync::GraphQLAPI');

  /**
   * Any other origin, 1 to 64 characters; `*` and `?` are wildcards. There is no constant for
   * AWS Lambda on purpose: X-Ray documents no sampling-rule service type for Lambda functions.
   *
   * @param serviceType the `ServiceType` to match, e.g. `AWS::ECS::*`
   */
  public static of(serviceType: string): SamplingRuleServiceType {
    validateLength('serviceType', serviceType, 1, SAMPLING_RULE_MATCH_MAX.serviceType);
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

/** A sampling rule, created here or imported. */
export interface ISamplingRule extends IResource {
  /**
   * The rule's ARN, `arn:<partition>:xray:<region>:<account>:sampling-rule/<name>`.
   *
   * @attribute
   */
  readonly samplingRuleArn: string;

  /**
   * The rule's name.
   *
   * @attribute
   */
  readonly samplingRuleName: string;
}

/** Properties of a {@link SamplingRule}. */
export interface SamplingRuleProps {
  /**
   * The rule's name, 1 to 32 characters: letters, numbers, spaces and `_ . : % & # = + - @`.
   * `Default` is the account's own rule and cannot be created. Names are unique per account and
   * region, and renaming a rule replaces it.
   *
   * @default - a name generated from the construct path and the stack name: stable, unique in
   * the app, at most 32 characters
   */
  readonly ruleName?: string;

  /**
   * The rule's priority, an integer from 1 to 9999. Services try rules in ascending order of
   * priority and use the first that matches; the account's `Default` rule comes last (10000).
   */
  readonly priority: number;

  /**
   * The fraction of matching requests to trace once the reservoir is used up, from 0 to 1
   * (0.1 traces 10 % of requests).
   */
  readonly fixedRate: number;

  /**
   * Matching requests to trace each second before the fixed rate applies, shared by all
   * instances of all services that use the rule. An integer of 0 or more.
   *
   * @default 1
   */
  readonly reservoirSize?: number;

  /**
   * The service name to match (the `name` of the service's segments), up to 64 characters;
   * `*` and `?` are wildcards.
   *
   * @default '*'
   */
  readonly serviceName?: string;

  /**
   * The service type (the segments' `origin`) to match.
   *
   * @default SamplingRuleServiceType.ANY
   */
  readonly serviceType?: SamplingRuleServiceType;

  /**
   * The host name to match (from the request's `Host` header), up to 64 characters; `*` and `?`
   * are wildcards.
   *
   * @default '*'
   */
  readonly host?: string;

  /**
   * The HTTP method to match, up to 10 characters; `*` and `?` are wildcards.
   *
   * @default '*'
   */
  readonly httpMethod?: string;

  /**
   * The URL path to match, up to 128 characters; `*` and `?` are wildcards.
   *
   * @default '*'
   */
  readonly urlPath?: string;

  /**
   * The ARN of the AWS resource the service runs on, up to 500 characters. The X-Ray SDKs only use
   * rules whose resource ARN is `*`; every other value makes the SDKs skip the rule (a warning says
   * so); only AWS services that sample on their own, such as API Gateway stages, match it.
   *
   * @default '*'
   */
  readonly resourceArn?: string;

  /**
   * Segment attributes to match, at most 5, keys and values 1 to 32 characters. The X-Ray SDKs
   * skip rules with attributes (a warning says so); API Gateway matches them against request
   * headers.
   *
   * @default - no attributes
   */
  readonly attributes?: { [key: string]: string };
}


/**
 * An X-Ray sampling rule (`AWS::XRay::SamplingRule`): which requests the X-Ray SDKs trace,
 * centrally, for every instance of a service at once. The SDKs poll the rules through their agent
 * (`xray:GetSamplingRules`, `xray:GetSamplingTargets`), so a rule changes sampling without a
 * redeploy of the service.
 *
 * ```ts
 * new SamplingRule(this, 'MainBackend', {
 *   priority: 1000,
 *   fixedRate: 0.1,
 *   serviceName: 'afirgen-main-backend',
 * });
 * ```
 *
 * Tags added with `Tags.of(rule)` are set on the rule.
 */
export class SamplingRule extends Resource implements ISamplingRule {
  /**
   * Imports a sampling rule by its ARN, `arn:<partition>:xray:<region>:<account>:sampling-rule/<name>`.
   * The name is read from the ARN (at deploy time when the ARN is a token).
   *
   * @param scope the scope of the imported rule
   * @param id its construct id
   * @param samplingRuleArn the rule's ARN
   */
  public static fromSamplingRuleArn(scope: Construct, id: string, samplingRuleArn: string): ISamplingRule {
    if (!Token.isUnresolved(samplingRuleArn) && !SAMPLING_RULE_ARN.test(samplingRuleArn)) {
      throw new Error(
        `samplingRuleArn must look like arn:<partition>:xray:<region>:<account>:sampling-rule/<name>, got ${JSON.stringify(samplingRuleArn)}`,
      );
    }
    const name = Arn.split(samplingRuleArn, ArnFormat.SLASH_RESOURCE_NAME).resourceName;
    if (name === undefined) {
      throw new Error(`samplingRuleArn has no rule name, got ${JSON.stringify(samplingRuleArn)}`);
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
    validateSamplingRuleName('samplingRuleName', samplingRuleName, { allowReserved: true });
    const arn = Stack.of(scope).formatArn({
      service: 'xray',
      resource: 'sampling-rule',
      resourceName: samplingRuleName,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    return new ImportedSamplingRule(scope, id, arn, samplingRuleName, {});
  }

  /** The rule's ARN. */
  public readonly samplingRuleArn: string;

  /** The rule's name (generated unless `ruleName` was given). */
  public readonly samplingRuleName: string;

  constructor(scope: Construct, id: string, props: SamplingRuleProps) {
    super(scope, id, {
      physicalName: props.ruleName ?? Lazy.string({
        produce: () => Names.uniqueResourceName(this, {
          maxLength: XRAY_RULE_NAME_MAX,
          separator: '-',
          allowedSpecialCharacters: '-_',
        }),
      }),
    });

    validateSamplingRuleName('ruleName', props.ruleName);
    validateIntegerInRange('priority', props.priority, 1, 9999);
    validateSamplingRate('fixedRate', props.fixedRate);
    validateIntegerInRange('reservoirSize', props.reservoirSize, 0);
    for (const prop of ['serviceName', 'host', 'httpMethod', 'urlPath', 'resourceArn'] as const) {
      validateLength(prop, props[prop], 1, SAMPLING_RULE_MATCH_MAX[prop]);
    }
    validateSamplingRuleAttributes('attributes', props.attributes);

    const resourceArn = props.resourceArn ?? MATCH_ALL;
    if (resourceArn !== MATCH_ALL) {
      Annotations.of(this).addWarningV2(
        'cdk-xray-ecs:SamplingRule.resourceArnIgnoredBySdks',
        `resourceArn is ${Token.isUnresolved(resourceArn) ? 'a token' : JSON.stringify(resourceArn)}: the X-Ray SDKs only use rules whose resource ARN is "*" and will skip this rule (only services such as API Gateway match on it). Use "*" for services instrumented with an X-Ray SDK.`,
      );
    }
    const attributes = props.attributes !== undefined && Object.keys(props.attributes).length > 0 ? props.attributes : undefined;
    if (attributes !== undefined) {
      Annotations.of(this).addWarningV2(
        'cdk-xray-ecs:SamplingRule.attributesIgnoredBySdks',
        `attributes are set (${Object.keys(attributes).join(', ')}): the X-Ray SDKs skip rules with attributes, because they decide before any attribute is known (only services such as API Gateway match on them). Leave attributes out for services instrumented with an X-Ray SDK.`,
      );
    }

    const resource = new CfnSamplingRule(this, 'Resource', {
      samplingRule: {
        ruleName: this.physicalName,
        priority: props.priority,
        fixedRate: props.fixedRate,
        reservoirSize: props.reservoirSize ?? DEFAULT_RESERVOIR_SIZE,
        serviceName: props.serviceName ?? MATCH_ALL,
        serviceType: (props.serviceType ?? SamplingRuleServiceType.ANY).value,
        host: props.host ?? MATCH_ALL,
        httpMethod: props.httpMethod ?? MATCH_ALL,
        urlPath: props.urlPath ?? MATCH_ALL,
        resourceArn,
        attributes,
        version: 1,
      },
    });

    this.samplingRuleArn = this.getResourceArnAttribute(resource.attrRuleArn, {
      service: 'xray',
      resource: 'sampling-rule',
      resourceName: this.physicalName,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    this.samplingRuleName = this.physicalName;
  }
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
