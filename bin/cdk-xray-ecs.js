#!/usr/bin/env node
'use strict';
// The `cdk-xray-ecs` command: a launcher for the compiled CLI in lib/cli/ (written by
// `npx projen compile`; in the published package it is always there).
let cli;
try {
  cli = require('../lib/cli/main.js');
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('lib/cli/main')) {
    process.stderr.write('cdk-xray-ecs: lib/cli/main.js is missing: in a clone of the repository, run `npx projen compile` first\n');
    process.exit(1);
  }
  throw err;
}
cli.main(process.argv).catch((err) => {
  process.stderr.write(`cdk-xray-ecs: unexpected error: ${err && err.stack ? err.stack : err}\n`);
  process.exit(2);
});
