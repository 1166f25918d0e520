'use strict';
/**
 * The app side of the end-to-end tests: an AFIRGen service's own tracing helper, run with the real
 * `aws-xray-sdk-core` and with EXACTLY the environment the synthesized template gives the app
 * container (the test forks this file with `env` = that environment, nothing else).
 *
 * It talks to the test over the fork IPC channel. Every message from the test is
 * `{ id, cmd, ...args }`; every answer is `{ id, ok: true, ...result }` or `{ id, ok: false, error }`.
 * The process stays alive while the channel is open (so UDP sends and sampling polls can finish)
 * and exits on `exit`, on a closed channel, or after a hard lifetime limit.
 *
 * Plain JavaScript on purpose: it is what a service runs with `node`, without ts-node or jest.
 */

const http = require('http');

// The SDK reads AWS_XRAY_DAEMON_ADDRESS, AWS_XRAY_CONTEXT_MISSING and AWS_XRAY_TRACING_NAME when
// these modules load: what they hold below is the SDK's own parsing of the template's values.
const AWSXRay = require('aws-xray-sdk-core');
const daemonConfig = require('aws-xray-sdk-core/dist/lib/daemon_config');
const segmentEmitter = require('aws-xray-sdk-core/dist/lib/segment_emitter');
const ruleCache = require('aws-xray-sdk-core/dist/lib/middleware/sampling/rule_cache');

/** Never outlive a test that forgot us: a hard limit on this process's lifetime. */
const MAX_LIFETIME_MS = 120000;
setTimeout(() => process.exit(3), MAX_LIFETIME_MS).unref();

/**
 * The runbook's switch, read as a service's helper reads it: `XRAY_ENABLED` must be `true`, and the
 * SDK family's `AWS_XRAY_SDK_ENABLED` (honoured by the Python SDK; the Node SDK ignores it) must
 * not say `false`.
 */
function tracingEnabled() {
  return process.env.XRAY_ENABLED === 'true' && process.env.AWS_XRAY_SDK_ENABLED !== 'false';
}

function describeRules() {
  return ruleCache.getRules().map((rule) => ({
    name: rule.getName(),
    priority: rule.getPriority(),
    rate: rule.getRate(),
    borrow: rule.canBorrow(),
    serviceName: rule.serviceName,
    serviceType: rule.serviceType,
    host: rule.host,
    httpMethod: rule.httpMethod,
    urlPath: rule.urlPath,
    quota: rule.getReservoir().quota,
    quotaTtl: rule.getReservoir().TTL,
  }));
}

function requestCounts() {
  const counts = {};
  for (const rule of ruleCache.getRules()) {
    counts[rule.getName()] = { requests: rule.requestCount, sampled: rule.sampledCount, borrowed: rule.borrowCount };
  }
  return counts;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every 20 ms until it returns true or `timeoutMs` passes. */
async function waitUntil(check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await sleep(20);
  }
  return check();
}

function epochSecond() {
  return Math.floor(Date.now() / 1000);
}

/** One sampling decision of the SDK's centralized sampler, as its HTTP middleware asks for it. */
function decide(request) {
  const result = AWSXRay.middleware.sampler.shouldSample({
    host: request.host,
    httpMethod: request.httpMethod,
    urlPath: request.urlPath,
    // The SDK's own name resolution: AWS_XRAY_TRACING_NAME (fixed naming mode).
    serviceName: request.serviceName ?? AWSXRay.middleware.resolveName(request.host),
  });
  if (result === false) return { sampled: false };
  if (typeof result === 'string') return { sampled: true, rule: result };
  // `true` comes from the local fallback sampler, `undefined` from an error inside the SDK.
  return { sampled: result === true, rule: result === true ? '(local)' : '(error)' };
}

const handlers = {
  /** What the SDK made of the environment. */
  describe() {
    return {
      env: { ...process.env },
      enabled: tracingEnabled(),
      daemon: {
        udp_ip: daemonConfig.udp_ip,
        udp_port: daemonConfig.udp_port,
        tcp_ip: daemonConfig.tcp_ip,
        tcp_port: daemonConfig.tcp_port,
      },
      emitter: { ip: segmentEmitter.getIp(), port: segmentEmitter.getPort() },
      segmentName: AWSXRay.middleware.resolveName(undefined) ?? null,
      lookups: global.__xrayDaemonLookups ?? null,
    };
  },

  /** One unit of work, traced if tracing is on: a segment, closed, so the SDK emits it over UDP. */
  segment(msg) {
    if (!tracingEnabled()) return { sent: false };
    const name = AWSXRay.middleware.resolveName(undefined);
    const segment = new AWSXRay.Segment(name);
    segment.addAnnotation('e2e_request', msg.requestId);
    segment.close();
    return { sent: true, name: segment.name, traceId: segment.trace_id, segmentId: segment.id };
  },

  /** What the SDK does with no open segment: AWS_XRAY_CONTEXT_MISSING decides. */
  contextMissing() {
    try {
      AWSXRay.getSegment();
      return { threw: false };
    } catch (err) {
      return { threw: true, message: String(err && err.message) };
    }
  },

  /** Starts the centralized sampler and waits until its rule poller has loaded the agent's rules. */
  async waitForRules(msg) {
    AWSXRay.middleware.sampler.start();
    const loaded = await waitUntil(() => ruleCache.getLastUpdated() !== null && ruleCache.getRules().length > 0, msg.timeoutMs);
    return { loaded, rules: describeRules() };
  },

  /**
   * `count` decisions for one request shape, all inside one wall-clock second (the SDK's reservoir
   * counts per second): waits for the start of the next second, decides, and retries (at most 5
   * times) if the second changed meanwhile.
   */
  async decide(msg) {
    for (let attempt = 0; attempt < 5; attempt++) {
      await sleep(1000 - (Date.now() % 1000) + 5);
      const before = requestCounts();
      const second = epochSecond();
      const decisions = [];
      for (let i = 0; i < msg.count; i++) decisions.push(decide(msg.request));
      if (epochSecond() === second) {
        return { second, decisions, before, after: requestCounts() };
      }
    }
    throw new Error(`could not fit ${msg.count} decisions into one second in 5 attempts`);
  },

  /** Waits until the target poller has loaded a quota (a SamplingTargets answer) for `ruleName`. */
  async waitForTargets(msg) {
    const rule = () => ruleCache.getRules().find((r) => r.getName() === msg.ruleName);
    const loaded = await waitUntil(() => rule() !== undefined && rule().getReservoir().quota !== null, msg.timeoutMs);
    return { loaded, rules: describeRules(), now: epochSecond() };
  },

  /**
   * Serves `paths.length` real HTTP requests on loopback through the SDK's own middleware
   * (`traceRequestResponseCycle`: naming, sampling decision, segment, close on response end), and
   * returns what it decided for each.
   */
  async serve(msg) {
    const outcomes = [];
    const server = http.createServer((req, res) => {
      const segment = AWSXRay.middleware.traceRequestResponseCycle(req, res);
      outcomes.push({
        path: req.url,
        sampled: segment.notTraced !== true,
        rule: segment.aws && segment.aws.xray ? segment.aws.xray.rule_name : null,
        traceId: segment.trace_id,
        name: segment.name,
      });
      res.end('ok');
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address();
    const agent = new http.Agent({ keepAlive: false });
    try {
      for (const path of msg.paths) {
        await new Promise((resolve, reject) => {
          const req = http.request({ host: '127.0.0.1', port, path, method: 'GET', agent, timeout: 5000 }, (res) => {
            res.resume();
            res.on('end', resolve);
          });
          req.on('timeout', () => req.destroy(new Error('request timed out')));
          req.on('error', reject);
          req.end();
        });
      }
    } finally {
      agent.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
    return { outcomes };
  },

  exit() {
    setImmediate(() => process.exit(0));
    return {};
  },
};

process.on('message', async (msg) => {
  const handler = handlers[msg.cmd];
  try {
    if (!handler) throw new Error(`unknown command ${msg.cmd}`);
    const result = await handler(msg);
    process.send({ id: msg.id, ok: true, ...result });
  } catch (err) {
    process.send({ id: msg.id, ok: false, error: String(err && err.stack ? err.stack : err) });
  }
});
process.on('disconnect', () => process.exit(0));

process.send({ id: 0, ok: true, ready: true });
