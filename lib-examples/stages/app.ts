import { App } from 'aws-cdk-lib';
import { StageStack } from './stage-stack';

// Dev and prod in one account and Region, with different sampling rates:
// `npx ts-node --transpile-only --project lib-examples/tsconfig.json lib-examples/stages/app.ts`
const app = new App();
const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
new StageStack(app, 'OrdersDev', { env, stage: 'dev', samplingRate: 1 });
new StageStack(app, 'OrdersProd', { env, stage: 'prod', samplingRate: 0.05 });
app.synth();
