import { Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';

/**
 * What a library message must say, as the project's conventions ask of every error and warning:
 * where (the construct path or call), which prop, the bad value, what is allowed and what to do.
 * Only the parts given are checked, so a test pins what matters and survives a rewording.
 */
export interface MessageParts {
  /** The construct path or call the message starts with (`TestStack/Svc`, `XRayAgent.daemon`). */
  readonly path?: string;
  /** The prop, context key or variable named, as a whole name (`samplingRate` does not match `tracing.samplingRate`). */
  readonly prop?: string;
  /** The bad value, shown as the library shows values: strings quoted, arrays and objects as JSON. */
  readonly value?: unknown;
  /** What is allowed: each fragment must appear (`from 1 to 65535`, `LOG_ERROR, RUNTIME_ERROR`). */
  readonly allowed?: string | readonly string[];
  /** What to do about it: each fragment must appear (`XRaySidecar.of(taskDefinition)`). */
  readonly fix?: string | readonly string[];
  /** Other facts the message must state, such as figures it computed (`needs cpu 288`): each fragment must appear. */
  readonly says?: string | readonly string[];
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A value as the library's messages show it (`show` in src/core/errors.ts). */
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

function fragments(parts: string | readonly string[] | undefined): readonly string[] {
  if (parts === undefined) return [];
  return typeof parts === 'string' ? [parts] : parts;
}

/** What `message` fails to say of `parts`, one line each; empty when it says all of it. */
function missingParts(message: string, parts: MessageParts): string[] {
  const missing: string[] = [];
  if (parts.path !== undefined && !message.startsWith(`${parts.path}: `)) {
    missing.push(`does not start with the path ${JSON.stringify(`${parts.path}: `)}`);
  }
  // a whole name: not the tail of a longer one (`tracing.samplingRate`) nor the head of one (`cpuArchitecture`)
  if (parts.prop !== undefined && !new RegExp(`(?<![\\w.])${escape(parts.prop)}(?![\\w]|\\.\\w)`).test(message)) {
    missing.push(`does not name the prop ${parts.prop}`);
  }
  if ('value' in parts) {
    const text = shown(parts.value);
    // the value outside the allowed range and the fix (`got 1` is not the 1 of `1, 0, yes and no`)
    const rest = [...fragments(parts.allowed), ...fragments(parts.fix), ...fragments(parts.says)].reduce((m, f) => m.split(f).join(' '), message);
    // a whole value: -1 is not 1, 1.5 is not 1 or 5, 100 is not 10, "1" is not 1
    if (!new RegExp(`(?<![\\w."-])${escape(text)}(?![\\w"]|\\.\\d)`).test(rest)) {
      missing.push(`does not show the value ${text}`);
    }
  }
  for (const allowed of fragments(parts.allowed)) {
    if (!message.includes(allowed)) missing.push(`does not say what is allowed: ${JSON.stringify(allowed)}`);
  }
  for (const fix of fragments(parts.fix)) {
    if (!message.includes(fix)) missing.push(`does not say what to do: ${JSON.stringify(fix)}`);
  }
  for (const fact of fragments(parts.says)) {
    if (!message.includes(fact)) missing.push(`does not say ${JSON.stringify(fact)}`);
  }
  return missing;
}

/** Fails the test unless `message` says each of `parts`. */
export function expectMessage(message: string | undefined, parts: MessageParts): void {
  if (message === undefined) throw new Error('expected a message, got none');
  const missing = missingParts(message, parts);
  if (missing.length > 0) {
    throw new Error(`the message\n  ${message}\n${missing.map((m) => `- ${m}`).join('\n')}`);
  }
}

/** The message `fn` throws; fails the test if it throws nothing. */
export function thrownMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  throw new Error('expected the call to throw, and it returned');
}

/**
 * Fails the test unless `fn` throws an error that says each of `parts`:
 * `expectError(() => new XRaySidecar(...), { path: 'TestStack/XRay', prop: 'cpu', value: 0, allowed: 'from 1 to 10240' })`.
 */
export function expectError(fn: () => unknown, parts: MessageParts): void {
  expectMessage(thrownMessage(fn), parts);
}

/**
 * Fails the test unless `stack` has exactly one warning with `id` on the construct at `constructPath`
 * (`/TestStack/Task`), and it says each of `parts`.
 */
export function expectWarning(stack: Stack, constructPath: string, id: string, parts: MessageParts): void {
  const found = Annotations.fromStack(stack).findWarning(constructPath, Match.stringLikeRegexp(`\\[ack: ${escape(id)}\\]$`));
  if (found.length !== 1) throw new Error(`expected one warning ${id} on ${constructPath}, got ${found.length}`);
  expectMessage(String(found[0].entry.data), parts);
}
