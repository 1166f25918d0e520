import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { Stack } from 'aws-cdk-lib';
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
});

new IntegTest(app, 'AfirgenTracingIntegTest', {
  testCases: [stack],
});

app.synth();
