import { AspectPriority, Aspects, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { XRayTracingAspect } from '../../src/aspects/xray-tracing-aspect';
import { TracedFargateService } from '../../src/services/traced-fargate-service';
import { XRayAgent } from '../../src/sidecar/xray-agent';
import { AgentReadiness, XRaySidecarOptions } from '../../src/sidecar/xray-sidecar';
import { createCluster, createStack } from '../helpers/app';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27');

type ContainerJson = Record<string, any>;

/** What one option is set to, and how the template shows it. */
interface OptionCase<K extends keyof XRaySidecarOptions> {
  readonly value: (stack: Stack) => NonNullable<XRaySidecarOptions[K]>;
  readonly check: (agent: ContainerJson, app: ContainerJson, template: Template) => void;
}

/** The log group resource the agent's awslogs driver writes to. */
function agentLogGroup(agent: ContainerJson, template: Template): { id: string; resource: Record<string, any> } {
  const ref = agent.LogConfiguration.Options['awslogs-group'];
  expect(Object.keys(ref)).toEqual(['Ref']);
  const resource = template.toJSON().Resources[ref.Ref];
  expect(resource.Type).toBe('AWS::Logs::LogGroup');
  return { id: ref.Ref, resource };
}

/**
 * Every option of `XRaySidecarOptions`, once: the mapped type makes the compiler reject this table
 * when an option is added to the interface and not here.
 */
const CASES: { readonly [K in keyof Required<XRaySidecarOptions>]: OptionCase<K> } = {
  agent: {
    value: () => XRayAgent.cloudWatchAgent(),
    check: (agent) => {
      expect(agent.Image).toBe(`${XRayAgent.CLOUDWATCH_AGENT_REPOSITORY}:${XRayAgent.DEFAULT_CLOUDWATCH_AGENT_VERSION}`);
      expect(agent.Environment.map((kv: { Name: string }) => kv.Name)).toEqual(['CW_CONFIG_CONTENT']);
    },
  },
  cpu: {
    value: () => 64,
    check: (agent) => expect(agent.Cpu).toBe(64),
  },
  memoryReservationMiB: {
    value: () => 300,
    check: (agent) => expect(agent).toMatchObject({ MemoryReservation: 300, Memory: 600 }),
  },
  memoryLimitMiB: {
    value: () => 400,
    check: (agent) => expect(agent).toMatchObject({ MemoryReservation: 256, Memory: 400 }),
  },
  essential: {
    value: () => true,
    check: (agent) => {
      expect(agent.Essential).toBe(true);
      expect(agent.RestartPolicy).toEqual({ Enabled: false });
    },
  },
  enableRestartPolicy: {
    value: () => false,
    check: (agent) => {
      expect(agent.Essential).toBe(false);
      expect(agent.RestartPolicy).toEqual({ Enabled: false });
    },
  },
  logRetention: {
    value: () => logs.RetentionDays.TWO_WEEKS,
    check: (agent, _app, template) => {
      const { id, resource } = agentLogGroup(agent, template);
      expect(id).toMatch(/XRayTracingLogGroup/);
      expect(resource.Properties.RetentionInDays).toBe(14);
    },
  },
  logGroup: {
    value: (stack) => new logs.LogGroup(stack, 'AgentLogs', { retention: logs.RetentionDays.THREE_DAYS }),
    check: (agent, _app, template) => {
      const { id, resource } = agentLogGroup(agent, template);
      expect(id).toMatch(/^AgentLogs/);
      expect(resource.Properties.RetentionInDays).toBe(3);
      expect(Object.keys(template.toJSON().Resources).filter((k) => k.includes('XRayTracingLogGroup'))).toEqual([]);
    },
  },
  readonlyRootFilesystem: {
    // The daemon runs read-only by default: false is the setting that shows.
    value: () => false,
    check: (agent) => expect(agent.ReadonlyRootFilesystem).toBe(false),
  },
  containerName: {
    value: () => 'tracing-agent',
    check: (agent, app) => {
      expect(agent.Name).toBe('tracing-agent');
      expect(app.DependsOn).toEqual([{ ContainerName: 'tracing-agent', Condition: 'START' }]);
    },
  },
  // HEALTHY needs the ADOT collector (test/sidecar/auto-instrumentation.test.ts); with the default
  // daemon only STARTED is allowed, and it is what the app waits for.
  agentReady: {
    value: () => AgentReadiness.STARTED,
    check: (agent, app) => {
      expect(agent.HealthCheck).toBeUndefined();
      expect(app.DependsOn).toEqual([{ ContainerName: 'xray-daemon', Condition: 'START' }]);
    },
  },
};

const KEYS = Object.keys(CASES) as Array<keyof XRaySidecarOptions>;

function optionsFor(key: keyof XRaySidecarOptions, stack: Stack): XRaySidecarOptions {
  return { [key]: (CASES[key] as OptionCase<typeof key>).value(stack) };
}

/** The app container and the agent container of the one task definition of `stack`. */
function appAndAgent(stack: Stack, appName: string): { app: ContainerJson; agent: ContainerJson; template: Template } {
  const template = Template.fromStack(stack);
  const defs = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
  expect(defs).toHaveLength(1);
  const containers: ContainerJson[] = defs[0].Properties.ContainerDefinitions;
  expect(containers).toHaveLength(2);
  const app = containers.find((c) => c.Name === appName)!;
  const agent = containers.find((c) => c.Name !== appName)!;
  expect(app).toBeDefined();
  return { app, agent, template };
}

describe('options once: every XRaySidecarOptions key reaches the template', () => {
  test('the table has every option', () => {
    expect([...KEYS].sort()).toEqual([
      'agent', 'agentReady', 'containerName', 'cpu', 'enableRestartPolicy', 'essential', 'logGroup', 'logRetention', 'memoryLimitMiB', 'memoryReservationMiB',
      'readonlyRootFilesystem',
    ]);
  });

  test.each(KEYS)('through TracedFargateService sidecar: %s', (key) => {
    // GIVEN
    const { app: cdkApp, stack } = createStack();
    // WHEN
    new TracedFargateService(stack, 'Svc', {
      cluster: createCluster(stack), serviceName: 'afirgen-main-backend', image: IMAGE, sidecar: optionsFor(key, stack),
    });
    // THEN
    expect(() => cdkApp.synth()).not.toThrow();
    const { app, agent, template } = appAndAgent(stack, 'app');
    CASES[key].check(agent, app, template);
  });

  test.each(KEYS)('through XRayTracingAspect: %s', (key) => {
    // GIVEN
    const { app: cdkApp, stack } = createStack();
    Aspects.of(cdkApp).add(new XRayTracingAspect(optionsFor(key, stack)), { priority: AspectPriority.MUTATING });
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024, family: 'afirgen-main-backend' });
    taskDefinition.addContainer('App', { image: IMAGE, memoryLimitMiB: 512 });
    // WHEN
    cdkApp.synth();
    // THEN
    const { app, agent, template } = appAndAgent(stack, 'App');
    CASES[key].check(agent, app, template);
  });
});
