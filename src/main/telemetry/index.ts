/**
 * Opt-in product telemetry: counts and latencies of a closed set of events, in its own local
 * store. Never imports the audit store (lint-enforced).
 *
 * Runtime: plain Node.
 */
export {
  createTelemetry,
  telemetryPath,
  COUNT_EVENTS,
  LATENCY_EVENTS,
  LATENCY_BOUNDS_MS,
  type Telemetry,
  type TelemetryOptions,
  type TelemetrySnapshot,
  type LatencySummary,
  type CountEvent,
  type LatencyEvent,
} from './telemetry';
