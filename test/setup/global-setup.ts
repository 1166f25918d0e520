/**
 * Jest's global setup: builds what the selected tests read if it is missing or stale
 * (test/setup/build-outputs.ts), then the run's temporary folder (test/setup/temp-folder.ts).
 */
import { buildWhatTestsRead } from './build-outputs';
import { enterRunFolder } from './temp-folder';

/** The part of jest's global config read here: the command line's test path patterns. */
interface GlobalConfig {
  readonly testPathPatterns?: { readonly patterns: readonly string[] };
}

/** Called by jest with its global config; without one (test/build/temp-folder.test.ts) nothing is built. */
export default function globalSetup(globalConfig?: GlobalConfig): void {
  if (globalConfig !== undefined) buildWhatTestsRead(globalConfig.testPathPatterns?.patterns ?? []);
  enterRunFolder();
}
