import { Token } from 'aws-cdk-lib';
import { fail, Owner, show } from './errors';

/**
 * Synth-time validation helpers. Every message names where the value is (the construct path, see
 * `errors.ts`), the prop, the bad value and what is allowed. Values that are tokens are skipped:
 * they are only known at deploy time (`numbers.ts` decides what is a token).
 */

/** Throws unless `value` is a finite number in `[min, max]`. */
export function validateNumberInRange(owner: Owner, prop: string, value: number | undefined, min: number, max: number, hint = ''): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    fail(owner, `${prop} must be a number from ${min} to ${max}${hint}, got ${show(value)}`);
  }
}

/** Throws unless `value` is a finite number greater than `min` (exclusive). */
export function validateNumberAbove(owner: Owner, prop: string, value: number | undefined, min: number): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= min) {
    fail(owner, `${prop} must be a number greater than ${min}, got ${show(value)}`);
  }
}

/** Throws unless `value` is an integer in `[min, max]` (max defaults to no upper bound). */
export function validateIntegerInRange(owner: Owner, prop: string, value: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
    fail(owner, `${prop} must be an integer ${range}, got ${show(value)}`);
  }
}

/** Throws unless `value` is given (JavaScript callers can leave out a prop TypeScript requires). */
export function validateRequired(owner: Owner, prop: string, value: unknown, allowed: string): void {
  if (value === undefined || value === null) {
    fail(owner, `${prop} is required: ${allowed}, got ${show(value)}`);
  }
}

/** Throws unless `value` has between `min` and `max` characters. */
export function validateLength(owner: Owner, prop: string, value: string | undefined, min: number, max: number): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (typeof value !== 'string' || value.length < min || value.length > max) {
    const length = typeof value === 'string' ? value.length : 'no';
    fail(owner, `${prop} must have ${min} to ${max} characters, got ${show(value)} (${length} characters)`);
  }
}

/** Throws unless every character of `value` matches `allowed` (a one-character class). */
export function validateCharacters(owner: Owner, prop: string, value: string | undefined, allowed: RegExp, description: string): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  for (const ch of value) {
    if (!allowed.test(ch)) {
      fail(owner, `${prop} may only contain ${description}, got ${show(value)} (${show(ch)} is not allowed)`);
    }
  }
}

/**
 * The characters X-Ray accepts in a segment (service) name: Unicode letters, numbers and
 * whitespace, and `_ . : / % & # = + \ - @`.
 */
export const XRAY_NAME_CHARACTER = /^[\p{L}\p{N}\s_.:/%&#=+\\\-@]$/u;

/** The longest segment name X-Ray records. */
export const XRAY_SEGMENT_NAME_MAX = 200;

/** The longest `ServiceName` an X-Ray sampling rule can match. */
export const XRAY_SAMPLING_RULE_SERVICE_NAME_MAX = 64;

/**
 * Validates an X-Ray service (segment) name. `max` is the X-Ray limit that applies where the name
 * is used: 200 for a segment name, 64 where a sampling rule matches it.
 */
export function validateXRayServiceName(owner: Owner, prop: string, value: string | undefined, max = XRAY_SEGMENT_NAME_MAX): void {
  validateLength(owner, prop, value, 1, max);
  validateCharacters(owner, prop, value, XRAY_NAME_CHARACTER, 'letters, numbers, whitespace and _ . : / % & # = + \\ - @');
}

/** The characters ECS accepts in container and service names. */
export const ECS_NAME_CHARACTER = /^[A-Za-z0-9_-]$/;
