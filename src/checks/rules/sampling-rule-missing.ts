import { CfnResource } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { autoInstrumentationMarker } from '../../core/env-contract';
import { SamplingRuleView, allOf, serviceNameMatches } from '../private/app-sampling-rules';
import { NagRuleCompliance } from '../private/cdk-nag-core';
import { Knowledge, asNumber } from '../private/cfn-values';
import { NagRuleFunction, namedRule } from '../private/named-rule';
import { ContainerView, isAgentless, readTaskDefinition } from '../private/task-containers';

/** Two rates closer than this are the same rate (a rate is written with at most 12 digits). */
const RATE_TOLERANCE = 1e-9;

/** The variables that turn tracing off in a container when they are `false`. */
const ENABLED_VARIABLES: readonly string[] = ['XRAY_ENABLED', 'AWS_XRAY_SDK_ENABLED'];

/** What one traced container says: its service name and, when set, its sampling rate. */
interface TracedContainer {
  readonly serviceName: string;
  readonly samplingRate?: number;
}

/**
 * The containers that name their service (`AWS_XRAY_TRACING_NAME`, known) and do not turn tracing
 * off. Undefined when that cannot be told (a token name or switch).
 */
function tracedContainers(containers: readonly ContainerView[]): TracedContainer[] | undefined {
  const traced: TracedContainer[] = [];
  for (const container of containers) {
    if (!container.environment.has('AWS_XRAY_TRACING_NAME')) continue;
    // Collector-less: the SDK samples locally and reads no sampling rule.
    if (isAgentless(container)) continue;
    const serviceName = container.environment.get('AWS_XRAY_TRACING_NAME');
    if (serviceName === undefined) return undefined;
    let enabled = true;
    for (const variable of ENABLED_VARIABLES) {
      if (!container.environment.has(variable)) continue;
      const value = container.environment.get(variable);
      if (value === undefined) return undefined;
      if (value.toLowerCase() === 'false') enabled = false;
    }
    // Under auto-instrumentation the X-Ray switches are off on purpose; the ADOT agent reads the same rules.
    const otel = autoInstrumentationMarker(container.environment) !== undefined
      && container.environment.get('OTEL_SDK_DISABLED')?.toLowerCase() !== 'true';
    if (!enabled && !otel) continue;
    const rateText = container.environment.get('XRAY_SAMPLING_RATE');
    traced.push({ serviceName, samplingRate: rateText === undefined ? undefined : asNumber(rateText) });
  }
  return traced;
}

/** Whether `rule` applies to the service's requests at all: deployed, used by the SDKs, and matching its name. */
function applies(rule: SamplingRuleView, serviceName: string): Knowledge {
  return allOf(rule.deployed, rule.usedBySdks, serviceNameMatches(rule.serviceName, serviceName));
}

/** One container's answer; `NOT_APPLICABLE` when a deploy-time value leaves it open. */
function checkContainer(container: TracedContainer, rules: readonly SamplingRuleView[]): NagRuleCompliance {
  const answers = rules.map((rule) => ({ rule, applies: applies(rule, container.serviceName) }));
  if (!answers.some((a) => a.applies === Knowledge.YES)) {
    return answers.every((a) => a.applies === Knowledge.NO) ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.NOT_APPLICABLE;
  }
  if (container.samplingRate === undefined) return NagRuleCompliance.COMPLIANT;

  // The first rule in X-Ray's order (priority, then name) that may apply to every request of the service.
  const open = answers
    .map((a) => ({ rule: a.rule, governs: allOf(a.applies, a.rule.everyRequest) }))
    .filter((a) => a.governs !== Knowledge.NO);
  if (open.some((a) => a.rule.priority === undefined)) return NagRuleCompliance.NOT_APPLICABLE;
  const byName = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0); // as the SDKs sort their rule cache
  const ordered = [...open].sort((a, b) => (a.rule.priority ?? 0) - (b.rule.priority ?? 0)
    || byName(a.rule.ruleName ?? '', b.rule.ruleName ?? ''));
  const first = ordered[0];
  if (first === undefined) return NagRuleCompliance.COMPLIANT;
  if (first.governs !== Knowledge.YES) return NagRuleCompliance.NOT_APPLICABLE;
  const tied = ordered.filter((a) => a.rule.priority === first.rule.priority);
  if (tied.length > 1 && tied.some((a) => a.rule.ruleName === undefined)) return NagRuleCompliance.NOT_APPLICABLE;
  const rate = first.rule.fixedRate;
  if (rate === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  return Math.abs(rate - container.samplingRate) > RATE_TOLERANCE ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}

/**
 * `SamplingRuleMissing`: a container names its X-Ray service (`AWS_XRAY_TRACING_NAME`) and no
 * sampling rule of the app the SDKs would use matches it, or the rule that takes all its requests
 * sets a `FixedRate` other than the container's `XRAY_SAMPLING_RATE`.
 * Containers with tracing off, collector-less ones and deploy-time values are not reported.
 *
 * @param rulesOf the sampling rules of the app a resource is in
 */
export function samplingRuleMissing(rulesOf: (scope: IConstruct) => readonly SamplingRuleView[]): NagRuleFunction {
  return namedRule('SamplingRuleMissing', (node: CfnResource) => {
    const task = readTaskDefinition(node);
    if (task?.containers === undefined) return NagRuleCompliance.NOT_APPLICABLE;
    const traced = tracedContainers(task.containers);
    if (traced === undefined || traced.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
    const rules = rulesOf(node);
    const answers = traced.map((container) => checkContainer(container, rules));
    if (answers.includes(NagRuleCompliance.NON_COMPLIANT)) return NagRuleCompliance.NON_COMPLIANT;
    return answers.includes(NagRuleCompliance.NOT_APPLICABLE) ? NagRuleCompliance.NOT_APPLICABLE : NagRuleCompliance.COMPLIANT;
  });
}
