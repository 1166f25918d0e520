/**
 * The `cdk-xray-ecs` command (package.json `bin` → bin/cdk-xray-ecs.js → here): `env` and
 * `local-agent`. Arguments are parsed with commander; errors the user can fix are printed as one
 * message (no stack trace) with exit code 1.
 */
import { Command, InvalidArgumentError } from 'commander';
import { readAssembly, CliError } from './assembly';
import { collectorLessAgentNotes } from './collector-less';
import { envCommand, ENV_FORMATS } from './env-command';
import { LocalAgent } from './local-agent';
import { ExporterConfig } from './xray-translator';
import { AGENT_APPLICATION_SIGNALS_PORT, AGENT_OTLP_HTTP_PORT, AGENT_PORT } from '../core/agent-facts';

/** Loopback: where the local agent listens unless `--host` says otherwise. */
const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_MAX_TRACES = 1000;

function port(name: string, allowZero = true): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n > 65535 || (!allowZero && n === 0)) {
      throw new InvalidArgumentError(`${name} must be a port number from ${allowZero ? 0 : 1} to 65535, got ${JSON.stringify(value)}`);
    }
    return n;
  };
}

function positiveInteger(name: string, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < 1 || n > max) throw new InvalidArgumentError(`${name} must be an integer from 1 to ${max}, got ${JSON.stringify(value)}`);
    return n;
  };
}

/** The command line program: `env` and `local-agent`, each with its own `--help`. */
export function program(): Command {
  const cli = new Command('cdk-xray-ecs')
    .description('Local testing for apps traced with cdk-xray-ecs: their tracing contract, and an agent that shows what they send')
    .showHelpAfterError('(run with --help for usage)');

  cli.command('env')
    .description('Print the tracing contract (XRAY_*, AWS_XRAY_*, OTEL_*) of a traced service from the synthesized assembly, for running it on this machine')
    .argument('<service>', 'the X-Ray service name (AWS_XRAY_TRACING_NAME) or a construct path, e.g. Shop/OrdersService')
    .option('--app <dir>', 'the synthesized cloud assembly', 'cdk.out')
    .option('--stack <name>', 'only this stack of the assembly')
    .option('--format <format>', `output format: ${ENV_FORMATS.join(', ')}`, 'sh')
    .option('--agent-host <host>', 'where the agent is on this machine (replaces the bridge-mode host xray-daemon)', DEFAULT_HOST)
    .option('--otlp-port <port>', 'local-agent\'s OTLP/HTTP port, where a collector-less service\'s traces go on this machine', port('--otlp-port', false), AGENT_OTLP_HTTP_PORT)
    .addHelpText('after', '\nExample:\n  eval "$(npx cdk-xray-ecs env orders-api)" && python app.py\n')
    .action((service: string, opts: { app: string; stack?: string; format: string; agentHost: string; otlpPort: number }) => {
      const assembly = readAssembly(opts.app, opts.stack);
      const out = envCommand(assembly, service, opts.format, opts.agentHost, opts.otlpPort);
      for (const note of out.notes) process.stderr.write(`# ${note}\n`);
      process.stdout.write(out.stdout);
    });

  cli.command('local-agent')
    .description('Listen where the agents listen: X-Ray segments (UDP), the sampling API with the assembly\'s rules (TCP), OTLP/HTTP traces; print each trace when complete')
    .option('--app <dir>', 'the synthesized cloud assembly (its sampling rules and trace groups)', 'cdk.out')
    .option('--stack <name>', 'only this stack of the assembly')
    .option('--host <address>', 'the address to listen on', DEFAULT_HOST)
    .option('--port <port>', 'UDP port for segments and TCP port for the sampling API (0: any free port)', port('--port'), AGENT_PORT)
    .option('--otlp-port <port>', 'OTLP/HTTP port (POST /v1/traces; 0: any free port)', port('--otlp-port'), AGENT_OTLP_HTTP_PORT)
    .option('--app-signals-port <port>', 'Application Signals OTLP/HTTP port, where auto-instrumented services on the CloudWatch agent with Application Signals send (0: any free port)', port('--app-signals-port'), AGENT_APPLICATION_SIGNALS_PORT)
    .option('--no-otlp', 'do not listen for OTLP (neither port)')
    .option('--ui <port>', 'serve the trace view on this port (0: any free port)', port('--ui'))
    .option('--json', 'print one JSON object a line per trace instead of a tree', false)
    .option('--max-traces <n>', 'keep at most this many traces (the oldest go first)', positiveInteger('--max-traces', 1_000_000), DEFAULT_MAX_TRACES)
    .option('--settle-ms <ms>', 'a trace is printed once nothing new arrived for this long', positiveInteger('--settle-ms', 600_000), 500)
    .option('--trace-timeout-ms <ms>', 'an incomplete trace is printed after this long anyway', positiveInteger('--trace-timeout-ms', 3_600_000), 10_000)
    .action(async (opts: {
      app: string;
      stack?: string;
      host: string;
      port: number;
      otlpPort: number;
      appSignalsPort: number;
      otlp: boolean;
      ui?: number;
      json: boolean;
      maxTraces: number;
      settleMs: number;
      traceTimeoutMs: number;
    }) => {
      const assembly = readAssembly(opts.app, opts.stack);
      if (assembly.tracedContainers.length === 0) {
        throw new CliError(
          `the assembly at ${assembly.directory} has no traced service (no container with AWS_XRAY_TRACING_NAME), so it has nothing to test locally: ` +
          'add a traced service (TracedFargateService, TracedEc2Service, XRaySidecar.instrument() or the XRayTracingAspect) and run `npx cdk synth` again',
        );
      }
      const agent = await LocalAgent.start(assembly, {
        host: opts.host,
        port: opts.port,
        otlpPort: opts.otlp ? opts.otlpPort : undefined,
        appSignalsPort: opts.otlp ? opts.appSignalsPort : undefined,
        uiPort: opts.ui,
        json: opts.json,
        maxTraces: opts.maxTraces,
        settleMs: opts.settleMs,
        timeoutMs: opts.traceTimeoutMs,
        out: (text) => process.stdout.write(text),
        log: (text) => process.stderr.write(`${text}\n`),
      });
      const a = agent.addresses;
      const services = [...new Set(assembly.tracedContainers.map((c) => c.serviceName))];
      process.stderr.write(
        `local-agent: listening: segments ${a.udp}, sampling ${a.sampling}${a.otlp ? `, otlp ${a.otlp}` : ''}${a.appSignals ? `, app-signals ${a.appSignals}` : ''}${a.ui ? `, ui ${a.ui}` : ''}\n` +
        `local-agent: ${agent.sampling.records.length} sampling rule(s) (${agent.sampling.records.map((r) => r.SamplingRule.RuleName).join(', ')}), ` +
        `${agent.groups.length} trace group(s), traced services: ${services.join(', ')}\n`,
      );
      for (const skipped of assembly.skippedRules) process.stderr.write(`local-agent: sampling rule ${skipped.stack}/${skipped.logicalId} not served: ${skipped.reason}\n`);
      for (const d of agent.sampling.duplicates) process.stderr.write(`local-agent: sampling rule ${d} not served: another stack has a rule of that name\n`);
      for (const [service, config] of agent.serviceConfigs) process.stderr.write(`local-agent: ${describeConfig(service, config)}\n`);
      for (const problem of agent.configProblems) process.stderr.write(`local-agent: ${problem}\n`);
      for (const g of agent.groups.filter((x) => x.unsupported)) process.stderr.write(`local-agent: trace group ${g.name} cannot be evaluated locally: ${g.unsupported}\n`);
      for (const note of collectorLessAgentNotes(assembly, a.otlp)) process.stderr.write(`local-agent: ${note}\n`);
      await new Promise<void>((resolve) => {
        const finish = () => {
          process.removeListener('SIGINT', finish);
          process.removeListener('SIGTERM', finish);
          agent.flush(true);
          process.stderr.write(`${agent.summary()}\n`);
          void agent.stop().then(resolve);
        };
        process.once('SIGINT', finish);
        process.once('SIGTERM', finish);
      });
    });
  return cli;
}

/** One line on how `service`'s OTLP spans are exported, as its agent would. */
function describeConfig(service: string, config: ExporterConfig): string {
  const keys = (list: readonly string[]) => (list.length ? list.join(', ') : 'none');
  const indexed = config.indexAllAttributes ? 'every attribute' : keys(config.indexedAttributes);
  const deleted = config.deletedKeys.length + config.deletedPatterns.length ? `; deletes ${keys([...config.deletedKeys, ...config.deletedPatterns.map(String)])}` : '';
  return `OTLP spans of ${service} are shown as its ${config.agent} exports them: annotations from aws.xray.annotations (a list) and indexed attributes ${indexed}${deleted}`;
}

/** Runs the command line `argv` (process.argv form); sets the exit code. */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    await program().parseAsync([...argv]);
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`cdk-xray-ecs: ${e.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw e;
  }
}
