import { validateNumberInRange } from './validation';
import { ContextMissingStrategy } from './tracing-options';

const STRATEGIES = Object.values(ContextMissingStrategy) as string[];

/** Throws unless `rate` is a sampling rate from 0 to 1. */
export function validateSamplingRate(prop: string, rate: number | undefined): void {
  validateNumberInRange(prop, rate, 0, 1, ' (0.1 traces 10 % of requests)');
}

/** Throws unless `value` is one of the SDK's context-missing strategies. */
export function validateContextMissing(prop: string, value: string | undefined): void {
  if (value === undefined) return;
  if (!STRATEGIES.includes(value)) {
    throw new Error(`${prop} must be one of ${STRATEGIES.join(', ')}, got ${JSON.stringify(value)}`);
  }
}
