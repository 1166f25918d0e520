import * as ecs from 'aws-cdk-lib/aws-ecs';
import { XRAY_SIDECAR } from './constructs';
import { propertyTest } from './jest-property';
import { XRayAgent } from '../../src/sidecar/xray-agent';
import { XRaySidecar } from '../../src/sidecar/xray-sidecar';
import { createStack } from '../helpers/app';

describe('XRaySidecar property (random task definition kind, size and network mode; random agent, sizes and versions)', () => {
  propertyTest(XRAY_SIDECAR);
});

describe('XRaySidecar regressions found by fuzzing (fixed in src)', () => {
  function fargateTask() {
    const { stack } = createStack();
    return { stack, taskDefinition: new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 }) };
  }

  // containerName is only checked for length (1 to 255). ECS accepts container names of letters,
  // digits, `_` and `-` only, so the task definition fails to register at deploy time.
  // Proposed fix (xray-sidecar.ts): validateCharacters('containerName', containerName, /^[A-Za-z0-9_-]$/, 'letters, digits, _ and -').
  test('throws for a containerName ECS cannot register', () => {
    const { stack, taskDefinition } = fargateTask();
    expect(() => new XRaySidecar(stack, 'XRay', { taskDefinition, containerName: 'xray daemon' })).toThrow(/containerName/);
  });

  // The agent version is only checked for being a non-empty, non-`latest` tag. A tag with other
  // characters makes an image ECS rejects ("Up to 255 letters, numbers, hyphens, underscores,
  // colons, periods, forward slashes, and number signs"), and Docker allows only [A-Za-z0-9_.-]
  // (first not `.`/`-`, at most 128). Proposed fix (validatePinnedImage / pinnedImageName): check
  // the tag against /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/ (digest part aside).
  test.each([
    ['daemon', '3.6.6 '],
    ['cloudWatchAgent', '1.300071.0b1720\n'],
    ['adotCollector', 'v0.49.0 beta'],
  ] as const)('XRayAgent.%s throws for version %j', (kind, version) => {
    expect(() => XRayAgent[kind]({ version })).toThrow(/version/);
  });
});
