/**
 * The parts of cdk-nag the pack is built on, imported from the modules that define them rather
 * than from the package's entry point.
 *
 * `require('cdk-nag')` also loads every pack cdk-nag ships (AwsSolutions, HIPAA, NIST, PCI,
 * Serverless) and, through their rules, about 60 aws-cdk-lib service modules: 150 to 200 ms on
 * this project's benchmark machine, paid by every app that imports this library, whether or not it
 * runs a nag pack. These two modules load in about 3 ms. The classes are the same objects the
 * entry point exports (test/checks/private/cdk-nag-core.test.ts checks it), so a cdk-nag release
 * that moves them fails that test rather than a user's synth.
 */
export { NagPack } from 'cdk-nag/lib/nag-pack';
export type { NagPackProps } from 'cdk-nag/lib/nag-pack';
export { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
export type { NagRuleResult } from 'cdk-nag/lib/nag-rules';
