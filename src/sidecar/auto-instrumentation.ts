import { Token } from 'aws-cdk-lib';
import { pinnedImageReference } from './private/agent-versions';
import { fail } from '../core/errors';

// The images' last stage is FROM scratch with only a `cp` binary: the init command is exec form.
// Python, Node.js and .NET ship `/autoinstrumentation/`, Java one `/javaagent.jar`; memory limits
// follow aws-cdk's `@aws-cdk/aws-applicationsignals-alpha`.

/** The ADOT auto-instrumentation images' repository prefix in Amazon ECR Public. */
const REPOSITORY_PREFIX = 'public.ecr.aws/aws-observability/adot-autoinstrumentation-';

/** The shape of the images' tags: `v0.19.0`, optionally with a digest, or a digest alone. */
const VERSION_TAG = /^(?:v\d+\.\d+\.\d+(?:@sha256:[0-9a-f]{64})?|sha256:[0-9a-f]{64})$/;

/** Options of an ADOT auto-instrumentation. */
export interface AutoInstrumentationOptions {
  /**
   * The ADOT auto-instrumentation release (image tag) to copy into the task, `v<major>.<minor>.<patch>`,
   * e.g. `v0.19.0`. Never `latest`. Append the digest to pin the image by content:
   * `v0.19.0@sha256:...`, or give the digest alone (`sha256:...`).
   * @default - the language's pinned default, e.g. `AutoInstrumentation.DEFAULT_PYTHON_VERSION`
   */
  readonly version?: string;

  /**
   * The image repository, e.g. a pull-through cache or a private mirror of the ADOT image.
   * @default - `public.ecr.aws/aws-observability/adot-autoinstrumentation-<language>`
   */
  readonly repository?: string;
}

/** What each language's init container and app variables are built from. */
interface LanguageFacts {
  readonly language: string;
  readonly repository: string;
  readonly defaultVersion: string;
  readonly minAgentlessVersion: string;
  readonly mountPath: string;
  readonly command: (mount: string) => string[];
  readonly memoryLimitMiB: number;
}

const COPY_TREE = (mount: string) => ['cp', '-a', '/autoinstrumentation/.', mount];

/**
 * Zero-code tracing with the AWS Distro for OpenTelemetry (ADOT) agent of the app's language: a
 * non-essential init container copies the agent from its public image into a task volume, the
 * app container mounts it (read-only) and waits for the copy to succeed, and the app's variables
 * load it (`PYTHONPATH`, `NODE_OPTIONS`, `JAVA_TOOL_OPTIONS`, or the .NET CoreCLR profiler) and
 * send its spans over OTLP to the agent sidecar, sampled by the account's X-Ray sampling rules.
 *
 * Pass it as `autoInstrumentation` to `XRaySidecar.instrument`, a traced service or
 * `XRayTracingAspect`. It needs an agent that takes OTLP: `XRayAgent.cloudWatchAgent()` or
 * `XRayAgent.adotCollector()`.
 */
export class AutoInstrumentation {
  /** The ADOT Python release pinned by default (`AutoInstrumentation.python()`). */
  public static readonly DEFAULT_PYTHON_VERSION: string = 'v0.19.0';

  /** The ADOT Java agent release pinned by default (`AutoInstrumentation.java()`). */
  public static readonly DEFAULT_JAVA_VERSION: string = 'v2.29.0';

  /** The ADOT Node.js release pinned by default (`AutoInstrumentation.node()`). */
  public static readonly DEFAULT_NODE_VERSION: string = 'v0.12.0';

  /** The ADOT .NET release pinned by default (`AutoInstrumentation.dotnet()`). */
  public static readonly DEFAULT_DOTNET_VERSION: string = 'v1.14.0';

  /** The first ADOT Python release with the SigV4 span exporter that collector-less tracing needs. */
  public static readonly MIN_AGENTLESS_PYTHON_VERSION: string = 'v0.9.0';

  /** The first ADOT Node.js release with the SigV4 span exporter that collector-less tracing needs. */
  public static readonly MIN_AGENTLESS_NODE_VERSION: string = 'v0.6.0';

  /** The first ADOT Java agent release with the SigV4 span exporter that collector-less tracing needs. */
  public static readonly MIN_AGENTLESS_JAVA_VERSION: string = 'v2.10.0';

  /** The first ADOT .NET release with the SigV4 span exporter that collector-less tracing needs. */
  public static readonly MIN_AGENTLESS_DOTNET_VERSION: string = 'v1.7.0';

  /**
   * The ADOT Python distro (`aws-opentelemetry-distro`), which instruments requests, httpx,
   * urllib3, botocore/boto3, pymysql, mysqlclient, psycopg2, SQLAlchemy, FastAPI, Flask, Django
   * and more with no code change. Loaded through `PYTHONPATH`.
   */
  public static python(options: AutoInstrumentationOptions = {}): AutoInstrumentation {
    return new AutoInstrumentation({
      language: 'python',
      repository: `${REPOSITORY_PREFIX}python`,
      defaultVersion: AutoInstrumentation.DEFAULT_PYTHON_VERSION,
      minAgentlessVersion: AutoInstrumentation.MIN_AGENTLESS_PYTHON_VERSION,
      mountPath: '/otel-auto-instrumentation-python',
      command: COPY_TREE,
      memoryLimitMiB: 32,
    }, options);
  }

  /** The ADOT Node.js distro, loaded with `--require` in `NODE_OPTIONS`. */
  public static node(options: AutoInstrumentationOptions = {}): AutoInstrumentation {
    return new AutoInstrumentation({
      language: 'node',
      repository: `${REPOSITORY_PREFIX}node`,
      defaultVersion: AutoInstrumentation.DEFAULT_NODE_VERSION,
      minAgentlessVersion: AutoInstrumentation.MIN_AGENTLESS_NODE_VERSION,
      mountPath: '/otel-auto-instrumentation-nodejs',
      command: COPY_TREE,
      memoryLimitMiB: 128,
    }, options);
  }

  /** The ADOT Java agent, loaded with `-javaagent` in `JAVA_TOOL_OPTIONS`. */
  public static java(options: AutoInstrumentationOptions = {}): AutoInstrumentation {
    return new AutoInstrumentation({
      language: 'java',
      repository: `${REPOSITORY_PREFIX}java`,
      defaultVersion: AutoInstrumentation.DEFAULT_JAVA_VERSION,
      minAgentlessVersion: AutoInstrumentation.MIN_AGENTLESS_JAVA_VERSION,
      mountPath: '/otel-auto-instrumentation',
      command: (mount) => ['cp', '/javaagent.jar', `${mount}/javaagent.jar`],
      memoryLimitMiB: 64,
    }, options);
  }

  /** The ADOT .NET distro, loaded through the CoreCLR profiler and startup hook (Linux only). */
  public static dotnet(options: AutoInstrumentationOptions = {}): AutoInstrumentation {
    return new AutoInstrumentation({
      language: 'dotnet',
      repository: `${REPOSITORY_PREFIX}dotnet`,
      defaultVersion: AutoInstrumentation.DEFAULT_DOTNET_VERSION,
      minAgentlessVersion: AutoInstrumentation.MIN_AGENTLESS_DOTNET_VERSION,
      mountPath: '/otel-auto-instrumentation-dotnet',
      command: COPY_TREE,
      memoryLimitMiB: 128,
    }, options);
  }

  /** The language: `python`, `node`, `java` or `dotnet`. */
  public readonly language: string;

  /** The init container's image, with its pinned tag. */
  public readonly imageName: string;

  /** Where the agent is mounted in the app container (and copied to by the init container). */
  public readonly mountPath: string;

  /** The init container's command (exec form: the image has no shell). */
  public readonly initCommand: string[];

  /** The init container's hard memory limit, in MiB; it counts in the task-fit check. */
  public readonly initMemoryLimitMiB: number;

  /** The release (image tag, without a digest), e.g. `v0.19.0`; may be a token. */
  public readonly version: string;

  /** The first release of this language that collector-less tracing can use, e.g. `AutoInstrumentation.MIN_AGENTLESS_PYTHON_VERSION`. */
  public readonly minAgentlessVersion: string;

  private constructor(facts: LanguageFacts, options: AutoInstrumentationOptions) {
    const owner = `AutoInstrumentation.${facts.language}`;
    const version = options.version ?? facts.defaultVersion;
    if (typeof version !== 'string') fail(owner, `version must be a string such as ${JSON.stringify(facts.defaultVersion)}, got ${String(version)}`);
    const repository = options.repository ?? facts.repository;
    this.imageName = pinnedImageReference(owner, `the ADOT ${facts.language} auto-instrumentation image`, repository, version);
    if (!Token.isUnresolved(version) && !VERSION_TAG.test(version)) {
      fail(owner,
        `version must be an ADOT release tag v<major>.<minor>.<patch> (optionally @sha256:<digest>) or a digest sha256:<digest>, e.g. ${JSON.stringify(facts.defaultVersion)}, ` +
        `got ${JSON.stringify(version)}`);
    }
    this.language = facts.language;
    this.version = Token.isUnresolved(version) ? version : version.split('@')[0];
    this.minAgentlessVersion = facts.minAgentlessVersion;
    this.mountPath = facts.mountPath;
    this.initCommand = facts.command(facts.mountPath);
    this.initMemoryLimitMiB = facts.memoryLimitMiB;
  }
}
