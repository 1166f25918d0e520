/**
 * A jest run cleans up after itself (test/setup/temp-folder.ts): every `new App()` without
 * `outdir` synthesizes under the run's own temporary folder, which the global teardown removes.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { BASE_TMPDIR_ENV, RUN_TMPDIR_ENV } from '../setup/temp-folder';

const REPO_ROOT = path.join(__dirname, '..', '..');

describe('the run\'s temporary folder', () => {
  test('exists, sits in the original temp folder, and is what os.tmpdir() says', () => {
    const run = process.env[RUN_TMPDIR_ENV];
    const base = process.env[BASE_TMPDIR_ENV];
    expect(run).toBeDefined();
    expect(base).toBeDefined();
    expect(fs.statSync(run!).isDirectory()).toBe(true);
    expect(path.dirname(run!)).toBe(base);
    expect(path.basename(run!)).toMatch(/^cdk-xray-ecs-jest-\d+-/);
    expect(fs.realpathSync(os.tmpdir())).toBe(run);
  });

  test('new App().synth() writes its cdk.out folder there, not directly in the original temp folder', () => {
    const app = new App();
    new Stack(app, 'TempFolder');
    const assembly = app.synth();
    expect(path.dirname(assembly.directory)).toBe(process.env[RUN_TMPDIR_ENV]);
    expect(path.basename(assembly.directory)).toMatch(/^cdk\.out/);
    expect(path.dirname(assembly.directory)).not.toBe(process.env[BASE_TMPDIR_ENV]);
  });

  test('child processes inherit it', () => {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(require("os").tmpdir())'], { encoding: 'utf-8' });
    expect(child.stdout).toBe(process.env[RUN_TMPDIR_ENV]);
  });
});

/** What {@link setupThenTeardown} saw. */
interface SetupTeardownReport {
  /** After the setup and a synth: the base folder's entries, the cdk.out folder's parent, TMPDIR. */
  readonly during: { readonly inBase: string[]; readonly outdirParent: string; readonly tmpdir: string };
  readonly run: string;
  readonly runExists: boolean;
  readonly outdirExists: boolean;
  /** After the teardown: the base folder's entries, TMPDIR and TMP. */
  readonly after: string[];
  readonly tmpdir: string | null;
  readonly tmp: string | null;
}

describe('global setup and teardown, in a process of their own', () => {
  /** Runs the setup, makes an app synthesize, runs the teardown; reports what it saw. */
  function setupThenTeardown(base: string, env: NodeJS.ProcessEnv): SetupTeardownReport {
    // ts-node's v8-compile-cache folder lands in TMPDIR before the setup runs: not the app's.
    const script = `
      const fs = require('fs');
      const list = (dir) => fs.readdirSync(dir).filter((name) => !name.startsWith('v8-compile-cache'));
      const path = require('path');
      const { App, Stack } = require('aws-cdk-lib');
      require(${JSON.stringify(path.join(REPO_ROOT, 'test', 'setup', 'global-setup.ts'))}).default();
      const run = process.env.${RUN_TMPDIR_ENV};
      const app = new App();
      new Stack(app, 'S');
      const outdir = app.synth().directory;
      const during = { inBase: list(${JSON.stringify(base)}), outdirParent: path.dirname(outdir), tmpdir: process.env.TMPDIR };
      require(${JSON.stringify(path.join(REPO_ROOT, 'test', 'setup', 'global-teardown.ts'))}).default();
      process.stdout.write(JSON.stringify({
        during, run, runExists: fs.existsSync(run), outdirExists: fs.existsSync(outdir),
        after: list(${JSON.stringify(base)}), tmpdir: process.env.TMPDIR ?? null, tmp: process.env.TMP ?? null,
      }));`;
    const result = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
      cwd: REPO_ROOT,
      encoding: 'utf-8',
      env: { ...env, TS_NODE_PROJECT: path.join(REPO_ROOT, 'test', 'tsconfig.json') },
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return JSON.parse(result.stdout);
  }

  /** The environment of the test process without the run folder's variables, TMPDIR set to `base`. */
  function envWithTmpdir(base: string): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: base };
    for (const name of [RUN_TMPDIR_ENV, BASE_TMPDIR_ENV, 'TMP', 'TEMP']) delete env[name];
    return env;
  }

  test('the app writes under the run folder, and the teardown removes it and restores TMPDIR', () => {
    const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'temp-folder-base-')));
    const out = setupThenTeardown(base, envWithTmpdir(base));
    expect(path.dirname(out.run)).toBe(base);
    expect(out.during.inBase).toEqual([path.basename(out.run)]);
    expect(out.during.outdirParent).toBe(out.run);
    expect(out.during.tmpdir).toBe(out.run);
    expect(out.runExists).toBe(false);
    expect(out.outdirExists).toBe(false);
    expect(out.after).toEqual([]);
    expect(out.tmpdir).toBe(base);
    expect(out.tmp).toBeNull();
  }, 60_000);

  test('the setup removes an interrupted run\'s old folder, never a running one\'s', () => {
    const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'temp-folder-base-')));
    // A pid that cannot be running (above the kernel's pid_max), and this process's own pid.
    const stale = path.join(base, 'cdk-xray-ecs-jest-99999999-abc123');
    const running = path.join(base, `cdk-xray-ecs-jest-${process.pid}-def456`);
    const recentStale = path.join(base, 'cdk-xray-ecs-jest-99999998-ghi789');
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    for (const dir of [stale, running, recentStale]) {
      fs.mkdirSync(path.join(dir, 'cdk.outXYZ'), { recursive: true });
      if (dir !== recentStale) fs.utimesSync(dir, twoHoursAgo, twoHoursAgo);
    }
    const out = setupThenTeardown(base, envWithTmpdir(base));
    expect(out.after.sort()).toEqual([path.basename(recentStale), path.basename(running)].sort());
  }, 60_000);
});
