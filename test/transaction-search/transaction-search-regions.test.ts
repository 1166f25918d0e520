import { Template } from 'aws-cdk-lib/assertions';
import { regionsLacking } from '../../src/core/region-availability';
import { TransactionSearch } from '../../src/transaction-search/transaction-search';
import { createStack } from '../helpers/app';

// Issue 26, "Regions": CloudFormation registry schemas of 2026-06-15 (per cfn-lint) have no
// AWS::XRay::TransactionSearchConfig in these Regions.
const LACKING = ['ap-east-2', 'ap-southeast-6', 'cn-north-1', 'cn-northwest-1', 'mx-central-1'];

describe('TransactionSearch in Regions without AWS::XRay::TransactionSearchConfig (issue 26)', () => {
  test('the Region table lists exactly the five Regions', () => {
    expect([...regionsLacking('AWS::XRay::TransactionSearchConfig')].sort()).toEqual(LACKING);
  });

  test.each(LACKING)('throws in a stack whose Region is %s, naming the path, the Region and what to do', (region) => {
    // GIVEN a stack with a known Region that lacks the resource type
    const { stack } = createStack({ env: { account: '111111111111', region } });

    // WHEN / THEN
    expect(() => new TransactionSearch(stack, 'TransactionSearch')).toThrow(
      new RegExp(`^TestStack/TransactionSearch: TransactionSearch cannot deploy to the stack's region \\(env\\.region\\) "${region}": ` +
        'CloudFormation there has no AWS::XRay::TransactionSearchConfig \\(Region facts of 2026-06-15.*Leave TransactionSearch out of stacks'),
    );
  });

  test('is fine in us-east-1 and in a Region-agnostic stack', () => {
    for (const env of [{ account: '111111111111', region: 'us-east-1' }, undefined]) {
      const { stack } = createStack({ env });
      new TransactionSearch(stack, 'TransactionSearch');
      Template.fromStack(stack).resourceCountIs('AWS::XRay::TransactionSearchConfig', 1);
    }
  });
});
