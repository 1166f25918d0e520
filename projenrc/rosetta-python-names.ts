/**
 * Gives the Python translations in a jsii-rosetta tablet the member names the Python binding
 * really has, for members named with a Python keyword or ending in a binary unit (`MiB`).
 *
 *   ts-node --transpile-only projenrc/rosetta-python-names.ts [tablet, default: .jsii.tabl.json]
 *
 * jsii-pacmak appends `_` to a Python keyword used as a name (`FilterExpression.and` is `and_` in
 * the binding), but jsii-rosetta 5.x/6.x translates `e.and(other)` to `e.and(other)`, which is not
 * even valid Python. The tablet feeds the docstrings of the generated bindings (jsii-pacmak
 * --rosetta-tablet) and API.python.md (jsii-docgen), so this step runs between `jsii-rosetta
 * extract` and those two. test/build/bindings.test.ts parses every Python translation.
 */
import * as fs from 'fs';

/** Python's keywords (`keyword.kwlist`): jsii-pacmak renames a member with one of these names. */
export const PYTHON_KEYWORDS = [
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue',
  'def', 'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in',
  'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield',
];

const MEMBER_NAMED_KEYWORD = new RegExp(`\\.(${PYTHON_KEYWORDS.join('|')})\\b(?!_)`, 'g');

/**
 * Names ending in a binary unit (`memoryLimitMiB`, `ephemeralStorageGiB`): jsii-pacmak writes them
 * `memory_limit_mib` and `ephemeral_storage_gib` in the binding, jsii-rosetta `memory_limit_mi_b`.
 */
const BINARY_UNIT_SUFFIX = /_(mi|gi|ki|ti)_b\b/g;

/**
 * `source` with every member access `.<keyword>` written as `.<keyword>_`, and unit suffixes
 * (`_mi_b`) written as the binding has them (`_mib`).
 */
export function pythonMemberNames(source: string): string {
  return source.replace(MEMBER_NAMED_KEYWORD, '.$1_').replace(BINARY_UNIT_SUFFIX, '_$1b');
}

interface Tablet {
  readonly snippets: Record<string, { translations: Record<string, { source: string }> }>;
}

if (require.main === module) {
  const file = process.argv[2] ?? '.jsii.tabl.json';
  const tablet = JSON.parse(fs.readFileSync(file, 'utf-8')) as Tablet;
  let changed = 0;
  for (const snippet of Object.values(tablet.snippets)) {
    const python = snippet.translations.python;
    if (python === undefined) continue;
    const renamed = pythonMemberNames(python.source);
    if (renamed !== python.source) {
      python.source = renamed;
      changed++;
    }
  }
  fs.writeFileSync(file, JSON.stringify(tablet));
  console.log(`rosetta-python-names: ${file}: ${changed} of ${Object.keys(tablet.snippets).length} Python translations use a renamed member`);
}
