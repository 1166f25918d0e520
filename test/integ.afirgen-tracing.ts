import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { Duration, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { integApp } from './helpers/integ-app';
import { AfirgenTracing } from '../src/presets';

// The AFIRGen runbook's sampling rules and trace groups, with a name prefix so that the test's
// rules and groups never collide with a real deployment in the same account and region.
const app = integApp();
const stack = new Stack(app, 'AfirgenTracingInteg');

new AfirgenTracing(stack, 'Tracing', {
  namePrefix: 'itg',
  samplingRate: 0.05,
  serviceSamplingRates: { 'afirgen-gguf-server': 0.01 },
  // Adaptive sampling on the rules, and the alarms and insights on a topic of the test's own.
  samplingRateBoost: { maxRate: 0.25, cooldown: Duration.minutes(10) },
  alarmTopic: new sns.Topic(stack, 'Alarms', { enforceSSL: true }),
});

new IntegTest(app, 'AfirgenTracingIntegTest', {
  testCases: [stack],
});

app.synth();
