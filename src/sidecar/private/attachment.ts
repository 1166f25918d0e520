import { CfnResource } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { fail } from '../../core/errors';
import { validateInstrumentOptions } from '../../core/validation-tracing';
import { AutoInstrumentation } from '../auto-instrumentation';
import type { InstrumentOptions } from '../xray-sidecar';

/**
 * The construct id, under the task definition, of what `XRaySidecar` or `XRayAgentless` attaches
 * (`<taskDefinition>/XRayTracing/Policy`, `.../LogGroup`): one per task definition. Renaming it
 * replaces deployed resources.
 */
const ATTACHMENT_ID = 'XRayTracing';

/** The child of a traced task definition that holds its tracing's policy (and log group), and points back to the tracing. */
class TracingAttachment extends Construct {
  constructor(scope: ecs.TaskDefinition, public readonly tracing: Construct) {
    super(scope, ATTACHMENT_ID);
  }
}

/** What traces `taskDefinition` (an `XRaySidecar` or an `XRayAgentless`), if anything does. */
export function attachedTracing(taskDefinition: ecs.TaskDefinition): Construct | undefined {
  const child = taskDefinition.node.tryFindChild(ATTACHMENT_ID);
  return child instanceof TracingAttachment ? child.tracing : undefined;
}

/** The construct already at `<taskDefinition>/XRayTracing`, whatever it is. */
export function existingAttachment(taskDefinition: ecs.TaskDefinition): IConstruct | undefined {
  return taskDefinition.node.tryFindChild(ATTACHMENT_ID);
}

/** Attaches `tracing` to `taskDefinition`; the caller has checked that nothing is attached yet. */
export function attachTracing(taskDefinition: ecs.TaskDefinition, tracing: Construct): Construct {
  return new TracingAttachment(taskDefinition, tracing);
}

/** The tracing's inline policy on the task role, which the task definition waits for. */
export function addTracingPolicy(attachment: Construct, taskDefinition: ecs.TaskDefinition, statements: iam.PolicyStatement[]): iam.Policy {
  const policy = new iam.Policy(attachment, 'Policy', { statements });
  policy.attachToRole(taskDefinition.taskRole);
  // IAM before tasks: no service or RunTask starts a task before its role may write traces.
  (taskDefinition.node.defaultChild as CfnResource).node.addDependency(policy.node.defaultChild as CfnResource);
  return policy;
}

/** Refuses a `taskDefinition` prop that is not an `ecs.TaskDefinition` (from JavaScript, or an import). */
export function requireTaskDefinition(owner: Construct, taskDefinition: ecs.TaskDefinition): ecs.TaskDefinition {
  if (!(taskDefinition instanceof ecs.TaskDefinition)) {
    fail(owner, `taskDefinition must be an ecs.TaskDefinition (Fargate, EC2 or External), got ${String(taskDefinition)}`);
  }
  return taskDefinition;
}

/** What `instrument` checks first, for the sidecar and collector-less alike; returns the container's auto-instrumentation. */
export function checkInstrumentTarget(owner: Construct & { readonly taskDefinition: ecs.TaskDefinition }, instrumented: Set<ecs.ContainerDefinition>,
  container: ecs.ContainerDefinition, options: InstrumentOptions, reachWith: string): AutoInstrumentation | undefined {
  if (container.taskDefinition !== owner.taskDefinition) {
    fail(owner,
      `container ${container.containerName} belongs to task ${container.taskDefinition.node.path}, not to ${owner.taskDefinition.node.path}: ` +
      `instrument it with that task's ${reachWith}`);
  }
  if (instrumented.has(container)) {
    fail(owner, `container ${container.containerName} is already instrumented by ${owner.node.path}`);
  }
  validateInstrumentOptions(owner, options);
  const auto = options.autoInstrumentation;
  if (auto !== undefined && !(auto instanceof AutoInstrumentation)) {
    fail(owner, `autoInstrumentation must be made with AutoInstrumentation.python(), .node(), .java() or .dotnet(), got ${String(auto)}`);
  }
  return auto;
}
