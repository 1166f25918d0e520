import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { AfirgenServiceName, AfirgenTracing } from '../../src/presets/afirgen-tracing';
import { TracedFargateService } from '../../src/services/traced-fargate-service';
import { createCluster, createStack } from '../helpers/app';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.12-slim');

describe('traced services pass samplingRule.samplingRateBoost to their rule', () => {
  test('the service\'s own rule gets the boost', () => {
    const { stack } = createStack();
    const traced = new TracedFargateService(stack, 'Backend', {
      cluster: createCluster(stack),
      serviceName: 'afirgen-main-backend',
      image: IMAGE,
      tracing: { samplingRate: 0.05 },
      samplingRule: { samplingRateBoost: { maxRate: 0.25, cooldown: Duration.minutes(15) } },
    });
    expect(traced.samplingRule?.samplingRateBoost?.maxRate).toBe(0.25);
    Template.fromStack(stack).hasResourceProperties('AWS::XRay::SamplingRule', {
      SamplingRule: { ServiceName: 'afirgen-main-backend', FixedRate: 0.05, SamplingRateBoost: { MaxRate: 0.25, CooldownWindowMinutes: 15 } },
    });
  });

  test('throws for samplingRateBoost with existingRule (the rule already has its own)', () => {
    const { stack } = createStack();
    const preset = new AfirgenTracing(stack, 'Tracing');
    expect(() => new TracedFargateService(stack, 'Backend', {
      cluster: createCluster(stack),
      serviceName: 'afirgen-main-backend',
      image: IMAGE,
      samplingRule: {
        existingRule: preset.samplingRuleFor(AfirgenServiceName.MAIN_BACKEND),
        samplingRateBoost: { maxRate: 0.5, cooldown: Duration.minutes(5) },
      },
    })).toThrow(/TestStack\/Backend: samplingRule\.samplingRateBoost must not be set with samplingRule\.existingRule/);
  });

  test('throws for a boost below the service\'s sampling rate, naming the service\'s rule', () => {
    const { stack } = createStack();
    expect(() => new TracedFargateService(stack, 'Backend', {
      cluster: createCluster(stack),
      serviceName: 'afirgen-main-backend',
      image: IMAGE,
      tracing: { samplingRate: 0.2 },
      samplingRule: { samplingRateBoost: { maxRate: 0.1, cooldown: Duration.minutes(5) } },
    })).toThrow("TestStack/Backend/SamplingRule: samplingRateBoost.maxRate must be from the rule's fixedRate 0.2 to 1 (a boost only raises the rate), got 0.1");
  });
});
