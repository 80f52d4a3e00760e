/**
 * The sandboxed pty runner: one bash script in node-pty, confined by bubblewrap (Linux) or
 * sandbox-exec (macOS) where they work, with a scrubbed environment, a wall-clock limit, flow
 * control for the UI and a digest of the complete output.
 *
 * Runtime: plain Node.
 */
export {
  runCommand,
  HIGH_WATER,
  LOW_WATER,
  BATCH_MS,
  BATCH_MAX_BYTES,
  type RunOptions,
  type RunResult,
  type RunHandle,
  type FlowStats,
} from './runner';
export { findMaskHelper } from './helper';
export { scrubEnv, isSecretName, ENV_ALLOW, ENV_ALLOW_PREFIXES, ENV_DENY } from './env';
export { probeSandbox, probeBwrap, probeMaskHelper, probeSandboxExec, bwrapArgv, maskSpec, macosProfile, planConfinement, type SandboxMode, type ConfinePlan, type ConfineRequest, type ProbeResult } from './confine';
export { privateAreas, toolchainPaths, exposeSetting, SCANNED_SYSTEM_DIRS, type ExposeSetting } from './view';
export { isWithin } from './paths';
