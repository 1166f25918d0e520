import { Lazy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { AutoInstrumentation, AutoInstrumentationOptions } from '../../src/sidecar/auto-instrumentation';
import { XRayAgent } from '../../src/sidecar/xray-agent';
import { XRaySidecar } from '../../src/sidecar/xray-sidecar';
import { createStack } from '../helpers/app';
import { expectError } from '../helpers/messages';

/*
 * Issue 26, "every image reference the library writes is valid": each agent's and each
 * auto-instrumentation image's `version` and `repository` follow the distribution reference
 * grammar (distribution/reference, reference.go): tag `[\w][\w.-]{0,127}`, or a digest
 * `sha256:<64 hex>`; repository `[host[:port]/]path-component(/path-component)*`.
 */

/** The tag the property fuzzer (seed 20261205) found accepted by every agent. */
const FUZZED_TAG = 'd/H#{J{:Jw';
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

interface ImageSource {
  /** The call that names the image in messages, e.g. `XRayAgent.daemon`. */
  readonly owner: string;
  /** Builds it; returns the image reference it renders. */
  readonly make: (options: { version?: string; repository?: string }) => string;
  readonly defaultRepository: string;
}

function agentImage(make: (o: { version?: string; repository?: string }) => XRayAgent): ImageSource['make'] {
  return (options) => {
    const { stack } = createStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
    taskDefinition.addContainer('App', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.12-slim') });
    return new XRaySidecar(stack, 'XRay', { taskDefinition, agent: make(options) }).imageName;
  };
}

function autoImage(make: (o: AutoInstrumentationOptions) => AutoInstrumentation): ImageSource['make'] {
  return (options) => make(options).imageName;
}

const SOURCES: ReadonlyArray<[string, ImageSource]> = [
  ['the X-Ray daemon', { owner: 'XRayAgent.daemon', make: agentImage((o) => XRayAgent.daemon(o)), defaultRepository: XRayAgent.DAEMON_REPOSITORY }],
  ['the CloudWatch agent', {
    owner: 'XRayAgent.cloudWatchAgent', make: agentImage((o) => XRayAgent.cloudWatchAgent(o)), defaultRepository: XRayAgent.CLOUDWATCH_AGENT_REPOSITORY,
  }],
  ['the ADOT collector', {
    owner: 'XRayAgent.adotCollector', make: agentImage((o) => XRayAgent.adotCollector(o)), defaultRepository: XRayAgent.ADOT_COLLECTOR_REPOSITORY,
  }],
  ...(['python', 'node', 'java', 'dotnet'] as const).map((language): [string, ImageSource] => [
    `ADOT ${language} auto-instrumentation`,
    {
      owner: `AutoInstrumentation.${language}`,
      make: autoImage((o) => AutoInstrumentation[language](o)),
      defaultRepository: `public.ecr.aws/aws-observability/adot-autoinstrumentation-${language}`,
    },
  ]),
];

/** What the distribution reference grammar allows, as the messages state it. */
const GRAMMAR = { version: '[\\w][\\w.-]{0,127}', repository: 'path component lowercase letters and digits' };

/** Asserts that `fn` throws the library's message naming `owner`, `prop`, the bad value and the grammar. */
function expectGrammarError(fn: () => unknown, owner: string, prop: 'version' | 'repository', value: string): void {
  expectError(fn, { path: owner, prop, value, allowed: GRAMMAR[prop] });
}

describe.each(SOURCES)('issue 26: the image of %s follows the distribution reference grammar', (_name, source) => {
  test(`throws for the fuzzed tag ${JSON.stringify(FUZZED_TAG)}`, () => {
    expectGrammarError(() => source.make({ version: FUZZED_TAG }), source.owner, 'version', FUZZED_TAG);
  });

  test.each([
    ['.v1'], ['-v1'], ['v1 '], [`v${'1'.repeat(128)}`], ['v1@sha256:abc'], [`v1@sha256:${'A'.repeat(64)}`], [`sha512:${'a'.repeat(128)}`],
  ])('throws for version %j', (version) => {
    expectGrammarError(() => source.make({ version }), source.owner, 'version', version);
  });

  test.each([
    ['Public.ecr.aws/Mirror'], ['[::1]:5000/mirror'], ['mirror/'], ['/mirror'], ['mirror//x'], ['mirror/x_-y'], ['my registry/x'], ['host:port/x'],
  ])('throws for repository %j', (repository) => {
    expectGrammarError(() => source.make({ repository }), source.owner, 'repository', repository);
  });

  test('a digest alone is accepted and rendered as repository@digest', () => {
    expect(source.make({ version: DIGEST })).toBe(`${source.defaultRepository}@${DIGEST}`);
  });

  test('a mirror with a host, a port and separators the grammar allows is accepted', () => {
    const repository = 'registry.example.com:5000/team__a/adot--mirror.x_y';
    expect(source.make({ repository, version: `v2.0.0@${DIGEST}` })).toBe(`${repository}:v2.0.0@${DIGEST}`);
  });

  test('tokens are not checked and are rendered as tokens', () => {
    const version = Lazy.string({ produce: () => 'v9.9.9' });
    const repository = Lazy.string({ produce: () => 'Not A Repository' });
    expect(Stack.of(createStack().stack).resolve(source.make({ version, repository }))).toBe('Not A Repository:v9.9.9');
  });
});

test('issue 26: the rendered agent image is the one in the template', () => {
  const { stack } = createStack();
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
  taskDefinition.addContainer('App', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.12-slim') });
  new XRaySidecar(stack, 'XRay', { taskDefinition, agent: XRayAgent.adotCollector({ version: DIGEST }) });
  const [task] = Object.values(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'));
  const images = (task.Properties.ContainerDefinitions as Array<{ Image: string }>).map((c) => c.Image);
  expect(images).toContain(`${XRayAgent.ADOT_COLLECTOR_REPOSITORY}@${DIGEST}`);
});
