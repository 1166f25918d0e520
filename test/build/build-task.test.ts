/**
 * The full build (`npx projen build`, the README's test command): projen's own chain, with every
 * check of `npx projen test` in it once, the bindings in it, and README.md never rewritten by it.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

interface Step { readonly spawn?: string; readonly exec?: string; readonly condition?: string }
const TASKS = (JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf-8')) as {
  tasks: Record<string, { steps?: Step[] }>;
}).tasks;

/**
 * Every task `name` runs, itself and the tasks it spawns, depth first. Steps with a condition are
 * left out: projen's package spawns package:js under CI=true and package-all (which spawns
 * package:js) otherwise, never both.
 */
function expand(name: string): string[] {
  const steps = TASKS[name]?.steps ?? [];
  return [name, ...steps.flatMap((s) => (s.spawn && !s.condition ? expand(s.spawn) : []))];
}

describe('npx projen build', () => {
  test('issue 27: is projen\'s own chain (no lanes), one task after another', () => {
    expect(TASKS.build.steps).toEqual(['default', 'pre-compile', 'compile', 'post-compile', 'test', 'package'].map((spawn) => ({ spawn })));
  });

  test('runs every check once: jest, eslint, the type-check, integ, the newest peers, the example\'s synth', () => {
    expect((TASKS.test.steps ?? []).map((s) => s.spawn))
      .toEqual(['test:jest', 'eslint', 'typecheck', 'integ', 'test:newest-peers', 'synth:example']);
    const all = expand('build');
    expect(all.filter((t, i) => all.indexOf(t) !== i)).toEqual([]);
    // integ and test:newest-peers install their own pinned peers when missing (after post-compile,
    // whose jsii-docgen reads every .jsii under the project folder).
    for (const reader of ['integ', 'test:newest-peers']) {
      const installs = (TASKS[reader].steps ?? []).filter((s) => s.exec?.startsWith('npm ci --prefix peers/'));
      expect({ reader, installs: installs.length }).toEqual({ reader, installs: 1 });
    }
  });

  test('post-compile writes what jest reads: API docs, the tablet, the bindings', () => {
    expect((TASKS['post-compile'].steps ?? []).map((s) => s.spawn)).toEqual(['docgen', 'rosetta', 'bindings', 'docgen:python']);
  });

  test('issue 27: the build checks the README\'s translations (jest) but never rewrites README.md', () => {
    expect(expand('build')).not.toContain('readme:translations');
    expect(TASKS['readme:translations'].steps?.[0].exec).toMatch(/projenrc\/readme-translations\.ts README\.md /);
  });

  test('the build and the test task run jest the same way, without coverage; test:coverage has it', () => {
    expect(TASKS['test:jest'].steps).toEqual([{ exec: 'jest --passWithNoTests --ci', receiveArgs: true }]);
    expect(TASKS['test:coverage'].steps?.[0].exec).toMatch(/^jest --passWithNoTests --ci --coverage\b/);
    const jestConfig = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8')) as { jest: { collectCoverage: boolean } }).jest;
    expect(jestConfig.collectCoverage).toBe(false);
  });
});
