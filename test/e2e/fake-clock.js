'use strict';
/**
 * A clock the runbook apps move forward instead of waiting: `advance(ms)` adds `ms` to what
 * `Date.now()` and `performance.now()` return from then on. The X-Ray SDK times a segment with
 * `Date.now()` (segment_utils `getCurrentTime`); the OpenTelemetry SDK ends a span at its start
 * plus the `performance.now()` elapsed since (sdk-trace-base `SpanImpl._getTime`). So a request
 * that calls `advance(5500)` before it answers is recorded 5.5 s long, and the runbook's
 * `responsetime > 5` is tested as written, without a 5 s wait.
 *
 * Both are looked up at call time by the SDKs, so this may load before or after them. The
 * offset only grows: every clock stays monotonic.
 */
let offsetMs = 0;
const realDateNow = Date.now.bind(Date);
const realPerformanceNow = performance.now.bind(performance);
Date.now = () => realDateNow() + offsetMs;
performance.now = () => realPerformanceNow() + offsetMs;

exports.advance = (ms) => {
  if (!(ms > 0)) throw new Error(`advance takes a positive number of milliseconds, got ${ms}`);
  offsetMs += ms;
};
