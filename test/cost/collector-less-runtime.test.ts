import * as fs from 'fs';
import * as path from 'path';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { XRayAgentComputeProps } from '../../src/cost/agent-compute-props';
import { XRayCostEstimator } from '../../src/cost/cost-estimator';

/** The agents' default reservations (XRaySidecarOptions' documented defaults). */
const RUNTIMES: ReadonlyArray<{ readonly name: string; readonly cpu: number; readonly memoryMiB: number; readonly ec2?: boolean }> = [
  { name: 'X-Ray daemon sidecar', cpu: 32, memoryMiB: 256 },
  { name: 'CloudWatch agent sidecar', cpu: 128, memoryMiB: 128 },
  { name: 'ADOT collector sidecar', cpu: 256, memoryMiB: 512 },
  { name: '`XRayHostAgent` (daemon, per instance)', cpu: 32, memoryMiB: 256, ec2: true },
  { name: 'collector-less (`agentless: true`)', cpu: 0, memoryMiB: 0 },
];

/** The example EC2 instance of docs/cost.md: $0.10 an hour, 2 vCPU, 7,680 MiB registered. */
const EXAMPLE_INSTANCE = { hourlyPriceUsd: 0.1, cpu: 2048, memoryMiB: 7680 };

/** Agent compute a month for one task (or one instance), as `XRayCostEstimator` prices it. */
function perTaskMonth(row: typeof RUNTIMES[number]): number {
  const agentCompute: XRayAgentComputeProps | undefined = row.cpu === 0 && row.memoryMiB === 0
    ? undefined // collector-less: no agent, no agentCompute
    : { cpu: row.cpu, memoryMiB: row.memoryMiB, tasks: 1, ...(row.ec2 ? { launchType: ecs.LaunchType.EC2, ec2Instance: EXAMPLE_INSTANCE } : {}) };
  return XRayCostEstimator.estimate({ requestsPerMonth: 0, samplingRate: 0, agentCompute }).agentComputeCostUsd;
}

/** The runtime table's rows, as docs/collector-less.md shows them. */
function runtimeRows(): string[] {
  return RUNTIMES.map((row) => `| ${row.name} | ${row.cpu} | ${row.memoryMiB} | $${perTaskMonth(row).toFixed(2)} |`);
}

/** The sampling trade-off rows: 10 M requests a month, Transaction Search at 1 % indexing, 10 tasks. */
function samplingRows(): string[] {
  return [0.1, 1].map((rate) => {
    const estimate = XRayCostEstimator.estimate({
      requestsPerMonth: 10_000_000, samplingRate: rate, reservoirPerSecond: 0, transactionSearch: { indexingPercentage: 1 },
    });
    const collector = XRayCostEstimator.estimate({ requestsPerMonth: 0, samplingRate: 0, agentCompute: { cpu: 256, memoryMiB: 512, tasks: 10 } });
    return `| ${rate === 1 ? '1 (`always_on`)' : String(rate)} | ${Math.round(estimate.tracesRecordedPerMonth).toLocaleString('en-US')} | ` +
      `$${estimate.monthlyCostUsd.toFixed(2)} | $${(estimate.monthlyCostUsd + collector.agentComputeCostUsd).toFixed(2)} |`;
  });
}

describe('collector-less: the runtime table (docs/collector-less.md) is computed by XRayCostEstimator', () => {
  test('cost: collector-less counts agent compute 0 (no agentCompute); the daemon sidecar costs more than 0', () => {
    const agentless = XRayCostEstimator.estimate({ requestsPerMonth: 1_000_000, samplingRate: 0.1 });
    expect(agentless.agentComputeCostUsd).toBe(0);
    expect(perTaskMonth(RUNTIMES[0])).toBeGreaterThan(0);
    expect(perTaskMonth(RUNTIMES[4])).toBe(0);
  });

  test('docs/collector-less.md shows exactly these figures', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'collector-less.md'), 'utf8');
    const rows = [...runtimeRows(), ...samplingRows()];
    if (process.env.PRINT_RUNTIME_TABLE) process.stdout.write(`${rows.join('\n')}\n`);
    for (const row of rows) expect(readme).toContain(row);
  });
});
