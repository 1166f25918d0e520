/**
 * The tracing-cost tables of docs/cost.md and docs/migrating-off-the-daemon.md, rendered from `XRayCostEstimator.estimate`: the AFIRGen
 * example's services (X-Ray charges beside agent compute) and the cost column of the agents'
 * resources table. `readme-cost.test.ts` checks those pages against these; to refresh them,
 * run `npx ts-node --transpile-only test/cost/readme-tables.ts` and paste what it prints.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { AfirgenStack } from '../../lib-examples/afirgen/afirgen-stack';
import { ComputeArchitecture, XRayAgent, XRayCostEstimator } from '../../src';
import { agentComputeOf } from '../../src/cost/cost-annotation';

/** Requests a month assumed for each AFIRGen service (the example states no traffic). */
export const AFIRGEN_TRAFFIC: ReadonlyArray<{ readonly serviceName: string; readonly requestsPerMonth: number }> = [
  { serviceName: 'afirgen-main-backend', requestsPerMonth: 30_000_000 },
  { serviceName: 'afirgen-asr-ocr-server', requestsPerMonth: 5_000_000 },
  { serviceName: 'afirgen-gguf-server', requestsPerMonth: 2_000_000 },
];

/** The sampling rates of the AFIRGen table's columns. */
export const AFIRGEN_RATES = [0.01, 0.05, 0.1];

/** Dollars to the cent with thousands grouped: 1234.5 -> "$1,234.50". */
export function usd(value: number): string {
  return `$${(Math.round(value * 100) / 100).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;
}

function percent(rate: number): string {
  return `${Number((rate * 100).toFixed(4))} %`;
}

/**
 * The AFIRGen example's services, each with its own rule (reservoir 1/s) and the agent, tasks and
 * launch type the example gives it. X-Ray charges per service exclude the free tier; the total
 * row applies it once for the account.
 */
export function afirgenCostTable(): string {
  const app = new App({ context: { 'xray:now': '2026-12-02' } });
  const stack = new AfirgenStack(app, 'Afirgen', { env: { account: '111111111111', region: 'us-east-1' } });
  const services: Array<{ taskDefinition: ecs.TaskDefinition; container: ecs.ContainerDefinition; service: ecs.BaseService }> =
    [stack.mainBackend, stack.asrOcrServer, stack.ggufServer];

  const header = ['Service', 'Requests a month', 'Agent in each task (tasks)', ...AFIRGEN_RATES.map((r) => `X-Ray at ${percent(r)}`),
    'Agent compute', `Total at ${percent(AFIRGEN_RATES[AFIRGEN_RATES.length - 1])}`];
  const lines = [`| ${header.join(' | ')} |`, `| --- | ---: | --- | ${header.slice(3).map(() => '---:').join(' | ')} |`];
  const totals = { traces: AFIRGEN_RATES.map(() => 0), compute: 0 };

  for (const [index, service] of services.entries()) {
    const { serviceName, requestsPerMonth } = AFIRGEN_TRAFFIC[index];
    const cfnService = service.service.node.defaultChild as ecs.CfnService;
    const tasks = Number(cfnService.desiredCount);
    const compute = agentComputeOf(service.taskDefinition, service.container, tasks);
    const cpu = compute.containers.reduce((a, c) => a + c.cpu, 0);
    const memoryMiB = compute.containers.reduce((a, c) => a + c.memoryMiB, 0);
    const xray = AFIRGEN_RATES.map((samplingRate, i) => {
      const estimate = XRayCostEstimator.estimate({ requestsPerMonth, samplingRate, reservoirPerSecond: 1, includeFreeTier: false });
      totals.traces[i] += estimate.tracesRecordedPerMonth;
      return estimate.monthlyCostUsd;
    });
    const agentCompute = { cpu, memoryMiB, tasks, architecture: compute.architecture, launchType: compute.launchType };
    const agent = XRayCostEstimator.estimate({ requestsPerMonth: 0, samplingRate: 0, agentCompute });
    totals.compute += agent.agentComputeCostUsd;
    const launch = compute.launchType === ecs.LaunchType.FARGATE ? 'Fargate' : 'EC2';
    const computeCell = agent.agentComputeEstimated ? usd(agent.agentComputeCostUsd) : 'not estimated (EC2)';
    lines.push(`| ${serviceName} | ${requestsPerMonth.toLocaleString('en-US')} | cpu ${cpu}, ${memoryMiB} MiB on ${launch} (${tasks}) | ` +
      `${xray.map(usd).join(' | ')} | ${computeCell} | ${usd(xray[xray.length - 1] + agent.agentComputeCostUsd)} |`);
  }
  // The account's free tier (100,000 traces recorded) counted once, over all three services.
  const xrayTotals = totals.traces.map((traces) =>
    XRayCostEstimator.estimate({ requestsPerMonth: traces, samplingRate: 1, reservoirPerSecond: 0 }).monthlyCostUsd);
  lines.push(`| **all three** (free tier once) | | | ${xrayTotals.map(usd).join(' | ')} | ${usd(totals.compute)} | ` +
    `${usd(xrayTotals[xrayTotals.length - 1] + totals.compute)} |`);
  return lines.join('\n');
}

/**
 * The example EC2 instance of the resources table's `XRayHostAgent` column: 2 vCPU registering
 * 7,680 MiB with ECS, at $0.10 an hour. An example to show the share, not a price quote.
 */
export const EXAMPLE_INSTANCE = { hourlyPriceUsd: 0.1, cpu: 2048, memoryMiB: 7680 };

/**
 * Each agent's default reservation priced for one Fargate task-month, x86_64 and ARM64, and as an
 * `XRayHostAgent` (one per instance, host network mode) on the example instance for a month.
 */
export function agentTaskMonthCosts(): Array<{ readonly agent: string; readonly x86: string; readonly arm: string; readonly instance: string }> {
  const agents: Array<[string, () => XRayAgent]> = [
    ['X-Ray daemon', () => XRayAgent.daemon({ endOfLifeNotice: false })],
    ['CloudWatch agent', () => XRayAgent.cloudWatchAgent()],
    ['ADOT collector', () => XRayAgent.adotCollector()],
  ];
  return agents.map(([agent, xrayAgent]) => {
    const stack = new Stack();
    const config = xrayAgent().bind(stack, { taskDefinition: new ecs.FargateTaskDefinition(stack, 'Task') });
    const cost = (architecture: ComputeArchitecture) => XRayCostEstimator.estimate({
      requestsPerMonth: 0,
      samplingRate: 0,
      agentCompute: { cpu: config.defaultCpu, memoryMiB: config.defaultMemoryReservationMiB, tasks: 1, architecture },
    }).agentComputeCostUsd;
    // The host agent's task: EC2, host network mode, as XRayHostAgent builds it.
    const hostTask = new ecs.Ec2TaskDefinition(stack, 'HostTask', { networkMode: ecs.NetworkMode.HOST });
    const host = xrayAgent().bind(stack, { taskDefinition: hostTask });
    const agentCompute = {
      cpu: host.defaultCpu, memoryMiB: host.defaultMemoryReservationMiB, tasks: 1, launchType: ecs.LaunchType.EC2, ec2Instance: EXAMPLE_INSTANCE,
    };
    const perInstance = XRayCostEstimator.estimate({ requestsPerMonth: 0, samplingRate: 0, agentCompute }).agentComputeCostUsd;
    const share = Math.max(host.defaultCpu / EXAMPLE_INSTANCE.cpu, host.defaultMemoryReservationMiB / EXAMPLE_INSTANCE.memoryMiB);
    const instance = `${(share * 100).toFixed(1)} % (${usd(perInstance)})`;
    return { agent, x86: usd(cost(ComputeArchitecture.X86_64)), arm: usd(cost(ComputeArchitecture.ARM64)), instance };
  });
}

if (require.main === module) {
  process.stdout.write(`${afirgenCostTable()}\n\n`);
  for (const row of agentTaskMonthCosts()) process.stdout.write(`${row.agent}: ${row.x86} / ${row.arm}; XRayHostAgent ${row.instance}\n`);
}
