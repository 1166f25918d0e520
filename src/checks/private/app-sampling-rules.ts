import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Knowledge, UNKNOWN_PART, asNumber, asString, flattenToText, isDict, prop } from './cfn-values';

/** The CloudFormation type of a sampling rule. */
const SAMPLING_RULE_TYPE = 'AWS::XRay::SamplingRule';

/** What the checks read from one `AWS::XRay::SamplingRule` of the app. */
export interface SamplingRuleView {
  /** The construct path of the resource. */
  readonly path: string;
  /** `ServiceName` as text, {@link UNKNOWN_PART} for deploy-time parts; undefined when unreadable. */
  readonly serviceName?: string;
  /** `RuleName`, when known. */
  readonly ruleName?: string;
  /** `Priority`, when known. */
  readonly priority?: number;
  /** `FixedRate`, when known. */
  readonly fixedRate?: number;
  /**
   * Whether the X-Ray SDKs use the rule: they skip rules whose `ResourceARN` is not `*` and rules
   * with `Attributes`.
   */
  readonly usedBySdks: Knowledge;
  /** Whether the rule matches every request of its services: `Host`, `HTTPMethod` and `URLPath` are `*`. */
  readonly everyRequest: Knowledge;
  /** Whether the resource is certainly deployed (`NO` never; `UNKNOWN` under a CloudFormation condition). */
  readonly deployed: Knowledge;
}

/** `YES` when the field is `*`, `NO` when it is known and is not, `UNKNOWN` when it is a deploy-time value. */
function isMatchAll(value: unknown): Knowledge {
  if (value === undefined) return Knowledge.YES; // X-Ray's own default is `*`
  const text = flattenToText(value);
  if (text === undefined) return Knowledge.UNKNOWN;
  if (text === '*') return Knowledge.YES;
  return text.includes(UNKNOWN_PART) && /^[*\u0000]+$/.test(text) ? Knowledge.UNKNOWN : Knowledge.NO;
}

/** `YES` when every answer is, `NO` when one is, else `UNKNOWN`. */
export function allOf(...answers: Knowledge[]): Knowledge {
  if (answers.includes(Knowledge.NO)) return Knowledge.NO;
  return answers.every((a) => a === Knowledge.YES) ? Knowledge.YES : Knowledge.UNKNOWN;
}

/** Reads a sampling rule as it will be deployed (overrides included), from any `CfnResource` of its type. */
function readSamplingRule(resource: CfnResource): SamplingRuleView {
  const rendered: unknown = Stack.of(resource).resolve(resource._toCloudFormation());
  const resources = isDict(rendered) && isDict(rendered.Resources) ? Object.values(rendered.Resources) : [];
  const body = resources.length === 1 && isDict(resources[0]) ? resources[0] : undefined;
  const deployed = body !== undefined && body.Condition !== undefined ? Knowledge.UNKNOWN : Knowledge.YES;
  const properties = body !== undefined && isDict(body.Properties) ? body.Properties : undefined;
  const rule = properties !== undefined ? prop(properties, 'SamplingRule') : undefined;
  const path = resource.node.path;
  if (!isDict(rule)) {
    // No `SamplingRule` (the deprecated record shapes) or a deploy-time value: nothing is known.
    return { path, usedBySdks: Knowledge.UNKNOWN, everyRequest: Knowledge.UNKNOWN, deployed };
  }
  const attributes = prop(rule, 'Attributes');
  const noAttributes = attributes === undefined || (isDict(attributes) && Object.keys(attributes).length === 0)
    ? Knowledge.YES
    : isDict(attributes) && !Object.keys(attributes).some((k) => k.startsWith('Fn::') || k === 'Ref') ? Knowledge.NO : Knowledge.UNKNOWN;
  return {
    path,
    serviceName: prop(rule, 'ServiceName') === undefined ? '*' : flattenToText(prop(rule, 'ServiceName')),
    ruleName: asString(prop(rule, 'RuleName')),
    priority: asNumber(prop(rule, 'Priority')),
    fixedRate: asNumber(prop(rule, 'FixedRate')),
    usedBySdks: allOf(isMatchAll(prop(rule, 'ResourceARN')), noAttributes),
    everyRequest: allOf(isMatchAll(prop(rule, 'Host')), isMatchAll(prop(rule, 'HTTPMethod')), isMatchAll(prop(rule, 'URLPath'))),
    deployed,
  };
}

/** The sampling rules of whole apps, read once per app per run of the pack (`clear()` between runs). */
export class AppSamplingRules {
  private readonly byRoot = new Map<IConstruct, readonly SamplingRuleView[]>();

  /** Every `AWS::XRay::SamplingRule` in the app of `scope`, in tree order. */
  public of(scope: IConstruct): readonly SamplingRuleView[] {
    const root = scope.node.root;
    let rules = this.byRoot.get(root);
    if (rules === undefined) {
      rules = root.node.findAll()
        .filter((c): c is CfnResource => CfnResource.isCfnResource(c) && c.cfnResourceType === SAMPLING_RULE_TYPE)
        .map(readSamplingRule);
      this.byRoot.set(root, rules);
    }
    return rules;
  }

  /** Forgets what was read. */
  public clear(): void {
    this.byRoot.clear();
  }
}

/** Whether a rule's `ServiceName` pattern matches `serviceName` as X-Ray does (`*`, `?`, case ignored); `UNKNOWN` with tokens. */
export function serviceNameMatches(pattern: string | undefined, serviceName: string): Knowledge {
  if (pattern === undefined) return Knowledge.UNKNOWN;
  const source = [...pattern.toLowerCase()].map((ch) => {
    if (ch === '*' || ch === UNKNOWN_PART) return '.*';
    if (ch === '?') return '.';
    return ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }).join('');
  const matches = new RegExp(`^${source}$`, 'su').test(serviceName.toLowerCase());
  if (!matches) return Knowledge.NO;
  return pattern.includes(UNKNOWN_PART) ? Knowledge.UNKNOWN : Knowledge.YES;
}
