import { Token, Tokenization } from 'aws-cdk-lib';
import { fail, Owner } from './errors';

/**
 * The one place that decides "a number known at synth time, or a token": tokens are never
 * compared, and are rendered as tokens, never through `toFixed` or `toPrecision`.
 */

/** The string token of each number token rendered so far. */
const RENDERED = new Map<number, string>();

/** Whether `value` is only known at deploy time. */
export function isToken(value: unknown): boolean {
  return Token.isUnresolved(value);
}

/** `value` when it is a number known at synth time; undefined when absent or a token. */
export function knownNumber(value: number | undefined): number | undefined {
  return value === undefined || Token.isUnresolved(value) ? undefined : value;
}

/**
 * Renders a number for the template: a token stays a token (`{ "Ref": ... }` once resolved), a
 * known number loses float noise (0.1 stays "0.1", 0.1 + 0.2 becomes "0.3").
 */
export function renderNumber(value: number): string {
  if (Token.isUnresolved(value)) {
    // One string token per number token, so the same rate rendered twice compares equal.
    let text = RENDERED.get(value);
    if (text === undefined) {
      text = Tokenization.stringifyNumber(value);
      RENDERED.set(value, text);
    }
    return text;
  }
  return String(Number(value.toPrecision(12)));
}

/** Renders a number for a message: `a deploy-time value` for a token. */
export function describeNumber(value: number): string {
  return Token.isUnresolved(value) ? 'a deploy-time value (token)' : renderNumber(value);
}

/**
 * The number itself, or a clear error when it is a token: for inputs that must be known at synth
 * time (a cost estimate, a number written into a filter expression).
 */
export function requireKnownNumber(owner: Owner | undefined, prop: string, value: number, why: string): number {
  if (Token.isUnresolved(value)) {
    fail(owner, `${prop} must be known at synth time ${why}, got a deploy-time value (token)`);
  }
  return value;
}
