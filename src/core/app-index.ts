import { Stack, Stage, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Finds the library's constructs of one kind anywhere in an app, for whole-app checks in
 * `node.addValidation`. One walk of the tree per validation pass serves every check.
 */

/** The kinds the library's constructs register under, shared by the folders that read them. */
export const APP_INDEX_KINDS = {
  /** `TraceGroup` (groups/). */
  traceGroup: 'TraceGroup',
  /** `TransactionSearch` (transaction-search/). */
  transactionSearch: 'TransactionSearch',
} as const;

const kinds = new Map<string, WeakSet<IConstruct>>();
const walks = new WeakMap<IConstruct, Map<string, IConstruct[]>>();
const markedStages = new WeakSet<IConstruct>();

/** Registers `construct` as a member of `kind` (e.g. `SamplingRule`). */
export function registerMember(construct: IConstruct, kind: string): void {
  let members = kinds.get(kind);
  if (members === undefined) {
    members = new WeakSet<IConstruct>();
    kinds.set(kind, members);
  }
  members.add(construct);
  markPassStart(construct);
}

/** The members of `kind` in the app of `scope`, in tree order (pre-order, as CDK validates). */
export function membersInApp(scope: IConstruct, kind: string): readonly IConstruct[] {
  const root = scope.node.root;
  let walk = walks.get(root);
  if (walk === undefined) {
    walk = walkApp(root);
    walks.set(root, walk);
    // A check run outside a synth (a direct `node.validate()`) must not see a stale walk either.
    queueMicrotask(() => walks.delete(root));
  }
  return walk.get(kind) ?? [];
}

function walkApp(root: IConstruct): Map<string, IConstruct[]> {
  const walk = new Map<string, IConstruct[]>();
  for (const construct of root.node.findAll()) {
    for (const [kind, members] of kinds) {
      if (!members.has(construct)) continue;
      const list = walk.get(kind);
      if (list === undefined) walk.set(kind, [construct]);
      else list.push(construct);
    }
  }
  return walk;
}

/** Adds, once per stage, the validation that starts a pass by dropping the previous walk. */
function markPassStart(construct: IConstruct): void {
  const stage: IConstruct = Stage.of(construct) ?? construct.node.root;
  if (markedStages.has(stage)) return;
  markedStages.add(stage);
  stage.node.addValidation({
    validate: () => {
      walks.delete(stage.node.root);
      return [];
    },
  });
}

/**
 * Whether the stacks of `a` and `b` may deploy to the same account and Region: false only when
 * their accounts, or their Regions, are both known and differ. An environment-agnostic stack
 * (account or Region a token) may deploy anywhere.
 */
export function mayShareEnvironment(a: IConstruct, b: IConstruct): boolean {
  const sa = Stack.of(a);
  const sb = Stack.of(b);
  const differ = (x: string, y: string): boolean => !Token.isUnresolved(x) && !Token.isUnresolved(y) && x !== y;
  return !differ(sa.account, sb.account) && !differ(sa.region, sb.region);
}

/** Says why `a` and `b` may share an account and Region, for a message. */
export function describeSharedEnvironment(a: IConstruct, b: IConstruct): string {
  const sa = Stack.of(a);
  const sb = Stack.of(b);
  const known = (s: Stack): boolean => !Token.isUnresolved(s.account) && !Token.isUnresolved(s.region);
  if (known(sa) && known(sb)) {
    return `both deploy to account ${sa.account} in ${sa.region}`;
  }
  return 'their stacks do not both name an account and a Region (environment-agnostic), so they may deploy to the same account and Region';
}
