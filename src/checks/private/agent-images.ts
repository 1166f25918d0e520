import { Knowledge, UNKNOWN_PART, hasUnknownPart } from './cfn-values';
import { ADOT_REPOSITORY, CLOUDWATCH_REPOSITORY, DAEMON_REPOSITORY } from '../../core/agent-facts';

/** The kinds of tracing agent the checks recognize by image. */
export enum AgentKind {
  XRAY_DAEMON = 'xray-daemon',
  CLOUDWATCH_AGENT = 'cloudwatch-agent',
  ADOT_COLLECTOR = 'adot-collector',
}

/** The agents' repositories; an image is recognized by the last path segment, so mirrors count too. */
export const AGENT_REPOSITORIES: { readonly [repository: string]: AgentKind } = {
  [DAEMON_REPOSITORY]: AgentKind.XRAY_DAEMON,
  'amazon/aws-xray-daemon': AgentKind.XRAY_DAEMON,
  [CLOUDWATCH_REPOSITORY]: AgentKind.CLOUDWATCH_AGENT,
  [ADOT_REPOSITORY]: AgentKind.ADOT_COLLECTOR,
};

const AGENT_IMAGE_NAMES: ReadonlyMap<string, AgentKind> = new Map(
  Object.entries(AGENT_REPOSITORIES).map(([repository, kind]) => [repository.slice(repository.lastIndexOf('/') + 1), kind]),
);

/** What can be read from an image reference such as `public.ecr.aws/xray/aws-xray-daemon:3.6.6`. */
export interface ImageInfo {
  /** The image text; {@link UNKNOWN_PART} marks parts only known at deploy time. */
  readonly text: string;
  /** The last path segment of the repository, lowercase; undefined when it is not known. */
  readonly name?: string;
  /** The same segment as far as it is known, lowercase, with {@link UNKNOWN_PART} for deploy-time parts. */
  readonly namePattern: string;
  /** The tag, when known; undefined when there is none or it is not known (see `tagKnown`). */
  readonly tag?: string;
  /** Whether the tag (or its absence) is known. */
  readonly tagKnown: boolean;
  /** Whether the image is pinned by digest (`@sha256:...`). */
  readonly digest: boolean;
}

/**
 * Parses an image reference. The tag is what follows the first `:` after the last `/` (a `:` before
 * it belongs to a registry port); a `@` there starts a digest.
 */
export function parseImage(text: string): ImageInfo {
  const tail = text.slice(text.lastIndexOf('/') + 1);
  const at = tail.indexOf('@');
  const digest = at !== -1;
  const nameAndTag = digest ? tail.slice(0, at) : tail;
  const colon = nameAndTag.indexOf(':');
  const namePart = colon === -1 ? nameAndTag : nameAndTag.slice(0, colon);
  const namePattern = namePart.toLowerCase();
  const name = hasUnknownPart(namePart) || namePart === '' ? undefined : namePattern;
  if (colon !== -1) {
    const tag = nameAndTag.slice(colon + 1);
    return hasUnknownPart(tag)
      ? { text, name, namePattern, tagKnown: false, digest }
      : { text, name, namePattern, tag, tagKnown: true, digest };
  }
  // No ':' in the literal text: a deploy-time part in the name could still hold the tag.
  return { text, name, namePattern, tagKnown: !hasUnknownPart(namePart), digest };
}

/** Whether the image is, or (a deploy-time part of its name) could be, a tracing agent's. */
export function couldBeAgentImage(image: ImageInfo | undefined): boolean {
  if (image === undefined) return true;
  if (image.name !== undefined) return AGENT_IMAGE_NAMES.has(image.name);
  const literalParts = image.namePattern.split(UNKNOWN_PART).map(escapeRegExp);
  const pattern = new RegExp(`^${literalParts.join('.*')}$`);
  return [...AGENT_IMAGE_NAMES.keys()].some((agentName) => pattern.test(agentName));
}

/** The agent an image runs, by its repository's last path segment; undefined when not an agent or unknown. */
export function agentKindOfImage(image: ImageInfo | undefined): AgentKind | undefined {
  return image?.name === undefined ? undefined : AGENT_IMAGE_NAMES.get(image.name);
}

/**
 * Whether the image is pinned: `YES` for a digest or a version tag, `NO` for no tag or `latest`,
 * `UNKNOWN` when the tag is only known at deploy time.
 */
export function imagePinned(image: ImageInfo): Knowledge {
  if (image.digest) return Knowledge.YES;
  if (!image.tagKnown) return Knowledge.UNKNOWN;
  if (image.tag === undefined || image.tag === '' || image.tag.toLowerCase() === 'latest') return Knowledge.NO;
  return Knowledge.YES;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
