import { Annotations, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { mayShareEnvironment, membersInApp, registerMember } from './app-index';
import { fail, Owner, show } from './errors';
import { WARNINGS } from './warnings';

/**
 * The annotation keys an app's trace groups filter on, registered by the groups and read app-wide
 * by the agents that must index them (the sidecar cannot import `groups/`).
 */

/** The kind under which key sources find each other in an app (see `app-index.ts`). */
const KIND = 'AnnotationKeys';

/** X-Ray keeps at most this many annotations per trace. */
export const MAX_ANNOTATIONS_PER_TRACE = 50;

/** An annotation key filters can name: letters, digits and `_`, optionally in dot-separated parts. */
export const ANNOTATION_KEY_PATTERN = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/;

/** What registered keys, for messages: `trace group "errors" (App/Stack/Errors)`. */
export interface AnnotationKeySource {
  readonly label: string;
  readonly keys: readonly string[];
}

const sources = new WeakMap<IConstruct, AnnotationKeySource>();

/** Registers the annotation keys `construct` filters on (a trace group's). */
export function registerAnnotationKeys(construct: IConstruct, label: string, keys: readonly string[]): void {
  sources.set(construct, { label, keys: [...keys] });
  registerMember(construct, KIND);
}

/** The key sources in the app of `scope` that may deploy to its account and Region (groups see only their own). */
export function annotationKeySources(scope: IConstruct): AnnotationKeySource[] {
  return membersInApp(scope, KIND)
    .filter((member) => mayShareEnvironment(scope, member))
    .map((member) => sources.get(member))
    .filter((s): s is AnnotationKeySource => s !== undefined && s.keys.length > 0);
}

/** The keys to index for an agent in `scope`: the app's groups' and `extra`, each once, sorted. */
export function indexedAnnotationKeys(scope: IConstruct, extra: readonly string[] = []): string[] {
  const keys = new Set<string>(extra);
  for (const source of annotationKeySources(scope)) source.keys.forEach((k) => keys.add(k));
  return [...keys].sort();
}

/** The nearest key X-Ray filters can name: other characters become `_`, as the exporter does. */
export function filterableAnnotationKey(key: string): string {
  const parts = key.replace(/[^A-Za-z0-9_.]/g, '_').split('.');
  return parts.map((p) => (p === '' ? '_' : p)).join('.');
}

/** Throws unless `key` is one X-Ray filters can name; the message gives the valid form. */
export function validateAnnotationKey(owner: Owner, prop: string, key: string): void {
  if (typeof key !== 'string' || Token.isUnresolved(key)) {
    fail(owner, `${prop} must be annotation keys known at synth (strings), got ${show(key)}`);
  }
  if (!ANNOTATION_KEY_PATTERN.test(key)) {
    fail(owner,
      `${prop} has annotation key ${show(key)}, which X-Ray filters cannot name (letters, digits and _, in dot-separated parts): ` +
      `use ${show(filterableAnnotationKey(key))}`);
  }
}

/** Checks a list of attribute names a user gives (`annotationKeys`, `redactAttributes`). */
export function validateKeyList(owner: Owner, prop: string, keys: readonly string[] | undefined, check?: (key: string) => void): string[] {
  if (keys === undefined) return [];
  if (!Array.isArray(keys) || Token.isUnresolved(keys)) fail(owner, `${prop} must be a list of strings known at synth, got ${show(keys)}`);
  for (const key of keys) {
    if (typeof key !== 'string' || Token.isUnresolved(key) || key === '') {
      fail(owner, `${prop} must be non-empty strings known at synth, got ${show(key)}`);
    }
    check?.(key);
  }
  return [...keys];
}

/** The sentence about X-Ray's limit of 50 annotations per trace, or '' within it. */
export function annotationLimitNote(count: number): string {
  return count > MAX_ANNOTATIONS_PER_TRACE
    ? `X-Ray keeps at most ${MAX_ANNOTATIONS_PER_TRACE} annotations per trace, and ${count} keys are to be indexed: ` +
      'a span that sets more of them loses the rest, so some groups may match no trace. '
    : '';
}

/** How a container's spans reach X-Ray without any attribute indexed, for the warning. */
export interface UnindexedPath {
  /** Why nothing is indexed, e.g. `the CloudWatch agent's configuration has no option to index span attributes`. */
  readonly reason: string;
  /** What else would fix it, e.g. `or run XRayAgent.adotCollector(), which indexes them`. */
  readonly alternative: string;
}

/** Warns on an auto-instrumented container when the app's groups filter on keys its path to X-Ray does not annotate. */
export function warnAnnotationsNotIndexed(container: IConstruct, path: UnindexedPath): void {
  container.node.addValidation({
    validate: () => {
      const groups = annotationKeySources(container);
      if (groups.length === 0) return [];
      const keys = indexedAnnotationKeys(container);
      const named = groups.map((g) => `${g.label} on ${g.keys.join(', ')}`).join('; ');
      Annotations.of(container).addWarningV2(WARNINGS.annotationsNotIndexed,
        `${path.reason}, so every span attribute reaches X-Ray as metadata and these trace groups match no trace from this container: ${named}. ` +
        annotationLimitNote(keys.length) +
        'Fix in the app: set the span attribute aws.xray.annotations to a list of the keys to index (a plain string is ignored), ' +
        `e.g. ${JSON.stringify(keys.slice(0, 10))}${keys.length > 10 ? ' (and the rest)' : ''}, on the spans that carry them; ${path.alternative}.`);
      return [];
    },
  });
}
