import { CfnResource, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { asArray, asString, flattenToText, hasUnknownPart, isDict, prop, referencedLogicalId, resolveValue } from './cfn-values';
import { Permissions, StatementView, knownManagedPolicy, readPolicyDocument } from './iam-access';

/** The service principal ECS tasks assume their task role with. */
const ECS_TASKS_SERVICE = 'ecs-tasks.';

function logicalIdOf(node: CfnResource): string | undefined {
  return asString(resolveValue(node, node.logicalId));
}

/** Whether `value` (a resolved role reference) names the role `logicalId` / `roleName`. */
function namesRole(value: unknown, logicalId: string | undefined, roleName: string | undefined): boolean {
  const ref = referencedLogicalId(value);
  if (ref !== undefined) return ref === logicalId;
  return roleName !== undefined && asString(value) === roleName;
}

/**
 * Whether `role` is an ECS task role: it trusts `ecs-tasks.amazonaws.com`, or a task definition in
 * its stack uses it as `TaskRoleArn`.
 */
export function isTaskRole(role: iam.CfnRole): boolean {
  const trust = resolveValue(role, role.assumeRolePolicyDocument);
  const statements = isDict(trust) ? asArray(prop(trust, 'Statement')) ?? [] : [];
  for (const statement of statements) {
    const principal = isDict(statement) ? prop(statement, 'Principal') : undefined;
    const service = isDict(principal) ? prop(principal, 'Service') : undefined;
    const services = asArray(service) ?? [service];
    if (services.some((s) => flattenToText(s)?.startsWith(ECS_TASKS_SERVICE))) return true;
  }
  const logicalId = logicalIdOf(role);
  return Stack.of(role).node.findAll().some((c) =>
    c instanceof ecs.CfnTaskDefinition && referencedLogicalId(resolveValue(c, c.taskRoleArn)) === logicalId);
}

/**
 * Everything that grants or denies `role` permissions within its stack, and the known AWS managed
 * policies; any other managed policy or a token document makes it `unreadable`.
 */
export function rolePermissions(role: iam.CfnRole): Permissions {
  const statements: StatementView[] = [];
  let unreadable = false;
  const add = (document: unknown): void => {
    const read = readPolicyDocument(document);
    if (read === undefined) unreadable = true;
    else statements.push(...read);
  };

  const logicalId = logicalIdOf(role);
  const roleName = asString(resolveValue(role, role.roleName));

  for (const policy of asArray(resolveValue(role, role.policies)) ?? []) {
    add(isDict(policy) ? prop(policy, 'policyDocument') : undefined);
  }

  const managedInStack = new Map<string, iam.CfnManagedPolicy>();
  for (const construct of Stack.of(role).node.findAll()) {
    if (construct instanceof iam.CfnPolicy) {
      const roles = asArray(resolveValue(construct, construct.roles)) ?? [];
      if (roles.some((r) => namesRole(r, logicalId, roleName))) add(resolveValue(construct, construct.policyDocument));
    } else if (construct instanceof iam.CfnRolePolicy) {
      if (namesRole(resolveValue(construct, construct.roleName), logicalId, roleName)) {
        add(resolveValue(construct, construct.policyDocument));
      }
    } else if (construct instanceof iam.CfnManagedPolicy) {
      const id = logicalIdOf(construct);
      if (id !== undefined) managedInStack.set(id, construct);
      const roles = asArray(resolveValue(construct, construct.roles)) ?? [];
      if (roles.some((r) => namesRole(r, logicalId, roleName))) add(resolveValue(construct, construct.policyDocument));
    }
  }

  for (const arn of asArray(resolveValue(role, role.managedPolicyArns)) ?? []) {
    const ref = referencedLogicalId(arn);
    const inStack = ref === undefined ? undefined : managedInStack.get(ref);
    if (inStack) {
      add(resolveValue(inStack, inStack.policyDocument));
      continue;
    }
    const text = flattenToText(arn);
    const match = text === undefined ? null : /:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(text);
    const known = match && !hasUnknownPart(match[1]) ? knownManagedPolicy(match[1]) : undefined;
    if (known) statements.push(...known);
    else unreadable = true;
  }

  return { statements, unreadable };
}
