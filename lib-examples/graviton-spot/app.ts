import { App } from 'aws-cdk-lib';
import { GravitonSpotStack } from './graviton-spot-stack';

// `npx ts-node --transpile-only --project lib-examples/tsconfig.json lib-examples/graviton-spot/app.ts`
const app = new App();
new GravitonSpotStack(app, 'GravitonSpot');
app.synth();
