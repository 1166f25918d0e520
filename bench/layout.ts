/**
 * What both benchmark apps share: how N services are spread over stacks, their names and the
 * trace groups' queries. Plain data, no imports: the runner reads it without loading aws-cdk-lib.
 */

/** At most this many services per stack (the limit). */
export const MAX_SERVICES_PER_STACK = 25;

/** The app image every benchmark service runs (pinned, like a real one). */
export const APP_IMAGE = 'public.ecr.aws/docker/library/python:3.12-slim';

/** The port every benchmark app listens on. */
export const APP_PORT = 8080;

/** One stack of the benchmark app. */
export interface StackPlan {
  readonly stackId: string;
  /** X-Ray / ECS service names, globally unique in the app. */
  readonly serviceNames: string[];
}

/** N services over ceil(N / 25) stacks, as evenly as possible (100 -> 4 x 25, 30 -> 2 x 15). */
export function planStacks(n: number): StackPlan[] {
  const stacks = Math.max(1, Math.ceil(n / MAX_SERVICES_PER_STACK));
  const plans: StackPlan[] = [];
  let next = 0;
  for (let s = 0; s < stacks; s++) {
    const count = Math.floor(n / stacks) + (s < n % stacks ? 1 : 0);
    const serviceNames: string[] = [];
    for (let i = 0; i < count; i++, next++) {
      serviceNames.push(`bench-svc-${String(next).padStart(3, '0')}`);
    }
    plans.push({ stackId: `BenchStack${s}`, serviceNames });
  }
  return plans;
}

/** The construct id of a service's subtree (the same in A and B, so logical ids match). */
export function serviceConstructId(serviceName: string): string {
  return serviceName.replace(/^bench-svc-/, 'Svc');
}

/** The filter expressions of a stack's two trace groups, as the runbook's console queries. */
export function slowQuery(serviceName: string): string {
  return `service("${serviceName}") AND responsetime > 5`;
}
export function errorsQuery(serviceName: string): string {
  return `service("${serviceName}") AND error = true`;
}
/** Group names: letters, digits and dashes, at most 32 characters. */
export function slowGroupName(stackIndex: number): string {
  return `bench-${stackIndex}-slow`;
}
export function errorsGroupName(stackIndex: number): string {
  return `bench-${stackIndex}-errors`;
}
