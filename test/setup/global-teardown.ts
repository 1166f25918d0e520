/** Jest's global teardown: removes the run's temporary folder (test/setup/temp-folder.ts). */
import { leaveRunFolder } from './temp-folder';

export default function globalTeardown(): void {
  leaveRunFolder();
}
