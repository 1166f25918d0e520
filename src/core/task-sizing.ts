import { Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { fail, Owner } from './errors';
import { knownNumber } from './numbers';

/** Valid Fargate memory sizes (MiB) for each task CPU value (Linux). */
const FARGATE_SIZES: ReadonlyArray<{ cpu: number; min: number; max: number; step: number; only?: number[] }> = [
  { cpu: 256, min: 512, max: 2048, step: 512, only: [512, 1024, 2048] },
  { cpu: 512, min: 1024, max: 4096, step: 1024 },
  { cpu: 1024, min: 2048, max: 8192, step: 1024 },
  { cpu: 2048, min: 4096, max: 16384, step: 1024 },
  { cpu: 4096, min: 8192, max: 30720, step: 1024 },
  { cpu: 8192, min: 16384, max: 61440, step: 4096 },
  { cpu: 16384, min: 32768, max: 122880, step: 8192 },
];

/** The task-level cpu and memory of a task definition, where they are set and known at synth. */
export interface TaskSize {
  readonly cpu?: number;
  readonly memoryMiB?: number;
}

/** A size known at synth time; a value that is not a number stays NaN so the checks reject it. */
function known(value: string | undefined): number | undefined {
  if (value === undefined || Token.isUnresolved(value)) return undefined;
  return Number(value);
}

/** The task's `cpu` and `memory` as numbers, from the L1 (where the L2 keeps them as strings). */

export function taskSize(taskDefinition: ecs.TaskDefinition): TaskSize {
  const cfn = taskDefinition.node.defaultChild as ecs.CfnTaskDefinition;
  return { cpu: known(cfn.cpu), memoryMiB: known(cfn.memory) };
}

/** Whether (cpu, memory) is a size Fargate runs; throws a message listing what is allowed. */
export function validateFargateSize(taskPath: Owner, size: TaskSize): void {
  if (size.cpu === undefined || size.memoryMiB === undefined) return;
  const row = FARGATE_SIZES.find((r) => r.cpu === size.cpu);
  if (!row) {
    fail(taskPath,
      `fargate task has cpu ${size.cpu}, which Fargate does not run; allowed: ${FARGATE_SIZES.map((r) => r.cpu).join(', ')}`,
    );
  }
  const m = size.memoryMiB;
  const ok = row.only ? row.only.includes(m) : m >= row.min && m <= row.max && (m - row.min) % row.step === 0;
  if (!ok) {
    const allowed = row.only ? row.only.join(', ') + ' MiB' : `${row.min} to ${row.max} MiB in steps of ${row.step}`;
    fail(taskPath,
      `fargate task has cpu ${size.cpu} with memoryLimitMiB ${m}, which Fargate does not run; ` +
      `with cpu ${size.cpu} memory must be ${allowed}`,
    );
  }
}

/** What a container asks for, from its rendered definition. */
export interface ContainerSize {
  readonly name: string;
  readonly cpu: number;
  /**
   * The memory ECS reserves for it: the soft reservation if set, else the hard limit, else 0
   * (what ECS adds up against the task's memory).
   */
  readonly memoryMiB: number;
  /** The names of its environment variables. */
  readonly environmentNames: string[];
}

function renderedNumber(value: unknown): number | undefined {
  return typeof value === 'number' ? knownNumber(value) : undefined;
}

/** Renders each container of the task definition once and reads its size and variable names. */
export function containerSizes(taskDefinition: ecs.TaskDefinition): ContainerSize[] {
  return taskDefinition.node.children
    .filter((c): c is ecs.ContainerDefinition => c instanceof ecs.ContainerDefinition)
    .map((c) => {
      const rendered = c.renderContainerDefinition();
      const environment = (rendered.environment ?? []) as ecs.CfnTaskDefinition.KeyValuePairProperty[];
      return {
        name: c.containerName,
        cpu: renderedNumber(rendered.cpu) ?? 0,
        memoryMiB: renderedNumber(rendered.memoryReservation) ?? renderedNumber(rendered.memory) ?? 0,
        environmentNames: Array.isArray(environment) ? environment.map((kv) => kv.name ?? '') : [],
      };
    });
}

/**
 * Errors (for `node.addValidation`) when the containers' cpu or memory add up to more than the
 * task's, naming the task, the sum and the limit.
 */
export function validateContainersFit(taskDefinition: ecs.TaskDefinition, containers: ContainerSize[]): string[] {
  const size = taskSize(taskDefinition);
  const errors: string[] = [];
  const list = (key: 'cpu' | 'memoryMiB') => containers.map((c) => `${c.name} ${c[key]}`).join(' + ');
  const cpuSum = containers.reduce((a, c) => a + c.cpu, 0);
  if (size.cpu !== undefined && cpuSum > size.cpu) {
    errors.push(cpuFitMessage(taskDefinition, cpuSum, list('cpu'), size.cpu));
  }
  const memorySum = containers.reduce((a, c) => a + c.memoryMiB, 0);
  if (size.memoryMiB !== undefined && memorySum > size.memoryMiB) {
    errors.push(
      `task ${taskDefinition.node.path} needs ${memorySum} MiB of memory (${list('memoryMiB')}) but the task has ${size.memoryMiB} MiB: ` +
      'raise the task memoryLimitMiB or lower the containers\' memory limits/reservations',
    );
  }
  return errors;
}

/** The one message for containers whose cpu adds up to more than the task's. */
export function cpuFitMessage(taskDefinition: ecs.TaskDefinition, sum: number, parts: string, taskCpu: number): string {
  return `task ${taskDefinition.node.path} needs cpu ${sum} (${parts}) but the task has cpu ${taskCpu}: raise the task cpu or lower the containers'`;
}

/** What is left of the task for the app containers once the agent has its share. */
export interface AppRoom {
  /** An error: the agent leaves the app no cpu or no memory. */
  readonly error?: string;
  /** A warning: the agent takes more than half of the task's cpu or memory. */
  readonly warning?: string;
}

/** The agent must leave the other containers room (none is an error, under half a warning); known sizes only. */
export function appRoom(taskDefinition: ecs.TaskDefinition, agentCpu: number | undefined, agentMemoryMiB: number | undefined): AppRoom {
  const size = taskSize(taskDefinition);
  const parts: string[] = [];
  const full: string[] = [];
  const share = (what: string, agent: number | undefined, task: number | undefined, unit: string) => {
    if (agent === undefined || task === undefined || task <= 0) return;
    const line = `the agent takes ${agent}${unit} of the task's ${task}${unit} ${what}, leaving the app ${task - agent}${unit}`;
    if (agent >= task) full.push(line);
    else if (agent > task / 2) parts.push(line);
  };
  share('cpu', agentCpu, size.cpu, '');
  share('memory', agentMemoryMiB, size.memoryMiB, ' MiB');
  const fix = 'raise the task\'s cpu / memoryLimitMiB, or lower the agent\'s cpu / memoryReservationMiB';
  if (full.length > 0) {
    return { error: `task ${taskDefinition.node.path} has no room for its app: ${full.join('; ')}: ${fix}` };
  }
  if (parts.length > 0) {
    return { warning: `task ${taskDefinition.node.path} leaves its app little room: ${parts.join('; ')}: ${fix}` };
  }
  return {};
}
