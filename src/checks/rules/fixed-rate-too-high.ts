import { CfnResource } from 'aws-cdk-lib';
import * as xray from 'aws-cdk-lib/aws-xray';
import { NagRuleCompliance } from '../private/cdk-nag-core';
import { asNumber, isDict, prop, resolveValue } from '../private/cfn-values';
import { NagRuleFunction, namedRule } from '../private/named-rule';

/** The default ceiling of a sampling rule's `FixedRate`. */
export const DEFAULT_MAX_FIXED_RATE = 0.5;

/**
 * A rule's `FixedRate`: undefined when only known at deploy time, null when unset. The deprecated
 * shapes are not read: their getters warn (or throw) on every access.
 */
function fixedRate(node: xray.CfnSamplingRule): number | undefined | null {
  const rule = resolveValue(node, node.samplingRule);
  if (!isDict(rule) || prop(rule, 'fixedRate') === undefined) return null;
  return asNumber(prop(rule, 'fixedRate'));
}

/** `FixedRateTooHigh`: a sampling rule's `FixedRate` is above `maxFixedRate`. */
export function fixedRateTooHigh(maxFixedRate: number = DEFAULT_MAX_FIXED_RATE): NagRuleFunction {
  return namedRule('FixedRateTooHigh', (node: CfnResource) => {
    if (!(node instanceof xray.CfnSamplingRule)) return NagRuleCompliance.NOT_APPLICABLE;
    const rate = fixedRate(node);
    if (rate === null) return NagRuleCompliance.NOT_APPLICABLE;
    return rate !== undefined && rate > maxFixedRate ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  });
}
