export {
  runDoctor,
  formatDoctorReport,
  setupErrorOf,
  SetupError,
  type DoctorOptions,
  type DoctorReport,
} from './run-doctor.js';
export type { DoctorCheck, CheckStatus } from './doctor-check.js';
export { checkNode, checkPackages, MIN_NODE_MAJOR } from './check-runtime.js';
export { checkBackends, AUTO_ORDER } from './check-backends.js';
export { checkFfmpeg } from './check-ffmpeg.js';
export { checkData } from './check-data.js';
export { checkCache } from './check-cache.js';
export { checkOutput } from './check-output.js';
export { probeFolder, type FolderProbe } from './probe-folder.js';
