// @ts-check
/**
 * The newest-peers lane (`npx projen test:newest-peers`, part of `npx projen build`): synthesizes
 * every app in lib-examples/ (each `lib-examples/<name>/app.ts`) with the peers pinned in
 * peers/newest (aws-cdk-lib, cdk-nag) against the compiled lib/, with JSII_DEPRECATED=fail so that
 * any call of a deprecated aws-cdk-lib API throws. Needs `npx projen compile` and
 * `npm ci --prefix peers/newest` first (the task runs both's second).
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const repo = path.resolve(__dirname, '..');
const examples = path.join(repo, 'lib-examples');
if (!fs.existsSync(path.join(repo, 'lib', 'index.js'))) {
  process.stderr.write('synth-examples: lib/index.js is missing: run `npx projen compile` first\n');
  process.exit(1);
}
const apps = fs.readdirSync(examples).filter((d) => fs.existsSync(path.join(examples, d, 'app.ts'))).sort();
if (apps.length === 0) {
  process.stderr.write('synth-examples: no lib-examples/<name>/app.ts found\n');
  process.exit(1);
}
const outRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'newest-peers-'));

if (process.argv[2] === '--in-process') {
  // The child: every app in this one process (aws-cdk-lib loads once), each into its own folder.
  for (const app of apps) {
    const began = Date.now();
    process.env.CDK_OUTDIR = path.join(outRoot, app);
    try {
      require(path.join(examples, app, 'app.ts'));
    } catch (err) {
      process.stderr.write(`synth-examples: ${app} FAILED\n${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    }
    process.stdout.write(`synth-examples: ${app} ok (${((Date.now() - began) / 1000).toFixed(1)} s)\n`);
  }
  fs.rmSync(outRoot, { recursive: true, force: true });
} else {
  fs.rmSync(outRoot, { recursive: true, force: true });
  const result = spawnSync(process.execPath, [
    '-r', require.resolve('ts-node/register/transpile-only', { paths: [repo] }),
    '-r', path.join(__dirname, 'redirect.js'),
    __filename, '--in-process',
  ], {
    cwd: repo,
    env: {
      ...process.env,
      TS_NODE_PROJECT: path.join(examples, 'tsconfig.json'),
      JSII_DEPRECATED: 'fail',
      PEERS_DIR: 'peers/newest',
      PEERS_USE_LIB: 'true',
      PEERS_VERIFY: 'true',
    },
    stdio: 'inherit',
    timeout: 300_000,
  });
  if (result.error) throw result.error;
  process.exit(result.status ?? 1);
}
