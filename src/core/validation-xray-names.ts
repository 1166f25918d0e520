import { Token } from 'aws-cdk-lib';
import { fail, Owner } from './errors';
import { validateCharacters, validateLength } from './validation';

/**
 * Names of X-Ray sampling rules and groups, and sampling-rule attributes. Same message style as
 * `validation.ts`: lowercase, the prop, the bad value, what is allowed; tokens are skipped.
 */

/** The longest sampling-rule name X-Ray accepts (`RuleName`, 1 to 32). */
export const XRAY_RULE_NAME_MAX = 32;

/** The longest group name X-Ray accepts (`GroupName`, 1 to 32). */
export const XRAY_GROUP_NAME_MAX = 32;

/** The name X-Ray gives the account's own sampling rule and the account's own group. */
export const XRAY_RESERVED_NAME = 'Default';

/** The most attributes one sampling rule may match. */
export const XRAY_RULE_ATTRIBUTES_MAX = 5;

/** The longest attribute key, and the longest attribute value, of a sampling rule. */
export const XRAY_RULE_ATTRIBUTE_LENGTH_MAX = 32;

/**
 * Characters of a sampling-rule name: the segment-name set with only the space as whitespace,
 * without `/` and `\` (the name ends the rule's ARN) and without the wildcards `*` and `?`.
 */
export const XRAY_RULE_NAME_CHARACTER = /^[\p{L}\p{N} _.:%&#=+\-@]$/u;

/** Characters of a group name: X-Ray allows letters, digits and dashes. */
export const XRAY_GROUP_NAME_CHARACTER = /^[A-Za-z0-9-]$/;

/** Options of the name validators. */
export interface NameValidationOptions {
  /** Accept `Default` (to import the account's own rule or group, never to create one). */
  readonly allowReserved?: boolean;
}

/**
 * Throws unless `value` is a sampling-rule name X-Ray accepts and, unless `allowReserved`, is not
 * `Default`.
 */
export function validateSamplingRuleName(owner: Owner, prop: string, value: string | undefined, options: NameValidationOptions = {}): void {
  validateLength(owner, prop, value, 1, XRAY_RULE_NAME_MAX);
  validateCharacters(owner, prop, value, XRAY_RULE_NAME_CHARACTER, 'letters, numbers, spaces and _ . : % & # = + - @');
  if (!options.allowReserved && value === XRAY_RESERVED_NAME) {
    fail(owner, `${prop} must not be "${XRAY_RESERVED_NAME}": X-Ray reserves it for the account's default sampling rule`);
  }
}

/**
 * Throws unless `value` is a group name X-Ray accepts and, unless `allowReserved`, is not
 * `Default`.
 */
export function validateTraceGroupName(owner: Owner, prop: string, value: string | undefined, options: NameValidationOptions = {}): void {
  validateLength(owner, prop, value, 1, XRAY_GROUP_NAME_MAX);
  validateCharacters(owner, prop, value, XRAY_GROUP_NAME_CHARACTER, 'letters, digits and -');
  if (!options.allowReserved && value === XRAY_RESERVED_NAME) {
    fail(owner, `${prop} must not be "${XRAY_RESERVED_NAME}": X-Ray reserves it for the account's default group`);
  }
}

/**
 * Throws unless `attributes` has at most 5 entries, each key and value 1 to 32 characters.
 * Unresolved keys and values are skipped.
 */
export function validateSamplingRuleAttributes(owner: Owner, prop: string, attributes: { readonly [key: string]: string } | undefined): void {
  if (attributes === undefined) return;
  const keys = Object.keys(attributes);
  if (keys.length > XRAY_RULE_ATTRIBUTES_MAX) {
    fail(owner,
      `${prop} may have at most ${XRAY_RULE_ATTRIBUTES_MAX} entries, got ${keys.length} (${keys.map((k) => JSON.stringify(k)).join(', ')})`,
    );
  }
  for (const key of keys) {
    if (!Token.isUnresolved(key) && (key.length < 1 || key.length > XRAY_RULE_ATTRIBUTE_LENGTH_MAX)) {
      fail(owner,
        `${prop} keys must have 1 to ${XRAY_RULE_ATTRIBUTE_LENGTH_MAX} characters, got ${JSON.stringify(key)} (${key.length} characters)`,
      );
    }
    if (!Token.isUnresolved(key)) {
      // The registry schema matches keys with `.{1,}`, which no line terminator matches.
      validateCharacters(owner, `${prop} keys`, key, /^[^\p{Cc}\u2028\u2029]$/u, 'printable characters (no control characters or line breaks)');
    }
    validateLength(owner, `${prop}[${JSON.stringify(key)}]`, attributes[key], 1, XRAY_RULE_ATTRIBUTE_LENGTH_MAX);
  }
}
