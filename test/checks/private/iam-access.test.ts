import { Knowledge } from '../../../src/checks/private/cfn-values';
import { Permissions, isAllowed, readPolicyDocument } from '../../../src/checks/private/iam-access';

function permissions(statements: object[], unreadable = false): Permissions {
  return { statements: readPolicyDocument({ Version: '2012-10-17', Statement: statements })!, unreadable };
}

const ALLOW_ALL_XRAY = { Effect: 'Allow', Action: 'xray:*', Resource: '*' };

describe('isAllowed', () => {
  test.each([
    ['an exact action', { Effect: 'Allow', Action: ['xray:GetSamplingRules'], Resource: ['*'] }, Knowledge.YES],
    ['xray:*', ALLOW_ALL_XRAY, Knowledge.YES],
    ['xray:Get*', { Effect: 'Allow', Action: 'xray:Get*', Resource: '*' }, Knowledge.YES],
    ['a ? wildcard', { Effect: 'Allow', Action: 'xray:GetSamplingRule?', Resource: '*' }, Knowledge.YES],
    ['other case', { Effect: 'Allow', Action: 'XRAY:getsamplingrules', Resource: '*' }, Knowledge.YES],
    ['*', { Effect: 'Allow', Action: '*', Resource: '*' }, Knowledge.YES],
    ['another action', { Effect: 'Allow', Action: 'xray:GetSamplingTargets', Resource: '*' }, Knowledge.NO],
    ['a resource ARN', { Effect: 'Allow', Action: 'xray:*', Resource: 'arn:aws:xray:*:*:*' }, Knowledge.NO],
    ['NotAction sparing it', { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }, Knowledge.YES],
    ['NotAction excluding it', { Effect: 'Allow', NotAction: 'xray:Get*', Resource: '*' }, Knowledge.NO],
    ['NotResource of an ARN', { Effect: 'Allow', Action: 'xray:*', NotResource: 'arn:aws:s3:::b' }, Knowledge.YES],
    ['a condition', { Effect: 'Allow', Action: 'xray:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } }, Knowledge.UNKNOWN],
    ['a token action', { Effect: 'Allow', Action: [{ Ref: 'Action' }], Resource: '*' }, Knowledge.UNKNOWN],
    ['a token effect', { Effect: { Ref: 'Effect' }, Action: 'xray:*', Resource: '*' }, Knowledge.UNKNOWN],
  ])('xray:GetSamplingRules with %s', (_what, statement, expected) => {
    expect(isAllowed(permissions([statement]), 'xray:GetSamplingRules')).toBe(expected);
  });

  test('an unconditional Deny wins, a conditional one makes it unknown', () => {
    const deny = { Effect: 'Deny', Action: 'xray:GetSampling*', Resource: '*' };
    expect(isAllowed(permissions([ALLOW_ALL_XRAY, deny]), 'xray:GetSamplingRules')).toBe(Knowledge.NO);
    expect(isAllowed(permissions([ALLOW_ALL_XRAY, { ...deny, Condition: { Bool: { 'aws:ViaAWSService': 'true' } } }]), 'xray:GetSamplingRules'))
      .toBe(Knowledge.UNKNOWN);
    expect(isAllowed(permissions([ALLOW_ALL_XRAY, deny]), 'xray:PutTraceSegments')).toBe(Knowledge.YES);
  });

  test('an unreadable policy makes a NO unknown and a YES unknown', () => {
    expect(isAllowed(permissions([], true), 'xray:GetSamplingRules')).toBe(Knowledge.UNKNOWN);
    expect(isAllowed(permissions([ALLOW_ALL_XRAY], true), 'xray:GetSamplingRules')).toBe(Knowledge.UNKNOWN);
    expect(isAllowed(permissions([]), 'xray:GetSamplingRules')).toBe(Knowledge.NO);
  });

  test('a document that is not a policy cannot be read', () => {
    expect(readPolicyDocument({ Ref: 'Doc' })).toBeUndefined();
    expect(readPolicyDocument({ Statement: [{ Ref: 'S' }] })).toBeUndefined();
    expect(readPolicyDocument({ Statement: ALLOW_ALL_XRAY })).toHaveLength(1);
  });
});
