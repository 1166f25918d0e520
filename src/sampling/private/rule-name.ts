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
 * The name of a sampling rule created without `ruleName`: `<readable>-<8 hex>`, at most 32
 * characters. The readable part is the rule's service name when it names one service (it is
 * known and has no wildcard), else the construct id, keeping the characters X-Ray allows in rule
 * names. The 8 hex digits are the tail of `Names.uniqueId(rule)`: a hash of the rule's full
 * construct path, so the same rule in a dev and a prod stack gets two names, and the same path
 * always the same name.
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
