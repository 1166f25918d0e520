/**
 * The generated Python binding, as a Python user sees it: the names and parameters the README
 * uses exist, and every README and docstring example, as jsii-rosetta translated it to Python,
 * parses and calls the library with parameters the binding has.
 *
 * Reads what the build writes after jsii compile (post-compile: `npx projen rosetta` writes
 * .jsii.tabl.json, `npx projen bindings` writes dist/bindings/); jest's global setup writes them
 * when they are missing (test/setup/build-outputs.ts). The only check in the build of the
 * translated examples as Python: the replay in test/bindings/ parses Python more loosely.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { withTranslations } from '../../projenrc/readme-translations';
import { PYTHON_KEYWORDS, pythonMemberNames } from '../../projenrc/rosetta-python-names';

const ROOT = path.join(__dirname, '..', '..');
const BINDING = path.join(ROOT, 'dist', 'bindings', 'python', 'src', 'cdk_xray_ecs', '__init__.py');
const TABLET = path.join(ROOT, '.jsii.tabl.json');
const BINDINGS_DIR = path.join(ROOT, 'dist', 'bindings');

interface PyMethod {
  readonly positional: string[];
  readonly kwonly: string[];
  readonly requiredKwonly: string[];
  readonly kind: 'classmethod' | 'staticmethod' | 'property' | 'method';
}
interface PyCall {
  readonly callee: string[];
  readonly keywords: string[];
  readonly positional: number;
  readonly line: number;
}
interface PyExample {
  readonly where: string;
  readonly source: string;
  readonly syntaxError?: string;
  readonly calls: PyCall[];
}
interface PyReport {
  readonly api: Record<string, Record<string, PyMethod>>;
  readonly examples: PyExample[];
}

if (spawnSync('python3', ['--version']).status !== 0) throw new Error('python3 not found: the binding is read with python3 (python-api.py)');
if (!fs.existsSync(BINDING) || !fs.existsSync(TABLET)) throw new Error('dist/bindings/python or .jsii.tabl.json missing: run `npx projen compile && npx projen post-compile`');

function report(): PyReport {
  const out = execFileSync('python3', [path.join(__dirname, 'python-api.py'), BINDING, TABLET], {
    encoding: 'utf-8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out) as PyReport;
}

/** A class's method by its Python name, failing with the names that do exist. */
function method(api: PyReport['api'], cls: string, name: string): PyMethod {
  const members = api[cls];
  if (members === undefined) {
    throw new Error(`the binding has no class ${cls}; classes: ${Object.keys(api).sort().join(', ')}`);
  }
  const m = members[name];
  if (m === undefined) {
    throw new Error(`${cls} has no ${name} in the binding; it has: ${Object.keys(members).sort().join(', ')}`);
  }
  return m;
}

describe('generated Python binding', () => {
  let py: PyReport;
  beforeAll(() => {
    py = report();
  });

  test('constructs take (scope, id) and the README props as snake_case keyword arguments', () => {
    const fargate = method(py.api, 'TracedFargateService', '__init__');
    expect(fargate.positional).toEqual(['self', 'scope', 'id']);
    expect(fargate.kwonly).toEqual(expect.arrayContaining([
      'cluster', 'service_name', 'image', 'container_port', 'sampling_rule', 'tracing', 'sidecar',
    ]));
    expect(fargate.requiredKwonly).toEqual(expect.arrayContaining(['cluster', 'service_name', 'image']));

    const sidecar = method(py.api, 'XRaySidecar', '__init__');
    expect(sidecar.positional).toEqual(['self', 'scope', 'id']);
    expect(sidecar.kwonly).toEqual(expect.arrayContaining(['task_definition', 'agent']));
    expect(sidecar.requiredKwonly).toContain('task_definition');

    const instrument = method(py.api, 'XRaySidecar', 'instrument');
    expect(instrument.positional).toEqual(['self', 'container']);
    expect(instrument.kwonly).toEqual(expect.arrayContaining(['service_name', 'sampling_rate', 'enabled']));

    const rule = method(py.api, 'SamplingRule', '__init__');
    expect(rule.kwonly).toEqual(expect.arrayContaining(['priority', 'fixed_rate', 'service_name']));

    const afirgen = method(py.api, 'AfirgenTracing', '__init__');
    expect(afirgen.kwonly).toEqual(expect.arrayContaining(['sampling_rate', 'name_prefix']));
    expect(method(py.api, 'AfirgenTracing', 'sampling_rule_for').positional).toEqual(['self', 'service']);
  });

  test('static factories are classmethods with snake_case names', () => {
    const adot = method(py.api, 'XRayAgent', 'adot_collector');
    expect(adot.kind).toBe('classmethod');
    expect(adot.kwonly).toEqual(expect.arrayContaining(['version', 'repository']));
    expect(method(py.api, 'XRayAgent', 'cloud_watch_agent').kind).toBe('classmethod');
    expect(method(py.api, 'XRayAgent', 'daemon').kind).toBe('classmethod');
    expect(method(py.api, 'TracingConfig', 'from_environment').kind).toBe('classmethod');
    const service = method(py.api, 'FilterExpression', 'service');
    expect(service.kind).toBe('classmethod');
    expect(service.positional).toEqual(['cls', 'name', 'filter']);
    expect(method(py.api, 'FilterExpression', 'response_time').kind).toBe('classmethod');
  });

  test('FilterExpression.and/or/not are and_/or_/not_ (Python keywords)', () => {
    expect(method(py.api, 'FilterExpression', 'and_').positional).toEqual(['self', 'other']);
    expect(method(py.api, 'FilterExpression', 'or_').positional).toEqual(['self', 'other']);
    expect(method(py.api, 'FilterExpression', 'not_').positional).toEqual(['self']);
    for (const kw of ['and', 'or', 'not']) {
      expect(Object.keys(py.api.FilterExpression)).not.toContain(kw);
    }
  });

  test('no member of the binding is named with a bare Python keyword', () => {
    const bare = Object.entries(py.api).flatMap(([cls, members]) =>
      Object.keys(members).filter((m) => PYTHON_KEYWORDS.includes(m)).map((m) => `${cls}.${m}`));
    expect(bare).toEqual([]);
  });

  test('the README and docstring examples were translated, and every translation parses', () => {
    // The README alone has more than a handful of TypeScript examples; a tablet without them
    // means rosetta read an assembly without the README.
    expect(py.examples.filter((e) => e.where.startsWith('README.md')).length).toBeGreaterThanOrEqual(5);
    const broken = py.examples
      .filter((e) => e.syntaxError !== undefined)
      .map((e) => `${e.where}: ${e.syntaxError}\n${e.source}`);
    expect(broken).toEqual([]);
  });

  test('every call of a cdk-xray-ecs class or static member in the translated examples matches the binding', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const example of py.examples) {
      for (const call of example.calls) {
        const [cls, member] = call.callee;
        const members = py.api[cls];
        if (members === undefined) continue; // not a class of this library (aws-cdk-lib, a variable)
        const name = member ?? '__init__';
        const m = members[name];
        const at = `${example.where} line ${call.line}: ${call.callee.join('.')}(...)`;
        if (m === undefined) {
          problems.push(`${at}: ${cls} has no ${name}`);
          continue;
        }
        checked++;
        const unknown = call.keywords.filter((k) => !m.kwonly.includes(k));
        const missing = m.requiredKwonly.filter((k) => !call.keywords.includes(k));
        // self/cls are not passed; the rest of the positional parameters must be.
        const positional = m.positional.filter((p) => p !== 'self' && p !== 'cls');
        if (unknown.length > 0) problems.push(`${at}: no parameter ${unknown.join(', ')} (has ${m.kwonly.join(', ')})`);
        if (missing.length > 0) problems.push(`${at}: missing required ${missing.join(', ')}`);
        if (call.positional > positional.length) {
          problems.push(`${at}: ${call.positional} positional arguments, the binding takes ${positional.length}`);
        }
      }
    }
    expect(problems).toEqual([]);
    // The README's examples construct TracedFargateService, XRaySidecar, SamplingRule, AfirgenTracing...
    expect(checked).toBeGreaterThanOrEqual(10);
  });

  test('the README\'s generated translations (the first example in Python, the Languages example) are rosetta\'s', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8');
    const tablet = JSON.parse(fs.readFileSync(TABLET, 'utf-8'));
    expect(readme).toContain('<!-- rosetta: python -->');
    // Rebuilding the sections from the tablet changes nothing: nobody edited them by hand.
    expect(withTranslations(readme, tablet)).toBe(readme);
    expect(readme).toContain('TracedFargateService(stack, "Api",\n    cluster=cluster,');
  });

  test('the Java, .NET and Go sources were generated beside the Python', () => {
    const java = path.join(BINDINGS_DIR, 'java', 'src', 'main', 'java', 'io', 'github', 'cdk_xray_ecs', 'cdkxrayecs');
    expect(fs.readFileSync(path.join(java, 'TracedFargateService.java'), 'utf-8'))
      .toContain('public class TracedFargateService extends io.github.cdk_xray_ecs.cdkxrayecs.TracedServiceBase');
    expect(fs.readFileSync(path.join(BINDINGS_DIR, 'java', 'pom.xml'), 'utf-8'))
      .toContain('<groupId>io.github.cdk-xray-ecs</groupId>');

    const dotnet = path.join(BINDINGS_DIR, 'dotnet', 'CdkXrayEcs', 'CdkXrayEcs.csproj');
    expect(fs.readFileSync(dotnet, 'utf-8')).toContain('<PackageId>CdkXrayEcs</PackageId>');
    expect(fs.readFileSync(path.join(BINDINGS_DIR, 'dotnet', 'CdkXrayEcs', 'CdkXrayEcs', 'FilterExpression.cs'), 'utf-8'))
      .toMatch(/public virtual CdkXrayEcs\.FilterExpression And\(/);

    const go = path.join(BINDINGS_DIR, 'go', 'cdkxrayecs');
    expect(fs.readFileSync(path.join(go, 'go.mod'), 'utf-8'))
      .toContain('module github.com/cdk-xray-ecs/cdk-xray-ecs-go/cdkxrayecs');
    expect(fs.readFileSync(path.join(go, 'TracedFargateService.go'), 'utf-8'))
      .toContain('func NewTracedFargateService(scope constructs.Construct, id *string, props *TracedFargateServiceProps) TracedFargateService');
  });
});

describe('rosetta Python names', () => {
  test('member accesses named with a Python keyword get the binding\'s trailing underscore', () => {
    expect(pythonMemberNames('FilterExpression.service("a").and(FilterExpression.error()).not()'))
      .toBe('FilterExpression.service("a").and_(FilterExpression.error()).not_()');
    expect(pythonMemberNames('x.or_(y)')).toBe('x.or_(y)');
    // Only whole member names: `.android`, `.order` and `not_equal_to` stay.
    expect(pythonMemberNames('a.android.order.not_equal_to(1)')).toBe('a.android.order.not_equal_to(1)');
  });

  test('names ending in MiB or GiB are written as the binding writes them', () => {
    expect(pythonMemberNames('Svc(self, "A", memory_limit_mi_b=2048, ephemeral_storage_gi_b=30)'))
      .toBe('Svc(self, "A", memory_limit_mib=2048, ephemeral_storage_gib=30)');
    // only as a suffix of a name
    expect(pythonMemberNames('mi_b_x = 1')).toBe('mi_b_x = 1');
  });
});

describe('README translations', () => {
  const tablet = {
    snippets: {
      a: {
        location: { api: { api: 'moduleReadme' } },
        translations: { $: { source: 'new X(this, "a");' }, python: { source: 'X(self, "a")' } },
      },
    },
  };

  test('a marked section becomes the translation of the TypeScript block above it', () => {
    const readme = ['```ts', 'new X(this, "a");', '```', '<!-- rosetta: python -->', 'stale', '<!-- /rosetta -->', 'after'].join('\n');
    expect(withTranslations(readme, tablet)).toBe(
      ['```ts', 'new X(this, "a");', '```', '<!-- rosetta: python -->', '```python', 'X(self, "a")', '```', '', '<!-- /rosetta -->', 'after'].join('\n'));
  });

  test('throws naming the README line when the block above is not in the tablet', () => {
    const readme = ['```ts', 'new Y();', '```', '', '<!-- rosetta: python -->', '<!-- /rosetta -->'].join('\n');
    expect(() => withTranslations(readme, tablet)).toThrow(
      /^README line 5: the TypeScript block above is not in the tablet; run `npx projen compile`/);
  });

  test('throws for an unknown language or a missing end marker', () => {
    const head = ['```ts', 'new X(this, "a");', '```'];
    expect(() => withTranslations([...head, '<!-- rosetta: cobol -->', '<!-- /rosetta -->'].join('\n'), tablet))
      .toThrow('README line 4: no translation into "cobol" (languages: python, java, csharp, go)');
    expect(() => withTranslations([...head, '<!-- rosetta: python -->'].join('\n'), tablet))
      .toThrow('README line 4: <!-- rosetta: python --> has no <!-- /rosetta --> after it');
  });
});
