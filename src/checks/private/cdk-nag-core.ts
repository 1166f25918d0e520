/**
 * The parts of cdk-nag the pack is built on, from their own modules: the entry point would load
 * every cdk-nag pack and their aws-cdk-lib modules (a test checks they are the same objects).
 */
export { NagPack } from 'cdk-nag/lib/nag-pack';
export type { NagPackProps } from 'cdk-nag/lib/nag-pack';
export { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
export type { NagRuleResult } from 'cdk-nag/lib/nag-rules';
