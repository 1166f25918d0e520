import { Annotations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { IConstruct } from 'constructs';
import { ComputeArchitecture, XRayEc2InstanceProps } from './agent-compute-props';
import { XRayCostBoostProps, XRayCostEstimator } from './cost-estimator';
import { FARGATE_PRICING_REGION } from './pricing';
import { fail } from '../core/errors';
import { isToken, renderNumber } from '../core/numbers';
import { validateNumberInRange } from '../core/validation';
import { WARNINGS } from '../core/warnings';

/** Inputs of a cost annotation. */
export interface CostAnnotationInput {
  readonly requestsPerMonth: number;
  readonly samplingRate: number;
  readonly reservoirPerSecond: number;
  readonly rules?: number;
  readonly monthlyBudgetUsd?: number;
  /** The tracing containers of each task and how many tasks run; counted in the estimate and the budget. */
  readonly agentCompute?: AgentComputeInput;
  /** Collector-less: no agent in the task, agent compute 0 (said in the note). */
  readonly agentless?: boolean;
}

/** What one tracing container reserves in a task (cpu units, MiB); either may be a token. */
export interface ContainerReservation {
  readonly name: string;
  readonly cpu: number;
  readonly memoryMiB: number;
}

/** The compute tracing adds to every task (agent and other tracing containers), for `tasks` tasks. */
export interface AgentComputeInput {
  readonly containers: ContainerReservation[];
  readonly tasks: number;
  readonly architecture?: ComputeArchitecture;
  readonly launchType?: ecs.LaunchType;
  /** On EC2, the instance that prices the reservation; without it EC2 is not estimated. */
  readonly ec2Instance?: XRayEc2InstanceProps;
}

/** Adds an info annotation with the estimated monthly cost, or a warning above `monthlyBudgetUsd`. */
export function annotateCost(scope: IConstruct, input: CostAnnotationInput): void {
  const inputs = { requestsPerMonth: input.requestsPerMonth, samplingRate: input.samplingRate, reservoirSize: input.reservoirPerSecond };
  if (noteTokens(scope, { ...inputs, ...budget(input.monthlyBudgetUsd), ...computeInputs(input.agentCompute) })) return;
  const compute = input.agentCompute;
  const cpu = compute?.containers.reduce((sum, c) => sum + c.cpu, 0) ?? 0;
  const memoryMiB = compute?.containers.reduce((sum, c) => sum + c.memoryMiB, 0) ?? 0;
  const instance = compute?.ec2Instance;
  if (instance !== undefined && (cpu > instance.cpu || memoryMiB > instance.memoryMiB)) {
    fail(scope, `costEc2Instance (cpu ${instance.cpu}, ${instance.memoryMiB} MiB) is smaller than the tracing containers of each task ` +
      `(cpu ${cpu}, ${memoryMiB} MiB): ECS could never place the task there; give the instance ECS registers`);
  }
  const estimate = XRayCostEstimator.estimate({
    requestsPerMonth: input.requestsPerMonth,
    samplingRate: input.samplingRate,
    reservoirPerSecond: input.reservoirPerSecond,
    rules: input.rules,
    agentCompute: compute && compute.containers.length > 0
      ? { cpu, memoryMiB, tasks: compute.tasks, architecture: compute.architecture, launchType: compute.launchType, ec2Instance: compute.ec2Instance }
      : undefined,
  });
  const detail = `(sampling rate ${renderNumber(input.samplingRate)}, reservoir ${input.reservoirPerSecond}/s)`;
  if (input.agentless === true) {
    const text = `estimated tracing cost: $${estimate.monthlyCostUsd.toFixed(2)}/month: X-Ray $${(estimate.recordingCostUsd + estimate.retrievalCostUsd).toFixed(2)} for ` +
      `${Math.round(estimate.tracesRecordedPerMonth).toLocaleString('en-US')} traces recorded of ${input.requestsPerMonth.toLocaleString('en-US')} requests ` +
      `(sampling rate ${renderNumber(input.samplingRate)}, sampled locally) + agent compute $0.00 (collector-less: no agent in the task)`;
    addBudgetedAnnotation(scope, text, estimate.monthlyCostUsd, input.monthlyBudgetUsd, 'lower tracing.samplingRate');
    return;
  }
  if (compute === undefined || compute.containers.length === 0) {
    addCostAnnotation(scope, estimate.monthlyCostUsd, estimate.tracesRecordedPerMonth, input.requestsPerMonth, detail, input.monthlyBudgetUsd);
    return;
  }
  const xrayText = `X-Ray $${(estimate.recordingCostUsd + estimate.retrievalCostUsd).toFixed(2)} for ` +
    `${Math.round(estimate.tracesRecordedPerMonth).toLocaleString('en-US')} traces recorded of ${input.requestsPerMonth.toLocaleString('en-US')} requests ${detail}`;
  const each = `${compute.containers.map((c) => `${c.name} cpu ${c.cpu}, ${c.memoryMiB} MiB`).join(' + ')} in each`;
  const tasks = `${compute.tasks} task${compute.tasks === 1 ? '' : 's'}`;
  const priced = instance === undefined
    ? `Fargate ${compute.architecture ?? ComputeArchitecture.X86_64}, ${FARGATE_PRICING_REGION} list prices, 730 hours`
    : `EC2, its share of an instance of cpu ${instance.cpu}, ${instance.memoryMiB} MiB at $${instance.hourlyPriceUsd}/hour, 730 hours`;
  const computeText = estimate.agentComputeEstimated
    ? `agent compute $${estimate.agentComputeCostUsd.toFixed(2)} for ${tasks} (${each}; ${priced})`
    : `agent compute not estimated on EC2 for ${tasks} (${each}; the instances are paid for whatever their containers reserve; ` +
      'costEc2Instance prices it)';
  const text = `estimated tracing cost: $${estimate.monthlyCostUsd.toFixed(2)}/month: ${xrayText} + ${computeText}`;
  addBudgetedAnnotation(scope, text, estimate.monthlyCostUsd, input.monthlyBudgetUsd,
    'lower the sampling rate or the reservoir, or the agent\'s cpu / memoryReservationMiB');
}

/** What tracing adds to each task: every container but the app's, plus `extra`, for `tasks` tasks. */
export function agentComputeOf(
  taskDefinition: ecs.TaskDefinition, appContainer: ecs.ContainerDefinition, tasks: number, extra: ContainerReservation[] = [],
): AgentComputeInput {
  const containers = taskDefinition.node.children
    .filter((c): c is ecs.ContainerDefinition => c instanceof ecs.ContainerDefinition && c !== appContainer)
    .map((c) => {
      const rendered = c.renderContainerDefinition();
      // A container with no cpu reserves none; with no reservation, ECS reserves its hard limit.
      return { name: c.containerName, cpu: rendered.cpu ?? 0, memoryMiB: rendered.memoryReservation ?? rendered.memory ?? 0 };
    });
  const cfn = taskDefinition.node.defaultChild as ecs.CfnTaskDefinition;
  const platform = cfn.runtimePlatform as ecs.CfnTaskDefinition.RuntimePlatformProperty | undefined;
  return {
    containers: [...containers, ...extra],
    tasks,
    // Unset, Fargate runs Linux x86_64; a value the estimator does not know is rejected there.
    architecture: (platform?.cpuArchitecture as ComputeArchitecture | undefined) ?? ComputeArchitecture.X86_64,
    launchType: taskDefinition.isFargateCompatible ? ecs.LaunchType.FARGATE : ecs.LaunchType.EC2,
  };
}

/** The agent-compute inputs by prop name, for the token check. */
function computeInputs(compute: AgentComputeInput | undefined): { [prop: string]: number } {
  if (compute === undefined) return {};
  const inputs: { [prop: string]: number } = { desiredCount: compute.tasks };
  if (compute.ec2Instance !== undefined) {
    inputs['costEc2Instance.hourlyPriceUsd'] = compute.ec2Instance.hourlyPriceUsd;
    inputs['costEc2Instance.cpu'] = compute.ec2Instance.cpu;
    inputs['costEc2Instance.memoryMiB'] = compute.ec2Instance.memoryMiB;
  }
  for (const c of compute.containers) {
    inputs[`cpu of ${c.name}`] = c.cpu;
    inputs[`memory of ${c.name}`] = c.memoryMiB;
  }
  return inputs;
}

/** One part of a multi-service estimate. */
export interface ServiceTraffic {
  readonly serviceName: string;
  readonly requestsPerMonth: number;
  readonly samplingRate: number;
  readonly reservoirPerSecond: number;
}

/** Like {@link annotateCost} for several services, priced together so the free tier counts once. */
export function annotateCostForServices(scope: IConstruct, parts: ServiceTraffic[], monthlyBudgetUsd?: number, boost?: XRayCostBoostProps): void {
  const inputs: { [prop: string]: number } = {};
  for (const part of parts) {
    inputs[`expectedRequestsPerMonth[${JSON.stringify(part.serviceName)}]`] = part.requestsPerMonth;
    inputs[`sampling rate of ${part.serviceName}`] = part.samplingRate;
    inputs.reservoirSize = part.reservoirPerSecond;
  }
  if (noteTokens(scope, { ...inputs, ...budget(monthlyBudgetUsd) })) return;
  let traces = 0;
  let requests = 0;
  let boostTraces = 0;
  for (const part of parts) {
    const estimate = XRayCostEstimator.estimate({
      requestsPerMonth: part.requestsPerMonth,
      samplingRate: part.samplingRate,
      reservoirPerSecond: part.reservoirPerSecond,
      includeFreeTier: false,
      samplingRateBoost: boost,
    });
    traces += estimate.tracesRecordedPerMonth;
    requests += part.requestsPerMonth;
    boostTraces += estimate.boostWorstCaseExtraTracesPerMonth;
  }
  // Every trace recorded, priced once with the free tier.
  const total = XRayCostEstimator.estimate({ requestsPerMonth: traces, samplingRate: 1, reservoirPerSecond: 0 });
  let detail = `(${parts.map((p) => `${p.serviceName} at ${p.samplingRate}`).join(', ')})`;
  if (boost !== undefined) {
    // The worst case of adaptive sampling, beside the estimate rather than in it.
    const boosted = XRayCostEstimator.estimate({ requestsPerMonth: traces + boostTraces, samplingRate: 1, reservoirPerSecond: 0 });
    detail += `; samplingRateBoost to ${boost.maxRate} once per ${boost.cooldownMinutes} min adds at most ` +
      `${Math.round(boostTraces).toLocaleString('en-US')} traces ($${(boosted.monthlyCostUsd - total.monthlyCostUsd).toFixed(2)}/month)`;
  }
  addCostAnnotation(scope, total.monthlyCostUsd, traces, requests, detail, monthlyBudgetUsd);
}

/** The budget as a cost input, when there is one. */
function budget(monthlyBudgetUsd: number | undefined): { [prop: string]: number } {
  return monthlyBudgetUsd === undefined ? {} : { monthlyBudgetUsd };
}

/** When an input is a token, warns (naming the props) instead of estimating, and returns true. */
function noteTokens(scope: IConstruct, inputs: { [prop: string]: number }): boolean {
  const tokens = Object.entries(inputs).filter(([, v]) => isToken(v)).map(([k]) => k);
  if (tokens.length === 0) return false;
  Annotations.of(scope).addWarningV2(WARNINGS.costNotEstimated,
    `no X-Ray cost estimate: ${tokens.join(', ')} ${tokens.length === 1 ? 'is' : 'are'} only known at deploy time (a token); ` +
    'pass numbers to get one, or call XRayCostEstimator.estimate with the values you expect');
  return true;
}

function addCostAnnotation(scope: IConstruct, costUsd: number, traces: number, requests: number, detail: string, budgetUsd?: number): void {
  const text = `estimated X-Ray cost: $${costUsd.toFixed(2)}/month for ` +
    `${Math.round(traces).toLocaleString('en-US')} traces recorded of ${requests.toLocaleString('en-US')} requests ${detail}`;
  addBudgetedAnnotation(scope, text, costUsd, budgetUsd, 'lower the sampling rate or the reservoir');
}

/** `text` as info, or as the over-budget warning (with `fix`) when `costUsd` is above the budget. */
function addBudgetedAnnotation(scope: IConstruct, text: string, costUsd: number, budgetUsd: number | undefined, fix: string): void {
  validateNumberInRange(scope, 'monthlyBudgetUsd', budgetUsd, 0, Number.MAX_SAFE_INTEGER);
  if (budgetUsd !== undefined && costUsd > budgetUsd) {
    Annotations.of(scope).addWarningV2(WARNINGS.costOverBudget,
      `${text} is over the monthly budget of $${budgetUsd.toFixed(2)}: ${fix}`);
  } else {
    Annotations.of(scope).addInfo(text);
  }
}
