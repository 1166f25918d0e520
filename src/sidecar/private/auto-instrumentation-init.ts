import * as ecs from 'aws-cdk-lib/aws-ecs';
import {
  AutoInstrumentationInput, autoInstrumentationAppendedEnvironment, autoInstrumentationFixedEnvironment,
} from './auto-instrumentation-env';
import { applyEnvironment } from '../../core/env-contract';
import { fail, Owner } from '../../core/errors';
import { isToken } from '../../core/numbers';
import { validateLength } from '../../core/validation';
import { AutoInstrumentation } from '../auto-instrumentation';

/** What the init container and the app's variables are built from, besides the language. */
export interface AutoInstrumentationTarget {
  readonly owner: Owner;
  readonly container: ecs.ContainerDefinition;
  readonly auto: AutoInstrumentation;
  /** The variables' inputs, without `auto` and `cpuArchitecture` (read from the task here). */
  readonly input: Omit<AutoInstrumentationInput, 'auto' | 'cpuArchitecture'>;
  /** Where the init container's output goes, given its stream prefix; none when undefined. */
  readonly logging: (streamPrefix: string) => ecs.LogDriver | undefined;
}

/**
 * The init container that copies the agent into a task volume, the app's mount of it and its
 * wait for the copy's `SUCCESS`, and the variables that load the agent.
 */
export function attachAutoInstrumentation(target: AutoInstrumentationTarget): void {
  const { owner, container, auto } = target;
  const td = container.taskDefinition;
  const platform = (td.node.defaultChild as ecs.CfnTaskDefinition).runtimePlatform as ecs.CfnTaskDefinition.RuntimePlatformProperty | undefined;
  const os = platform?.operatingSystemFamily;
  if (typeof os === 'string' && !isToken(os) && os !== 'LINUX') {
    fail(owner,
      `autoInstrumentation (${auto.language}) needs a Linux task: the ADOT auto-instrumentation images are built for linux/amd64 and linux/arm64, ` +
      `got runtimePlatform operatingSystemFamily ${JSON.stringify(os)}`);
  }
  const arch = platform?.cpuArchitecture;
  if (typeof arch === 'string' && !isToken(arch) && arch !== 'X86_64' && arch !== 'ARM64') {
    fail(owner, `autoInstrumentation (${auto.language}) has images for X86_64 and ARM64 only, got runtimePlatform cpuArchitecture ${JSON.stringify(arch)}`);
  }
  const input: AutoInstrumentationInput = {
    ...target.input,
    auto,
    cpuArchitecture: typeof arch === 'string' && !isToken(arch) ? arch : 'X86_64',
  };
  // Read what the app set before anything is added: appended variables keep it.
  const appended = autoInstrumentationAppendedEnvironment(owner, container, input);
  applyEnvironment(owner, container, autoInstrumentationFixedEnvironment(input));
  for (const [name, value] of Object.entries(appended)) container.addEnvironment(name, value);

  const volumeName = `${container.containerName}-adot-${auto.language}`;
  td.addVolume({ name: volumeName });
  const initName = `${container.containerName}-adot-init`;
  validateLength(owner, 'autoInstrumentation init container name', initName, 1, 255);
  const init = td.addContainer(`${container.node.id}AdotInit`, {
    containerName: initName,
    image: ecs.ContainerImage.fromRegistry(auto.imageName),
    // Exec form: the image is FROM scratch with only /bin/cp.
    command: auto.initCommand,
    essential: false,
    cpu: 0,
    memoryLimitMiB: auto.initMemoryLimitMiB,
    // The image's own user (root): the task volume it copies into is created root-owned, so a
    // non-root copy could not write there. It runs `cp` once and exits; nothing else runs in it.
    readonlyRootFilesystem: true,
    privileged: false,
    logging: target.logging(`adot-init-${auto.language}`),
  });
  init.addMountPoints({ sourceVolume: volumeName, containerPath: auto.mountPath, readOnly: false });
  container.addMountPoints({ sourceVolume: volumeName, containerPath: auto.mountPath, readOnly: true });
  container.addContainerDependencies({ container: init, condition: ecs.ContainerDependencyCondition.SUCCESS });
}
