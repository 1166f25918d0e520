import { IConstruct } from 'constructs';

/**
 * The owner of a message about an import (`SamplingRule.fromSamplingRuleArn(scope, id, ...)`)
 * that fails before its construct exists: the path the construct would have.
 */
export function importOwner(scope: IConstruct, id: string): string {
  const parent = scope.node.path;
  return parent === '' ? id : `${parent}/${id}`;
}

/**
 * The messages of the validators `check` calls, for `node.addValidation`: the first failing
 * validator's message, or none. (CDK puts the construct path in front of each message itself,
 * so the validators are called with an empty owner.)
 */
export function problemsOf(check: () => void): string[] {
  try {
    check();
    return [];
  } catch (e) {
    return [e instanceof Error ? e.message : String(e)];
  }
}
