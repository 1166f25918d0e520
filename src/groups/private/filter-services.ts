import { FilterNode, NodeRef } from './filter-ast';

/**
 * The service names a filter expression names, in order of first appearance: `service("x")`,
 * `edge("x", "y")` and `id(name: "x")` anywhere in the tree, negated or not.
 */
export function serviceNamesOf(node: FilterNode): string[] {
  const names: string[] = [];
  const add = (name: string | undefined): void => {
    if (name !== undefined && !names.includes(name)) names.push(name);
  };
  const addRef = (ref: NodeRef | undefined): void => {
    if (ref !== undefined) add(ref.name);
  };
  const walk = (n: FilterNode): void => {
    switch (n.kind) {
      case 'and':
      case 'or':
        n.operands.forEach(walk);
        return;
      case 'not':
        walk(n.operand);
        return;
      case 'service':
        addRef(n.target);
        if (n.filter !== undefined) walk(n.filter);
        return;
      case 'edge':
        addRef(n.source);
        addRef(n.destination);
        if (n.filter !== undefined) walk(n.filter);
        return;
      case 'id':
        add(n.id.name);
        return;
      case 'rootcause':
        walk(n.filter);
        return;
      default:
        return;
    }
  };
  walk(node);
  return names;
}
