import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { XRayAgent } from '../../src/sidecar/xray-agent';
import { XRaySidecar } from '../../src/sidecar/xray-sidecar';
import { createStack } from '../helpers/app';
import {
  CfnTemplate,
  ControlResult,
  describeResult,
  EcsControl,
  GuardOutcome,
  loadEcsControls,
  resultOf,
  runEcsControls,
} from '../helpers/cfn-guard';

/*
 * AWS Control Tower's proactive ECS controls (CT.ECS.PR.*, the cfn-guard rules that
 * @cdklabs/cdk-validator-cfnguard ships) over the containers XRaySidecar adds, for every agent on
 * every launch shape. The fixture's app container satisfies every control on its own (the baseline
 * rows prove it), so whatever fails is the library's, and each control's outcome is asserted
 * exactly: PASS, SKIP, or FAIL on exactly the listed container properties.
 */

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27');
const REGIONAL = { env: { account: '111111111111', region: 'eu-west-1' } };
const APP_CONTAINER_NAME = 'app';
const AGENT = XRaySidecar.DEFAULT_CONTAINER_NAME;
/** How a failure on the task definition's own properties (not on a container) is written. */
const TASK = 'task definition';

interface AgentCase {
  /** For test names. */
  readonly name: string;
  /** `XRayAgent.kind`, the key of the exceptions table; undefined for the fixture alone. */
  readonly kind?: string;
  readonly make?: () => XRayAgent;
}

type ShapeId = 'fargate' | 'ec2-awsvpc' | 'ec2-bridge' | 'ec2-host';

interface ShapeCase {
  readonly id: ShapeId;
  readonly name: string;
  /** The task definition's NetworkMode, as synthesized. */
  readonly networkMode: 'awsvpc' | 'bridge' | 'host';
  readonly make: (stack: Stack) => ecs.TaskDefinition;
}

const AGENTS: readonly AgentCase[] = [
  { name: 'X-Ray daemon', kind: 'xray-daemon', make: () => XRayAgent.daemon() },
  { name: 'CloudWatch agent', kind: 'cloudwatch-agent', make: () => XRayAgent.cloudWatchAgent() },
  { name: 'ADOT collector', kind: 'adot-collector', make: () => XRayAgent.adotCollector() },
];

/** The fixture without any sidecar: shows that the app container and the task pass on their own. */
const BASELINE: AgentCase = { name: 'no sidecar (fixture only)' };

const SHAPES: readonly ShapeCase[] = [
  {
    id: 'fargate',
    name: 'Fargate',
    networkMode: 'awsvpc',
    // Room for the app (cpu 256, 512 MiB) and any agent, with or without a hard memory limit.
    make: (stack) => new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 1024, memoryLimitMiB: 4096 }),
  },
  {
    id: 'ec2-awsvpc',
    name: 'EC2 awsvpc',
    networkMode: 'awsvpc',
    make: (stack) => new ecs.Ec2TaskDefinition(stack, 'Task', { networkMode: ecs.NetworkMode.AWS_VPC }),
  },
  {
    id: 'ec2-bridge',
    name: 'EC2 bridge',
    networkMode: 'bridge',
    make: (stack) => new ecs.Ec2TaskDefinition(stack, 'Task', { networkMode: ecs.NetworkMode.BRIDGE }),
  },
  {
    id: 'ec2-host',
    name: 'EC2 host',
    networkMode: 'host',
    make: (stack) => new ecs.Ec2TaskDefinition(stack, 'Task', { networkMode: ecs.NetworkMode.HOST }),
  },
];

/**
 * The documented exceptions: the only (agent, control) pairs allowed to fail, each on exactly these
 * properties of the agent container, with the reason the agent's image cannot pass. Everything not
 * listed here must pass (or be not applicable, see DECISIONS).
 */
interface AgentException {
  readonly agent: string;
  readonly controlId: string;
  /** Only on these shapes. @default - every shape */
  readonly shapes?: readonly ShapeId[];
  readonly properties: readonly string[];
  readonly reason: string;
}

const AGENT_EXCEPTIONS: readonly AgentException[] = [
  {
    agent: 'cloudwatch-agent',
    controlId: 'CT.ECS.PR.3',
    properties: ['User'],
    reason: 'the CloudWatch agent runs as root (user 0): its image has no other user, and its start-up writes the configuration '
      + 'it translates from CW_CONFIG_CONTENT into the root-owned /opt/aws/amazon-cloudwatch-agent/etc (src/sidecar/xray-agent.ts)',
  },
  {
    agent: 'cloudwatch-agent',
    controlId: 'CT.ECS.PR.6',
    properties: ['ReadonlyRootFilesystem'],
    reason: 'the CloudWatch agent writes its translated configuration and its pid file inside the image at start-up, '
      + 'so its root filesystem is writable (src/sidecar/xray-agent.ts)',
  },
  {
    agent: 'cloudwatch-agent',
    controlId: 'CT.ECS.PR.8',
    shapes: ['ec2-host'],
    // The rule wants, per container of a host-mode task, `Privileged == true` OR a non-root `User`:
    // both branches fail, so both properties are reported.
    properties: ['Privileged', 'User'],
    reason: 'in host network mode the control asks each container to be non-root or privileged: the CloudWatch agent is root '
      + '(see CT.ECS.PR.3) and the sidecar keeps privileged: false, which CT.ECS.PR.11 requires of every container',
  },
];

interface Expected {
  readonly outcome: GuardOutcome;
  /** `container: Property` (or `task definition: Property`), sorted. */
  readonly violations: readonly string[];
}

const PASS: Expected = { outcome: 'PASS', violations: [] };
const SKIP: Expected = { outcome: 'SKIP', violations: [] };

function fail(violations: string[]): Expected {
  return { outcome: 'FAIL', violations: [...violations].sort() };
}

/** A control on each container definition: passes unless the agent has a documented exception for it. */
function containerControl(controlId: string) {
  return (agent: AgentCase, shape: ShapeCase): Expected => {
    const exception = AGENT_EXCEPTIONS.find((e) => e.agent === agent.kind && e.controlId === controlId
      && (e.shapes === undefined || e.shapes.includes(shape.id)));
    return exception ? fail(exception.properties.map((p) => `${AGENT}: ${p}`)) : PASS;
  };
}

/**
 * One decision per control, after reading its .guard file. A control that is not here makes every
 * test of it fail, so a new control in a package upgrade has to be decided on.
 */
const DECISIONS: { readonly [controlId: string]: (agent: AgentCase, shape: ShapeCase) => Expected } = {
  // CT.ECS.PR.1 evaluates AWS::ECS::Service only (Fargate services on the LATEST platform version).
  // XRaySidecar adds no service and the fixture has none: nothing to evaluate, so cfn-guard SKIPs.
  // (A service is the user's, or TracedFargateService's, which this test does not cover.)
  'CT.ECS.PR.1': () => SKIP,
  // CT.ECS.PR.2 evaluates AWS::ECS::Cluster only (container insights). No cluster here: SKIP.
  'CT.ECS.PR.2': () => SKIP,
  // CT.ECS.PR.3: every container definition has a `User` that is not root (0, "0", root, 0:*, root:*).
  'CT.ECS.PR.3': containerControl('CT.ECS.PR.3'),
  // CT.ECS.PR.4: the task definition's NetworkMode is awsvpc (for EC2/Fargate tasks). Task-level and
  // the user's choice: the sidecar supports bridge and host on purpose, and adds nothing the rule
  // reads. The fixture cannot satisfy it in bridge or host mode (that is what the shape is), so there
  // the control fails, on the task definition's NetworkMode only and never on a container.
  'CT.ECS.PR.4': (_agent, shape) => shape.networkMode === 'awsvpc' ? PASS : fail([`${TASK}: NetworkMode`]),
  // CT.ECS.PR.5: every container definition has a LogConfiguration with a LogDriver.
  'CT.ECS.PR.5': containerControl('CT.ECS.PR.5'),
  // CT.ECS.PR.6: every container definition has ReadonlyRootFilesystem == true.
  'CT.ECS.PR.6': containerControl('CT.ECS.PR.6'),
  // CT.ECS.PR.7: every container definition has a memory HARD limit (`Memory` >= 4 MiB; a soft
  // MemoryReservation does not count). Goal state: every agent container sets memoryLimitMiB.
  'CT.ECS.PR.7': containerControl('CT.ECS.PR.7'),
  // CT.ECS.PR.8 filters on task definitions with NetworkMode host, then wants each container
  // privileged or non-root. Outside host mode nothing is selected: SKIP. In host mode it is a
  // container control.
  'CT.ECS.PR.8': (agent, shape) => shape.networkMode === 'host' ? containerControl('CT.ECS.PR.8')(agent, shape) : SKIP,
  // CT.ECS.PR.9 evaluates AWS::ECS::Service only (no automatic public IP). No service here: SKIP.
  'CT.ECS.PR.9': () => SKIP,
  // CT.ECS.PR.10: the task definition's PidMode is absent or not `host`. Task-level and the user's:
  // the fixture sets none, so it passes unless the library set one, which it must not.
  'CT.ECS.PR.10': () => PASS,
  // CT.ECS.PR.11: no container definition has Privileged == true (the sidecar sets false explicitly).
  'CT.ECS.PR.11': containerControl('CT.ECS.PR.11'),
  // CT.ECS.PR.12: no container's Environment names AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY or
  // ECS_ENGINE_AUTH_DATA. The fixture's app has one harmless variable, so the rule has something to
  // read (a task without any Environment SKIPs) even in the baseline.
  'CT.ECS.PR.12': containerControl('CT.ECS.PR.12'),
};

function expectedFor(agent: AgentCase, shape: ShapeCase, control: EcsControl): Expected {
  const decide = DECISIONS[control.controlId];
  if (!decide) {
    throw new Error(`no decision for ${control.controlId} (${control.title}): read ${control.rulePath} and add it to DECISIONS`);
  }
  return decide(agent, shape);
}

function expectedText(expected: Expected): string {
  return expected.outcome === 'FAIL' ? `FAIL on ${expected.violations.join(', ')}` : expected.outcome;
}

/**
 * The fixture: one task definition of `shape` with one app container that satisfies every
 * container control on its own, plus (unless baseline) the sidecar with `agent`, instrumenting it.
 */
function buildStack(agent: AgentCase, shape: ShapeCase): { stack: Stack; taskDefinition: ecs.TaskDefinition } {
  const { stack } = createStack(REGIONAL);
  const taskDefinition = shape.make(stack);
  const app = taskDefinition.addContainer('App', {
    containerName: APP_CONTAINER_NAME,
    image: IMAGE,
    cpu: 256,
    memoryLimitMiB: 512,
    user: '1000',
    readonlyRootFilesystem: true,
    privileged: false,
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'app' }),
    environment: { APP_MODE: 'compliance' },
  });
  if (agent.make) {
    const sidecar = new XRaySidecar(stack, 'XRay', { taskDefinition, agent: agent.make() });
    sidecar.instrument(app, { serviceName: 'svc' });
  }
  return { stack, taskDefinition };
}

interface Run {
  readonly results: readonly ControlResult[];
  readonly taskLogicalId: string;
  readonly template: CfnTemplate;
}

const runs = new Map<string, Run>();

/** Synthesizes the fixture and runs every control over it, once per (agent, shape). */
function runFor(agent: AgentCase, shape: ShapeCase): Run {
  const key = `${agent.name}|${shape.id}`;
  let run = runs.get(key);
  if (!run) {
    const { stack, taskDefinition } = buildStack(agent, shape);
    const template = Template.fromStack(stack).toJSON() as CfnTemplate;
    const taskLogicalId = stack.getLogicalId(taskDefinition.node.defaultChild as ecs.CfnTaskDefinition);
    run = { results: runEcsControls(template), taskLogicalId, template };
    runs.set(key, run);
  }
  return run;
}

/** A result's violations as `container: Property` / `task definition: Property` (other resources by logical id), sorted, unique. */
function located(result: ControlResult, taskLogicalId: string): string[] {
  const names = result.violations.map((v) => {
    const owner = v.containerName ?? (v.logicalId === taskLogicalId ? TASK : v.logicalId);
    return `${owner}: ${v.property}`;
  });
  return [...new Set(names)].sort();
}

function expectOutcome(result: ControlResult, taskLogicalId: string, expected: Expected): void {
  const actual: Expected = { outcome: result.outcome, violations: located(result, taskLogicalId) };
  try {
    expect(actual).toEqual(expected);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n\ncfn-guard reported:\n${describeResult(result)}`);
  }
}

const CONTROLS = loadEcsControls();

describe('Control Tower ECS controls (cfn-guard)', () => {
  test('the package ships the twelve ECS controls this test decides on', () => {
    // GIVEN the rules in @cdklabs/cdk-validator-cfnguard
    // WHEN they are listed with their metadata
    const ids = CONTROLS.map((c) => c.controlId);

    // THEN they are CT.ECS.PR.1 to 12, each with a title, and each has a decision here
    expect(ids).toEqual(Array.from({ length: 12 }, (_, i) => `CT.ECS.PR.${i + 1}`));
    expect(CONTROLS.every((c) => c.title.length > 0 && c.description.length > 0)).toBe(true);
    expect(Object.keys(DECISIONS).sort()).toEqual([...ids].sort());
  });

  test('every documented exception names a control that exists and is exercised by some agent and shape', () => {
    // GIVEN the exceptions table
    for (const exception of AGENT_EXCEPTIONS) {
      // WHEN its agent and shapes are looked up
      const agent = AGENTS.find((a) => a.kind === exception.agent);
      const shapes = SHAPES.filter((s) => exception.shapes === undefined || exception.shapes.includes(s.id));

      // THEN it applies to a real agent, a real control, and at least one shape expects that failure
      expect(agent).toBeDefined();
      expect(CONTROLS.map((c) => c.controlId)).toContain(exception.controlId);
      const control = CONTROLS.find((c) => c.controlId === exception.controlId)!;
      expect(shapes.some((s) => expectedFor(agent!, s, control).outcome === 'FAIL')).toBe(true);
      expect(exception.reason.length).toBeGreaterThan(0);
    }
  });
});

describe.each(SHAPES.map((s) => [s.name, s] as const))('fixture alone on %s', (_name, shape) => {
  test.each(CONTROLS.map((c) => [c.controlId, c.title, c] as const))(
    `${BASELINE.name} | ${shape.name} | %s %s`,
    (_id, _title, control) => {
      // GIVEN the task and its compliant app container, without any sidecar
      const run = runFor(BASELINE, shape);

      // WHEN the control runs
      const result = resultOf(run.results, control.controlId);

      // THEN it ends exactly as decided: the app container fails nothing
      expectOutcome(result, run.taskLogicalId, expectedFor(BASELINE, shape, control));
    },
  );
});

describe.each(AGENTS.map((a) => [a.name, a] as const))('%s', (_agentName, agent) => {
  describe.each(SHAPES.map((s) => [s.name, s] as const))('on %s', (_shapeName, shape) => {
    for (const control of CONTROLS) {
      const expected = expectedFor(agent, shape, control);
      test(`${agent.name} | ${shape.name} | ${control.controlId} ${control.title}: ${expectedText(expected)}`, () => {
        // GIVEN a compliant app container and XRaySidecar with this agent, instrumenting it
        const run = runFor(agent, shape);

        // WHEN the control runs over the synthesized template
        const result = resultOf(run.results, control.controlId);

        // THEN it ends exactly as decided: only the documented exceptions fail, on the agent container
        expectOutcome(result, run.taskLogicalId, expected);
      });
    }
  });
});

describe('the helper fails loudly', () => {
  test('a container without a memory hard limit fails CT.ECS.PR.7, named', () => {
    // GIVEN a task whose only container has a soft memory reservation and no hard limit
    const { stack } = createStack(REGIONAL);
    const taskDefinition = new ecs.Ec2TaskDefinition(stack, 'Task', { networkMode: ecs.NetworkMode.AWS_VPC });
    taskDefinition.addContainer('Soft', { containerName: 'soft', image: IMAGE, memoryReservationMiB: 128 });

    // WHEN CT.ECS.PR.7 runs
    const [result] = runEcsControls(Template.fromStack(stack).toJSON() as CfnTemplate, { only: ['CT.ECS.PR.7'] });

    // THEN it fails on that container's Memory, with the control's own message
    expect(result.outcome).toBe('FAIL');
    expect(located(result, stack.getLogicalId(taskDefinition.node.defaultChild as ecs.CfnTaskDefinition))).toEqual(['soft: Memory']);
    expect(result.controlMessage).toContain('[CT.ECS.PR.7]');
    expect(result.violations[0].resourceType).toBe('AWS::ECS::TaskDefinition');
  });

  test('a missing cfn-guard binary throws instead of passing', () => {
    // GIVEN a template and a binary path that does not exist
    const template = runFor(BASELINE, SHAPES[0]).template;

    // WHEN / THEN
    expect(() => runEcsControls(template, { guardBinary: '/nonexistent/cfn-guard' })).toThrow(/missing or not executable/);
  });

  test('an unknown control throws instead of running nothing', () => {
    // GIVEN a template
    const template = runFor(BASELINE, SHAPES[0]).template;

    // WHEN / THEN
    expect(() => runEcsControls(template, { only: ['CT.ECS.PR.99'] })).toThrow(/unknown control/);
  });

  test('a binary that prints no JSON report throws', () => {
    // GIVEN a template and a "cfn-guard" that exits 0 and prints nothing
    const template = runFor(BASELINE, SHAPES[0]).template;

    // WHEN / THEN
    expect(() => runEcsControls(template, { guardBinary: '/bin/true', only: ['CT.ECS.PR.7'] })).toThrow(/not JSON/);
  });
});
