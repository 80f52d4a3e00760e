/** The tool policy matrix: defaults, layering, most-restrictive wins, broken entries deny. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildToolMatrix, loadToolMatrix } from '../../../src/main/policy';
import { parseLayerText, type LayerSource } from '../../../src/main/layers';

const layer = (l: LayerSource['layer'], json: unknown) => parseLayerText({ layer: l, path: `/layers/${l}.json` }, JSON.stringify(json, null, 2));
const inside = { insideWorkspace: true };
const outside = { insideWorkspace: false };

describe('tool matrix', () => {
  it('defaults: read allow, write inside allow, write outside ask, danger ask', () => {
    const m = buildToolMatrix([]);
    expect(m.decide('shell', 'read', outside).decision).toBe('allow');
    expect(m.decide('shell', 'write', inside).decision).toBe('allow');
    expect(m.decide('write_file', 'write', outside).decision).toBe('ask');
    expect(m.decide('mcp:github/create_issue', 'danger', inside).decision).toBe('ask');
  });
  it('a built-in entry cannot be loosened', () => {
    const m = buildToolMatrix([layer('user', { tools: [{ tool: '*', tier: 'danger', decision: 'allow' }] })]);
    const d = m.decide('shell', 'danger', inside);
    expect(d.decision).toBe('ask');
    expect(d.layer).toBe('built-in');
  });
  it('the most restrictive matching entry of any layer wins', () => {
    const m = buildToolMatrix([
      layer('managed', { tools: [{ tool: 'fetch_url', tier: 'read', decision: 'ask' }] }),
      layer('user', { tools: [{ tool: 'fetch_url', tier: 'read', decision: 'allow' }, { tool: 'mcp:github/*', tier: '*', decision: 'deny' }] }),
    ]);
    expect(m.decide('fetch_url', 'read', inside)).toMatchObject({ decision: 'ask', layer: 'managed', source: '/layers/managed.json' });
    expect(m.decide('mcp:github/delete_repo', 'read', inside)).toMatchObject({ decision: 'deny', layer: 'user' });
    expect(m.decide('mcp:gitlab/x', 'read', inside).decision).toBe('allow');
  });
  it('a broken entry is a file:line error and reads as deny for that tool', () => {
    const m = buildToolMatrix([layer('workspace', { tools: [{ tool: 'shell', tier: 'write', decision: 'allow' }, { tool: 'write_file', tier: 'sometimes', decision: 'allow' }] })]);
    expect(m.errors).toHaveLength(1);
    expect(m.errors[0]).toMatch(/^\/layers\/workspace\.json:\d+: .*"tier"/);
    expect(m.decide('write_file', 'read', inside).decision).toBe('deny');
    expect(m.decide('shell', 'write', inside).decision).toBe('allow');
  });
  it('an unreadable tool name denies every tool', () => {
    const m = buildToolMatrix([layer('workspace', { tools: [{ tier: 'read', decision: 'allow' }] })]);
    expect(m.decide('list_dir', 'read', inside).decision).toBe('deny');
  });
  it('a broken file is deny for everything, never absent', () => {
    const broken = parseLayerText({ layer: 'workspace', path: '/layers/bad.json' }, '{"tools": [');
    const m = buildToolMatrix([broken]);
    expect(m.errors[0]).toMatch(/^\/layers\/bad\.json:1: invalid JSON/);
    expect(m.decide('shell', 'read', inside).decision).toBe('deny');
  });
  it('the rules section belongs to the permission gateway and is ignored here', () => {
    const m = buildToolMatrix([layer('workspace', { rules: [{ pattern: 'x', level: 'readOnly' }] })]);
    expect(m.errors).toEqual([]);
  });
  it('loads the layer files through the shared cascade reader', () => {
    const ws = mkdtempSync(path.join(os.tmpdir(), 'nome-matrix-'));
    const nomeHome = mkdtempSync(path.join(os.tmpdir(), 'nome-home-'));
    mkdirSync(path.join(ws, '.nome'));
    writeFileSync(path.join(ws, '.nome', 'permissions.json'), JSON.stringify({ tools: [{ tool: 'shell', tier: 'write', decision: 'ask' }] }));
    writeFileSync(path.join(ws, '.nome', 'permissions.local.json'), '{\n  "tools": [\n    { "tool": 42 }\n  ]\n}');
    const m = loadToolMatrix(ws, { NOME_HOME: nomeHome, NOME_MANAGED_POLICY: path.join(nomeHome, 'none.json') });
    expect(m.decide('shell', 'write', inside)).toMatchObject({ decision: 'deny', layer: 'workspace-local' });
    expect(m.errors[0]).toContain(`${path.join(ws, '.nome', 'permissions.local.json')}:3:`);
    expect(m.decide('read_file', 'read', inside).decision).toBe('deny');
  });
});
