/** The harness must be able to fail: each check is shown to catch what it is for. */
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { isForgedToken } from './arbitraries';
import { checkTaskDefinitions, checkXRaySchemas, InvariantViolation, unclearError } from './harness';
import { createStack } from '../helpers/app';

describe('unclearError', () => {
  test('accepts the library\'s own messages, also inside aws-cdk-lib\'s validation report', () => {
    expect(unclearError(new Error('priority must be an integer from 1 to 9999, got 0'), ['priority'])).toBeUndefined();
    const report = new Error('Validation failed with the following errors:\n  [S/Task] task S/Task needs cpu 600 (app 512 + agent 88) but the task has cpu 512');
    expect(unclearError(report, ['cpu'])).toBeUndefined();
  });

  test('rejects TypeErrors, aws-cdk-lib errors, capitalized messages and messages that name no prop', () => {
    expect(unclearError(new TypeError('Cannot read properties of undefined'), ['x'])).toMatch(/TypeError/);
    let cdkError: unknown;
    try {
      new ecs.FargateTaskDefinition(createStack().stack, 'Task', { cpu: 256, memoryLimitMiB: 512, ephemeralStorageGiB: 5 });
    } catch (err) {
      cdkError = err;
    }
    expect(unclearError(cdkError, ['cpu'])).toMatch(/ValidationError/);
    expect(unclearError(new Error('Priority must be ...'), ['priority'])).toMatch(/lowercase/);
    expect(unclearError(new Error('something went wrong'), ['priority'])).toMatch(/names none/);
    expect(unclearError('a string', ['priority'])).toMatch(/non-Error/);
    const report = new Error('Validation failed with the following errors:\n  [S/Task/App] ECS Container App must have at least one of memoryLimitMiB');
    expect(unclearError(report, ['memoryLimitMiB'])).toMatch(/lowercase/);
  });
});

describe('checkTaskDefinitions', () => {
  const td = (props: Record<string, unknown>) => ({ Resources: { T: { Type: 'AWS::ECS::TaskDefinition', Properties: props } } });
  const app = { Name: 'app', Image: 'repo/app:1', Cpu: 256, Memory: 512 };

  test('passes a Fargate task its containers fit', () => {
    expect(() => checkTaskDefinitions(td({ RequiresCompatibilities: ['FARGATE'], Cpu: '512', Memory: '1024', ContainerDefinitions: [app] }))).not.toThrow();
  });

  test.each([
    ['fargate-size', { RequiresCompatibilities: ['FARGATE'], Cpu: 'Infinity', Memory: '1024', ContainerDefinitions: [app] }],
    ['fargate-size', { RequiresCompatibilities: ['FARGATE'], Cpu: '256', Memory: '4096', ContainerDefinitions: [app] }],
    ['containers-fit-cpu', { Cpu: '128', ContainerDefinitions: [app] }],
    ['containers-fit-memory', { Memory: '256', ContainerDefinitions: [app] }],
    ['ecs-container-name', { ContainerDefinitions: [{ ...app, Name: 'x y' }] }],
    ['ecs-image', { ContainerDefinitions: [{ ...app, Image: 'repo/app:1 2' }] }],
  ])('reports %s', (invariant, props) => {
    let caught: unknown;
    try {
      checkTaskDefinitions(td(props));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvariantViolation);
    expect((caught as InvariantViolation).invariant).toBe(invariant);
  });
});

describe('checkXRaySchemas', () => {
  test('reports a schema-invalid sampling rule', () => {
    const template = {
      Resources: {
        R: {
          Type: 'AWS::XRay::SamplingRule',
          Properties: {
            SamplingRule: {
              RuleName: 'r',
              Priority: 1,
              FixedRate: 2,
              ReservoirSize: 1,
              ServiceName: '*',
              ServiceType: '*',
              Host: '*',
              HTTPMethod: '*',
              URLPath: '*',
              ResourceARN: '*',
              Version: 1,
            },
          },
        },
      },
    };
    expect(() => checkXRaySchemas(template)).toThrow(/xray-schema: .*FixedRate must be <= 1/);
  });
});

describe('unclearError on a validation report carrying a line terminator', () => {
  test('reads each `[path] message` line whole', () => {
    const report = new Error('Validation failed with the following errors:\n  [S/Task] task S/Task needs 1279 MiB of memory (a\r 120) but the task has 131 MiB');
    expect(unclearError(report, ['memory'])).toBeUndefined();
  });
});

describe('isForgedToken', () => {
  test('is true exactly for numbers aws-cdk-lib would read as a token', () => {
    expect(isForgedToken(-1.937559590694668e+289)).toBe(true); // a double-encoded token
    expect(isForgedToken(-1.2444144340728556e+289)).toBe(true); // stringifies like one
    expect(isForgedToken(-1e289)).toBe(false);
    expect(isForgedToken(512)).toBe(false);
    expect(isForgedToken(NaN)).toBe(false);
  });
});
