import * as fs from 'fs';
import * as path from 'path';
import { XRayCostEstimator } from '../../src/cost';

/** The text of a `## Cost` section: from its heading to the next `## ` heading; undefined if none. */
function costSection(markdown: string): string | undefined {
  const lines = markdown.replace(/\r\n/g, '\n').split('\n');
  const start = lines.findIndex((line) => /^##\s+Cost\b/.test(line));
  if (start === -1) return undefined;
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => /^##\s/.test(line));
  return (end === -1 ? rest : rest.slice(0, end)).join('\n');
}

/** The first markdown table in `section`: its contiguous `|` lines, joined; '' if there is none. */
function firstTable(section: string): string {
  const lines = section.split('\n');
  const start = lines.findIndex((line) => line.startsWith('|'));
  if (start === -1) return '';
  const rest = lines.slice(start);
  const end = rest.findIndex((line) => !line.startsWith('|'));
  return (end === -1 ? rest : rest.slice(0, end)).join('\n');
}

const README_PATH = path.join(__dirname, '..', '..', 'README.md');
const readme = fs.existsSync(README_PATH) ? fs.readFileSync(README_PATH, 'utf8') : '';
const readmeCost = costSection(readme);
const whenReadmeHasCost = readmeCost === undefined ? test.skip : test;

describe('README cost section', () => {
  whenReadmeHasCost(
    'README.md "## Cost" shows exactly the table XRayCostEstimator.markdownTable() renders (skipped while README.md has no "## Cost" heading)',
    () => {
      // GIVEN the table the estimator renders today
      const expected = XRayCostEstimator.markdownTable().trimEnd();

      // THEN the README's cost section holds that table, line for line
      expect(firstTable(readmeCost ?? '')).toBe(expected);
    },
  );

  test('the section and table extraction finds the rendered table and notices a changed cell', () => {
    // GIVEN a README with the table pasted in, and a copy with one cell edited by hand
    const table = XRayCostEstimator.markdownTable();
    const good = `# lib\n\n## Cost\n\nSome words.\n\n${table}\nMore words.\n\n## Troubleshooting\n\n| a | b |\n`;
    const edited = good.replace('$16.16', '$16.17');

    // THEN
    expect(firstTable(costSection(good) ?? '')).toBe(table.trimEnd());
    expect(firstTable(costSection(edited) ?? '')).not.toBe(table.trimEnd());
    expect(costSection('# lib\n\n## Costs\n')).toBeUndefined();
  });
});
