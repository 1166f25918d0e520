import { Annotations, Aspects, CfnResource, IAspect } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { WARNINGS } from '../../core/warnings';

/** The CloudFormation type `TransactionSearch` creates (one per account and Region). */
const TRANSACTION_SEARCH_TYPE = 'AWS::XRay::TransactionSearchConfig';

/** The apps that already have the check, and the collector-less constructs of each. */
const WATCHED = new WeakMap<IConstruct, IConstruct[]>();

/**
 * Once per app, at synth: when the app has collector-less tracing and no
 * `AWS::XRay::TransactionSearchConfig`, one warning on the first collector-less construct.
 */
class TransactionSearchNote implements IAspect {
  constructor(private readonly root: IConstruct) {}

  public visit(node: IConstruct): void {
    if (node !== this.root) return;
    const users = WATCHED.get(this.root) ?? [];
    if (users.length === 0) return;
    const has = this.root.node.findAll().some((c) => CfnResource.isCfnResource(c) && c.cfnResourceType === TRANSACTION_SEARCH_TYPE);
    if (has) return;
    Annotations.of(users[0]).addWarningV2(WARNINGS.agentlessTransactionSearch,
      `collector-less tracing (${users.map((u) => u.node.path).join(', ')}) exports to X-Ray's OTLP endpoint, which rejects spans unless ` +
      'Transaction Search is on in the account and Region, and this app has no TransactionSearch: add `new TransactionSearch(stack, \'TransactionSearch\')` ' +
      '(one per account and Region), or, if the account has it already, acknowledge this on the stack: ' +
      `Annotations.of(stack).acknowledgeWarning('${WARNINGS.agentlessTransactionSearch}', 'Transaction Search is on in this account')`);
  }
}

/** Registers `scope` as collector-less; the app gets the check once. */
export function noteTransactionSearchNeeded(scope: IConstruct): void {
  const root = scope.node.root;
  const users = WATCHED.get(root);
  if (users !== undefined) {
    users.push(scope);
    return;
  }
  WATCHED.set(root, [scope]);
  Aspects.of(root).add(new TransactionSearchNote(root));
}
