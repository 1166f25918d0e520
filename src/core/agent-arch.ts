import { Stack, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { DAEMON_REPOSITORY } from './agent-facts';
import { fail, Owner } from './errors';

/**
 * The agent images are multi-arch (amd64, arm64), except X-Ray daemon tags before 3.3.0 (x86-64
 * only). On ARM64 those, and any tag naming one architecture (`-amd64`, `-x86_64`), are refused;
 * a mirror's other tags are not checked.
 */
export const DAEMON_FIRST_ARM64_VERSION = '3.3.0';

/** The task's CPU architecture as its template says: `ARM64`, `X86_64`, or undefined (unset or a token). */
export function taskCpuArchitecture(taskDefinition: ecs.TaskDefinition): string | undefined {
  const cfn = taskDefinition.node.defaultChild as ecs.CfnTaskDefinition | undefined;
  if (!cfn) return undefined;
  const platform = Stack.of(taskDefinition).resolve(cfn.runtimePlatform) as { cpuArchitecture?: unknown } | undefined;
  const arch = platform?.cpuArchitecture;
  return typeof arch === 'string' && !Token.isUnresolved(arch) ? arch : undefined;
}

/**
 * Throws when the task runs on ARM64 and `imageName` (`repository:tag`) has no arm64 build.
 * `displayName` names the agent in the message.
 */
export function validateAgentArchitecture(owner: Owner, taskDefinition: ecs.TaskDefinition, imageName: string, displayName: string): void {
  if (taskCpuArchitecture(taskDefinition) !== 'ARM64' || Token.isUnresolved(imageName)) return;
  const bare = imageName.split('@')[0];
  const colon = bare.indexOf(':', bare.lastIndexOf('/') + 1);
  const repository = colon === -1 ? bare : bare.slice(0, colon);
  const tag = colon === -1 ? '' : bare.slice(colon + 1);
  if (/-(amd64|x86_64|x86-64)$/i.test(tag)) {
    fail(owner,
      `agent image ${JSON.stringify(imageName)} is an x86-64 build, but taskDefinition ${taskDefinition.node.path} runs on ARM64 ` +
      '(runtimePlatform.cpuArchitecture): use the multi-arch tag without the architecture suffix');
  }
  if (repository === DAEMON_REPOSITORY) {
    const m = /^(\d+)\.(\d+)\.(\d+)/.exec(tag);
    if (m && (Number(m[1]) < 3 || (Number(m[1]) === 3 && Number(m[2]) < 3))) {
      fail(owner,
        `the ${displayName} ${tag} has no arm64 build (multi-arch images start at ${DAEMON_FIRST_ARM64_VERSION}), ` +
        `but taskDefinition ${taskDefinition.node.path} runs on ARM64: use XRayAgent.daemon({ version: '${DAEMON_FIRST_ARM64_VERSION}' }) or later, ` +
        'or XRayAgent.cloudWatchAgent()');
    }
  }
}
