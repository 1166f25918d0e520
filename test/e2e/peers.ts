/**
 * The real peers of the end-to-end tests, and how to read a synthesized template for them:
 *
 * - {@link AppProcess}: `child-app.js`, the app's own tracing helper on the real `aws-xray-sdk-core`,
 *   forked with exactly the environment the template gives the app container;
 * - {@link SamplingAgent}: the agent's TCP side, 127.0.0.1:2000, the sampling proxy the SDK polls
 *   (`POST /GetSamplingRules`, `POST /SamplingTargets`), answering with the records a test gives
 *   it and recording every request (host, body, statistics), for the tests that need that;
 * - the agent's UDP side, and a sampling API serving the synthesized rules, are the shipped
 *   `cdk-xray-ecs local-agent` (test/cli/cli.ts starts it), not a copy here.
 *
 * Port 2000 on loopback is the contract (the app environment says so); nothing here ever falls
 * back to another port. A busy port is waited for (another e2e test file may hold it for a few
 * seconds when jest runs files in parallel) and then reported with a clear error.
 */
import { ChildProcess, fork } from 'child_process';
import * as http from 'http';
import * as path from 'path';

/** The agent port every app is told about. */
export const AGENT_PORT = 2000;
/** Loopback, where every peer listens. */
export const LOOPBACK = '127.0.0.1';
/**
 * How long a busy port 2000 is waited for before the test fails (`E2E_PORT_WAIT_MS` to change):
 * long enough for the other e2e file to finish with it when jest runs files in parallel.
 */
export const PORT_WAIT_MS = portWaitMs(process.env.E2E_PORT_WAIT_MS);

function portWaitMs(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 60_000;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0 || ms > 600_000) {
    throw new Error(`E2E_PORT_WAIT_MS must be an integer number of milliseconds from 0 to 600000, got ${JSON.stringify(raw)}`);
  }
  return ms;
}

const CHILD_APP = path.join(__dirname, 'child-app.js');
/** The `--require` preload that resolves `xray-daemon` to loopback inside the child (bridge mode). */
export const BRIDGE_PRELOAD = path.join(__dirname, 'resolve-xray-daemon.js');

// ---------------------------------------------------------------------------------------------
// Reading the synthesized template
// ---------------------------------------------------------------------------------------------

/** A synthesized template, as `Template.fromStack(stack).toJSON()` returns it. */
export interface TemplateJson {
  readonly Resources?: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>;
}

/** One container definition of a synthesized task definition (the keys the tests read). */
export interface ContainerJson {
  readonly Name: string;
  readonly Environment?: Array<{ readonly Name: string; readonly Value: unknown }>;
  readonly Links?: string[];
  readonly DependsOn?: Array<{ readonly ContainerName: string; readonly Condition: string }>;
  readonly PortMappings?: Array<{ readonly ContainerPort: number; readonly Protocol: string }>;
  readonly Image?: unknown;
}

/** A task definition of the template: its logical id, network mode and containers. */
export interface TaskDefinitionJson {
  readonly logicalId: string;
  readonly networkMode: string | undefined;
  readonly containers: ContainerJson[];
}

/** Every `AWS::ECS::TaskDefinition` of `template`. */
export function taskDefinitions(template: TemplateJson): TaskDefinitionJson[] {
  return Object.entries(template.Resources ?? {})
    .filter(([, r]) => r.Type === 'AWS::ECS::TaskDefinition')
    .map(([logicalId, r]) => ({
      logicalId,
      networkMode: r.Properties?.NetworkMode as string | undefined,
      containers: (r.Properties?.ContainerDefinitions ?? []) as ContainerJson[],
    }));
}

/** The account and region the tests "deploy" to, for the pseudo parameters CloudFormation resolves. */
const DEPLOY_PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Region': 'eu-west-1',
  'AWS::AccountId': '123456789012',
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
};

/**
 * The environment of container `containerName` of the only task definition of `template` (or of
 * the one whose logical id starts with `taskDefinitionPrefix`), as the container would get it: a
 * `{ Ref: AWS::Region }`-style pseudo parameter (aws-cdk-lib adds `AWS_REGION` to EC2 awsvpc
 * containers) is resolved as CloudFormation would, to {@link DEPLOY_PSEUDO_PARAMETERS}. Any other
 * non-literal value throws: it would need a deployed resource to resolve.
 */
export function containerEnvironment(template: TemplateJson, containerName: string, taskDefinitionPrefix?: string): Record<string, string> {
  const container = findContainer(template, containerName, taskDefinitionPrefix);
  const env: Record<string, string> = {};
  for (const { Name, Value } of container.Environment ?? []) {
    const ref = typeof Value === 'object' && Value !== null ? (Value as { Ref?: unknown }).Ref : undefined;
    if (typeof Value === 'string') {
      env[Name] = Value;
    } else if (typeof ref === 'string' && ref in DEPLOY_PSEUDO_PARAMETERS && Object.keys(Value as object).length === 1) {
      env[Name] = DEPLOY_PSEUDO_PARAMETERS[ref];
    } else {
      throw new Error(`environment variable ${Name} of container ${containerName} is not a literal string: ${JSON.stringify(Value)}`);
    }
  }
  return env;
}

/** The container `containerName` of the (only, or prefix-selected) task definition. */
export function findContainer(template: TemplateJson, containerName: string, taskDefinitionPrefix?: string): ContainerJson {
  const defs = taskDefinitions(template).filter((d) => taskDefinitionPrefix === undefined || d.logicalId.startsWith(taskDefinitionPrefix));
  if (defs.length !== 1) {
    throw new Error(`expected one task definition${taskDefinitionPrefix ? ` starting with ${taskDefinitionPrefix}` : ''}, found ${defs.length}`);
  }
  const container = defs[0].containers.find((c) => c.Name === containerName);
  if (!container) {
    throw new Error(`task definition ${defs[0].logicalId} has no container ${containerName} (has ${defs[0].containers.map((c) => c.Name).join(', ')})`);
  }
  return container;
}

/** `AWS::XRay::SamplingRule` → `SamplingRule` as CloudFormation has it (the registry schema's shape). */
export interface CfnSamplingRuleJson {
  readonly RuleName: string;
  readonly Priority: number;
  readonly FixedRate: number;
  readonly ReservoirSize: number;
  readonly ServiceName: string;
  readonly ServiceType: string;
  readonly Host: string;
  readonly HTTPMethod: string;
  readonly URLPath: string;
  readonly ResourceARN: string;
  readonly Version: number;
  readonly Attributes?: Record<string, string>;
}

/** Every sampling rule of `template`, by logical id, checked to be literal (no tokens). */
export function templateSamplingRules(template: TemplateJson): Array<{ logicalId: string; rule: CfnSamplingRuleJson }> {
  return Object.entries(template.Resources ?? {})
    .filter(([, r]) => r.Type === 'AWS::XRay::SamplingRule')
    .map(([logicalId, r]) => {
      const rule = r.Properties?.SamplingRule as Record<string, unknown> | undefined;
      if (!rule) throw new Error(`sampling rule ${logicalId} has no SamplingRule property`);
      for (const [key, value] of Object.entries(rule)) {
        if (key !== 'Attributes' && typeof value !== 'string' && typeof value !== 'number') {
          throw new Error(`sampling rule ${logicalId} has a non-literal ${key}: ${JSON.stringify(value)}`);
        }
      }
      return { logicalId, rule: rule as unknown as CfnSamplingRuleJson };
    });
}

// ---------------------------------------------------------------------------------------------
// The X-Ray API's shapes, as the agent's TCP proxy relays them (read from the SDK's
// service_connector.js: it reads SamplingRuleRecords[].SamplingRule.{RuleName, Priority, FixedRate,
// ReservoirSize, Host, HTTPMethod, URLPath, ServiceName, ServiceType} and keeps only records with
// Version 1, ResourceARN "*", an EMPTY Attributes object, a ServiceType, a RuleName, a truthy
// Priority and a numeric FixedRate; and SamplingTargetDocuments[].{RuleName, FixedRate,
// ReservoirQuota, ReservoirQuotaTTL, Interval} plus a numeric LastRuleModification).
// ---------------------------------------------------------------------------------------------

/** `SamplingRuleRecord` of `GetSamplingRules`. */
export interface ApiSamplingRuleRecord {
  readonly SamplingRule: CfnSamplingRuleJson & { readonly RuleARN: string; readonly Attributes: Record<string, string> };
  /** Timestamps are epoch seconds in the X-Ray API's JSON. */
  readonly CreatedAt: number;
  readonly ModifiedAt: number;
}

/** The epoch second the fake rules were "created" and "last modified". */
const RULES_MODIFIED_AT = 1_700_000_000;

/**
 * A template sampling rule as `GetSamplingRules` returns it. What is added is what the X-Ray API
 * adds to every rule it stores: its ARN and `Attributes: {}` (CloudFormation omits an empty map;
 * the API always returns one), and the record's timestamps.
 */
export function toApiRecord(rule: CfnSamplingRuleJson): ApiSamplingRuleRecord {
  return {
    SamplingRule: {
      ...rule,
      RuleARN: `arn:aws:xray:us-east-1:123456789012:sampling-rule/${rule.RuleName}`,
      Attributes: rule.Attributes ?? {},
    },
    CreatedAt: RULES_MODIFIED_AT,
    ModifiedAt: RULES_MODIFIED_AT,
  };
}

/**
 * The account's own `Default` rule, which every real `GetSamplingRules` answer ends with. Here it
 * samples nothing (fixed rate 0, no reservoir) so that a decision it makes is visibly different.
 */
export function defaultApiRecord(): ApiSamplingRuleRecord {
  return toApiRecord({
    RuleName: 'Default',
    Priority: 10000,
    FixedRate: 0,
    ReservoirSize: 0,
    ServiceName: '*',
    ServiceType: '*',
    Host: '*',
    HTTPMethod: '*',
    URLPath: '*',
    ResourceARN: '*',
    Version: 1,
  });
}

/** One `SamplingStatisticsDocument` the SDK reports with `POST /SamplingTargets`. */
export interface SamplingStatisticsDocument {
  readonly RuleName: string;
  readonly ClientID: string;
  readonly RequestCount: number;
  readonly BorrowCount: number;
  readonly SampledCount: number;
  readonly Timestamp: number;
}

/** One request the fake agent received. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly host: string | undefined;
  readonly body: string;
}

// ---------------------------------------------------------------------------------------------
// Binding port 2000
// ---------------------------------------------------------------------------------------------

function isAddressInUse(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
}

/**
 * One attempt to bind `server` to `LOOPBACK:port`: resolves once it listens, rejects with the
 * bind error (EADDRINUSE for a busy port). Each listener goes when the other fires, so retries on
 * a busy port add none.
 */
export function listenOnce(server: http.Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onListening = () => {
      server.removeListener('error', onError);
      resolve();
    };
    const onError = (err: Error) => {
      server.removeListener('listening', onListening);
      reject(err);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, LOOPBACK);
  });
}

const AGENT_PORT_BUSY = `The app contract says the agent is at ${LOOPBACK}:${AGENT_PORT}, so this test only listens there: ` +
  'stop whatever holds the port (an X-Ray daemon, a CloudWatch agent, another test run) and run again.';

/**
 * Runs `attempt` (a bind of `address`, such as `127.0.0.1:2000/tcp`) again every 250 ms while the
 * port is busy, for at most `waitMs`; `why` says why the test cannot take another port.
 */
export async function withPortRetry<T>(address: string, why: string, attempt: () => Promise<T>, waitMs: number): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (!isAddressInUse(err)) throw err;
      if (Date.now() >= deadline) {
        throw new Error(`${address} is busy (EADDRINUSE) and stayed busy for ${waitMs} ms. ${why}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** A request listener that reads the whole body, then calls `handle` with it. */
export function withBody(handle: (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void): http.RequestListener {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  };
}

/** Closes `server` and every connection it still holds. */
export async function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

// ---------------------------------------------------------------------------------------------
// The agent's TCP side: the sampling proxy
// ---------------------------------------------------------------------------------------------

/** How the fake agent answers `POST /SamplingTargets`. */
export type TargetsAnswer = (docs: SamplingStatisticsDocument[], rules: ApiSamplingRuleRecord[]) => unknown;

/**
 * What the X-Ray service answers to `GetSamplingTargets` when ONE client reports on a rule: that
 * client gets the rule's whole reservoir as its quota, for a TTL, at the rule's fixed rate, and is
 * told to report again in 10 s. Timestamps are epoch SECONDS, as in the X-Ray API's JSON (the
 * daemon's proxy relays the service's answer byte for byte).
 */
function singleClientTargets(docs: SamplingStatisticsDocument[], rules: ApiSamplingRuleRecord[]): unknown {
  const now = Math.floor(Date.now() / 1000);
  return {
    SamplingTargetDocuments: docs.map((doc) => {
      const rule = rules.find((r) => r.SamplingRule.RuleName === doc.RuleName)?.SamplingRule;
      return {
        RuleName: doc.RuleName,
        FixedRate: rule?.FixedRate ?? 0,
        ReservoirQuota: rule?.ReservoirSize ?? 0,
        ReservoirQuotaTTL: now + 60,
        Interval: 10,
      };
    }),
    LastRuleModification: RULES_MODIFIED_AT,
    UnprocessedStatistics: [],
  };
}

/** Listens on 127.0.0.1:2000/tcp and answers the SDK's sampling calls like the agent's proxy. */
export class SamplingAgent {
  /** Binds 127.0.0.1:2000/tcp (waiting up to `waitMs` while it is busy). */
  public static async start(
    records: ApiSamplingRuleRecord[],
    targets: TargetsAnswer = singleClientTargets,
    waitMs = PORT_WAIT_MS,
  ): Promise<SamplingAgent> {
    const agent = new SamplingAgent(records, targets);
    await withPortRetry(`${LOOPBACK}:${AGENT_PORT}/tcp`, AGENT_PORT_BUSY, () => listenOnce(agent.server, AGENT_PORT), waitMs);
    return agent;
  }

  public readonly requests: ReceivedRequest[] = [];
  private readonly server: http.Server;

  private constructor(public records: ApiSamplingRuleRecord[], private readonly targets: TargetsAnswer) {
    this.server = http.createServer(withBody((req, res, bytes) => {
      const body = bytes.toString('utf-8');
      this.requests.push({ method: req.method ?? '', path: req.url ?? '', host: req.headers.host, body });
      let answer: unknown;
      if (req.method === 'POST' && req.url === '/GetSamplingRules') {
        answer = { SamplingRuleRecords: this.records };
      } else if (req.method === 'POST' && req.url === '/SamplingTargets') {
        const docs = (JSON.parse(body) as { SamplingStatisticsDocuments: SamplingStatisticsDocument[] }).SamplingStatisticsDocuments;
        answer = this.targets(docs, this.records);
      } else {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ message: `no such API: ${req.method} ${req.url}` }));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(answer));
    }));
    this.server.keepAliveTimeout = 1000;
  }

  /** The statistics documents of every `POST /SamplingTargets` so far. */
  public statistics(): SamplingStatisticsDocument[] {
    return this.requests
      .filter((r) => r.path === '/SamplingTargets')
      .flatMap((r) => (JSON.parse(r.body) as { SamplingStatisticsDocuments: SamplingStatisticsDocument[] }).SamplingStatisticsDocuments);
  }

  public async close(): Promise<void> {
    await closeServer(this.server);
  }
}

// ---------------------------------------------------------------------------------------------
// The app process
// ---------------------------------------------------------------------------------------------

/** What `child-app.js` answers to `describe`. */
export interface AppDescription {
  readonly env: Record<string, string>;
  readonly enabled: boolean;
  readonly daemon: { udp_ip: string; udp_port: number | string; tcp_ip: string; tcp_port: number | string };
  readonly emitter: { ip: string; port: number | string };
  readonly segmentName: string | null;
  readonly lookups: Array<{ hostname: string; options: unknown }> | null;
}

/** One sampling decision of the SDK. */
export interface Decision {
  readonly sampled: boolean;
  readonly rule?: string;
}

/** Per-rule counters of the SDK's rule cache. */
export type RuleCounts = Record<string, { requests: number; sampled: number; borrowed: number }>;

/** What `child-app.js` answers to `decide`. */
export interface DecisionRun {
  readonly second: number;
  readonly decisions: Decision[];
  readonly before: RuleCounts;
  readonly after: RuleCounts;
}

/** A rule as the SDK's rule cache holds it. */
export interface CachedRule {
  readonly name: string;
  readonly priority: number;
  readonly rate: number;
  readonly borrow: boolean;
  readonly serviceName: string;
  readonly urlPath: string;
  readonly quota: number | null;
  readonly quotaTtl: number | null;
}

/** A sampling request shape, as the SDK's middleware builds it. */
export interface SampleRequest {
  readonly host?: string;
  readonly httpMethod?: string;
  readonly urlPath?: string;
  /** Defaults (in the child) to the SDK's resolved name: `AWS_XRAY_TRACING_NAME`. */
  readonly serviceName?: string;
}

/** Options of {@link AppProcess.start}. */
export interface AppProcessOptions {
  /** A script to `--require` before the app (the bridge-mode name mapping). */
  readonly preload?: string;
  /** How long start-up may take. */
  readonly startTimeoutMs?: number;
}

type Answer = { id: number; ok: boolean; error?: string } & Record<string, unknown>;

/**
 * `child-app.js` in its own Node process, with `env` as its WHOLE environment (no PATH, no
 * NODE_OPTIONS, nothing of jest's): the SDK sees what an ECS task with the template's container
 * definition would see. The fork IPC channel carries commands; `stop()` kills it if it lingers.
 */
export class AppProcess {
  public static async start(env: Record<string, string>, options: AppProcessOptions = {}): Promise<AppProcess> {
    const child = fork(CHILD_APP, [], {
      env,
      // Not jest's execArgv: only the preload, if any.
      execArgv: options.preload ? ['--require', options.preload] : [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    const app = new AppProcess(child);
    await app.waitForAnswer(0, options.startTimeoutMs ?? 15_000, 'start-up');
    return app;
  }

  /** The child's stdout and stderr, for failure messages (the SDK logs errors there). */
  public output = '';
  private nextId = 1;
  private readonly answers = new Map<number, Answer>();
  private readonly waiters = new Map<number, (a: Answer) => void>();
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private closed = false;

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (d: Buffer) => { this.output += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { this.output += d.toString(); });
    child.on('message', (m: Answer) => {
      const waiter = this.waiters.get(m.id);
      if (waiter) waiter(m);
      else this.answers.set(m.id, m);
    });
    child.on('close', () => { this.closed = true; });
    child.on('exit', (code, signal) => {
      this.exited = { code, signal };
      for (const waiter of this.waiters.values()) waiter({ id: -1, ok: false, error: `app exited (code ${code}, signal ${signal})` });
    });
  }

  /** Sends a command and waits (at most `timeoutMs`) for its answer. */
  public async request<T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 15_000): Promise<T> {
    const id = this.nextId++;
    if (this.exited || !this.child.connected) {
      throw new Error(`app is not running (exit ${JSON.stringify(this.exited)}); output:\n${this.output}`);
    }
    this.child.send({ id, cmd, ...args });
    const { id: _id, ok: _ok, ...result } = await this.waitForAnswer(id, timeoutMs, cmd);
    return result as T;
  }

  public describe(): Promise<AppDescription> {
    return this.request<AppDescription>('describe');
  }

  /**
   * Stops the child: `exit` over IPC, then SIGKILL if it is still there after 2 s. Resolves once
   * its output streams are closed too, so `output` is complete afterwards.
   */
  public async stop(): Promise<void> {
    if (this.closed) return;
    const gone = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    if (!this.exited && this.child.connected) this.child.send({ id: this.nextId++, cmd: 'exit' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await gone;
    clearTimeout(timer);
  }

  private async waitForAnswer(id: number, timeoutMs: number, what: string): Promise<Answer> {
    const early = this.answers.get(id);
    const answer = early ?? await new Promise<Answer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        this.child.kill('SIGKILL');
        reject(new Error(`app did not answer ${what} within ${timeoutMs} ms (killed); output:\n${this.output}`));
      }, timeoutMs);
      this.waiters.set(id, (a) => {
        clearTimeout(timer);
        this.waiters.delete(id);
        resolve(a);
      });
    });
    this.answers.delete(id);
    if (!answer.ok) throw new Error(`app failed ${what}: ${answer.error}; output:\n${this.output}`);
    return answer;
  }
}
