import { Stage } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NagPack } from 'cdk-nag';
import { IConstruct } from 'constructs';

/** One cdk-nag finding: the rule id (with its `[finding]` suffix, if any) and the construct path. */
export interface NagFinding {
  readonly ruleId: string;
  readonly path: string;
}

/**
 * Runs a cdk-nag pack over `scope` and returns every unacknowledged finding, one entry per
 * (rule, resource). The enclosing stage is synthesized first so that aspects have run and the
 * construct tree is final.
 */
export function nagFindings(scope: IConstruct, pack: NagPack = new AwsSolutionsChecks()): NagFinding[] {
  const stage = Stage.isStage(scope) ? scope : Stage.of(scope);
  stage?.synth({ force: true });
  const report = pack.validateScope(scope);
  const findings: NagFinding[] = [];
  for (const violation of report.violations) {
    for (const resource of violation.violatingResources) {
      findings.push({ ruleId: violation.ruleName, path: resource.constructPath ?? resource.resourceLogicalId ?? '' });
    }
  }
  return findings;
}

/** The AwsSolutions findings for `scope` (cdk-nag v3's `AwsSolutionsChecks`). */
export function awsSolutionsFindings(scope: IConstruct): NagFinding[] {
  return nagFindings(scope, new AwsSolutionsChecks());
}

/** Only the findings whose construct path starts with `pathPrefix`. */
export function findingsUnder(findings: NagFinding[], pathPrefix: string): NagFinding[] {
  return findings.filter((f) => f.path === pathPrefix || f.path.startsWith(`${pathPrefix}/`));
}
