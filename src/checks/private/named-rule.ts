import { CfnResource } from 'aws-cdk-lib';
import { NagRuleResult } from './cdk-nag-core';

/** A cdk-nag rule: looks at one resource, says whether it complies (or lists its findings). */
export type NagRuleFunction = (node: CfnResource) => NagRuleResult;

/**
 * Gives a rule function its name, as cdk-nag's own rules do: the pack uses `rule.name` as the
 * rule id's suffix (`XRayTracing-<name>`), so the name must not depend on how the code is bundled.
 */
export function namedRule(name: string, rule: NagRuleFunction): NagRuleFunction {
  return Object.defineProperty(rule, 'name', { value: name });
}
