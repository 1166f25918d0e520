import { Token } from 'aws-cdk-lib';
import { fail, Owner } from '../../core/errors';

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
