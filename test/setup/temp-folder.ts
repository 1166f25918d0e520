/**
 * One temporary folder per jest run, removed when the run ends.
 *
 * Every `new App()` without `outdir` synthesizes into a fresh `mkdtemp(<os.tmpdir()>/cdk.out…)`
 * (aws-cdk-lib's cloud-assembly builder) that is only removed on a clean process exit, which jest
 * workers never have: one run used to leave about 450 `cdk.out*` folders in /tmp. Jest's global
 * setup (test/setup/global-setup.ts) points TMPDIR at a folder of its own before any worker
 * starts, so those folders, and whatever else the tests and the processes they start put in
 * `os.tmpdir()`, land there; the global teardown removes it.
 *
 * Not `CDK_OUTDIR`: every app of a worker would then share one output folder, and an app created
 * with `CDK_OUTDIR` set also synthesizes itself again when the process exits.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Set by the global setup to the run's folder; the tests and the teardown read it. */
export const RUN_TMPDIR_ENV = 'CDK_XRAY_ECS_TEST_TMPDIR';
/** Set by the global setup to the temporary folder the run started with (the run folder's parent). */
export const BASE_TMPDIR_ENV = 'CDK_XRAY_ECS_TEST_BASE_TMPDIR';
/** The environment variables Node (TMPDIR) and the tools the tests start read for a temp folder. */
const TMPDIR_VARIABLES = ['TMPDIR', 'TMP', 'TEMP'] as const;
/** The run folders' names: the prefix, the pid of the jest process, then mkdtemp's suffix. */
const RUN_FOLDER_PREFIX = 'cdk-xray-ecs-jest-';
const RUN_FOLDER = new RegExp(`^${RUN_FOLDER_PREFIX}(\\d+)-`);
/** A run folder this old whose jest process is gone was left by an interrupted run. */
const STALE_AFTER_MS = 60 * 60 * 1000;

declare global {
  /** TMPDIR, TMP and TEMP from before the run: jest's global setup and teardown share globalThis. */
  // eslint-disable-next-line no-var
  var __cdkXrayEcsSavedTmpdir: Partial<Record<string, string>> | undefined;
}

/** Creates the run's folder under the original temp folder and points TMPDIR, TMP and TEMP at it. */
export function enterRunFolder(): string {
  if (globalThis.__cdkXrayEcsSavedTmpdir === undefined) {
    const saved: Partial<Record<string, string>> = {};
    for (const name of TMPDIR_VARIABLES) saved[name] = process.env[name];
    globalThis.__cdkXrayEcsSavedTmpdir = saved;
  }
  // In watch mode the setup runs again after a teardown; BASE_TMPDIR_ENV keeps the first base.
  const base = process.env[BASE_TMPDIR_ENV] ?? fs.realpathSync(os.tmpdir());
  removeStaleRunFolders(base);
  const dir = fs.mkdtempSync(path.join(base, `${RUN_FOLDER_PREFIX}${process.pid}-`));
  process.env[BASE_TMPDIR_ENV] = base;
  process.env[RUN_TMPDIR_ENV] = dir;
  for (const name of TMPDIR_VARIABLES) process.env[name] = dir;
  return dir;
}

/** Removes the run's folder and gives TMPDIR, TMP and TEMP back their values from before the run. */
export function leaveRunFolder(): void {
  const dir = process.env[RUN_TMPDIR_ENV];
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  const saved = globalThis.__cdkXrayEcsSavedTmpdir ?? {};
  for (const name of TMPDIR_VARIABLES) {
    const value = saved[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  delete process.env[RUN_TMPDIR_ENV];
  globalThis.__cdkXrayEcsSavedTmpdir = undefined;
}

/**
 * Removes run folders left by interrupted runs (Ctrl-C skips the teardown): old, and their jest
 * process no longer running. A run folder of a jest that is still running is never touched.
 */
function removeStaleRunFolders(base: string): void {
  for (const name of fs.readdirSync(base)) {
    const match = RUN_FOLDER.exec(name);
    if (!match || processRunning(Number(match[1]))) continue;
    const dir = path.join(base, name);
    try {
      if (Date.now() - fs.statSync(dir).mtimeMs > STALE_AFTER_MS) {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    } catch {
      // Another run removed it first, or it is not ours to remove: leave it.
    }
  }
}

function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
