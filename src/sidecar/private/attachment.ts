/**
 * The construct id, under the task definition, of what every entry point attaches (an agent
 * sidecar or collector-less tracing): its IAM policy sits at `<taskDefinition>/XRayTracing/Policy`.
 * One per task definition. Renaming it replaces deployed resources.
 */
export const ATTACHMENT_ID = 'XRayTracing';
