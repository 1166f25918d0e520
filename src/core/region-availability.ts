import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { fail } from './errors';

/**
 * The date of the CloudFormation registry schemas the tables below were read from (as cfn-lint
 * ships them per Region). Where a Region gains the type or property, remove it from its list.
 */
export const REGION_FACTS_DATE = '2026-06-15';

/** Resource types the library writes that some Regions' CloudFormation does not have. */
const MISSING_RESOURCE_TYPES: { readonly [resourceType: string]: readonly string[] } = {
  'AWS::XRay::TransactionSearchConfig': ['ap-east-2', 'ap-southeast-6', 'cn-north-1', 'cn-northwest-1', 'mx-central-1'],
};

/** Properties the library writes that some Regions' schema of the resource type does not have. */
const MISSING_PROPERTIES: { readonly [resourceType: string]: { readonly [property: string]: readonly string[] } } = {
  'AWS::XRay::SamplingRule': { SamplingRateBoost: ['me-central-1', 'me-south-1'] },
};

/** The Regions where CloudFormation lacks `resourceType` (or, given `property`, that property of it). */
export function regionsLacking(resourceType: string, property?: string): readonly string[] {
  if (property === undefined) return MISSING_RESOURCE_TYPES[resourceType] ?? [];
  return MISSING_PROPERTIES[resourceType]?.[property] ?? [];
}

/** The Region of `scope`'s stack when known at synth; undefined for a Region-agnostic stack. */
function knownRegion(scope: IConstruct): string | undefined {
  const region = Stack.of(scope).region;
  return Token.isUnresolved(region) ? undefined : region;
}

/**
 * Fails when `scope`'s stack has a known Region whose CloudFormation lacks `resourceType`.
 * Region-agnostic stacks pass: the deploy decides.
 */
export function requireResourceTypeInRegion(scope: IConstruct, resourceType: string, what: string): void {
  const region = knownRegion(scope);
  if (region === undefined || !regionsLacking(resourceType).includes(region)) return;
  fail(scope, `${what} cannot deploy to the stack's region (env.region) ${JSON.stringify(region)}: ` +
    `CloudFormation there has no ${resourceType} (Region facts of ${REGION_FACTS_DATE}; missing in ${regionsLacking(resourceType).join(', ')}). ` +
    `Leave ${what} out of stacks in ${region}, or deploy the stack to another Region`);
}

/**
 * Fails when `scope`'s stack has a known Region whose CloudFormation schema of `resourceType`
 * lacks `property`, which the construct's `prop` renders. Region-agnostic stacks pass.
 */
export function requirePropertyInRegion(scope: IConstruct, resourceType: string, property: string, prop: string): void {
  const region = knownRegion(scope);
  const lacking = regionsLacking(resourceType, property);
  if (region === undefined || !lacking.includes(region)) return;
  fail(scope, `${prop} is not available in the stack's region (env.region) ${JSON.stringify(region)}: ` +
    `CloudFormation's ${resourceType} has no ${property} there (Region facts of ${REGION_FACTS_DATE}; missing in ${lacking.join(', ')}). ` +
    `Remove ${prop} for stacks in ${region}, or deploy the stack to another Region`);
}
