'use strict';
/**
 * How a forked e2e app serves its test: it listens on a free loopback port, answers
 * `{ cmd: 'port' }` with `{ port }`, sends `{ ready: true }`, and on SIGTERM (what ECS sends on
 * stop) closes the server and the IPC channel so the process exits. `disconnectDelayMs` leaves a
 * moment for last sends (the X-Ray SDK's UDP segments) before the channel closes.
 */
function serveOverIpc(server, { disconnectDelayMs = 0 } = {}) {
  server.keepAliveTimeout = 100;
  server.listen(0, '127.0.0.1', () => {
    process.on('message', (msg) => {
      if (msg && msg.cmd === 'port') process.send({ port: server.address().port });
    });
    process.send({ ready: true });
  });
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close();
    const disconnect = () => {
      if (process.connected) process.disconnect();
    };
    if (disconnectDelayMs > 0) setTimeout(disconnect, disconnectDelayMs).unref();
    else disconnect();
  });
}

module.exports = { serveOverIpc };
