import { IConstruct } from 'constructs';

/**
 * Who a message is about: a construct (its path is shown) or, where no construct exists yet, the
 * name of the call (`XRayAgent.daemon`, `XRayCostEstimator.estimate`).
 */
export type Owner = IConstruct | string;

/** `App/Stack/Backend: ` for a construct, `XRayAgent.daemon: ` for a call, `` for the app root. */
export function ownerPrefix(owner: Owner | undefined): string {
  if (owner === undefined) return '';
  if (typeof owner === 'string') return owner === '' ? '' : `${owner}: `;
  const path = owner.node.path;
  return path === '' ? '' : `${path}: `;
}

/**
 * Throws the library's synth-time error: `<construct path>: <prop> must ..., got ...`. Every
 * message of the library goes through here, so each names where the bad value is.
 */
export function fail(owner: Owner | undefined, message: string): never {
  throw new Error(`${ownerPrefix(owner)}${message}`);
}

/** A value as a message shows it: strings quoted, objects as JSON. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value);
    } catch (e) {
      return `${String(value)} (${(e as Error).message})`;
    }
  }
  return String(value);
}
