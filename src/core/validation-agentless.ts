import { Token } from 'aws-cdk-lib';
import { fail, Owner } from './errors';

/** What the check reads of an `AutoInstrumentation`. */
export interface AgentlessAutoInstrumentation {
  readonly language: string;
  readonly version: string;
  readonly minAgentlessVersion: string;
}

/** `vX.Y.Z` as numbers; undefined for another shape. */
function versionParts(version: string): number[] | undefined {
  const match = /^v(\d+)\.(\d+)\.(\d+)$/.exec(version);
  return match ? match.slice(1).map(Number) : undefined;
}

/** Whether release `a` is older than `b` (both `vX.Y.Z`). */
function olderThan(a: number[], b: number[]): boolean {
  for (let i = 0; i < 3; i++) {
    if (a[i] !== b[i]) return a[i] < b[i];
  }
  return false;
}

/**
 * Throws unless `auto` is an auto-instrumentation at least as new as the first release of its
 * language with the SigV4 span exporter (a version that is a token is not compared).
 */
export function validateAgentlessAutoInstrumentation(owner: Owner, auto: AgentlessAutoInstrumentation | undefined): void {
  if (auto === undefined) {
    fail(owner,
      'autoInstrumentation is required with agentless: only the ADOT SDKs export OTLP to X-Ray\'s endpoint (the X-Ray SDKs send segments to an agent); ' +
      'pass autoInstrumentation: AutoInstrumentation.python() (or .node(), .java(), .dotnet()), or leave agentless out');
  }
  if (typeof auto.version !== 'string' || typeof auto.minAgentlessVersion !== 'string') {
    fail(owner, `autoInstrumentation must be made with AutoInstrumentation.python(), .node(), .java() or .dotnet(), got ${String(auto)}`);
  }
  if (Token.isUnresolved(auto.version)) return;
  const have = versionParts(auto.version);
  const min = versionParts(auto.minAgentlessVersion);
  if (have !== undefined && min !== undefined && olderThan(have, min)) {
    fail(owner,
      `autoInstrumentation (${auto.language}) version must be at least ${auto.minAgentlessVersion} with agentless (the first ADOT release that signs ` +
      `its export to X-Ray's endpoint), got ${JSON.stringify(auto.version)}: raise the version, or leave it out for the default`);
  }
}
