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
   * Values that win over the cdk context and the environment, field by field: a field left out
   * here is still read from context, then environment, then the default. Validated like a prop
   * (`overrides.samplingRate` must be from 0 to 1, and so on).
   * @default - no overrides
   */
  readonly overrides?: TracingOptions;

  /**
   * The environment variables to read instead of the synth process's own (`process.env`). When
   * given, `process.env` is not read at all, so a test or a caller sees only what it passes.
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

/**
 * Parses the context value and the environment variable of one setting (both, when both are set, so
 * a bad value is reported even where the other source wins) and returns the context's value if set,
 * else the variable's, else `undefined`.
 */
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
 * Reads the runbook's tracing settings at synth time and validates them, so one stack can be
 * synthesized with a different sampling rate (say 0.05 under cost pressure) without a code change.
 *
 * For each field, the first source that sets it wins:
 *
 * 1. `options.overrides` (a `TracingOptions`);
 * 2. cdk context: `xray:enabled`, `xray:samplingRate`, `xray:contextMissing`
 *    (`cdk synth -c xray:samplingRate=0.05`, or `cdk.json`);
 * 3. the synth process's environment: `XRAY_ENABLED`, `XRAY_SAMPLING_RATE`, `XRAY_CONTEXT_MISSING`
 *    (or `options.environment` instead);
 * 4. the runbook's defaults: enabled `true`, sampling rate `0.1`, `LOG_ERROR`.
 *
 * Parsing is strict, and every value that is set is checked, even one that a higher source hides,
 * so a typo never waits for the day the override is removed:
 *
 * - enabled: the strings `true` or `false` in any letter case (`TRUE`, `False`); `1`, `0`, `yes`,
 *   `no`, the empty string and surrounding whitespace are rejected. cdk context may also hold a
 *   JSON boolean.
 * - sampling rate: a plain decimal from 0 to 1 (`0`, `0.05`, `.5`, `1`); signs, exponents (`1e-1`),
 *   `NaN`, the empty string and whitespace are rejected. Context from `-c` arrives as a string, and
 *   `cdk.json` may hold a JSON number: both are accepted.
 * - context-missing strategy: exactly `LOG_ERROR`, `RUNTIME_ERROR` or `IGNORE_ERROR` (upper case,
 *   the SDKs' own spelling).
 *
 * A bad value throws at synth, naming the variable or context key and showing the value, for
 * example `XRAY_SAMPLING_RATE must be a number from 0 to 1, got "abc"`.
 */
export class TracingConfig {
  /**
   * The tracing settings for `scope`, from overrides, cdk context, environment and defaults (in that
   * order); every field is filled in.
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
