/** One endpoint of a daemon address: `host:port`, optionally `tcp:` or `udp:` in front. */
export interface DaemonEndpoint {
  /** `tcp` or `udp` when written; undefined for the plain `host:port` form (segments over UDP, sampling over TCP). */
  readonly protocol?: string;
  /** The host, lowercase, with `localhost` written as `127.0.0.1`. */
  readonly host: string;
  /** The port. */
  readonly port: number;
}

const ENDPOINT = /^(?:(tcp|udp):)?([^:\s]+):(\d{1,5})$/i;

/**
 * Parses a daemon address as the X-Ray SDKs read it: `host:port`, or the two-address form
 * `tcp:host:port udp:host:port` (either order). Undefined when malformed.
 */
export function parseDaemonAddress(value: string): DaemonEndpoint[] | undefined {
  const parts = value.trim().split(/\s+/).filter((p) => p !== '');
  if (parts.length === 0 || parts.length > 2) return undefined;
  const endpoints: DaemonEndpoint[] = [];
  for (const part of parts) {
    const match = ENDPOINT.exec(part);
    if (!match) return undefined;
    const port = Number(match[3]);
    if (port < 1 || port > 65535) return undefined;
    const host = match[2].toLowerCase();
    endpoints.push({ protocol: match[1]?.toLowerCase(), host: host === 'localhost' ? '127.0.0.1' : host, port });
  }
  if (endpoints.length === 2) {
    const protocols = endpoints.map((e) => e.protocol).sort().join(',');
    if (protocols !== 'tcp,udp') return undefined;
  }
  return endpoints;
}

/** The endpoint segments go to: the `udp:` one, or the only one. */
export function segmentEndpoint(endpoints: readonly DaemonEndpoint[]): DaemonEndpoint | undefined {
  return endpoints.find((e) => e.protocol === 'udp') ?? endpoints.find((e) => e.protocol === undefined);
}

/** Whether two endpoints name the same host and port. */
export function sameEndpoint(a: DaemonEndpoint | undefined, b: DaemonEndpoint | undefined): boolean {
  return a !== undefined && b !== undefined && a.host === b.host && a.port === b.port;
}
