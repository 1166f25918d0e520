'use strict';
/**
 * The AFIRGen backend's request handling as the runbook describes it, on the REAL ADOT Node.js
 * auto-instrumentation (loaded by `NODE_OPTIONS --require`, from the template's environment).
 * Its only tracing code is what a team adds for the runbook's operation queries: the plain span
 * attributes `model_name` and `endpoint` on the request's span (no `aws.xray.annotations`), or,
 * with the argument `--annotation-list`, also `aws.xray.annotations` as a list of those keys (the
 * app-side fix for agents that index nothing themselves).
 *
 * `GET /process?status=<code>&slow=1`: answers with `status` (200 by default); `slow` moves the
 * fake clock 5.5 s (fake-clock.js) so the request is recorded as slower than 5 s.
 * `GET /aws`: one AWS SDK for JavaScript v3 call (CloudWatch Logs `DescribeLogGroups`, with a
 * static example key) to the endpoint given as `--aws-endpoint=<url>` (the test's loopback
 * stand-in), which the ADOT SDK traces as an AWS SDK span. Driven over the fork IPC channel like
 * adot-node-app.js: `{ cmd: 'port' }` → `{ port }`; SIGTERM flushes.
 */
const http = require('http');
const { trace } = require('@opentelemetry/api');
const clock = require('./fake-clock');
const { serveOverIpc } = require('./ipc-server');

const MAX_LIFETIME_MS = 60000;
setTimeout(() => process.exit(3), MAX_LIFETIME_MS).unref();
const annotationList = process.argv.includes('--annotation-list');
const awsEndpoint = (process.argv.find((a) => a.startsWith('--aws-endpoint=')) || '').slice('--aws-endpoint='.length);

function callAws(res) {
  // Required here, after the ADOT agent has patched the AWS SDK.
  const { CloudWatchLogsClient, DescribeLogGroupsCommand } = require('@aws-sdk/client-cloudwatch-logs');
  const client = new CloudWatchLogsClient({
    region: 'eu-west-1',
    endpoint: awsEndpoint,
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'example-secret' },
    maxAttempts: 1,
  });
  client.send(new DescribeLogGroupsCommand({})).then(() => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('traced');
  }, (err) => {
    res.writeHead(502, { 'Content-Type': 'text/plain' });
    res.end(String(err));
  });
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/aws' && awsEndpoint) {
    callAws(res);
    return;
  }
  if (url.pathname !== '/process') {
    res.writeHead(404);
    res.end();
    return;
  }
  const span = trace.getActiveSpan();
  if (span) {
    span.setAttribute('model_name', 'summariser');
    span.setAttribute('endpoint', '/process');
    if (annotationList) span.setAttribute('aws.xray.annotations', ['model_name', 'endpoint']);
  }
  if (url.searchParams.get('slow') === '1') clock.advance(5500);
  res.writeHead(Number(url.searchParams.get('status') || 200), { 'Content-Type': 'text/plain' });
  res.end(span ? 'traced' : 'no active span');
});
serveOverIpc(server);
