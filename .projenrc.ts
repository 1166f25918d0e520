import { awscdk, javascript, JsonFile } from 'projen';

// Versions that work together on a machine with only the npm registry (see README, "Versions").
// aws-cdk-lib: the peer floor is 2.258.0, the first release that hands validation plugins the
// construct tree (`appConstruct`): cdk-nag 3's packs need it (at 2.257.0 they throw `NagPack requires
// a construct tree on the validation context`), and from 2.258.0 a failed plugin report also fails
// `cdk synth`. The dev copy is the floor itself, so every test runs against it.
const CDK_VERSION = '2.258.0';
// @aws-cdk/integ-runner 2.197.10 (the newest) reads cloud-assembly schema 53 at most; aws-cdk-lib
// 2.258.0 writes 54. The integ apps therefore run on aws-cdk-lib 2.257.0, pinned in peers/integ
// (own package.json and lockfile), through peers/redirect.js.
const INTEG_PEERS = 'peers/integ';
// The newest aws-cdk-lib and cdk-nag, pinned in peers/newest: the test:newest-peers lane.
const NEWEST_PEERS = 'peers/newest';
const PEERS_NPM_CI = (dir: string) => `npm ci --prefix ${dir} --prefer-offline --no-audit --no-fund`;
// integ and test:newest-peers install their peers only when missing, during the test task, after post-compile:
// not earlier, because jsii-docgen (post-compile) reads every .jsii under the project folder and
// would race an npm ci writing peers/*/node_modules.
const peersInstallStep = (dir: string) => ({ exec: PEERS_NPM_CI(dir), condition: `[ ! -d ${dir}/node_modules/aws-cdk-lib ]` });
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
  // Released as cdklabs libraries are: projen's GitHub workflows (build, release, upgrade), the
  // version and CHANGELOG from conventional commits (`npx projen release`: bump, build, unbump),
  // then publishing to npm, PyPI, Maven Central, NuGet and the Go repository (ids below).
  github: true,
  release: true,
  releaseToNpm: true,
  // commit-and-tag-version 13 (projen's default) requires Node 22; 12 runs on Node 20 (engines).
  bumpPackage: 'commit-and-tag-version@^12',
  // The first release is CHANGELOG.md's 0.1.0 (the history before it is not in conventional
  // commits, which would make it 0.0.0); once its tag exists, conventional commits decide.
  nextVersionCommand: 'git rev-parse -q --verify "refs/tags/$LATEST_TAG" >/dev/null || echo 0.1.0',
  workflowNodeVersion: '20.x',
  // engines `>= 20.0.0`: aws-cdk-lib's own floor, and the Node CI runs (README "Set up" says the same;
  // test/build/node-versions.test.ts). jsii supports 22 and 24 and builds on 20 with a warning.
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
    // The CloudWatch agent's own config schema is JSON Schema draft-04 (test/sidecar/agent-schema.test.ts).
    'ajv-draft-04@^1.0.0',
    // The real ADOT Node.js auto-instrumentation for the OTLP end-to-end test (test/e2e/adot-node.test.ts).
    // The library pins image v0.12.0; the registry has 0.10.0 and 0.13.0, and 0.13.0 is the nearest.
    '@aws/aws-distro-opentelemetry-node-autoinstrumentation@0.13.0',
    // The browser test of `local-agent --ui` drives Debian's `chromium` (never a browser download).
    'playwright-core@^1.65.1',
    // The JavaScript process every non-TypeScript binding talks to, at jsii-pacmak's version: the
    // README's Python examples are replayed against it as jsii-Python's requests (test/bindings/).
    // The tests run its self-contained webpack bundle (webpack/bin/jsii-runtime.js), the very files
    // jsii-Python embeds; see the override below for its unused @jsii/kernel dependency.
    '@jsii/runtime@1.140.0',
    // The assemblies' types, for the replay (already installed with jsii-pacmak, at its version).
    '@jsii/spec@1.140.0',
  ],

  jestOptions: {
    // Snapshots never update silently: `npx projen test:update` is the explicit way.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testPathIgnorePatterns: ['/node_modules/', '\\.snapshot/', '/cdk\\.out/'],
      // No coverage in the build: V8's block coverage slows every loaded module, aws-cdk-lib
      // included, and nearly doubled the suite on 2 cores (183 s against 105 s). Nothing gates on
      // it; `npx projen test:coverage` writes the report (coverage/) when wanted.
      collectCoverage: false,
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
  gitignore: ['cdk.out/', 'bench/results/', 'bench/peers/build/', 'cdk-integ.out.*/', 'test/**/cdk.out/', '/.cli-test-compile.lock/'],
  docgen: true,

  // jsii targets, declared as cdklabs libraries do. The repository is
  // github.com/cdk-xray-ecs/cdk-xray-ecs (repositoryUrl above), so every id below is derived from
  // what its owner, the GitHub account `cdk-xray-ecs`, can prove it owns:
  // - PyPI: the npm name as the distribution, the usual snake_case module (`import cdk_xray_ecs`).
  // - Maven: Sonatype verifies a GitHub account `<owner>` for the namespace `io.github.<owner>`,
  //   hence the groupId `io.github.cdk-xray-ecs`. A Java package cannot hold `-`, so the package
  //   is the same name with `_` (as the Java language specification suggests for such domains),
  //   followed by the library's own segment.
  // - NuGet: namespace and package id in the library's PascalCase, as `Cdklabs.CdkNag` is for cdk-nag.
  // - Go: jsii publishes Go sources to a repository of their own next to this one, named
  //   `<repository>-go` (as cdklabs/cdk-nag-go is for cdklabs/cdk-nag); the package below it is
  //   `cdkxrayecs`, so a Go app imports github.com/cdk-xray-ecs/cdk-xray-ecs-go/cdkxrayecs.
  // Code for all four is generated and checked by every build (`bindings` task below); packaging
  // needs each language's toolchain and registry access and stays out of the default build.
  publishToPypi: { distName: 'cdk-xray-ecs', module: 'cdk_xray_ecs' },
  publishToMaven: {
    mavenGroupId: 'io.github.cdk-xray-ecs',
    mavenArtifactId: 'cdk-xray-ecs',
    javaPackage: 'io.github.cdk_xray_ecs.cdkxrayecs',
  },
  publishToNuget: { dotNetNamespace: 'CdkXrayEcs', packageId: 'CdkXrayEcs' },
  publishToGo: { moduleName: 'github.com/cdk-xray-ecs/cdk-xray-ecs-go' },
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
for (const pattern of ['/lib-examples/', '/bench/', '/peers/', '/.ci/', '/cdk.json', '/cdk.out/', '/ARCHITECTURE.md']) {
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

// Tests, examples and benchmarks type-checked as one program: aws-cdk-lib's declarations are read
// once instead of three times (9 s instead of 23 s here). Options are the tests' (isolated
// modules, as ts-jest transpiles them), which are at least as strict as the other two's.
new JsonFile(project, 'tsconfig.typecheck.json', {
  obj: {
    extends: './tsconfig.json',
    compilerOptions: { noEmit: true, rootDir: '.', declaration: false, isolatedModules: true, stripInternal: true },
    include: ['test/**/*.ts', 'lib-examples/**/*.ts', 'bench/*.ts'],
    exclude: ['node_modules'],
  },
});
project.addPackageIgnore('/tsconfig.typecheck.json');
const typecheck = project.addTask('typecheck', {
  description: 'Type-check tests, examples and benchmarks in one program (jest only transpiles)',
  exec: 'tsc --noEmit -p tsconfig.typecheck.json',
});

// jsii's `--silence-warnings=reserved-word` (projen's default compile flag) stays, on purpose: the
// only reserved-word warnings are FilterExpression's `and`, `or`, `not` (Python keywords, `and_`,
// `or_`, `not_` in the binding) and `error` (a Go predeclared name; Go exports it as `Error`
// anyway). Those names are the filter language's own words. jsii-pacmak renames them, the README
// says so ("Names per language"), and test/build/bindings.test.ts checks the generated Python.
// Every other jsii diagnostic (a union type, a non-struct argument) is an error that fails compile.

// Examples that cannot rot: every TypeScript example of the README and of the docstrings (both
// are in .jsii) is compiled by jsii-rosetta in strict mode inside rosetta/default.ts-fixture,
// generated from .jsii first (projenrc/rosetta-fixture.ts: every cdk-xray-ecs name, aws-cdk-lib
// modules, a Stack and the README's free variables). `-b` compiles all examples in one TypeScript
// program instead of one program each (half the CPU time). The translations land in
// .jsii.tabl.json; the last step gives their Python the binding's names for keyword members.
// To rerun it alone after `npx projen compile`: `npx projen rosetta`.
const rosetta = project.addTask('rosetta', {
  description: 'Compile every README and docstring example with jsii-rosetta (strict), translate them',
  steps: [
    { exec: 'ts-node --transpile-only --project projenrc/tsconfig.json projenrc/rosetta-fixture.ts' },
    { exec: 'jsii-rosetta extract --strict -b 1000' },
    { exec: 'ts-node --transpile-only --project projenrc/tsconfig.json projenrc/rosetta-python-names.ts .jsii.tabl.json' },
  ],
});
project.gitignore.exclude('/.jsii.tabl.json', '/rosetta/default.ts-fixture');

// The README's `<!-- rosetta: python -->` sections (the Python quick start, names per language),
// rewritten from the tablet when a TypeScript block above one changes. Not part of the build:
// test/bindings/jsii-python.test.ts fails while a section differs from rosetta's translation.
project.addTask('readme:translations', {
  description: 'Rewrite the README\'s generated translations from the tablet (after `npx projen rosetta`)',
  exec: 'ts-node --transpile-only --project projenrc/tsconfig.json projenrc/readme-translations.ts README.md .jsii.tabl.json',
});

// Code generation for every declared target, in one jsii-pacmak run (--code-only needs none of
// the toolchains: no python venv, mvn, dotnet or go), then a Python byte-compile of the result.
// test/build/bindings.test.ts reads dist/bindings/python: it is the build's only check that the
// translated examples are Python the binding accepts (about 12 s here, so it stays in the build).
const BINDINGS_DIR = 'dist/bindings';
const bindings = project.addTask('bindings', {
  description: 'Generate the Python, Java, .NET and Go bindings (code only) and byte-compile the Python',
  steps: [
    {
      exec: `jsii-pacmak --code-only --force --target python --target java --target dotnet --target go --outdir ${BINDINGS_DIR} --rosetta-tablet .jsii.tabl.json`,
    },
    { exec: `python3 -m compileall -q ${BINDINGS_DIR}/python/src` },
  ],
});

// The Python reference, beside API.md (TypeScript), from the same assembly and the tablet above.
const docgenPython = project.addTask('docgen:python', {
  description: 'Write API.python.md (the Python API reference)',
  exec: 'jsii-docgen -l python -o API.python.md',
});
project.postCompileTask.spawn(rosetta);
project.postCompileTask.spawn(bindings);
project.postCompileTask.spawn(docgenPython);

// Packaging: `npx projen package` packs npm only. package:python, package:java, package:dotnet and
// package:go stay as tasks for a machine with that toolchain and its registry (pip/twine, mvn and
// Maven Central, dotnet and NuGet, go): this machine has python3 and a JDK with mvn but reaches
// no registry other than npm's, and has neither dotnet nor go.
const packageAll = project.tasks.tryFind('package-all');
packageAll?.reset();
packageAll?.spawn(project.tasks.tryFind('package:js')!);

// The synth benchmark (bench/README.md): not part of the tests; options pass through
// (`npx projen bench --quick`, `--runs=15`).
project.addTask('bench', {
  description: 'Synth benchmark: the library against hand-written aws-cdk-lib (bench/README.md)',
  steps: [
    { exec: 'tsc -p bench/tsconfig.synth.json' },
    { exec: 'node bench/results/build/bench/run.js', receiveArgs: true },
  ],
});
// Against the peer libraries (bench/README.md, "Against the peers"): they are installed apart in
// bench/peers/ (own package.json and lockfile), so the project's install and CI are unchanged.
project.addTask('bench:peers', {
  description: 'Synth benchmark: the library against ecs-service-extensions and datadog-cdk-constructs-v2 (bench/README.md)',
  steps: [
    { exec: 'npm ci --prefix bench/peers --no-audit --no-fund' },
    { exec: 'tsc -p bench/peers/tsconfig.json' },
    { exec: 'tsc -p bench/tsconfig.synth.json' },
    { exec: 'node bench/results/build/bench/run-peers.js', receiveArgs: true },
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
// Its apps take aws-cdk-lib and constructs from peers/integ (see INTEG_PEERS above).
const integApp = 'node -r ts-node/register/transpile-only -r ./peers/redirect.js {filePath}';
// No stack traces in the snapshots' metadata: they hold this machine's absolute paths.
const integEnv = { CDK_DISABLE_STACK_TRACE: '1', PEERS_DIR: INTEG_PEERS };
const integ = project.addTask('integ', {
  description: 'Verify the committed integ-runner snapshots (no deploy)',
  env: integEnv,
  steps: [
    peersInstallStep(INTEG_PEERS),
    { exec: `integ-runner --language typescript --directory test --app "${integApp}" --parallel-regions us-east-1` },
  ],
});
project.addTask('integ:update', {
  description: 'Re-create the integ-runner snapshots without deploying (review the diff before committing)',
  env: integEnv,
  steps: [
    peersInstallStep(INTEG_PEERS),
    { exec: `integ-runner --language typescript --directory test --app "${integApp}" --parallel-regions us-east-1 --update-on-failed --dry-run --force` },
  ],
});

// Every example in lib-examples/, synthesized against the compiled lib/ with the newest peers
// (peers/newest) and JSII_DEPRECATED=fail: any deprecated aws-cdk-lib API the library calls throws.
const newestPeers = project.addTask('test:newest-peers', {
  description: 'Synthesize every lib-examples/ app against lib/ with the newest aws-cdk-lib and cdk-nag (peers/newest), JSII_DEPRECATED=fail',
  steps: [
    peersInstallStep(NEWEST_PEERS),
    { exec: 'node peers/synth-examples.js' },
  ],
});
project.addTask('peers:install', {
  description: 'Install the pinned peers of integ (peers/integ) and of test:newest-peers (peers/newest)',
  steps: [{ exec: PEERS_NPM_CI(INTEG_PEERS) }, { exec: PEERS_NPM_CI(NEWEST_PEERS) }],
});

const synthExample = project.addTask('synth:example', {
  description: 'Synthesize the AFIRGen example app in lib-examples/ (cdk.json)',
  exec: 'cdk synth --quiet',
});

// `npx projen test` runs the checks one after another: jest, eslint, the type-check, integ, the
// examples against the newest peers and the example's synth. The build is projen's own: default,
// pre-compile, compile, post-compile, test, package (lanes side by side saved 28 s of 259 s on a
// fresh clone here, and were removed in issue 27; bench/README.md, "The build's lanes, measured").
const JEST = 'jest --passWithNoTests --ci';
const jest = project.addTask('test:jest', {
  description: 'Run jest (no coverage: `npx projen test:coverage`)',
  exec: JEST,
  receiveArgs: true,
});
project.addTask('test:coverage', {
  description: 'Run jest with the coverage report in coverage/ (istanbul instruments src/ only: faster than V8 coverage)',
  exec: `${JEST} --coverage --coverageProvider=babel`,
  receiveArgs: true,
});
const eslint = project.tasks.tryFind('eslint')!;
project.testTask.reset();
for (const task of [jest, eslint, typecheck, integ, newestPeers, synthExample]) project.testTask.spawn(task);

// @jsii/runtime 1.140.0 depends on @jsii/kernel ^1.140.0, which the registry this project installs
// from does not have (only 1.22.0). The tests never load it: they run the runtime's webpack bundle,
// which has the kernel built in. So the dependency is satisfied with the version the registry has.
project.package.addField('overrides', { '@jsii/runtime': { '@jsii/kernel': '1.22.0' } });

project.synth();
