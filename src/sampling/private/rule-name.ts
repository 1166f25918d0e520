import { Names, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { XRAY_RULE_NAME_CHARACTER, XRAY_RULE_NAME_MAX } from '../../core/validation-xray-names';

/** The length of the hash that ends a generated name. */
const HASH_LENGTH = 8;

/** What is left for the readable part: the name, less `-` and the hash. */
const READABLE_MAX = XRAY_RULE_NAME_MAX - 1 - HASH_LENGTH;

/** Whether a match value has X-Ray wildcards, so it names no one service. */
function isWildcard(value: string): boolean {
  return value.includes('*') || value.includes('?');
}

/**
 * `text` with only the characters X-Ray accepts in a rule name, cut to at most `max` UTF-16 units
 * (never inside a surrogate pair), without spaces or separators at the ends.
 */
function readablePart(text: string, max: number): string {
  let out = '';
  for (const ch of text) {
    if (!XRAY_RULE_NAME_CHARACTER.test(ch)) continue;
    if (out.length + ch.length > max) break;
    out += ch;
  }
  return out.replace(/^[\s\-_.:]+|[\s\-_.:]+$/gu, '');
}

/**
 * The name of a rule created without `ruleName`: `<service name or construct id>-<8 hex>`, the hex
 * a hash of the construct path, so two stacks get two names and one path always the same.
 */
export function generatedRuleName(rule: IConstruct, serviceName: string | undefined): string {
  const hash = Names.uniqueId(rule).slice(-HASH_LENGTH);
  const candidates: string[] = [];
  if (serviceName !== undefined && typeof serviceName === 'string' && !Token.isUnresolved(serviceName) && !isWildcard(serviceName)) {
    candidates.push(serviceName);
  }
  candidates.push(rule.node.id, 'SamplingRule');
  for (const candidate of candidates) {
    const readable = readablePart(candidate, READABLE_MAX);
    if (readable !== '') return `${readable}-${hash}`;
  }
  return hash;
}
