import { fail, Owner } from './errors';
import { ContextMissingStrategy } from './tracing-options';
import { validateNumberInRange, validateXRayServiceName } from './validation';

const STRATEGIES = Object.values(ContextMissingStrategy) as string[];

/** Throws unless `rate` is a sampling rate from 0 to 1 (a token passes: it is known at deploy time). */
export function validateSamplingRate(owner: Owner, prop: string, rate: number | undefined): void {
  validateNumberInRange(owner, prop, rate, 0, 1, ' (0.1 traces 10 % of requests)');
}

/** Throws unless `value` is one of the SDK's context-missing strategies. */
export function validateContextMissing(owner: Owner, prop: string, value: string | undefined): void {
  if (value === undefined) return;
  if (!STRATEGIES.includes(value)) {
    fail(owner, `${prop} must be one of ${STRATEGIES.join(', ')}, got ${JSON.stringify(value)}`);
  }
}

/** Throws unless `value` is a boolean (JavaScript callers can pass a string such as "false"). */
export function validateBoolean(owner: Owner, prop: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') {
    fail(owner, `${prop} must be true or false, got ${JSON.stringify(value)}`);
  }
}

/** Throws unless the options of an `instrument` call are valid (service name, rate, strategy, flag). */
export function validateInstrumentOptions(owner: Owner, options: {
  serviceName: string; samplingRate?: number; contextMissing?: string; enabled?: boolean;
}): void {
  validateXRayServiceName(owner, 'serviceName', options.serviceName);
  validateSamplingRate(owner, 'samplingRate', options.samplingRate);
  validateContextMissing(owner, 'contextMissing', options.contextMissing);
  validateBoolean(owner, 'enabled', options.enabled);
}
