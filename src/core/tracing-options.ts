/**
 * What the X-Ray SDK does when instrumented code runs with no open segment. The values are the
 * SDKs' own strings (`AWS_XRAY_CONTEXT_MISSING`), so a plain string works from JavaScript too.
 */
export enum ContextMissingStrategy {
  /** Log an error and continue. */
  LOG_ERROR = 'LOG_ERROR',
  /** Throw a runtime error. */
  RUNTIME_ERROR = 'RUNTIME_ERROR',
  /** Ignore it silently. */
  IGNORE_ERROR = 'IGNORE_ERROR',
}

/** The default sampling rate: 10 % of requests. */
export const DEFAULT_SAMPLING_RATE = 0.1;

/** The default context-missing strategy. */
export const DEFAULT_CONTEXT_MISSING = ContextMissingStrategy.LOG_ERROR;

/** How an app is traced: the values behind `XRAY_ENABLED`, `XRAY_SAMPLING_RATE` and `XRAY_CONTEXT_MISSING`. */
export interface TracingOptions {
  /**
   * Whether the app traces at all (`XRAY_ENABLED`, `AWS_XRAY_SDK_ENABLED`).
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * Fraction of requests to trace, from 0 to 1 (`XRAY_SAMPLING_RATE`); the cost lever.
   * @default 0.1
   */
  readonly samplingRate?: number;

  /**
   * What the SDK does with no open segment (`XRAY_CONTEXT_MISSING`, `AWS_XRAY_CONTEXT_MISSING`).
   * @default ContextMissingStrategy.LOG_ERROR
   */
  readonly contextMissing?: ContextMissingStrategy;
}
