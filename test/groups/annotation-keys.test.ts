import { FilterExpression as F } from '../../src/groups/filter-expression';
import { TraceGroup } from '../../src/groups/trace-group';
import { createStack } from '../helpers/app';

describe('issue 24 item 1: FilterExpression.annotationKeys', () => {
  test.each([
    ['annotation.model_name = "summariser"', ['model_name']],
    ['service("afirgen-main-backend") AND annotation.endpoint = "/process"', ['endpoint']],
    ['annotation.b = 1 OR annotation.a = 2 OR annotation.b > 3', ['b', 'a']],
    ['!annotation.flag AND annotation[order.id] CONTAINS "x"', ['flag', 'order.id']],
    ['service("x") { fault } AND (annotation.inside = true OR !(annotation.edge_key >= 2))', ['inside', 'edge_key']],
    ['service("afirgen-main-backend") AND error = true', []],
    ['http.url CONTAINS "annotation.nope" AND user = "annotation[x]"', []],
  ])('%s filters on %j', (text, keys) => {
    expect(F.parse(text).annotationKeys).toEqual(keys);
  });

  test('built expressions give the same keys as parsed ones', () => {
    const built = F.service('afirgen-main-backend')
      .and(F.annotation('model_name').equalTo('summariser').or(F.annotation('endpoint').isSet()))
      .and(F.annotation('model_name').notEqualTo('x').not());
    expect(built.annotationKeys).toEqual(['model_name', 'endpoint']);
    expect(F.parse(built.toString()).annotationKeys).toEqual(['model_name', 'endpoint']);
  });

  test('the returned list is a copy', () => {
    const e = F.annotation('a').isSet();
    e.annotationKeys.push('b');
    expect(e.annotationKeys).toEqual(['a']);
  });

  test('a key X-Ray cannot filter on is refused by the parser and the builder already', () => {
    expect(() => F.parse('annotation.model-name = "x"')).toThrow(/column 18/);
    expect(() => F.parse('annotation[model name] = "x"')).toThrow(/column 17: expected "\]" or an annotation key character/);
    expect(() => F.annotation('model-name')).toThrow(/annotation key must be 1 to 500 letters, digits and _ \(dot-separated parts allowed\), got "model-name"/);
  });
});

describe('issue 24 item 1: TraceGroup.annotationKeys', () => {
  test('the keys of the group\'s filter, each once, in order', () => {
    const { stack } = createStack();
    const group = new TraceGroup(stack, 'Ops', {
      groupName: 'ops',
      filterExpression: F.parse('annotation.model_name = "summariser" OR annotation.endpoint = "/process" OR annotation.model_name = "x"'),
    });
    expect(group.annotationKeys).toEqual(['model_name', 'endpoint']);
  });

  test('a group without annotations has none', () => {
    const { stack } = createStack();
    const group = new TraceGroup(stack, 'Errors', { groupName: 'errors', filterExpression: F.parse('service("a") AND fault') });
    expect(group.annotationKeys).toEqual([]);
  });

  test('throws for a key X-Ray filters cannot name, with the group path, the key and a valid form', () => {
    // GIVEN a tree made past the public builders' own key check (they already refuse such keys)
    const { stack } = createStack();
    const filterExpression = F._fromBuilder('test', { kind: 'annotation', key: 'model-name', operator: '=', value: { type: 'string', value: 'x' } });
    // WHEN / THEN
    expect(() => new TraceGroup(stack, 'Ops', { groupName: 'ops', filterExpression }))
      .toThrow(/^TestStack\/Ops: filterExpression has annotation key "model-name", which X-Ray filters cannot name .*: use "model_name"$/);
  });
});
