import { Knowledge, asArray, asStringList, isDict, isIntrinsic, prop } from './cfn-values';

/** One statement of an IAM policy, as far as it can be read. */
export interface StatementView {
  /** `Allow`, `Deny`, or undefined when not a literal. */
  readonly effect?: string;
  /** `Action` entries (undefined entries are deploy-time values); undefined when absent. */
  readonly actions?: readonly (string | undefined)[];
  /** `NotAction` entries; undefined when absent. */
  readonly notActions?: readonly (string | undefined)[];
  /** `Resource` entries; undefined when absent. */
  readonly resources?: readonly (string | undefined)[];
  /** `NotResource` entries; undefined when absent. */
  readonly notResources?: readonly (string | undefined)[];
  /** Whether the statement has a `Condition` (it may then not apply). */
  readonly conditional: boolean;
}

/** The statements that decide what a principal may do. */
export interface Permissions {
  /** Statements that could be read. */
  readonly statements: readonly StatementView[];
  /** Whether some policy could not be read at all (a token document, a managed policy outside the stack). */
  readonly unreadable: boolean;
}

/**
 * The AWS managed policies whose X-Ray permissions are known (from the AWS managed policy
 * reference). Any other managed policy outside the stack is unreadable.
 */
const KNOWN_MANAGED_POLICIES: { readonly [name: string]: readonly string[] } = {
  AWSXRayDaemonWriteAccess: [
    'xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets', 'xray:GetSamplingStatisticSummaries',
  ],
  AWSXrayWriteOnlyAccess: [
    'xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets', 'xray:GetSamplingStatisticSummaries',
  ],
  AWSXrayFullAccess: ['xray:*'],
  AdministratorAccess: ['*'],
};

/** The statements of an AWS managed policy by name, when known. */
export function knownManagedPolicy(name: string): StatementView[] | undefined {
  const actions = KNOWN_MANAGED_POLICIES[name];
  return actions ? [{ effect: 'Allow', actions, resources: ['*'], conditional: false }] : undefined;
}

/** Reads a resolved policy document; undefined when it cannot be read. */
export function readPolicyDocument(document: unknown): StatementView[] | undefined {
  if (!isDict(document) || isIntrinsic(document)) return undefined;
  const raw = prop(document, 'Statement');
  const list = asArray(raw) ?? (isDict(raw) ? [raw] : undefined);
  if (list === undefined) return undefined;
  const statements: StatementView[] = [];
  for (const entry of list) {
    if (!isDict(entry) || isIntrinsic(entry)) return undefined;
    const effect = prop(entry, 'Effect');
    statements.push({
      effect: typeof effect === 'string' ? effect : undefined,
      actions: asStringList(prop(entry, 'Action')),
      notActions: asStringList(prop(entry, 'NotAction')),
      resources: asStringList(prop(entry, 'Resource')),
      notResources: asStringList(prop(entry, 'NotResource')),
      conditional: prop(entry, 'Condition') !== undefined,
    });
  }
  return statements;
}

/** IAM's wildcard match (`*` any run, `?` one character), case-insensitive as for actions. */
function globMatches(pattern: string, value: string): boolean {
  const regex = pattern
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${regex}$`, 'i').test(value);
}

function matchAny(patterns: readonly (string | undefined)[], value: string): Knowledge {
  if (patterns.some((p) => p !== undefined && globMatches(p, value))) return Knowledge.YES;
  return patterns.some((p) => p === undefined) ? Knowledge.UNKNOWN : Knowledge.NO;
}

function not(k: Knowledge): Knowledge {
  return k === Knowledge.YES ? Knowledge.NO : k === Knowledge.NO ? Knowledge.YES : Knowledge.UNKNOWN;
}

function and(a: Knowledge, b: Knowledge): Knowledge {
  if (a === Knowledge.NO || b === Knowledge.NO) return Knowledge.NO;
  return a === Knowledge.YES && b === Knowledge.YES ? Knowledge.YES : Knowledge.UNKNOWN;
}

function or(values: readonly Knowledge[]): Knowledge {
  if (values.includes(Knowledge.YES)) return Knowledge.YES;
  return values.includes(Knowledge.UNKNOWN) ? Knowledge.UNKNOWN : Knowledge.NO;
}

/**
 * Whether `statement` applies to `action` on resource `*` (X-Ray's trace and sampling actions have
 * no resource-level permissions: only a statement whose resources match `*` grants them).
 */
function applies(statement: StatementView, action: string): Knowledge {
  const actionMatch = statement.actions !== undefined
    ? matchAny(statement.actions, action)
    : statement.notActions !== undefined ? not(matchAny(statement.notActions, action)) : Knowledge.NO;
  const resourceMatch = statement.resources !== undefined
    ? matchAny(statement.resources, '*')
    : statement.notResources !== undefined ? not(matchAny(statement.notResources, '*')) : Knowledge.NO;
  const both = and(actionMatch, resourceMatch);
  // A condition may keep the statement from applying: never certain.
  return both === Knowledge.YES && statement.conditional ? Knowledge.UNKNOWN : both;
}

/**
 * Whether `permissions` allow `action` on `*`: `YES` only when an Allow applies for certain and
 * no Deny might; `NO` when no Allow can apply or a Deny applies for certain; `UNKNOWN` otherwise.
 */
export function isAllowed(permissions: Permissions, action: string): Knowledge {
  const allows: Knowledge[] = [];
  const denies: Knowledge[] = [];
  for (const statement of permissions.statements) {
    const applied = applies(statement, action);
    if (statement.effect === 'Allow') {
      allows.push(applied);
    } else if (statement.effect === 'Deny') {
      denies.push(applied);
    } else if (applied !== Knowledge.NO) {
      // An effect only known at deploy time may allow or deny.
      allows.push(Knowledge.UNKNOWN);
      denies.push(Knowledge.UNKNOWN);
    }
  }
  if (permissions.unreadable) {
    allows.push(Knowledge.UNKNOWN);
    denies.push(Knowledge.UNKNOWN);
  }
  const allowed = or(allows);
  const denied = or(denies);
  if (denied === Knowledge.YES || allowed === Knowledge.NO) return Knowledge.NO;
  return allowed === Knowledge.YES && denied === Knowledge.NO ? Knowledge.YES : Knowledge.UNKNOWN;
}
