/**
 * Issue 26, the enum trap: in Python, Java, C# and Go a jsii enum member is not its string value,
 * so no string (or string-keyed map) in the public API may be meant to take an enum's values.
 * Names users pass as strings are string constants on a class (`AfirgenServiceName`,
 * `XRayTracingRule`). Reads the compiled `.jsii`: every string-typed property and parameter whose
 * docs name one of this library's enums is reported.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as spec from '@jsii/spec';
import { missingBuild, ROOT } from './jsii-runtime';

// jest's global setup compiles when .jsii or lib/ is missing (test/setup/build-outputs.ts).
const missing = missingBuild();
if (missing) throw new Error(missing);

/** Whether `ref` is a string, or a map or list of strings (its keys are strings either way). */
function takesStrings(ref: spec.TypeReference | undefined): boolean {
  if (!ref) return false;
  if (spec.isPrimitiveTypeReference(ref)) return ref.primitive === spec.PrimitiveType.String;
  if (spec.isCollectionTypeReference(ref)) return ref.collection.kind === spec.CollectionKind.Map || takesStrings(ref.collection.elementtype);
  return false;
}

function docsText(docs: spec.Docs | undefined): string {
  return [docs?.summary, docs?.remarks, docs?.default].filter(Boolean).join(' ');
}

describe('public API enum trap', () => {
  const assembly = spec.loadAssemblyFromFile(path.join(ROOT, '.jsii'), false);
  const types = Object.values(assembly.types ?? {});
  const enums = types.filter(spec.isEnumType).map((t) => t.name);

  test('no string or string-keyed map is documented as taking an enum\'s values', () => {
    const mention = new RegExp(`\\b(${enums.join('|')})\\b`);
    const found: string[] = [];
    for (const type of types) {
      if (!spec.isClassOrInterfaceType(type)) continue;
      for (const p of type.properties ?? []) {
        if (takesStrings(p.type) && mention.test(docsText(p.docs))) found.push(`${type.name}.${p.name}`);
      }
      const callables = [...(type.methods ?? []), ...(spec.isClassType(type) && type.initializer ? [type.initializer] : [])];
      for (const c of callables) {
        for (const p of c.parameters ?? []) {
          if (takesStrings(p.type) && mention.test(docsText(p.docs))) found.push(`${type.name}.${'name' in c ? c.name : '<init>'}(${p.name})`);
        }
      }
    }
    expect(found).toEqual([]);
  });

  test.each([['AfirgenServiceName'], ['XRayTracingRule']])('%s is a class of string constants, not an enum', (name) => {
    const type = types.find((t) => t.name === name)!;
    expect(spec.isClassType(type)).toBe(true);
    const constants = (type as spec.ClassType).properties ?? [];
    expect(constants.length).toBeGreaterThan(0);
    for (const p of constants) {
      expect({ name: p.name, static: p.static, immutable: p.immutable, type: p.type }).toEqual({
        name: p.name, static: true, immutable: true, type: { primitive: 'string' },
      });
    }
  });

  test('the enums left in the API are only ever typed as themselves', () => {
    // Every enum-typed value goes where that enum is typed, which every language passes correctly.
    expect(enums.sort()).toEqual(['AgentReadiness', 'BooleanKeyword', 'ComputeArchitecture', 'ContextMissingStrategy', 'NumberKeyword', 'RootCauseKeyword', 'StringKeyword']);
    expect(fs.existsSync(path.join(ROOT, '.jsii'))).toBe(true);
  });
});
