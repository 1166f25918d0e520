import { Token } from 'aws-cdk-lib';
import { fail, Owner, show } from '../../core/errors';

/** A dotted `major.minor.patch` version, as the agents' image tags carry it. */
export interface DottedVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/**
 * Reads `major.minor.patch` from an image tag, ignoring a leading `v`, the CloudWatch agent's
 * `b<build>` suffix and an architecture suffix (`-amd64`, `-arm64`). Returns undefined for a tag
 * of another shape (a mirror's own tag, a digest), which callers then leave alone.
 */
export function parseDottedVersion(tag: string): DottedVersion | undefined {
  // A `tag@sha256:...` reference pins the digest; its tag still names the version.
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:b\d+)?(?:-[A-Za-z0-9]+)*$/.exec(tag.split('@')[0]);
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

/** Negative when `a` is older than `b`, zero when equal, positive when newer. */
export function compareVersions(a: DottedVersion, b: DottedVersion): number {
  return (a.major - b.major) || (a.minor - b.minor) || (a.patch - b.patch);
}

/** Renders a version as `major.minor.patch`. */
export function formatVersion(v: DottedVersion): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

/**
 * Throws when `version` (an image tag, optionally with `@sha256:...`) is older than `minimum`. Tags
 * that are tokens, bare digests or of another shape are not checked: only a version we can read is
 * compared.
 */
export function validateMinimumVersion(owner: Owner, prop: string, version: string, minimum: DottedVersion, why: string): void {
  if (Token.isUnresolved(version)) return;
  const parsed = parseDottedVersion(version);
  if (parsed && compareVersions(parsed, minimum) < 0) {
    fail(owner, `${prop} must be ${formatVersion(minimum)} or later ${why}, got ${JSON.stringify(version)}`);
  }
}

/**
 * Throws when a tag for the agent's own public repository has, or lacks, the leading `v` its
 * published tags always carry (`v0.49.0` for the ADOT collector, `1.300071.0b1720` for the
 * CloudWatch agent): such an image does not exist and the task would fail to pull it at deploy time.
 * Only checked against the default repository; a mirror may tag as it likes.
 */
export function validateTagPrefix(owner: Owner, prop: string, version: string, wantsV: boolean, example: string): void {
  if (Token.isUnresolved(version) || !parseDottedVersion(version)) return;
  const hasV = version.startsWith('v');
  if (hasV !== wantsV) {
    const rule = wantsV ? 'start with "v"' : 'have no "v" prefix';
    fail(owner, `${prop} must ${rule} in this repository (e.g. ${JSON.stringify(example)}), got ${JSON.stringify(version)}`);
  }
}

/*
 * Image references, by the grammar of distribution/reference (`reference.go`, `regexp.go`), which
 * registries and the Docker and containerd clients parse:
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [ host [ ":" port ] "/" ] path-component [ "/" path-component ]*
 *   path-component := [a-z0-9]+ ( ( [._] | __ | -+ ) [a-z0-9]+ )*
 *   tag       := [\w][\w.-]{0,127}
 *
 * Digests are limited here to `sha256:` and 64 lowercase hex digits, the form registries give.
 */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const DOMAIN_COMPONENT = '(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])';
// The grammar's bracketed IPv6 host is left out: ECS's image field takes no `[` or `]`.
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REPOSITORY = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
/** The longest repository path (after the registry host) a registry accepts. */
const REPOSITORY_PATH_MAX = 255;
/** The longest image reference ECS registers (`ContainerDefinition.image`). */
const ECS_IMAGE_MAX = 255;

const TAG_RULE = 'a tag ([\\w][\\w.-]{0,127}: letters, digits, _ . and -, up to 128 characters, not starting with . or -), '
  + 'optionally followed by @sha256:<64 hex digits>, or a digest sha256:<64 hex digits>';
const REPOSITORY_RULE = 'a repository name ([host[:port]/]path, each path component lowercase letters and digits '
  + 'joined by one . or _, two _ or any number of -)';

/**
 * Builds the image reference of an agent or auto-instrumentation image, `repository:version`
 * (`repository@sha256:...` when `version` is a bare digest), and throws unless `repository` and
 * `version` follow the distribution reference grammar, `version` is pinned (never `latest` without
 * a digest) and the reference fits ECS. Tokens are not checked.
 *
 * @param owner the call, e.g. `XRayAgent.adotCollector`
 * @param image what the image is, for messages, e.g. `the ADOT collector image`
 */
export function pinnedImageReference(owner: Owner, image: string, repository: string, version: string): string {
  for (const [prop, value] of [['repository', repository], ['version', version]] as const) {
    if (typeof value !== 'string') fail(owner, `${prop} of ${image} must be a string, got ${show(value)}`);
  }
  const versionKnown = !Token.isUnresolved(version);
  const repositoryKnown = !Token.isUnresolved(repository);
  const imageName = versionKnown && DIGEST.test(version) ? `${repository}@${version}` : `${repository}:${version}`;
  if (repositoryKnown) {
    // As distribution/reference splits a name: the first component is the registry host when it
    // has a `.` or a `:` or is `localhost` (normalize.go); the path limit applies to the rest.
    const slash = repository.indexOf('/');
    const first = repository.slice(0, Math.max(slash, 0));
    const path = slash !== -1 && (/[.:]/.test(first) || first === 'localhost') ? repository.slice(slash + 1) : repository;
    if (!REPOSITORY.test(repository) || path.length > REPOSITORY_PATH_MAX) {
      fail(owner, `repository of ${image} must be ${REPOSITORY_RULE}, at most ${REPOSITORY_PATH_MAX} characters after the host, got ${show(repository)}`);
    }
  }
  if (versionKnown) {
    const at = version.indexOf('@');
    const tag = DIGEST.test(version) ? undefined : at === -1 ? version : version.slice(0, at);
    const digest = at === -1 ? undefined : version.slice(at + 1);
    if (tag === '' || (tag?.toLowerCase() === 'latest' && digest === undefined)) {
      fail(owner,
        `version must be pinned to a version tag or digest (never "latest": daemon 3.3.0 broke every stack on latest), got ${show(imageName)}`);
    }
    if ((tag !== undefined && !TAG.test(tag)) || (digest !== undefined && !DIGEST.test(digest))) {
      fail(owner, `version of ${image} must be ${TAG_RULE} (the distribution reference grammar), got ${show(version)}`);
    }
  }
  if (versionKnown && repositoryKnown && imageName.length > ECS_IMAGE_MAX) {
    fail(owner, `version and repository of ${image} make a reference of ${imageName.length} characters; ECS takes at most ${ECS_IMAGE_MAX}, got ${show(imageName)}`);
  }
  return imageName;
}
