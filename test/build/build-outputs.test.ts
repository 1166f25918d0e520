/**
 * Issue 27, "`npx jest` works after `npm ci`": jest's global setup builds what the selected tests
 * read (test/setup/build-outputs.ts), only when a selected test reads it and it is missing or stale.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BUILD_OUTPUTS, BuildOutput, selects, staleReason } from '../setup/build-outputs';

const compile = BUILD_OUTPUTS.find((o) => o.task === 'compile')!;

describe('which runs need a build first', () => {
  test('a run of every test needs each output', () => {
    for (const output of BUILD_OUTPUTS) {
      expect({ task: output.task, needed: selects([], output.readers) }).toEqual({ task: output.task, needed: true });
    }
  });

  test('a run of tests that read no build output needs none', () => {
    for (const output of BUILD_OUTPUTS) expect(selects(['test/services/'], output.readers)).toBe(false);
  });

  test('a run naming a reader needs what it reads', () => {
    expect(selects(['jsii-python'], compile.readers)).toBe(true);
    expect(selects([path.join('test', 'cli')], compile.readers)).toBe(true);
    expect(selects(['test/build/bindings.test.ts'], BUILD_OUTPUTS.find((o) => o.task === 'bindings')!.readers)).toBe(true);
  });

  test('every reader it names is a test file of the repository', () => {
    const readers = ['test/bindings/jsii-python.test.ts', 'test/bindings/enum-trap.test.ts', 'test/build/source-maps.test.ts', 'test/build/bindings.test.ts'];
    for (const reader of readers) expect(fs.existsSync(path.join(__dirname, '..', '..', reader))).toBe(true);
  });
});

describe('when an output is stale', () => {
  const output: BuildOutput = { task: 'compile', outputs: ['out/a.json', 'out/b.js'], inputs: ['src', 'README.md'], readers: /x/ };
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'build-outputs-'));
    fs.mkdirSync(path.join(root, 'src', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(root, 'src', 'sub', 'a.ts'), '');
    fs.writeFileSync(path.join(root, 'README.md'), '');
  });
  const at = (file: string, seconds: number) => fs.utimesSync(path.join(root, file), seconds, seconds);

  test('missing outputs are named', () => {
    expect(staleReason(output, root)).toBe('out/a.json and out/b.js missing');
  });

  test('outputs newer than every input are fresh; a newer .ts below an input folder makes them stale', () => {
    fs.mkdirSync(path.join(root, 'out'));
    for (const f of output.outputs) fs.writeFileSync(path.join(root, f), '');
    at('src/sub/a.ts', 1_000);
    at('README.md', 1_000);
    at('out/a.json', 2_000);
    expect(staleReason(output, root)).toBeUndefined();
    at('src/sub/a.ts', 3_000);
    expect(staleReason(output, root)).toBe('src changed since out/a.json was written');
  });
});
