'use strict';
/**
 * `node --require` preload that keeps an app on loopback while it believes it talks to one AWS
 * endpoint. Its argument comes from the app's command line (never from the environment, which is
 * the template's): `--loopback-endpoint=<host>:<port>`; without it, only loopback is reachable.
 *
 * - `dns.lookup` (and `dns.promises.lookup`) answers 127.0.0.1 for exactly `<host>`, passes
 *   loopback names and addresses through, and refuses every other name (ENOTFOUND);
 * - every TCP connect (`net.Socket#connect`, which `http`, `https` and `tls` all end in) is
 *   checked: a connect to `<host>` port 443 goes to port `<port>` instead (the name still resolves
 *   through the lookup above, to 127.0.0.1, where the test's HTTPS server listens; TLS still
 *   verifies the certificate for `<host>`, and the Host header and signature still name it), a
 *   loopback host is let through, anything else is refused before a packet is sent;
 * - every UDP send to a non-loopback address is refused.
 *
 * Every lookup and connect is written to stderr as one line `LOOPBACK-ENDPOINT {json}` (stderr,
 * not the IPC channel: the SDK flushes after the app has closed that channel on SIGTERM), so
 * the test can show what the process tried to reach.
 */
const dgram = require('dgram');
const dns = require('dns');
const net = require('net');

const ARG = '--loopback-endpoint=';
const arg = process.argv.find((a) => a.startsWith(ARG));
// Without the argument there is no endpoint: only loopback is reachable.
const [ENDPOINT_HOST, portText] = arg ? arg.slice(ARG.length).toLowerCase().split(':') : [undefined, undefined];
const ENDPOINT_PORT = Number(portText);
if (arg && (!ENDPOINT_HOST || !Number.isInteger(ENDPOINT_PORT) || ENDPOINT_PORT < 1 || ENDPOINT_PORT > 65535)) {
  throw new Error(`loopback-endpoint.js: bad ${arg}, expected ${ARG}<host>:<port>`);
}
const LOOPBACK = '127.0.0.1';
const HTTPS_PORT = 443;
const LOOPBACK_NAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost']);

function record(event) {
  process.stderr.write(`LOOPBACK-ENDPOINT ${JSON.stringify(event)}\n`);
}

function isLoopbackAddress(address) {
  if (net.isIPv4(address)) return address.startsWith('127.');
  if (net.isIPv6(address)) return address === '::1' || address.startsWith('::ffff:127.');
  return false;
}

function refusal(syscall, target) {
  const reachable = ENDPOINT_HOST === undefined ? 'only loopback is' : `only ${ENDPOINT_HOST} and loopback are`;
  const err = new Error(`${syscall} ${target}: refused by loopback-endpoint.js (${reachable} reachable in this test)`);
  err.code = syscall === 'getaddrinfo' ? 'ENOTFOUND' : 'ECONNREFUSED';
  err.syscall = syscall;
  return err;
}

// ----- names ---------------------------------------------------------------------------------

const originalLookup = dns.lookup;
function answer(options, callback, address) {
  const all = typeof options === 'object' && options !== null && options.all;
  process.nextTick(() => (all ? callback(null, [{ address, family: 4 }]) : callback(null, address, 4)));
}
dns.lookup = function lookup(hostname, options, callback) {
  const cb = typeof options === 'function' ? options : callback;
  const opts = typeof options === 'function' ? {} : options;
  const name = String(hostname).toLowerCase();
  if (ENDPOINT_HOST !== undefined && name === ENDPOINT_HOST) {
    record({ lookup: hostname, answer: LOOPBACK });
    return answer(opts, cb, LOOPBACK);
  }
  // 0.0.0.0 and :: are looked up when a socket binds (dgram's implicit bind before a send): local.
  if (LOOPBACK_NAMES.has(name) || isLoopbackAddress(name) || name === '0.0.0.0' || name === '::') {
    record({ lookup: hostname, answer: 'loopback' });
    return originalLookup.call(this, hostname, options, callback);
  }
  record({ lookup: hostname, refused: true });
  process.nextTick(() => cb(refusal('getaddrinfo', hostname)));
  return undefined;
};
dns.promises.lookup = (hostname, options) => new Promise((resolve, reject) => {
  dns.lookup(hostname, options ?? {}, (err, address, family) => (err ? reject(err) : resolve(Array.isArray(address) ? address : { address, family })));
});

// ----- TCP -----------------------------------------------------------------------------------

const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function connect(...args) {
  // connect(options[, listener]), connect(port[, host][, listener]), connect(path[, listener]),
  // or the internal connect([options, listener]) form net.connect and tls use.
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (typeof first === 'object' && first !== null && (first.path === undefined || first.path === null)) {
    const host = String(first.host ?? 'localhost').toLowerCase();
    const port = Number(first.port);
    if (ENDPOINT_HOST !== undefined && host === ENDPOINT_HOST && port === HTTPS_PORT) {
      // Only the port moves: the name is still looked up (above, to 127.0.0.1).
      record({ connect: `${host}:${port}`, port: ENDPOINT_PORT });
      const moved = { ...first, port: ENDPOINT_PORT };
      // The internal form is an array marked as already normalized: keep the array, change its options.
      if (Array.isArray(args[0])) {
        args[0][0] = moved;
        return originalConnect.apply(this, args);
      }
      return originalConnect.call(this, moved, ...args.slice(1));
    }
    if (LOOPBACK_NAMES.has(host) || isLoopbackAddress(host)) {
      record({ connect: `${host}:${port}` });
      return originalConnect.apply(this, args);
    }
    record({ connect: `${host}:${port}`, refused: true });
    const err = refusal('connect', `${host}:${port}`);
    process.nextTick(() => this.destroy(err));
    return this;
  }
  if (typeof first === 'number' || typeof first === 'string') {
    // connect(port, host) or a Unix socket path: only loopback hosts; paths are local.
    const host = typeof first === 'number' ? String(args[1] ?? 'localhost') : undefined;
    if (host !== undefined && typeof args[1] !== 'function' && !LOOPBACK_NAMES.has(host) && !isLoopbackAddress(host)) {
      record({ connect: `${host}:${first}`, refused: true });
      const err = refusal('connect', `${host}:${first}`);
      process.nextTick(() => this.destroy(err));
      return this;
    }
    record({ connect: host === undefined ? String(first) : `${host}:${first}` });
  }
  return originalConnect.apply(this, args);
};

// ----- UDP -----------------------------------------------------------------------------------

const originalSend = dgram.Socket.prototype.send;
dgram.Socket.prototype.send = function send(...args) {
  // send(msg[, offset, length], port[, address][, callback]): the port may be a string of digits
  // (the X-Ray SDK passes it so), which is never the address.
  const address = args.slice(1).filter((a) => typeof a === 'string' && !/^\d+$/.test(a)).pop();
  if (address !== undefined && !LOOPBACK_NAMES.has(address) && !isLoopbackAddress(address)) {
    record({ send: address, refused: true });
    const callback = args.find((a) => typeof a === 'function');
    if (callback) process.nextTick(() => callback(refusal('send', address)));
    return undefined;
  }
  return originalSend.apply(this, args);
};
