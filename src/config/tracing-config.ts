import { Construct } from 'constructs';
import { validateContextMissing, validateSamplingRate } from '../core/validation-tracing';
import {
  ContextMissingStrategy,
  DEFAULT_CONTEXT_MISSING,
  DEFAULT_SAMPLING_RATE,
  TracingOptions,
} from '../core/tracing-options';

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

/** A plain decimal: `0`, `1`, `0.05`, `.5`. No sign, exponent, hex, `Infinity` or whitespace. */
const DECIMAL = /^(?:\d+(?:\.\d+)?|\.\d+)$/;

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

function parseBoolean(source: Source): boolean {
  const { label, value } = source;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  throw new Error(`${label} must be true or false (any letter case; 1, 0, yes and no are not accepted), got ${show(value)}`);
}

function parseRate(source: Source): number {
  const { label, value } = source;
  const base = `${label} must be a number from 0 to 1, got ${show(value)}`;
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0 && value <= 1) return value;
    throw new Error(base);
  }
  if (typeof value === 'string') {
    if (DECIMAL.test(value)) {
      const rate = Number(value);
      if (rate >= 0 && rate <= 1) return rate;
      throw new Error(base);
    }
    const loose = value.trim() === '' ? NaN : Number(value);
    if (Number.isFinite(loose) && loose >= 0 && loose <= 1) {
      // Number() would take it ("1e-1", " 0.1", "0x0"), but it is not a plain decimal.
      throw new Error(`${base} (write it as a plain decimal, such as 0.05)`);
    }
  }
  throw new Error(base);
}

function parseStrategy(source: Source): ContextMissingStrategy {
  const { label, value } = source;
  if (typeof value === 'string') {
    const match = Object.values(ContextMissingStrategy).find((s) => s === value);
    if (match !== undefined) return match;
  }
  const base = `${label} must be one of ${STRATEGIES.join(', ')}, got ${show(value)}`;
  if (typeof value === 'string' && STRATEGIES.includes(value.toUpperCase())) {
    throw new Error(`${base} (the spelling is exact, upper case)`);
  }
  throw new Error(base);
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

    if (overrides.enabled !== undefined && typeof overrides.enabled !== 'boolean') {
      throw new Error(`overrides.enabled must be true or false, got ${show(overrides.enabled)}`);
    }
    validateSamplingRate('overrides.samplingRate', overrides.samplingRate);
    validateContextMissing('overrides.contextMissing', overrides.contextMissing);

    const enabled = readSetting(scope, env, 'xray:enabled', 'XRAY_ENABLED', parseBoolean);
    const samplingRate = readSetting(scope, env, 'xray:samplingRate', 'XRAY_SAMPLING_RATE', parseRate);
    const contextMissing = readSetting(scope, env, 'xray:contextMissing', 'XRAY_CONTEXT_MISSING', parseStrategy);

    return {
      enabled: overrides.enabled ?? enabled ?? true,
      samplingRate: overrides.samplingRate ?? samplingRate ?? DEFAULT_SAMPLING_RATE,
      contextMissing: overrides.contextMissing ?? contextMissing ?? DEFAULT_CONTEXT_MISSING,
    };
  }

  private constructor() {}
}
