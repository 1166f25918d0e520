/** Jest's global setup: the run's temporary folder (test/setup/temp-folder.ts). */
import { enterRunFolder } from './temp-folder';

export default function globalSetup(): void {
  enterRunFolder();
}
