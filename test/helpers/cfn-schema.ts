import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';

/**
 * Validates the `AWS::XRay::*` resources of a synthesized template against the CloudFormation
 * registry schemas kept in `test/fixtures/cfn-schemas/` (source and licence in its README).
 */
const CFN_SCHEMA_DIR = path.resolve(__dirname, '..', 'fixtures', 'cfn-schemas');

/** One problem with one resource. */
export interface SchemaProblem {
  readonly logicalId: string;
  readonly type: string;
  readonly message: string;
}

/** What {@link validateXRayResources} found. */
export interface SchemaReport {
  /** How many `AWS::XRay::*` resources were checked. */
  readonly checked: number;
  readonly problems: SchemaProblem[];
}

interface RegistrySchema {
  readonly typeName: string;
  readonly readOnlyProperties?: string[];
  readonly [key: string]: unknown;
}

interface Loaded {
  readonly schema: RegistrySchema;
  readonly validate: ValidateFunction;
}

let cache: Map<string, Loaded> | undefined;

function loadSchemas(): Map<string, Loaded> {
  if (cache) return cache;
  // The registry schemas carry keys that are not JSON Schema (handlers, tagging, primaryIdentifier,
  // insertionOrder ...): strict mode off so ajv ignores them instead of refusing the schema.
  const ajv = new Ajv({ allErrors: true, strict: false });
  const loaded = new Map<string, Loaded>();
  for (const file of fs.readdirSync(CFN_SCHEMA_DIR).filter((f) => f.endsWith('.json')).sort()) {
    const schema = JSON.parse(fs.readFileSync(path.join(CFN_SCHEMA_DIR, file), 'utf-8')) as RegistrySchema;
    loaded.set(schema.typeName, { schema, validate: ajv.compile(schema) });
  }
  cache = loaded;
  return loaded;
}

/** The resource types a registry schema was found for. */
export function schemaTypes(): string[] {
  return [...loadSchemas().keys()];
}

/** Whether `value` is a CloudFormation intrinsic: an object with one key, `Ref` or `Fn::...`. */
function isIntrinsic(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

/** The value at a JSON pointer (`/SamplingRule/Priority`) of `root`; undefined when absent. */
function valueAt(root: unknown, pointer: string): unknown {
  let value: unknown = root;
  for (const part of pointer.split('/').slice(1)) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return value;
}

/**
 * Checks every `AWS::XRay::*` resource of `template` (a synthesized template as JSON) against its
 * registry schema: JSON-schema validity of `Properties`, no read-only property set, and a schema
 * existing for the type at all.
 */
export function validateXRayResources(template: { Resources?: Record<string, { Type: string; Properties?: unknown }> }): SchemaReport {
  const schemas = loadSchemas();
  const problems: SchemaProblem[] = [];
  let checked = 0;
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (!resource.Type.startsWith('AWS::XRay::')) continue;
    checked += 1;
    const entry = schemas.get(resource.Type);
    if (!entry) {
      problems.push({ logicalId, type: resource.Type, message: 'no registry schema for this type' });
      continue;
    }
    const properties = resource.Properties ?? {};
    if (!entry.validate(properties)) {
      for (const error of entry.validate.errors ?? []) {
        // A deploy-time value (`{ Ref }`, `{ 'Fn::GetAtt' }`, ...) stands for a value of the right
        // type: CloudFormation checks it after resolving, so the schema cannot judge it here.
        if (isIntrinsic(valueAt(properties, error.instancePath))) continue;
        problems.push({
          logicalId,
          type: resource.Type,
          message: `${error.instancePath || '/'} ${error.message ?? 'is invalid'}${error.params ? ` ${JSON.stringify(error.params)}` : ''}`,
        });
      }
    }
    for (const pointer of entry.schema.readOnlyProperties ?? []) {
      const name = pointer.replace(/^\/properties\//, '');
      if (!name.includes('/') && typeof properties === 'object' && properties !== null && name in properties) {
        problems.push({ logicalId, type: resource.Type, message: `read-only property ${name} is set` });
      }
    }
  }
  return { checked, problems };
}
