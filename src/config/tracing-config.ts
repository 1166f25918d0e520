import { Construct } from 'constructs';
import { CONTEXT_KEYS, parseBooleanSetting, parseNumberSetting } from '../core/context';
import { fail, show } from '../core/errors';
import {
  ContextMissingStrategy,
  DEFAULT_CONTEXT_MISSING,
  DEFAULT_SAMPLING_RATE,
  TracingOptions,
} from '../core/tracing-options';
import { validateBoolean, validateContextMissing, validateSamplingRate } from '../core/validation-tracing';

/** Options for {@link TracingConfig.fromEnvironment}. */
export interface TracingConfigOptions {
  /**
   * Values that win over cdk context and the environment, field by field; validated like props.
   * @default - no overrides
   */
  readonly overrides?: TracingOptions;

  /**
   * The environment variables to read instead of `process.env` (which is then not read at all).
   * @default - `process.env`
   */
  readonly environment?: { [name: string]: string };
}

/** Where a raw value came from, and how to name it in an error message. */
interface Source {
  /** The variable name or `context key xray:...` */
  readonly label: string;
  readonly value: unknown;
}

const STRATEGIES: readonly string[] = Object.values(ContextMissingStrategy);

const OWNER = 'TracingConfig.fromEnvironment';

function parseBoolean(source: Source): boolean {
  return parseBooleanSetting(source.label, source.value);
}

function parseRate(source: Source): number {
  return parseNumberSetting(source.label, source.value, 0, 1);
}

function parseStrategy(source: Source): ContextMissingStrategy {
  const { label, value } = source;
  if (typeof value === 'string') {
    const match = Object.values(ContextMissingStrategy).find((s) => s === value);
    if (match !== undefined) return match;
  }
  const base = `${label} must be one of ${STRATEGIES.join(', ')}, got ${show(value)}`;
  if (typeof value === 'string' && STRATEGIES.includes(value.toUpperCase())) {
    fail(undefined, `${base} (the spelling is exact, upper case)`);
  }
  return fail(undefined, base);
}

/** One setting from context, else the environment; both are parsed so a hidden bad value still fails. */
function readSetting<T>(
  scope: Construct,
  env: { [name: string]: string | undefined },
  contextKey: string,
  variable: string,
  parse: (source: Source) => T,
): T | undefined {
  const contextValue: unknown = scope.node.tryGetContext(contextKey);
  const envValue = env[variable];
  const fromContext = contextValue === undefined ? undefined : parse({ label: `context key ${contextKey}`, value: contextValue });
  const fromEnvironment = envValue === undefined ? undefined : parse({ label: variable, value: envValue });
  return fromContext ?? fromEnvironment;
}

/**
 * Reads tracing settings at synth time, first set wins: `overrides`, cdk context (`xray:enabled`,
 * `xray:samplingRate`, `xray:contextMissing`), the environment (`XRAY_ENABLED`, `XRAY_SAMPLING_RATE`,
 * `XRAY_CONTEXT_MISSING`), then the defaults (`true`, `0.1`, `LOG_ERROR`).
 *
 * Every value that is set is parsed strictly, even one a higher source hides: booleans are `true` or
 * `false` in any case, rates a plain decimal from 0 to 1, strategies the SDKs' upper-case names.
 */
export class TracingConfig {
  /**
   * The tracing settings for `scope`, every field filled in.
   *
   * @param scope where the cdk context is read (`scope.node.tryGetContext`)
   * @param options overrides, and an environment to read instead of `process.env`
   */
  public static fromEnvironment(scope: Construct, options: TracingConfigOptions = {}): TracingOptions {
    const overrides = options.overrides ?? {};
    const env: { [name: string]: string | undefined } = options.environment ?? process.env;

    validateBoolean(OWNER, 'overrides.enabled', overrides.enabled);
    validateSamplingRate(OWNER, 'overrides.samplingRate', overrides.samplingRate);
    validateContextMissing(OWNER, 'overrides.contextMissing', overrides.contextMissing);

    const enabled = readSetting(scope, env, CONTEXT_KEYS.enabled, 'XRAY_ENABLED', parseBoolean);
    const samplingRate = readSetting(scope, env, CONTEXT_KEYS.samplingRate, 'XRAY_SAMPLING_RATE', parseRate);
    const contextMissing = readSetting(scope, env, CONTEXT_KEYS.contextMissing, 'XRAY_CONTEXT_MISSING', parseStrategy);

    return {
      enabled: overrides.enabled ?? enabled ?? true,
      samplingRate: overrides.samplingRate ?? samplingRate ?? DEFAULT_SAMPLING_RATE,
      contextMissing: overrides.contextMissing ?? contextMissing ?? DEFAULT_CONTEXT_MISSING,
    };
  }

  private constructor() {}
}
