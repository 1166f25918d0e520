/**
 * The full build (`npx projen build`, the README's test command) and its lanes
 * (projenrc/lanes.ts): the build runs every task of `npx projen test` and of compiling and
 * packaging exactly once, side by side only where neither reads what the other writes; and the
 * lane runner really runs lanes at the same time and stops the others when a task fails.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Lane, parseLanes, runLanes, summary } from '../../projenrc/lanes';

const ROOT = path.join(__dirname, '..', '..');

interface Step { readonly spawn?: string; readonly exec?: string; readonly condition?: string }
const TASKS = (JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf-8')) as {
  tasks: Record<string, { steps?: Step[] }>;
}).tasks;

/** The build as phases run one after another; each phase is lanes, each lane tasks in order. */
function buildPhases(): string[][][] {
  return (TASKS.build.steps ?? []).map((step) => {
    if (step.spawn) return [[step.spawn]];
    const match = /projenrc\/lanes\.ts (.+)$/.exec(step.exec ?? '');
    if (!match) throw new Error(`build step is neither a spawn nor a lanes run: ${JSON.stringify(step)}`);
    return parseLanes(match[1].split(' ')).map((lane) => [...lane.tasks]);
  });
}

/**
 * Every task `name` runs, itself and the tasks it spawns, depth first. Steps with a condition are
 * left out: projen's package spawns package:js under CI=true and package-all (which spawns
 * package:js) otherwise, never both.
 */
function expand(name: string): string[] {
  const steps = TASKS[name]?.steps ?? [];
  return [name, ...steps.flatMap((s) => (s.spawn && !s.condition ? expand(s.spawn) : []))];
}

/** The phase in which the build runs `task` (directly or spawned by a task of that phase). */
function phaseOf(phases: string[][][], task: string): number {
  const index = phases.findIndex((lanes) => lanes.some((lane) => lane.some((t) => expand(t).includes(task))));
  if (index < 0) throw new Error(`the build never runs ${task}`);
  return index;
}

describe('npx projen build', () => {
  const phases = buildPhases();
  const direct = phases.flat(2);

  test('runs every task of `npx projen test`, and compile, post-compile and package, each once', () => {
    const testTasks = (TASKS.test.steps ?? []).map((s) => s.spawn);
    expect(testTasks).toEqual(['test:jest', 'eslint', 'typecheck', 'integ', 'synth:example']);
    // test:newest-peers (issue 26: the examples on the newest aws-cdk-lib, against lib/) is the build's own.
    // integ and test:newest-peers install their own pinned peers when missing (no peers:install step).
    const expected = ['default', 'pre-compile', 'compile', 'post-compile', ...testTasks, 'package', 'test:newest-peers'];
    expect([...direct].sort()).toEqual([...expected].sort() as string[]);
    // No task runs twice through another's spawns either (jest once, the bindings once, ...).
    const all = direct.flatMap(expand);
    expect(all.filter((t, i) => all.indexOf(t) !== i)).toEqual([]);
  });

  test('orders what reads another task\'s output after it', () => {
    // jest reads lib/, .jsii, the tablet and dist/bindings; package packs lib/ and .jsii;
    // test:newest-peers synthesizes the examples against lib/.
    for (const reader of ['test:jest', 'integ', 'synth:example', 'package', 'test:newest-peers']) {
      expect({ reader, phase: phaseOf(phases, reader) > phaseOf(phases, 'post-compile') }).toEqual({ reader, phase: true });
    }
    // jsii-docgen (post-compile) reads every .jsii under the project: no npm ci of peers/ may run
    // beside it, so the peers are installed by integ and test:newest-peers, after post-compile.
    expect(direct).not.toContain('peers:install');
    for (const reader of ['integ', 'test:newest-peers']) {
      const installs = (TASKS[reader].steps ?? []).filter((s) => s.exec?.startsWith('npm ci --prefix peers/'));
      expect({ reader, installs: installs.length }).toEqual({ reader, installs: 1 });
    }
    // Within their lane, compile before post-compile (docgen, rosetta and pacmak read .jsii).
    const lane = phases.flat().find((l) => l.includes('compile'))!;
    expect(lane.indexOf('post-compile')).toBeGreaterThan(lane.indexOf('compile'));
    // jest runs alone: it already runs a worker per core.
    expect(phases[phaseOf(phases, 'test:jest')]).toEqual([['test:jest']]);
    // default (projen's synth) and pre-compile first.
    expect(phases.slice(0, 2)).toEqual([[['default']], [['pre-compile']]]);
  });

  test('issue 27: the build checks the README\'s translations (jest) but never rewrites README.md', () => {
    expect(direct.flatMap(expand)).not.toContain('readme:translations');
    expect(TASKS['readme:translations'].steps?.[0].exec).toMatch(/projenrc\/readme-translations\.ts README\.md /);
  });

  test('the build and the test task run jest the same way, without coverage; test:coverage has it', () => {
    expect(TASKS['test:jest'].steps).toEqual([{ exec: 'jest --passWithNoTests --ci', receiveArgs: true }]);
    expect(TASKS['test:coverage'].steps?.[0].exec).toMatch(/^jest --passWithNoTests --ci --coverage\b/);
    const jestConfig = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8')) as { jest: { collectCoverage: boolean } }).jest;
    expect(jestConfig.collectCoverage).toBe(false);
  });
});

describe('projenrc/lanes.ts', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanes-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Tasks as small node scripts, in their own process group as the real starter does. */
  function starter(scripts: Record<string, string>): (task: string, cwd: string) => ChildProcess {
    return (task, cwd) => spawn(process.execPath, ['-e', scripts[task]], { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  }

  test('parses lanes, and refuses what is not a list of task names', () => {
    expect(parseLanes(['compile,post-compile', 'eslint'])).toEqual<Lane[]>([
      { name: 'compile+post-compile', tasks: ['compile', 'post-compile'] },
      { name: 'eslint', tasks: ['eslint'] },
    ]);
    expect(() => parseLanes([])).toThrow(/at least one lane/);
    expect(() => parseLanes(['compile,,test'])).toThrow(/"compile,,test" is not a comma-separated list of projen task names/);
    expect(() => parseLanes(['rm -rf'])).toThrow(/not a comma-separated list/);
  });

  test('runs the lanes at the same time, each lane in order, every line prefixed with its lane', async () => {
    // `wait` succeeds only if `mark` (the other lane) has run while it waits: in one lane after
    // another it would time out and fail.
    const waitForMark = `const fs=require('fs');const t=Date.now();
      (function poll(){ if (fs.existsSync('mark')) { console.log('saw mark'); process.exit(0); }
        if (Date.now()-t>10000) { console.error('no mark'); process.exit(4); } setTimeout(poll,20); })();`;
    const lines: string[] = [];
    const results = await runLanes(parseLanes(['wait,after', 'mark']), {
      cwd: dir,
      start: starter({ wait: waitForMark, after: "console.log('after')", mark: "require('fs').writeFileSync('mark','');console.log('marked')" }),
      write: (line) => lines.push(line),
    });
    expect(results.map((r) => [r.lane.name, r.outcome, r.code])).toEqual([['wait+after', 'ok', 0], ['mark', 'ok', 0]]);
    expect(lines.filter((l) => l.startsWith('[wait+after]'))).toEqual(['[wait+after] saw mark', '[wait+after] after']);
    expect(lines).toContain('[mark] marked');
    expect(summary(results)[0]).toMatch(/^lanes: wait\+after \d+\.\d s, ok$/);
  });

  test('a failed task stops the other lanes (their running task killed, the rest not started)', async () => {
    const results = await runLanes(parseLanes(['fail', 'long,never']), {
      cwd: dir,
      start: starter({
        fail: 'setTimeout(() => process.exit(3), 200)',
        long: 'setTimeout(() => process.exit(0), 20000)',
        never: "require('fs').writeFileSync('never-ran','')",
      }),
      write: () => undefined,
    });
    expect(results.map((r) => [r.outcome, r.task, r.code === 0])).toEqual([['failed', 'fail', false], ['stopped', 'long', false]]);
    expect(results[0].code).toBe(3);
    expect(fs.existsSync(path.join(dir, 'never-ran'))).toBe(false);
    expect(summary(results)).toEqual([
      expect.stringMatching(/^lanes: fail \d+\.\d s, failed in fail \(exit 3\)$/),
      expect.stringMatching(/^lanes: long\+never \d+\.\d s, stopped in long$/),
    ]);
  });

  test('a task that cannot start fails its lane with a message', async () => {
    const lines: string[] = [];
    const results = await runLanes(parseLanes(['missing']), {
      cwd: dir,
      start: () => spawn(path.join(dir, 'no-such-binary'), [], { stdio: ['ignore', 'pipe', 'pipe'] }),
      write: (line) => lines.push(line),
    });
    expect(results.map((r) => [r.outcome, r.code])).toEqual([['failed', 1]]);
    expect(lines.join('\n')).toMatch(/^\[missing\] could not start missing: .*ENOENT/);
  });
});
