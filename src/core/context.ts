import { IConstruct } from 'constructs';
import { fail, show } from './errors';

/** The cdk context keys the library reads, in one place. */
export const CONTEXT_KEYS = {
  /** `TracingConfig.fromEnvironment`: whether tracing is on. */
  enabled: 'xray:enabled',
  /** `TracingConfig.fromEnvironment`: the sampling rate. */
  samplingRate: 'xray:samplingRate',
  /** `TracingConfig.fromEnvironment`: the context-missing strategy. */
  contextMissing: 'xray:contextMissing',
  /** `false` silences the daemon's end-of-life notice (and `XRayTracing-DaemonMaintenance`). */
  daemonEndOfLifeNotice: 'xray:daemonEndOfLifeNotice',
  /** The day (ISO 8601) the end-of-life notice compares with, instead of the clock. */
  now: 'xray:now',
} as const;

/** A plain decimal: `0`, `1`, `0.05`, `.5`. No sign, exponent, hex, `Infinity` or whitespace. */
const DECIMAL = /^(?:\d+(?:\.\d+)?|\.\d+)$/;

/**
 * Reads a boolean written by a person: a JSON boolean, or the text `true` / `false` in any letter
 * case (`-c key=FALSE`, `XRAY_ENABLED=False`). Anything else (`1`, `yes`, `''`) is an error
 * naming `label`.
 */
export function parseBooleanSetting(label: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return fail(undefined, `${label} must be true or false (any letter case; 1, 0, yes and no are not accepted), got ${show(value)}`);
}

/**
 * Reads a number from `min` to `max` written by a person: a JSON number, or a plain decimal text
 * (`0.05`, `.5`); signs, exponents, `NaN`, the empty string and whitespace are errors naming `label`.
 */
export function parseNumberSetting(label: string, value: unknown, min: number, max: number): number {
  const base = `${label} must be a number from ${min} to ${max}, got ${show(value)}`;
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= min && value <= max) return value;
    return fail(undefined, base);
  }
  if (typeof value === 'string') {
    if (DECIMAL.test(value)) {
      const n = Number(value);
      if (n >= min && n <= max) return n;
      return fail(undefined, base);
    }
    const loose = value.trim() === '' ? NaN : Number(value);
    if (Number.isFinite(loose) && loose >= min && loose <= max) {
      // Number() would take it ("1e-1", " 0.1", "0x0"), but it is not a plain decimal.
      return fail(undefined, `${base} (write it as a plain decimal, such as 0.05)`);
    }
  }
  return fail(undefined, base);
}

/** The cdk context value of `key` as a boolean (see {@link parseBooleanSetting}); undefined when unset. */
export function readContextBoolean(scope: IConstruct, key: string): boolean | undefined {
  const value: unknown = scope.node.tryGetContext(key);
  return value === undefined ? undefined : parseBooleanSetting(`context key ${key}`, value);
}

/** The cdk context value of `key` as a number from `min` to `max`; undefined when unset. */
export function readContextNumber(scope: IConstruct, key: string, min: number, max: number): number | undefined {
  const value: unknown = scope.node.tryGetContext(key);
  return value === undefined ? undefined : parseNumberSetting(`context key ${key}`, value, min, max);
}
