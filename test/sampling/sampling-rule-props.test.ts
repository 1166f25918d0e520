import { App, CfnParameter, Lazy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SamplingRule, SamplingRuleProps } from '../../src/sampling/sampling-rule';
import { createStack } from '../helpers/app';

/** The `SamplingRule` property of the one rule in `stack`. */
function ruleOf(stack: Stack): Record<string, unknown> {
  const rules = Object.values(Template.fromStack(stack).findResources('AWS::XRay::SamplingRule'));
  expect(rules).toHaveLength(1);
  return (rules[0].Properties as { SamplingRule: Record<string, unknown> }).SamplingRule;
}

describe('SamplingRule numbers that are tokens', () => {
  test('CfnParameter values reach the template unresolved', () => {
    // GIVEN the rate, the priority and the reservoir as stack parameters
    const { stack } = createStack();
    const rate = new CfnParameter(stack, 'Rate', { type: 'Number' }).valueAsNumber;
    const priority = new CfnParameter(stack, 'Priority', { type: 'Number' }).valueAsNumber;
    const reservoir = new CfnParameter(stack, 'Reservoir', { type: 'Number' }).valueAsNumber;

    // WHEN
    const rule = new SamplingRule(stack, 'Rule', { fixedRate: rate, priority, reservoirSize: reservoir, serviceName: 'afirgen-main-backend' });

    // THEN each is a Ref, and nothing in the template is a number token turned into digits
    Template.fromStack(stack).hasResourceProperties('AWS::XRay::SamplingRule', {
      SamplingRule: Match.objectLike({
        FixedRate: { Ref: 'Rate' },
        Priority: { Ref: 'Priority' },
        ReservoirSize: { Ref: 'Reservoir' },
      }),
    });
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toMatch(/e\+289|Token\[/);
    expect(stack.resolve(rule.fixedRate)).toEqual({ Ref: 'Rate' });
  });

  test('Lazy.number values are resolved at synth', () => {
    const { stack } = createStack();
    new SamplingRule(stack, 'Rule', {
      fixedRate: Lazy.number({ produce: () => 0.05 }),
      priority: Lazy.number({ produce: () => 42 }),
      reservoirSize: Lazy.number({ produce: () => 2 }),
    });
    expect(ruleOf(stack)).toMatchObject({ FixedRate: 0.05, Priority: 42, ReservoirSize: 2 });
  });

  test('throws at synth for a Lazy.number priority that resolves out of range', () => {
    // GIVEN a priority only known once the app is complete
    const { app, stack } = createStack();
    new SamplingRule(stack, 'Rule', { fixedRate: 0.1, priority: Lazy.number({ produce: () => 0 }) });
    // WHEN synthesized THEN the resolved value is checked like a literal one
    expect(() => app.synth()).toThrow(
      /\[TestStack\/Rule\] priority must be an integer from 1 to 9999, got 0 \(the value its token resolves to at synth\)/,
    );
  });

  test('throws at synth for a Lazy.number fixedRate above 1', () => {
    const { app, stack } = createStack();
    new SamplingRule(stack, 'Rule', { fixedRate: Lazy.number({ produce: () => 10 }), priority: 1 });
    expect(() => app.synth()).toThrow(/\[TestStack\/Rule\] fixedRate must be a number from 0 to 1 .*, got 10 \(the value its token resolves to at synth\)/);
  });

  test('a token priority makes no garbage in the generated name', () => {
    const { stack } = createStack();
    const priority = new CfnParameter(stack, 'Priority', { type: 'Number' }).valueAsNumber;
    const rule = new SamplingRule(stack, 'Rule', { fixedRate: 0.1, priority, serviceName: 'afirgen-main-backend' });
    expect(rule.samplingRuleName).toMatch(/^afirgen-main-backend-[0-9A-F]{8}$/);
  });
});

describe('SamplingRule from JavaScript (props TypeScript requires, left out)', () => {
  test.each([
    ['priority', { fixedRate: 0.1 }, /^TestStack\/Rule: priority is required: an integer from 1 to 9999 .*, got undefined$/],
    ['fixedRate', { priority: 10 }, /^TestStack\/Rule: fixedRate is required: a number from 0 to 1 .*, got undefined$/],
    ['priority (no props at all)', undefined, /^TestStack\/Rule: priority is required/],
  ])('throws for a rule without %s, naming the path and the prop', (_what, props, message) => {
    // GIVEN a JavaScript caller WHEN a required prop is missing THEN the error is the library's, not CloudFormation's
    const { stack } = createStack();
    expect(() => new SamplingRule(stack, 'Rule', props as unknown as SamplingRuleProps)).toThrow(message);
  });

  test('throws for a serviceType given as a plain string', () => {
    const { stack } = createStack();
    const props = { priority: 1, fixedRate: 0.1, serviceType: 'AWS::ECS::Container' } as unknown as SamplingRuleProps;
    expect(() => new SamplingRule(stack, 'Rule', props))
      .toThrow(/^TestStack\/Rule: serviceType must be a SamplingRuleServiceType .*, got "AWS::ECS::Container"$/);
  });

  test('throws for an import without an ARN', () => {
    const { stack } = createStack();
    expect(() => SamplingRule.fromSamplingRuleArn(stack, 'Imported', undefined as unknown as string))
      .toThrow(/^TestStack\/Imported: samplingRuleArn is required/);
  });
});

describe('SamplingRule generated names', () => {
  test('are the service name and a hash of the path', () => {
    // GIVEN a rule for one service, without a name
    const { stack } = createStack();
    const rule = new SamplingRule(stack, 'SamplingRule', { priority: 1000, fixedRate: 0.1, serviceName: 'afirgen-main-backend' });
    // THEN the name is readable, and ends in the tail of the construct's unique id
    expect(rule.samplingRuleName).toMatch(/^afirgen-main-backend-[0-9A-F]{8}$/);
    expect(ruleOf(stack).RuleName).toBe(rule.samplingRuleName);
  });

  test('replace the old middle-truncated form with the construct id', () => {
    // GIVEN the stack and id that used to give `MyappDevStacamplingRule-1F5E0677`
    const app = new App();
    const stack = new Stack(app, 'MyappDevStack');
    const rule = new SamplingRule(stack, 'SamplingRule', { priority: 1, fixedRate: 0.1 });
    expect(rule.samplingRuleName).toBe('SamplingRule-E2E04D51');
  });

  test('use the construct id when the service name has a wildcard', () => {
    const { stack } = createStack();
    expect(new SamplingRule(stack, 'Backends', { priority: 1, fixedRate: 0.1, serviceName: 'afirgen-*' }).samplingRuleName)
      .toMatch(/^Backends-[0-9A-F]{8}$/);
    expect(new SamplingRule(stack, 'One', { priority: 2, fixedRate: 0.1, serviceName: 'afirgen-?' }).samplingRuleName)
      .toMatch(/^One-[0-9A-F]{8}$/);
  });

  test('keep only the characters X-Ray allows in rule names, and fit 32 characters', () => {
    const { stack } = createStack();
    const slash = new SamplingRule(stack, 'Slash', { priority: 1, fixedRate: 0.1, serviceName: 'api/v1\\gateway' });
    expect(slash.samplingRuleName).toMatch(/^apiv1gateway-[0-9A-F]{8}$/);
    const long = new SamplingRule(stack, 'Long', { priority: 2, fixedRate: 0.1, serviceName: 'afirgen-asr-ocr-server-with-a-long-name' });
    expect(long.samplingRuleName).toMatch(/^afirgen-asr-ocr-server-[0-9A-F]{8}$/);
    expect(long.samplingRuleName.length).toBeLessThanOrEqual(32);
    const unicode = new SamplingRule(stack, 'Unicode', { priority: 3, fixedRate: 0.1, serviceName: '名前サービス' });
    expect(unicode.samplingRuleName).toMatch(/^名前サービス-[0-9A-F]{8}$/);
    const nothingLeft = new SamplingRule(stack, 'Fallback', { priority: 4, fixedRate: 0.1, serviceName: '///' });
    expect(nothingLeft.samplingRuleName).toMatch(/^Fallback-[0-9A-F]{8}$/);
  });

  test('differ between a dev and a prod stack, and are deterministic', () => {
    const build = (): string[] => {
      const app = new App();
      return ['Dev', 'Prod'].map((env) => {
        const stack = new Stack(app, `Afirgen${env}`);
        return new SamplingRule(stack, 'SamplingRule', { priority: 1000, fixedRate: 0.1, serviceName: 'afirgen-main-backend' }).samplingRuleName;
      });
    };
    const [dev, prod] = build();
    expect(dev).not.toBe(prod);
    expect(dev.slice(0, -8)).toBe(prod.slice(0, -8));
    expect(build()).toEqual([dev, prod]);
  });

  test('an explicit ruleName is kept as it is', () => {
    const { stack } = createStack();
    expect(new SamplingRule(stack, 'Rule', { ruleName: 'main backend', priority: 1, fixedRate: 0.1 }).samplingRuleName).toBe('main backend');
  });
});

describe('SamplingRule attributes', () => {
  test('exposes fixedRate and serviceName', () => {
    const { stack } = createStack();
    const rule = new SamplingRule(stack, 'Rule', { priority: 1, fixedRate: 0.05, serviceName: 'afirgen-gguf-server' });
    expect(rule.fixedRate).toBe(0.05);
    expect(rule.serviceName).toBe('afirgen-gguf-server');
  });

  test('serviceName is * by default', () => {
    const { stack } = createStack();
    expect(new SamplingRule(stack, 'Rule', { priority: 1, fixedRate: 0.1 }).serviceName).toBe('*');
  });
});
