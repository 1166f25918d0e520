/**
 * The `local-agent --ui` page in a real browser: Debian's `chromium` (never a downloaded one),
 * headless, driven by `playwright-core`. It loads the page, sees a trace arrive live, filters by
 * service and by a trace group of the example app, opens the waterfall and finds the service map.
 * A screenshot goes to test-reports/cli-ui/ (git-ignored).
 *
 * `.ci/run` installs chromium; without it this test reports itself skipped by name.
 */
import { execFileSync } from 'child_process';
import * as dgram from 'dgram';
import * as fs from 'fs';
import * as path from 'path';
import { chromium, Browser } from 'playwright-core';
import { ensureBuiltCli, REPO_ROOT, RunningAgent, synthExample } from './cli';

const HEADER = '{"format":"json","version":1}\n';
const SCREENSHOTS = path.join(REPO_ROOT, 'test-reports', 'cli-ui');
/** Browser-side checks are strings: the tests are compiled without the DOM library. */
const ROW_COUNT_IS = (n: number) => `document.querySelectorAll('#traces tr').length === ${n}`;

function chromiumPath(): string | undefined {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf-8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const executablePath = chromiumPath();
const withChromium = executablePath ? describe : describe.skip;
if (!executablePath) {
  // eslint-disable-next-line no-console
  console.warn('skipped: the --ui browser test needs Debian\'s chromium on PATH (apt-get install -y chromium; .ci/run installs it)');
}

let example: string;
let browser: Browser | undefined;
let agent: RunningAgent | undefined;

withChromium('local-agent --ui in headless Chromium', () => {
  beforeAll(async () => {
    ensureBuiltCli();
    example = synthExample();
    browser = await chromium.launch({
      executablePath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 300_000);

  afterAll(async () => {
    await agent?.interrupt();
    await browser?.close();
  });

  function send(port: number, doc: Record<string, unknown>): Promise<void> {
    const socket = dgram.createSocket('udp4');
    return new Promise((resolve, reject) => socket.send(HEADER + JSON.stringify(doc), port, '127.0.0.1', (e) => {
      socket.close();
      return e ? reject(e) : resolve();
    }));
  }

  test('a trace arrives live, the filters work, the waterfall and the service map show it', async () => {
    // GIVEN the agent with the page, and the page open with no trace yet
    agent = await RunningAgent.start(['--app', example, '--port', '0', '--no-otlp', '--ui', '0', '--settle-ms', '200']);
    const page = await browser!.newPage();
    await page.goto(agent.addresses.ui!);
    await page.waitForSelector('#group-filter option[value="afirgen-endpoint-process"]', { state: 'attached' });
    expect(await page.locator('#traces tr').count()).toBe(0);

    // WHEN two traces arrive: main backend calling the gguf server on /process, and a health check
    const now = Date.now() / 1000;
    const epoch = Math.floor(now).toString(16);
    const processId = `1-${epoch}-aaaaaaaaaaaaaaaaaaaaaaaa`;
    const healthId = `1-${epoch}-bbbbbbbbbbbbbbbbbbbbbbbb`;
    await send(agent.addresses.udpPort, {
      trace_id: processId,
      id: '1000000000000001',
      name: 'afirgen-main-backend',
      start_time: now - 0.2,
      end_time: now,
      http: { request: { method: 'POST', url: 'http://localhost:8000/process' }, response: { status: 200 } },
      annotations: { endpoint: '/process' },
      subsegments: [{ id: '1000000000000002', name: 'afirgen-gguf-server', namespace: 'remote', start_time: now - 0.15, end_time: now - 0.05 }],
    });
    await send(agent.addresses.udpPort, {
      trace_id: processId, id: '2000000000000001', parent_id: '1000000000000002', name: 'afirgen-gguf-server', start_time: now - 0.14, end_time: now - 0.06,
    });
    await send(agent.addresses.udpPort, {
      trace_id: healthId,
      id: '3000000000000001',
      name: 'afirgen-asr-ocr-server',
      start_time: now - 0.01,
      end_time: now,
      http: { request: { method: 'GET', url: 'http://localhost:8002/health' }, response: { status: 200 } },
      subsegments: [{ id: '3000000000000002', name: 'S3', namespace: 'aws', start_time: now - 0.008, end_time: now - 0.002 }],
    });

    // THEN both show up without a reload
    await page.waitForSelector(`#traces tr[data-trace-id="${processId}"]`, { timeout: 10_000 });
    await page.waitForSelector(`#traces tr[data-trace-id="${healthId}"]`, { timeout: 10_000 });
    expect(await page.locator('#traces tr').count()).toBe(2);

    // the trace group of the example app (annotation.endpoint = "/process") keeps only the first
    await page.selectOption('#group-filter', 'afirgen-endpoint-process');
    await page.waitForFunction(ROW_COUNT_IS(1));
    expect(await page.locator('#traces tr').first().getAttribute('data-trace-id')).toBe(processId);

    // the service filter on its own keeps only the OCR server's
    await page.selectOption('#group-filter', '');
    // Both rows back first: otherwise the group filter's one row could pass the next wait.
    await page.waitForFunction(ROW_COUNT_IS(2));
    await page.selectOption('#service-filter', 'afirgen-asr-ocr-server');
    await page.waitForFunction(ROW_COUNT_IS(1));
    expect(await page.locator('#traces tr').first().getAttribute('data-trace-id')).toBe(healthId);
    await page.selectOption('#service-filter', '');
    await page.waitForFunction(ROW_COUNT_IS(2));

    // the waterfall of the first trace: three rows, the segment spanning the whole width
    await page.click(`#traces tr[data-trace-id="${processId}"]`);
    // Read the rows in one poll that sees all three (a live update may redraw the waterfall between
    // a wait and a separate read).
    const drawn = await page.waitForFunction(`(() => {
      const rows = [...document.querySelectorAll('#waterfall-rows .row')].map((e) => ({
        id: e.dataset.nodeId, label: e.querySelector('.label').textContent, width: e.querySelector('.bar').style.width,
      }));
      return rows.some((r) => r.id === '2000000000000001') ? rows : null;
    })()`, undefined, { timeout: 10_000 });
    const rows = await drawn.jsonValue() as Array<{ id: string; label: string; width: string }>;
    expect(rows.map((r) => r.id)).toEqual(['1000000000000001', '1000000000000002', '2000000000000001']);
    expect(rows[0].label).toContain('afirgen-main-backend POST http://localhost:8000/process 200 endpoint="/process"');
    expect(parseFloat(rows[0].width)).toBeCloseTo(100, 0);
    expect(parseFloat(rows[2].width)).toBeCloseTo(40, 0);

    // the service map: the three services, main backend calling the gguf server, and S3
    // (a horizontal line has no height, so Playwright never calls it visible: attached is the check)
    // One poll reads the nodes once the edge is drawn (a redraw between a wait and a read would empty it).
    const mapped = await page.waitForFunction(`(() => document.querySelector('#map-svg line[data-edge="afirgen-main-backend->afirgen-gguf-server"]')
      ? [...document.querySelectorAll('#map-svg g')].map((e) => e.dataset.service).sort() : null)()`, undefined, { timeout: 10_000 });
    const services = await mapped.jsonValue() as string[];
    expect(services).toEqual(['S3', 'afirgen-asr-ocr-server', 'afirgen-gguf-server', 'afirgen-main-backend']);
    // the OCR server's S3 call: the node X-Ray infers from a namespace aws subsegment, marked as AWS
    await page.waitForSelector('#map-svg line[data-edge="afirgen-asr-ocr-server->S3"]', { state: 'attached' });
    expect(await page.locator('#map-svg g[data-namespace="aws"] text').textContent()).toBe('S3 (AWS)');

    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    const shot = path.join(SCREENSHOTS, 'waterfall.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(fs.statSync(shot).size).toBeGreaterThan(1000);
  });
});
