import { spawnSync } from 'child_process';
import * as path from 'path';
import * as nag from 'cdk-nag';
import * as core from '../../../src/checks/private/cdk-nag-core';

const REPO_ROOT = path.join(__dirname, '..', '..', '..');

describe('cdk-nag-core', () => {
  test('re-exports the very classes and enums cdk-nag\'s entry point exports', () => {
    // If a cdk-nag release moves them, the deep imports break here, not in a user's synth.
    expect(core.NagPack).toBe(nag.NagPack);
    expect(core.NagRuleCompliance).toBe(nag.NagRuleCompliance);
    expect(core.NagMessageLevel).toBe(nag.NagMessageLevel);
    expect(core.NagRuleCompliance.NON_COMPLIANT).toBe(nag.NagRuleCompliance.NON_COMPLIANT);
  });

  test('importing the library does not load cdk-nag\'s own packs; importing cdk-nag does', () => {
    // A fresh Node process (jest keeps its own module registry), the library's entry point from
    // the sources. The second script is the control: it shows the probe sees the packs when they
    // are loaded, so the first result cannot pass by never seeing them.
    const probe = (what: string) => {
      const script =
        `${what}; const loaded = Object.keys(require.cache).filter((k) => k.includes(${JSON.stringify(path.join('cdk-nag', 'lib', 'packs'))}));` +
        'process.stdout.write(JSON.stringify({ packs: loaded.length, checks: typeof exported }));';
      const result = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        env: { ...process.env, TS_NODE_PROJECT: path.join(REPO_ROOT, 'lib-examples', 'tsconfig.json') },
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      return JSON.parse(result.stdout) as { packs: number; checks: string };
    };
    const library = probe("const exported = require('./src').XRayTracingChecks");
    expect(library.checks).toBe('function');
    expect(library.packs).toBe(0);
    const control = probe("const exported = require('cdk-nag').AwsSolutionsChecks");
    expect(control.checks).toBe('function');
    expect(control.packs).toBeGreaterThan(0);
  }, 60_000);
});
