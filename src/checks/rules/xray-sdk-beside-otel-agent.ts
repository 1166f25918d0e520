import { CfnResource } from 'aws-cdk-lib';
import { autoInstrumentationMarker } from '../../core/env-contract';
import { NagRuleCompliance } from '../private/cdk-nag-core';
import { namedRule } from '../private/named-rule';
import { ContainerView, DAEMON_ADDRESS_VARIABLES, isAgent, readTaskDefinition } from '../private/task-containers';

/** On, off, or only known at deploy time. */
type Switch = 'on' | 'off' | 'unknown';

function isFalse(value: string): boolean {
  return value.trim().toLowerCase() === 'false';
}

/**
 * Whether the container turns the X-Ray SDK on: `AWS_XRAY_SDK_ENABLED` set to anything but
 * `false`, or, where it is not set (the SDK's default is on), the X-Ray contract itself (a daemon
 * address, or `XRAY_ENABLED` not `false`).
 */
function xraySdk(container: ContainerView): Switch {
  const env = container.environment;
  if (env.has('AWS_XRAY_SDK_ENABLED')) {
    const value = env.get('AWS_XRAY_SDK_ENABLED');
    if (value === undefined) return 'unknown';
    return isFalse(value) ? 'off' : 'on';
  }
  if (env.has('XRAY_ENABLED')) {
    const value = env.get('XRAY_ENABLED');
    if (value === undefined) return 'unknown';
    if (isFalse(value)) return 'off';
    return 'on';
  }
  return DAEMON_ADDRESS_VARIABLES.some((v) => env.has(v)) ? 'on' : 'off';
}

/** Whether an OpenTelemetry auto-instrumentation agent is loaded and not turned off. */
function otelAgent(container: ContainerView): Switch {
  if (autoInstrumentationMarker(container.environment) === undefined) return 'off';
  if (!container.environment.has('OTEL_SDK_DISABLED')) return 'on';
  const disabled = container.environment.get('OTEL_SDK_DISABLED');
  if (disabled === undefined) return 'unknown';
  return disabled.trim().toLowerCase() === 'true' ? 'off' : 'on';
}

/**
 * `XRaySdkBesideOtelAgent`: a container loads an OpenTelemetry auto-instrumentation agent and leaves
 * the X-Ray SDK on, so every request is traced twice. Deploy-time values are not reported.
 */
export const XRaySdkBesideOtelAgent = namedRule('XRaySdkBesideOtelAgent', (node: CfnResource) => {
  const task = readTaskDefinition(node);
  if (task?.containers === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  let unknown = false;
  for (const container of task.containers) {
    if (isAgent(container)) continue;
    const otel = otelAgent(container);
    if (otel === 'off') continue;
    const sdk = xraySdk(container);
    if (otel === 'on' && sdk === 'on') return NagRuleCompliance.NON_COMPLIANT;
    if (sdk !== 'off') unknown = true;
  }
  return unknown ? NagRuleCompliance.NOT_APPLICABLE : NagRuleCompliance.COMPLIANT;
});
