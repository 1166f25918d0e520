/**
 * The trace groups' filter expressions evaluated on what local-agent has seen (src/cli/trace-filter):
 * the AFIRGen groups, the keywords a local agent knows, and the ones it refuses to guess.
 */
import { compileFilter, UnsupportedFilter } from '../../src/cli/trace-filter';
import { parseSegmentDocument } from '../../src/cli/trace-model';
import { TraceStore, TraceView } from '../../src/cli/trace-store';

let n = 0;
/** One trace: a main-backend segment (with `extra`) calling the gguf server. */
function trace(extra: Record<string, unknown> = {}, ggufExtra: Record<string, unknown> = {}): TraceView {
  n++;
  const traceId = `1-6b100000-${n.toString(16).padStart(24, '0')}`;
  const store = new TraceStore({ maxTraces: 10, settleMs: 0, timeoutMs: 0 });
  store.add(parseSegmentDocument({
    trace_id: traceId,
    id: 'a000000000000001',
    name: 'afirgen-main-backend',
    start_time: 100,
    end_time: 102,
    http: { request: { method: 'POST', url: 'http://x/process' }, response: { status: 200 } },
    subsegments: [{ id: 'a000000000000002', name: 'afirgen-gguf-server', namespace: 'remote', start_time: 100.5, end_time: 101.5 }],
    ...extra,
  }));
  store.add(parseSegmentDocument({
    trace_id: traceId, id: 'b000000000000001', parent_id: 'a000000000000002', name: 'afirgen-gguf-server', start_time: 100.6, end_time: 101.4, ...ggufExtra,
  }));
  return store.get(traceId)!;
}

describe('the AFIRGen trace groups', () => {
  test.each([
    ['service("afirgen-main-backend") AND responsetime > 5', { end_time: 106 }, {}, true],
    ['service("afirgen-main-backend") AND responsetime > 5', {}, {}, false],
    ['service("afirgen-main-backend") AND error = true', { error: true }, {}, true],
    ['service("afirgen-main-backend") AND error = true', {}, { error: true }, true],
    ['service("afirgen-main-backend") AND error = true', {}, {}, false],
    ['annotation.model_name = "summariser"', {}, { annotations: { model_name: 'summariser' } }, true],
    ['annotation.model_name = "summariser"', {}, { annotations: { model_name: 'other' } }, false],
    ['annotation.endpoint = "/process"', { annotations: { endpoint: '/process' } }, {}, true],
  ])('%s on %j / %j → %s', (filter, main, gguf, expected) => {
    expect(compileFilter(filter)(trace(main, gguf))).toBe(expected);
  });
});

describe('keywords a local agent can evaluate', () => {
  test.each([
    ['http.status = 200', true],
    ['http.method = "POST" AND http.url ENDSWITH "/process"', true],
    ['duration >= 2', true],
    ['ok', true],
    ['!fault', true],
    ['service("afirgen-gguf-server") { responsetime < 1 }', true],
    ['service("afirgen-gguf-server") { responsetime > 1 }', false],
    ['edge("afirgen-main-backend", "afirgen-gguf-server")', true],
    ['edge("afirgen-gguf-server", "afirgen-main-backend")', false],
    ['service("nope") OR annotation.missing', false],
    ['partial', false],
  ])('%s → %s', (filter, expected) => {
    expect(compileFilter(filter)(trace())).toBe(expected);
  });
});

describe('throws for what needs the X-Ray service', () => {
  test.each([
    ['rootcause.fault.service { name = "x" }'],
    ['group.name = "g"'],
    ['service(id(name: "x", type: "AWS::EC2::Instance"))'],
    ['http.useragent CONTAINS "curl"'],
  ])('%s', (filter) => {
    expect(() => compileFilter(filter)).toThrow(UnsupportedFilter);
    expect(() => compileFilter(filter)).toThrow(/need\(s\) the X-Ray service; a local agent cannot evaluate it/);
  });

  test('throws FilterExpression\'s own error for invalid text', () => {
    expect(() => compileFilter('responsetime >')).toThrow(/invalid filter expression at column/);
  });
});
