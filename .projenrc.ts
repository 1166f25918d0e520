import { awscdk, javascript, JsonFile } from 'projen';

// Versions that work together on a machine with only the npm registry (see README, "Versions").
// aws-cdk-lib: the peer floor is 2.257.0 because cdk-nag 3 (a peer: XRayTracingChecks extends its
// NagPack) requires ^2.257.0; the dev copy is the floor itself, so every test runs against it.
// @aws-cdk/integ-runner 2.197.x reads cloud-assembly schema 53 at most (aws-cdk-lib <= 2.259.x).
const CDK_VERSION = '2.257.0';
const CONSTRUCTS_VERSION = '10.5.1';
// cdk-nag: a peer at ^3.0.0; projen installs the dev copy at that floor (3.0.0), as with aws-cdk-lib.
// src/checks imports lib/nag-pack and lib/nag-rules directly: present in 3.0.0 to 3.0.2.
const CDK_NAG_FLOOR = '3.0.0';
const CDK_CLI_VERSION = '2.1148.1';
const INTEG_RUNNER_VERSION = '2.197.10';
const INTEG_TESTS_ALPHA_VERSION = '2.245.0-alpha.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-xray-ecs',
  description:
    'AWS CDK constructs that put AWS X-Ray tracing beside Amazon ECS services: agent sidecar, IAM, app env contract, sampling rules, trace groups and checks.',
  author: 'cdk-xray-ecs developers',
  authorAddress: 'dev@example.com',
  repositoryUrl: 'https://github.com/cdk-xray-ecs/cdk-xray-ecs.git',
  keywords: ['aws-cdk', 'cdk', 'ecs', 'fargate', 'x-ray', 'xray', 'tracing', 'observability', 'cdk-nag'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  github: false,
  release: false,
  minNodeVersion: '20.0.0',

  cdkVersion: CDK_VERSION,
  constructsVersion: CONSTRUCTS_VERSION,
  jsiiVersion: '~6.0.0',

  peerDeps: [`cdk-nag@^${CDK_NAG_FLOOR}`],
  // The `cdk-xray-ecs` command (src/cli/): its argument parser. Not a jsii library, so it is
  // bundled into the package, as jsii requires for a non-jsii runtime dependency. Commander 14
  // supports Node 20 (15 needs Node 22.12).
  bundledDeps: ['commander@^14.0.3'],
  bin: { 'cdk-xray-ecs': 'bin/cdk-xray-ecs.js' },
  devDeps: [
    `aws-cdk@${CDK_CLI_VERSION}`,
    `@aws-cdk/integ-runner@${INTEG_RUNNER_VERSION}`,
    `@aws-cdk/integ-tests-alpha@${INTEG_TESTS_ALPHA_VERSION}`,
    'ajv@^8.17.1',
    'fast-check@^4.3.0',
    'aws-xray-sdk-core@3.12.0',
    'yaml@^2.8.0',
    // AWS Control Tower's proactive controls as cfn-guard rules, with the cfn-guard binary (no download).
    '@cdklabs/cdk-validator-cfnguard@0.0.62',
    // The browser test of `local-agent --ui` drives Debian's `chromium` (never a browser download).
    'playwright-core@^1.65.1',
  ],

  jestOptions: {
    // Snapshots never update silently: `npx projen test:update` is the explicit way.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testPathIgnorePatterns: ['/node_modules/', '\\.snapshot/', '/cdk\\.out/'],
      coveragePathIgnorePatterns: ['/node_modules/', '/test/'],
      testTimeout: 60_000,
      // jest's default leaves one core idle; on a 2-core machine that doubles the run. The e2e
      // suites share 127.0.0.1:2000 and wait for each other (test/e2e/peers.ts).
      maxWorkers: '100%',
      // One temporary folder per run, removed at the end: the `cdk.out*` folder of every
      // `new App()`, and whatever else lands in os.tmpdir(), goes there (test/setup/temp-folder.ts).
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    },
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'lib-examples', 'bench'],
  },
  gitignore: ['cdk.out/', 'bench/results/', 'cdk-integ.out.*/', 'test/**/cdk.out/', '/.cli-test-compile.lock/'],
  docgen: true,
  // Source maps beside the JavaScript (lib/**/*.js.map, published), not inlined in it: an app that
  // imports the library then neither parses nor keeps in memory the maps and the TypeScript
  // sources (loading all of lib/ took 2.9 MiB of heap with them inlined, 1.3 MiB without), and
  // `node --enable-source-maps` still finds them.
  tsconfig: {
    compilerOptions: { inlineSourceMap: false, inlineSources: true, sourceMap: true },
  },
});

// The example app that `npx cdk synth` runs from a fresh clone. It imports the library from src/,
// so no build is needed first; --transpile-only keeps synth fast (type-checking is the build's job).
for (const pattern of ['/lib-examples/', '/bench/', '/.ci/', '/cdk.json', '/cdk.out/', '/ARCHITECTURE.md']) {
  project.npmignore?.exclude(pattern);
}
// The TypeScript sources ship beside lib/: every lib/**/*.js.map names `../../src/<file>.ts`, and
// `node --enable-source-maps` prints that path in stack traces, so it must exist in
// node_modules/cdk-xray-ecs (test/build/source-maps.test.ts). Never tests (test/ stays excluded).
project.npmignore?.include('/src/');
project.npmignore?.exclude('/src/**/*.test.ts', '/src/**/__tests__/');

new JsonFile(project, 'cdk.json', {
  obj: {
    app: 'npx ts-node --transpile-only --project lib-examples/tsconfig.json lib-examples/afirgen/app.ts',
    output: 'cdk.out',
    context: {
      '@aws-cdk/core:newStyleStackSynthesis': true,
    },
  },
});

// lib-examples/ is type-checked by the build but not shipped (see npmignore above).
new JsonFile(project, 'lib-examples/tsconfig.json', {
  obj: {
    extends: '../tsconfig.json',
    compilerOptions: { noEmit: true, rootDir: '..' },
    include: ['**/*.ts'],
    exclude: ['node_modules'],
  },
});

const typecheck = project.addTask('typecheck', {
  description: 'Type-check tests, examples and benchmarks (jest only transpiles)',
  steps: [
    { exec: 'tsc --noEmit -p test/tsconfig.json' },
    { exec: 'tsc --noEmit -p lib-examples/tsconfig.json' },
    { exec: 'tsc --noEmit -p bench/tsconfig.json' },
  ],
});

// The compiled index loads each module on first use (projenrc/lazy-index.ts): an app pays only
// for the parts of the library it imports. Part of the compile task, right after jsii (the rewrite
// is idempotent), so `npx projen compile && npx projen package` ships the same lazy index as
// `npx projen build`. (`npx projen watch` runs bare `jsii -w`: its lib/ has the eager index.)
const LAZY_INDEX = 'ts-node --transpile-only --project projenrc/tsconfig.json projenrc/lazy-index.ts';
// First, jsii's leftovers: lib/ files whose src/ file was moved or deleted would be packed too.
project.compileTask.exec('ts-node --transpile-only --project projenrc/tsconfig.json projenrc/prune-lib.ts lib src');
project.compileTask.exec(`${LAZY_INDEX} lib`);

// Packaging refuses a lib/ that is missing (a fresh clone) or has the eager index, with a message
// saying to run `npx projen compile` (projenrc/package-guard.ts). First step of `package` (which
// spawns package:js under CI=true, package-all otherwise) and of `package:js` itself.
const PACKAGE_GUARD = 'ts-node --transpile-only --project projenrc/tsconfig.json projenrc/package-guard.ts';
project.packageTask.prependExec(PACKAGE_GUARD);
project.tasks.tryFind('package:js')?.prependExec(PACKAGE_GUARD);

// The synth benchmark (bench/README.md): not part of the tests; options pass through
// (`npx projen bench --quick`, `--runs=15`). Its own build gets the same lazy index as lib/.
project.addTask('bench', {
  description: 'Synth benchmark: the library against hand-written aws-cdk-lib (bench/README.md)',
  steps: [
    { exec: 'tsc -p bench/tsconfig.synth.json' },
    { exec: `${LAZY_INDEX} bench/results/build/src` },
    { exec: 'node bench/results/build/bench/run.js', receiveArgs: true },
  ],
});

// The local-agent benchmark (bench/local-agent.ts): segments/s without drops and peak RSS at 1,000
// kept traces, on the compiled command (run `npx projen compile` first). Not a test.
project.addTask('bench:local-agent', {
  description: 'Benchmark of `cdk-xray-ecs local-agent` (bench/local-agent.ts; needs lib/ compiled)',
  exec: 'ts-node --transpile-only --project bench/tsconfig.json bench/local-agent.ts',
  receiveArgs: true,
});

// integ-runner runs each test/integ.*.ts through ts-node (transpile only) and compares the result
// with the committed `*.snapshot` folder; with no AWS credentials it never deploys.
const integApp = 'node -r ts-node/register/transpile-only {filePath}';
// No stack traces in the snapshots' metadata: they hold this machine's absolute paths.
const integEnv = { CDK_DISABLE_STACK_TRACE: '1' };
const integ = project.addTask('integ', {
  description: 'Verify the committed integ-runner snapshots (no deploy)',
  env: integEnv,
  exec: `integ-runner --language typescript --directory test --app "${integApp}" --parallel-regions us-east-1`,
});
project.addTask('integ:update', {
  description: 'Re-create the integ-runner snapshots without deploying (review the diff before committing)',
  env: integEnv,
  exec: `integ-runner --language typescript --directory test --app "${integApp}" --parallel-regions us-east-1 --update-on-failed --dry-run --force`,
});

const synthExample = project.addTask('synth:example', {
  description: 'Synthesize the AFIRGen example app in lib-examples/ (cdk.json)',
  exec: 'cdk synth --quiet',
});

project.testTask.spawn(typecheck);
project.testTask.spawn(integ);
project.testTask.spawn(synthExample);

project.synth();
