/**
 * Issue 25, "Proof with the real ADOT Node SDK, loopback only": a collector-less service's app
 * exports straight to X-Ray's OTLP endpoint, signed with SigV4, with no agent in the task.
 *
 * A `TracedFargateService` with `agentless: true` and `AutoInstrumentation.node()` is synthesized
 * in eu-west-1; `adot-node-app.js` (no tracing code) runs under the REAL ADOT Node.js SDK
 * (`@aws/aws-distro-opentelemetry-node-autoinstrumentation` 0.13.0, a devDependency) with exactly
 * the app container's environment from the template, plus fake static credentials
 * (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`) and `NODE_EXTRA_CA_CERTS` (the test
 * CA). The one mapping is the `--require` path of `NODE_OPTIONS` into the init container's volume,
 * which points at the installed package's `register` (as in adot-node.test.ts).
 *
 * The endpoint `https://xray.eu-west-1.amazonaws.com/v1/traces` is an HTTPS server on 127.0.0.1
 * with a certificate for that host from a CA made at test time. One more module is loaded first,
 * ahead of the SDK in `NODE_OPTIONS` (Node loads those before its command line's, and the SDK
 * starts its resource detectors while it loads): `loopback-endpoint.js`, which resolves exactly
 * that host to 127.0.0.1, moves its port 443 to the server's port (binding 443 would need root and
 * would collide with anything else on the machine using it; the port is the only thing changed,
 * below TLS and HTTP, so the certificate check, the Host header and the signature all still name
 * the real host), and refuses every other non-loopback name and address.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { AdotNodeApp, addCollectorLessService, decodeExportTraceServiceRequest, mapNodeRequire, SPAN_KIND } from './otlp-peers';
import { containerEnvironment, LOOPBACK, taskDefinitions, TemplateJson } from './peers';
import {
  EC2_METADATA_SERVICE, expectedSigV4Signature, LOOPBACK_ENDPOINT_PRELOAD, makeTestCertificates, netEvents, parseSigV4Authorization,
  TestCertificates, XRayOtlpEndpoint,
} from './xray-endpoint';
import { createStack } from '../helpers/app';

const SERVICE = 'afirgen-main-backend';
const REGION = 'eu-west-1';
const XRAY_HOST = `xray.${REGION}.amazonaws.com`;
/** Fake static credentials (AWS's documentation example keys): the signature is checked with them. */
const CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_REGION: REGION,
};
/** Requests the test sends to the app's /process. */
const REQUESTS = 2;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let certificates: TestCertificates;
beforeAll(() => {
  certificates = makeTestCertificates(XRAY_HOST);
});

/** The app container's environment and the task's container names, from a synthesized collector-less service in eu-west-1. */
function synthesize(): { env: Record<string, string>; containers: string[] } {
  const { stack } = createStack({ env: { account: '123456789012', region: REGION } });
  addCollectorLessService(stack, SERVICE);
  const template = Template.fromStack(stack).toJSON() as TemplateJson;
  const containers = taskDefinitions(template).flatMap((d) => d.containers.map((c) => c.Name));
  return { env: containerEnvironment(template, 'app'), containers };
}

describe('collector-less: the real ADOT Node.js SDK with the template\'s environment', () => {
  test('exports to https://xray.<region>.amazonaws.com/v1/traces with SigV4 (xray scope), an OTLP protobuf body with the service and its spans, and contacts nothing else', async () => {
    const started = Date.now();
    // GIVEN the collector-less service's app environment: no agent in the task, X-Ray's endpoint
    const { env, containers } = synthesize();
    // (the app and the auto-instrumentation init container; no agent)
    expect(containers).toHaveLength(2);
    expect(containers).toEqual(['app', expect.stringMatching(/-init$/)]);
    expect(env).toMatchObject({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `https://${XRAY_HOST}/v1/traces`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_SERVICE_NAME: SERVICE,
    });
    // nothing in it points at an agent
    expect(Object.values(env).filter((v) => /127\.0\.0\.1|localhost|:2000|:4318/.test(v))).toEqual([]);

    const endpoint = await XRayOtlpEndpoint.start(certificates);
    cleanups.push(() => endpoint.close());

    // WHEN the app runs with exactly that environment (+ fake credentials and the test CA) ...
    const appEnv = { ...mapNodeRequire(env), ...CREDENTIALS, NODE_EXTRA_CA_CERTS: certificates.caFile };
    expect(Object.keys(appEnv).sort()).toEqual([...Object.keys(env), ...Object.keys(CREDENTIALS), 'NODE_EXTRA_CA_CERTS'].sort());
    const app = await AdotNodeApp.start(appEnv, 10_000, { preload: LOOPBACK_ENDPOINT_PRELOAD, args: [`--loopback-endpoint=${XRAY_HOST}:${endpoint.port}`] });
    cleanups.push(() => app.kill());
    // ... serves requests, and is stopped (SIGTERM: the SDK flushes, as on an ECS stop)
    for (let i = 0; i < REQUESTS; i++) expect(await app.get('/process')).toEqual({ status: 200, body: 'processed (downstream 200)' });
    expect(await app.stop(8_000)).toBe(0);

    // THEN the export reached the endpoint: POST /v1/traces, protobuf, to the X-Ray host by name
    expect(endpoint.requests.length).toBeGreaterThan(0);
    for (const request of endpoint.requests) {
      expect(request).toMatchObject({
        method: 'POST',
        path: '/v1/traces',
        servername: XRAY_HOST,
        headers: expect.objectContaining({ 'host': XRAY_HOST, 'content-type': 'application/x-protobuf' }),
      });
      // ... signed with SigV4 for the xray service in the endpoint's Region, with the given key ...
      const auth = parseSigV4Authorization(request.headers.authorization);
      expect(auth).toMatchObject({ accessKeyId: CREDENTIALS.AWS_ACCESS_KEY_ID, region: REGION, service: 'xray' });
      expect(request.headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${CREDENTIALS.AWS_ACCESS_KEY_ID}/\\d{8}/${REGION}/xray/aws4_request, `));
      expect(auth!.signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date']));
      expect(request.headers['x-amz-date']).toMatch(new RegExp(`^${auth!.date}T\\d{6}Z$`));
      // ... a signature that verifies over this method, path, the signed headers and this body
      expect(auth!.signature).toBe(expectedSigV4Signature(request, auth!, CREDENTIALS.AWS_SECRET_ACCESS_KEY));
      // (and the check can fail: one more byte of body, and it does not verify)
      const tampered = { ...request, body: Buffer.concat([request.body, Buffer.from([0])]) };
      expect(expectedSigV4Signature(tampered, auth!, CREDENTIALS.AWS_SECRET_ACCESS_KEY)).not.toBe(auth!.signature);
    }

    // The bodies are OTLP ExportTraceServiceRequests with the service name and the app's spans:
    // per request a server span for /process, the HTTP client span of its outgoing call, and the
    // server span of /downstream under that (and the SDK's internal `tcp.connect` spans).
    const all = endpoint.requests.flatMap((r) => decodeExportTraceServiceRequest(r.body));
    for (const span of all) expect(span.resource['service.name']).toBe(SERVICE);
    const spans = all.filter((s) => s.kind === SPAN_KIND.SERVER || s.kind === SPAN_KIND.CLIENT);
    expect(spans).toHaveLength(3 * REQUESTS);
    const roots = spans.filter((s) => s.kind === SPAN_KIND.SERVER && s.parentSpanId === '');
    expect(roots.map((s) => String(s.attributes['url.path'] ?? s.attributes['http.target']))).toEqual(Array(REQUESTS).fill('/process'));
    for (const root of roots) {
      const clients = spans.filter((s) => s.kind === SPAN_KIND.CLIENT && s.parentSpanId === root.spanId && s.traceId === root.traceId);
      expect(clients).toHaveLength(1);
      expect(spans.filter((s) => s.kind === SPAN_KIND.SERVER && s.parentSpanId === clients[0].spanId)).toHaveLength(1);
    }

    // Nothing but loopback was contacted: the X-Ray host was looked up (to 127.0.0.1) and
    // connected to (its port moved to the server's), every other connect went to 127.0.0.1, and
    // the one other address tried, the EC2 instance metadata service of the SDK's AWS EC2
    // resource detector, was refused before a packet left (a Fargate task has no such service).
    const events = netEvents(app.output);
    expect(events).toContainEqual({ lookup: XRAY_HOST, answer: LOOPBACK });
    expect(events).toContainEqual({ connect: `${XRAY_HOST}:443`, port: endpoint.port });
    const reached = events.filter((e) => (e.connect !== undefined || e.send !== undefined) && !e.refused).map((e) => e.connect ?? e.send);
    expect(reached.filter((c) => c !== `${XRAY_HOST}:443` && !c!.startsWith(`${LOOPBACK}:`))).toEqual([]);
    expect(events.filter((e) => e.refused)).toEqual([{ connect: `${EC2_METADATA_SERVICE}:80`, refused: true }]);
    // The SDK reported no error (a failed signature or export would be logged).
    expect(app.output).not.toMatch(/error|fail/i);

    expect(Date.now() - started).toBeLessThan(20_000);
  }, 30_000);
});
