'use strict';
/**
 * The same AFIRGen backend as runbook-adot-app.js on the REAL `aws-xray-sdk-core`, as before the
 * move: every request is a segment of the SDK's own middleware (`traceRequestResponseCycle`:
 * name from AWS_XRAY_TRACING_NAME, the sampling decision, error/fault/throttle from the status),
 * with the runbook's annotations set through the SDK's API (`addAnnotation`).
 *
 * Before it reports ready it starts the centralized sampler and waits (at most 10 s) for the
 * agent's rules, so every request is decided by the template's rule. Driven like
 * runbook-adot-app.js; SIGTERM closes the server (the SDK sends each segment when it closes).
 */
const http = require('http');
const clock = require('./fake-clock');
const { serveOverIpc } = require('./ipc-server');
const AWSXRay = require('aws-xray-sdk-core');
const ruleCache = require('aws-xray-sdk-core/dist/lib/middleware/sampling/rule_cache');

const MAX_LIFETIME_MS = 60000;
setTimeout(() => process.exit(3), MAX_LIFETIME_MS).unref();

const server = http.createServer((req, res) => {
  const segment = AWSXRay.middleware.traceRequestResponseCycle(req, res);
  const url = new URL(req.url, 'http://localhost');
  segment.addAnnotation('model_name', 'summariser');
  segment.addAnnotation('endpoint', '/process');
  if (url.searchParams.get('slow') === '1') clock.advance(5500);
  res.writeHead(Number(url.searchParams.get('status') || 200), { 'Content-Type': 'text/plain' });
  res.end(segment.notTraced ? 'not sampled' : 'traced');
});
async function main() {
  AWSXRay.middleware.sampler.start();
  const deadline = Date.now() + 10000;
  while (!(ruleCache.getLastUpdated() && ruleCache.getRules().length > 0)) {
    if (Date.now() > deadline) throw new Error('the X-Ray SDK loaded no sampling rules from the agent in 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // on SIGTERM, give the last segments' UDP sends a moment, then leave (the SDK's pollers are unref'd)
  serveOverIpc(server, { disconnectDelayMs: 100 });
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(4);
});
