import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTelemetry, LATENCY_BOUNDS_MS, telemetryPath } from '../../../src/main/telemetry';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nome-telemetry-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('telemetry', () => {
  it('is off by default: records nothing and creates no store', () => {
    const t = createTelemetry({ dataDir: dir });
    expect(t.enabled).toBe(false);
    t.count('run.started');
    t.latency('command.run', 12);
    expect(t.snapshot()).toEqual({ enabled: false, counts: {}, latencies: {}, firstHour: null, lastHour: null });
    expect(existsSync(path.join(dir, 'telemetry'))).toBe(false);
    t.close();
  });

  it('when enabled, keeps counts and latency summaries in its own store', () => {
    const t = createTelemetry({ dataDir: dir, enabled: true });
    t.count('run.started');
    t.count('run.started', 2);
    t.count('approval.denied');
    for (const ms of [0.5, 3, 3, 70, 120_000, 400_000]) t.latency('command.run', ms);
    const snap = t.snapshot();
    expect(snap.enabled).toBe(true);
    expect(snap.counts).toEqual({ 'run.started': 3, 'approval.denied': 1 });
    const run = snap.latencies['command.run']!;
    expect(run).toMatchObject({ count: 6, minMs: 0.5, maxMs: 400_000, sumMs: 0.5 + 3 + 3 + 70 + 120_000 + 400_000 });
    expect(run.histogram).toHaveLength(LATENCY_BOUNDS_MS.length + 1);
    expect(run.histogram.reduce((a, b) => a + b, 0)).toBe(6);
    expect(run.histogram[0]).toBe(1); // ≤ 1 ms
    expect(run.histogram[2]).toBe(2); // ≤ 5 ms
    expect(run.histogram[LATENCY_BOUNDS_MS.length]).toBe(1); // open bucket
    expect(existsSync(telemetryPath(dir))).toBe(true);
    expect(telemetryPath(dir)).toBe(path.join(dir, 'telemetry', 'telemetry.sqlite'));
    t.close();
  });

  it('buckets time by the hour', () => {
    let now = Date.UTC(2025, 0, 1, 10, 15);
    const t = createTelemetry({ dataDir: dir, enabled: true, now: () => now });
    t.count('app.started');
    now += 3 * 3_600_000;
    t.count('app.started');
    const snap = t.snapshot();
    expect(snap.counts['app.started']).toBe(2);
    expect(snap.firstHour).toBe(Date.UTC(2025, 0, 1, 10));
    expect(snap.lastHour).toBe(Date.UTC(2025, 0, 1, 13));
    t.close();
  });

  it('refuses anything but a known event name and a number, without echoing the value', () => {
    const t = createTelemetry({ dataDir: dir, enabled: true });
    const secret = 'rm -rf /home/ada/secret-project';
    const attempts: Array<() => void> = [
      () => t.count(secret as never),
      () => t.count('run.started ' as never),
      () => t.count('command.run' as never), // a latency name is not a count name
      () => t.latency('run.started' as never, 1),
      () => t.latency(secret as never, 1),
      () => t.count('run.started', secret as never),
      () => t.count('run.started', 1.5),
      () => t.count('run.started', 0),
      () => t.latency('command.run', secret as never),
      () => t.latency('command.run', '12' as never),
      () => t.latency('command.run', NaN),
      () => t.latency('command.run', Infinity),
      () => t.latency('command.run', -1),
      () => t.latency({ toString: () => secret } as never, 1),
    ];
    for (const attempt of attempts) {
      let message = '';
      try {
        attempt();
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^telemetry: invalid/);
      expect(message).not.toContain('secret');
    }
    // Disabled telemetry validates too, so a bad call is caught in development either way.
    const off = createTelemetry({ dataDir: dir });
    expect(() => off.count(secret as never)).toThrow(/invalid/);
    expect(t.snapshot().counts).toEqual({});
    t.close();
  });

  it('opting out stops recording; clear removes the store', () => {
    const t = createTelemetry({ dataDir: dir, enabled: true });
    t.count('run.started');
    t.setEnabled(false);
    t.count('run.started');
    expect(t.snapshot()).toMatchObject({ enabled: false, counts: { 'run.started': 1 } });
    t.setEnabled(true);
    t.count('run.started');
    expect(t.snapshot().counts['run.started']).toBe(2);
    t.clear();
    expect(existsSync(telemetryPath(dir))).toBe(false);
    t.setEnabled(false);
    expect(t.snapshot().counts).toEqual({});
    t.close();
  });
});
