'use strict';
/**
 * `node --require` preload for bridge-mode apps. In an ECS bridge task the container link makes
 * the name `xray-daemon` resolve to the agent container; here the agent is the test's listener on
 * loopback, so this maps that ONE name to 127.0.0.1 inside the child, before the X-Ray SDK loads.
 * The template is not touched: the SDK still parses `tcp:xray-daemon:2000 udp:xray-daemon:2000`
 * and still asks for `xray-daemon` by name.
 *
 * Every lookup of the name is recorded in `global.__xrayDaemonLookups`, so the test can show the
 * SDK really asked for it. Any other name goes to the original `dns.lookup` untouched (the tests
 * use none: no DNS query ever leaves the machine).
 */

const dns = require('dns');

const AGENT_HOST = 'xray-daemon';
const LOOPBACK = '127.0.0.1';
const originalLookup = dns.lookup;
const lookups = [];
global.__xrayDaemonLookups = lookups;

dns.lookup = function lookup(hostname, options, callback) {
  if (hostname === AGENT_HOST) {
    lookups.push({ hostname, options: typeof options === 'function' ? null : options });
    return originalLookup.call(this, LOOPBACK, options, callback);
  }
  return originalLookup.call(this, hostname, options, callback);
};
