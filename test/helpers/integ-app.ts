import { App } from 'aws-cdk-lib';

/**
 * The App of an integ-runner test: no stack traces in the metadata (they would hold this
 * machine's absolute paths) and a fixed day for the daemon's end-of-life notice, so that the
 * committed snapshot is the same on every machine and every day.
 */
export function integApp(): App {
  return new App({
    context: {
      'aws:cdk:disable-stack-trace': true,
      'aws:cdk:disable-creation-stack-traces': true,
      'xray:now': '2026-11-27',
    },
  });
}
