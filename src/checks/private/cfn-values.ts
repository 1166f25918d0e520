import { CfnResource, Stack } from 'aws-cdk-lib';

/** Reading resolved CloudFormation values for the checks; a deploy-time value is unknown, never a finding. */

/** A JSON object as `Stack.resolve` returns it. */
export interface Dict {
  readonly [key: string]: unknown;
}

/** Three-valued answers: a rule reports only on a definite `NO` (or `YES`, depending on the rule). */
export enum Knowledge {
  YES = 'yes',
  NO = 'no',
  UNKNOWN = 'unknown',
}

/**
 * Stands for a part of a string that is only known at deploy time, e.g. the account id in
 * `123456789012.dkr.ecr.eu-west-1.amazonaws.com/...` rendered as `Fn::Join`.
 */
export const UNKNOWN_PART = '\u0000';

/** `Stack.of(node).resolve(value)`, typed as `unknown`. */
export function resolveValue(node: CfnResource, value: unknown): unknown {
  const resolved: unknown = Stack.of(node).resolve(value);
  return resolved;
}

/** Whether `value` is a plain JSON object. */
export function isDict(value: unknown): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether `value` is a CloudFormation intrinsic (`{ Ref }`, `{ 'Fn::If': ... }`, ...): only known at deploy time. */
export function isIntrinsic(value: unknown): boolean {
  if (!isDict(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

/** `value` when it is an array, else undefined. */
export function asArray(value: unknown): readonly unknown[] | undefined {
  return Array.isArray(value) ? (value as unknown[]) : undefined;
}

/** `value` when it is a string, else undefined. */
export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** `value` when it is a finite number (or a numeric string, as CloudFormation accepts), else undefined. */
export function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/** A value that is a string or a list of strings, as IAM's `Action` and `Resource`; entries that are not literal strings become undefined. */
export function asStringList(value: unknown): readonly (string | undefined)[] | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  return list.map(asString);
}

/** Whether a (flattened) string still has a part only known at deploy time. */
export function hasUnknownPart(text: string): boolean {
  return text.includes(UNKNOWN_PART);
}

/**
 * Renders a resolved value as text, `Fn::Join` and `Fn::Sub` flattened and every other intrinsic
 * one {@link UNKNOWN_PART}; undefined for values that are not text.
 */
export function flattenToText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (!isDict(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0];
  const arg = value[key];
  if (key === 'Fn::Join') {
    const [separator, parts] = asArray(arg) ?? [];
    const list = asArray(parts);
    if (typeof separator !== 'string' || list === undefined) return UNKNOWN_PART;
    return list.map((part) => flattenToText(part) ?? UNKNOWN_PART).join(separator);
  }
  if (key === 'Fn::Sub') {
    const args = asArray(arg);
    const template = args ? asString(args[0]) : asString(arg);
    const variables = args && isDict(args[1]) ? args[1] : {};
    if (template === undefined) return UNKNOWN_PART;
    return template.replace(/\$\{(!?)([^}]*)\}/g, (_match: string, bang: string, name: string) => {
      if (bang === '!') return `\${${name}}`;
      const bound = variables[name];
      return bound === undefined ? UNKNOWN_PART : (flattenToText(bound) ?? UNKNOWN_PART);
    });
  }
  if (key.startsWith('Fn::') || key === 'Ref') return UNKNOWN_PART;
  return undefined;
}

/** The logical id a `{ Ref: id }` or `{ 'Fn::GetAtt': [id, attr] }` points to, if that is what `value` is. */
export function referencedLogicalId(value: unknown): string | undefined {
  if (!isDict(value)) return undefined;
  const ref = asString(value.Ref);
  if (ref !== undefined) return ref;
  const getAtt = value['Fn::GetAtt'];
  const parts = asArray(getAtt);
  if (parts) return asString(parts[0]);
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

/** Reads `key` of a resolved object whichever case it is written in (`image` or `Image`). */
export function prop(object: Dict, key: string): unknown {
  if (key in object) return object[key];
  const pascal = key.charAt(0).toUpperCase() + key.slice(1);
  if (pascal in object) return object[pascal];
  const camel = key.charAt(0).toLowerCase() + key.slice(1);
  return object[camel];
}
