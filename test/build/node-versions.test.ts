/**
 * Issue 26: the README's "Set up" and package.json's `engines` name the same Node.js floor, and
 * the Node running the tests (CI's) is inside it.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

describe('Node.js versions (issue 26: README and engines agree)', () => {
  const engines = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8')) as { engines: { node: string } }).engines.node;
  const floor = /^>= ?(\d+)\.0\.0$/.exec(engines);

  test('engines is a plain floor, and the README\'s "Set up" states the same one', () => {
    expect(floor).not.toBeNull();
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8');
    const setUp = readme.slice(readme.indexOf('## Set up'), readme.indexOf('\n## ', readme.indexOf('## Set up') + 1));
    expect(setUp).toContain(`Node.js ${floor![1]} or later`);
    expect(setUp).toContain(`\`${engines}\``);
  });

  test('the Node.js running the tests satisfies engines', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(Number(floor![1]));
  });
});
