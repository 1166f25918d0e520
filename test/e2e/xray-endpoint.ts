/**
 * X-Ray's OTLP endpoint (`https://xray.<region>.amazonaws.com/v1/traces`), played on loopback for
 * the collector-less end-to-end test:
 *
 * - {@link makeTestCertificates}: a throwaway CA and a server certificate for the endpoint's host,
 *   made with `openssl` at test time (the app trusts the CA through `NODE_EXTRA_CA_CERTS`);
 * - {@link XRayOtlpEndpoint}: an HTTPS server on 127.0.0.1 (a free port) with that certificate,
 *   recording every request (method, path, headers, body) and answering an export with an empty
 *   `ExportTraceServiceResponse`;
 * - {@link verifySigV4}: checks a recorded request's `Authorization` header against the request
 *   and the secret key, as AWS would (Signature Version 4).
 *
 * The app is kept on loopback by `loopback-endpoint.js` (its `--require` preload), which resolves
 * the endpoint's host to 127.0.0.1, moves its port 443 to the server's port, refuses everything
 * else that is not loopback, and writes each lookup and connect to stderr ({@link netEvents}).
 */
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as https from 'https';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { closeServer, LOOPBACK, withBody } from './peers';

/** The `--require` preload that keeps the app on loopback (see loopback-endpoint.js). */
export const LOOPBACK_ENDPOINT_PRELOAD = path.join(__dirname, 'loopback-endpoint.js');
/** The EC2 instance metadata service (IMDS), which the ADOT SDK's AWS EC2 resource detector asks at start. */
export const EC2_METADATA_SERVICE = '169.254.169.254';
/** How long one `openssl` command may take. */
const OPENSSL_TIMEOUT_MS = 10_000;

/** One line the preload wrote: a lookup, a TCP connect or a UDP send, and whether it was refused. */
export interface NetEvent {
  readonly lookup?: string;
  readonly connect?: string;
  readonly send?: string;
  readonly answer?: string;
  /** Where a connect to the endpoint's port 443 went instead. */
  readonly port?: number;
  readonly refused?: boolean;
}

/** The preload's lines in a process's output. */
export function netEvents(output: string): NetEvent[] {
  const prefix = 'LOOPBACK-ENDPOINT ';
  return output.split('\n').filter((l) => l.startsWith(prefix)).map((l) => JSON.parse(l.slice(prefix.length)) as NetEvent);
}

/** The files of a test CA and a server certificate it signed. */
export interface TestCertificates {
  /** The CA certificate (PEM), for `NODE_EXTRA_CA_CERTS`. */
  readonly caFile: string;
  readonly serverKey: Buffer;
  readonly serverCert: Buffer;
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf-8', timeout: OPENSSL_TIMEOUT_MS });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error('this test makes its TLS certificates with openssl, which is not on the PATH: install it (Debian/Ubuntu: apt-get install openssl)');
  }
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}`);
}

/** A CA valid for a day and a server certificate for `host` (P-256 keys: fast to make). */
export function makeTestCertificates(host: string): TestCertificates {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xray-endpoint-tls-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=cdk-xray-ecs test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'], dir);
  openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${host}`], dir);
  fs.writeFileSync(path.join(dir, 'server.ext'), `subjectAltName=DNS:${host}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`);
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1',
    '-extfile', 'server.ext', '-out', 'server.pem'], dir);
  return {
    caFile: path.join(dir, 'ca.pem'),
    serverKey: fs.readFileSync(path.join(dir, 'server.key')),
    serverCert: fs.readFileSync(path.join(dir, 'server.pem')),
  };
}

/** One request the endpoint got. */
export interface EndpointRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** The TLS server name the client asked for (SNI). */
  readonly servername: string | undefined;
}

/** An HTTPS server on 127.0.0.1 that records every request and answers `POST /v1/traces` with 200. */
export class XRayOtlpEndpoint {
  public static async start(certificates: TestCertificates): Promise<XRayOtlpEndpoint> {
    const endpoint = new XRayOtlpEndpoint(certificates);
    await new Promise<void>((resolve, reject) => {
      endpoint.server.once('error', reject);
      endpoint.server.listen(0, LOOPBACK, () => resolve());
    });
    endpoint.port = (endpoint.server.address() as net.AddressInfo).port;
    return endpoint;
  }

  public readonly requests: EndpointRequest[] = [];
  public port = 0;
  private readonly server: https.Server;

  private constructor(certificates: TestCertificates) {
    this.server = https.createServer({ key: certificates.serverKey, cert: certificates.serverCert }, withBody((req, res, body) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      const servername = (req.socket as unknown as { servername?: string | false }).servername;
      this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers, body, servername: servername || undefined });
      if (req.method === 'POST' && req.url === '/v1/traces') {
        // An empty ExportTraceServiceResponse: everything accepted.
        res.writeHead(200, { 'Content-Type': 'application/x-protobuf', 'Content-Length': 0 });
        res.end();
        return;
      }
      res.writeHead(404);
      res.end();
    }));
    this.server.keepAliveTimeout = 500;
  }

  public async close(): Promise<void> {
    await closeServer(this.server);
  }
}

/** The parts of a SigV4 `Authorization` header. */
export interface SigV4Authorization {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: string[];
  readonly signature: string;
}

const AUTHORIZATION_PATTERN = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

/** Parses `AWS4-HMAC-SHA256 Credential=.../<date>/<region>/<service>/aws4_request, SignedHeaders=..., Signature=...`. */
export function parseSigV4Authorization(header: string | undefined): SigV4Authorization | undefined {
  const m = AUTHORIZATION_PATTERN.exec(header ?? '');
  if (!m) return undefined;
  return { accessKeyId: m[1], date: m[2], region: m[3], service: m[4], signedHeaders: m[5].split(';'), signature: m[6] };
}

function sha256Hex(data: string | Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return crypto.createHmac('sha256', key).update(data).digest();
}

/**
 * The signature AWS would compute for `request` with `secretAccessKey` (Signature Version 4:
 * canonical request, string to sign, derived key), for a request with no query string.
 */
export function expectedSigV4Signature(request: EndpointRequest, auth: SigV4Authorization, secretAccessKey: string): string {
  const amzDate = request.headers['x-amz-date'] ?? '';
  const canonicalHeaders = auth.signedHeaders.map((h) => `${h}:${(request.headers[h] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalRequest = [
    request.method,
    request.path.split('?')[0],
    '',
    canonicalHeaders,
    auth.signedHeaders.join(';'),
    // The hash of the body as received: a signature over any other payload does not verify.
    sha256Hex(request.body),
  ].join('\n');
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${secretAccessKey}`, auth.date);
  for (const part of [auth.region, auth.service, 'aws4_request']) key = hmac(key, part);
  return crypto.createHmac('sha256', key).update(stringToSign).digest('hex');
}
