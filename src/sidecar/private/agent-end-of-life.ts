import { Annotations, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CONTEXT_KEYS, readContextBoolean } from '../../core/context';
import { fail } from '../../core/errors';

/** AWS put the X-Ray daemon (and SDKs) in maintenance mode on this day: security fixes only. */
export const DAEMON_MAINTENANCE_DATE = '2026-02-25';

/** The X-Ray daemon's end of support: no release of any kind after this day. */
export const DAEMON_END_OF_SUPPORT_DATE = '2027-02-25';

/** cdk context key: `false` silences the daemon's end-of-life notice app-wide. */
export const DAEMON_NOTICE_CONTEXT_KEY = CONTEXT_KEYS.daemonEndOfLifeNotice;

/**
 * cdk context key: the day (ISO 8601, e.g. `2026-11-27`) the notice compares with the daemon's
 * dates, instead of the clock. For reproducible synths and tests.
 */
export const NOW_CONTEXT_KEY = CONTEXT_KEYS.now;

/** Whether the app keeps the daemon's end-of-life notice on: the context key, else true. */
export function daemonNoticeWanted(scope: Construct): boolean {
  return readContextBoolean(scope, DAEMON_NOTICE_CONTEXT_KEY) ?? true;
}

/** The day to compare with: the `xray:now` context key when set, else today (UTC). */
export function today(scope: Construct): string {
  const value: unknown = scope.node.tryGetContext(NOW_CONTEXT_KEY);
  if (value === undefined) return new Date().toISOString().slice(0, 10);
  const text = typeof value === 'string' ? value : '';
  const time = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(time)) {
    fail(undefined, `context key ${NOW_CONTEXT_KEY} must be an ISO 8601 date such as "2026-11-27", got ${JSON.stringify(value)}`);
  }
  return new Date(time).toISOString().slice(0, 10);
}

/** The notice's text for `day` (an ISO date), or undefined before the maintenance date. */
export function daemonEndOfLifeMessage(day: string): string | undefined {
  if (day < DAEMON_MAINTENANCE_DATE) return undefined;
  const status = day < DAEMON_END_OF_SUPPORT_DATE
    ? `is in maintenance mode since ${DAEMON_MAINTENANCE_DATE} (security fixes only) and reaches end of support on ${DAEMON_END_OF_SUPPORT_DATE}`
    : `reached end of support on ${DAEMON_END_OF_SUPPORT_DATE} and gets no more releases`;
  return `The AWS X-Ray daemon ${status}. ` +
    'Switch with one line, `agent: XRayAgent.cloudWatchAgent()` (or `XRayAgent.adotCollector()`): ' +
    'the app\'s XRAY_* and AWS_XRAY_* variables, ports and IAM stay the same. ' +
    `Silence this notice with \`XRayAgent.daemon({ endOfLifeNotice: false })\` or the context key ${DAEMON_NOTICE_CONTEXT_KEY}=false.`;
}

const NOTED = new WeakSet<Stack>();

/**
 * Adds the daemon's end-of-life INFO annotation to the stack of `scope`, once per stack however
 * many sidecars run the daemon there, unless silenced: `explicit` (the agent's
 * `endOfLifeNotice` option) wins; when it is unset, the context key decides; by default the
 * notice shows.
 */
export function noteDaemonEndOfLife(scope: Construct, explicit: boolean | undefined): void {
  const enabled = explicit ?? daemonNoticeWanted(scope);
  if (!enabled) return;
  const stack = Stack.of(scope);
  if (NOTED.has(stack)) return;
  const message = daemonEndOfLifeMessage(today(scope));
  if (message) {
    NOTED.add(stack);
    Annotations.of(stack).addInfo(message);
  }
}
