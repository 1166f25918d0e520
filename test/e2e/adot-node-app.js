'use strict';
/**
 * The app side of the OTLP end-to-end test: a small Node.js web service with NO tracing code of
 * its own. The real ADOT Node.js auto-instrumentation is loaded by `NODE_OPTIONS --require`, from
 * the environment the synthesized template gives the app container; whatever spans reach the
 * test's OTLP receiver were made by that agent alone.
 *
 * `GET /process` calls `GET /downstream` on the same server over plain `http` (an outgoing HTTP
 * call: the runbook's "automatic HTTP client tracing"), then answers. The test drives it over
 * the fork IPC channel: `{ cmd: 'port' }` → `{ port }`. On SIGTERM (what ECS sends on stop) the
 * agent flushes its spans and the app closes its server and channel, so the process exits.
 */
const http = require('http');
const { serveOverIpc } = require('./ipc-server');

const MAX_LIFETIME_MS = 60000;
setTimeout(() => process.exit(3), MAX_LIFETIME_MS).unref();

const server = http.createServer((req, res) => {
  if (req.url === '/downstream') {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('downstream ok');
    return;
  }
  if (req.url === '/process') {
    const port = server.address().port;
    http.get({ host: '127.0.0.1', port, path: '/downstream' }, (down) => {
      down.resume();
      down.on('end', () => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end(`processed (downstream ${down.statusCode})`);
      });
    }).on('error', (err) => {
      res.writeHead(502);
      res.end(String(err));
    });
    return;
  }
  res.writeHead(404);
  res.end();
});
serveOverIpc(server);
