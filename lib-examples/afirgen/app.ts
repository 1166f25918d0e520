import { App } from 'aws-cdk-lib';
import { AfirgenStack } from './afirgen-stack';

// The AFIRGen example: `npx cdk synth` from the repository root runs this app (see cdk.json).
const app = new App();
new AfirgenStack(app, 'AfirgenTracing');
app.synth();
