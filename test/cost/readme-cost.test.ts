import * as fs from 'fs';
import * as path from 'path';
import { afirgenCostTable, agentTaskMonthCosts } from './readme-tables';
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

/** The markdown table in `text` whose header line starts with `headerStart`; '' if there is none. */
function tableStartingWith(text: string, headerStart: string): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const start = lines.findIndex((line) => line.startsWith(headerStart));
  if (start === -1) return '';
  const rest = lines.slice(start);
  const end = rest.findIndex((line) => !line.startsWith('|'));
  return (end === -1 ? rest : rest.slice(0, end)).join('\n');
}

/** The cells of a markdown table row, trimmed. */
function cells(row: string): string[] {
  return row.split('|').slice(1, -1).map((cell) => cell.trim());
}

const DOCS = path.join(__dirname, '..', '..', 'docs');
/** docs/cost.md: the X-Ray table and the AFIRGen example's table. */
const costDoc = fs.readFileSync(path.join(DOCS, 'cost.md'), 'utf8');
/** docs/migrating-off-the-daemon.md: the agents' resources table. */
const agentsDoc = fs.readFileSync(path.join(DOCS, 'migrating-off-the-daemon.md'), 'utf8');

describe('docs/cost.md and the agents\' resources table', () => {
  test(
    'docs/cost.md shows exactly the table XRayCostEstimator.markdownTable() renders, as its first table',
    () => {
      // GIVEN the table the estimator renders today
      const expected = XRayCostEstimator.markdownTable().trimEnd();

      // THEN the page holds that table, line for line
      expect(firstTable(costDoc)).toBe(expected);
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

  test('docs/cost.md shows the AFIRGen example\'s X-Ray charges and agent compute exactly as the estimator renders them', () => {
    // GIVEN the table rendered from the AFIRGen example and XRayCostEstimator.estimate
    const expected = afirgenCostTable();

    // THEN
    expect(tableStartingWith(costDoc, '| Service | Requests a month |')).toBe(expected);
  });

  test('the resources table\'s Fargate cost column is each agent\'s default reservation priced by the estimator', () => {
    // GIVEN the resources table's rows
    const table = tableStartingWith(agentsDoc, '| agent | image (pinned default) |').split('\n');
    const header = cells(table[0]);
    const column = header.indexOf('Fargate task-month x86_64 / ARM64');
    expect(column).toBeGreaterThan(0);
    const shown = Object.fromEntries(table.slice(2).map((row) => [cells(row)[0], cells(row)[column]]));

    // THEN every agent's cell is the estimate for its defaults, x86_64 / ARM64
    const expected = agentTaskMonthCosts();
    expect(expected.map((e) => e.agent)).toEqual(Object.keys(shown));
    for (const { agent, x86, arm } of expected) {
      expect(shown[agent]).toBe(`${x86} / ${arm}`);
    }
  });

  test('the resources table\'s XRayHostAgent column is each agent\'s share of the example instance priced by the estimator', () => {
    const table = tableStartingWith(agentsDoc, '| agent | image (pinned default) |').split('\n');
    const column = cells(table[0]).indexOf('`XRayHostAgent` instance-month (example instance)');
    expect(column).toBeGreaterThan(0);
    const shown = Object.fromEntries(table.slice(2).map((row) => [cells(row)[0], cells(row)[column]]));

    const expected = agentTaskMonthCosts();
    expect(Object.fromEntries(expected.map((e) => [e.agent, e.instance]))).toEqual(shown);
    // The daemon's 256 MiB of the example's 7,680 MiB, at $0.10 x 730 h: independent of the renderer.
    expect(shown['X-Ray daemon']).toBe(`3.3 % ($${(0.1 * 730 * 256 / 7680).toFixed(2)})`);
  });

  test('tableStartingWith finds a table by its header and notices an edited cell', () => {
    const table = afirgenCostTable();
    const good = `## Cost\n\n| a | b |\n| --- | --- |\n\nText.\n\n${table}\n\nMore.\n`;
    expect(tableStartingWith(good, '| Service | Requests a month |')).toBe(table);
    expect(tableStartingWith(good.replace(/\$(\d+)\.(\d)\d/, '$$$1.$29'), '| Service | Requests a month |')).not.toBe(table);
    expect(tableStartingWith(good, '| nothing |')).toBe('');
  });
});
