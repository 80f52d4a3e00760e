/**
 * Red-team cases: commands that once came out with a lower tier than what they really do (a write
 * called read, code run without executesCode, a write outside the workspace called write). Each
 * row failed before its fix; the note says what bash or the program really does.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPolicyEngine, type ClassifyOptions, type PolicyEngine, type Tier } from '../../../src/main/policy';

let engine: PolicyEngine;
const ws = mkdtempSync(path.join(os.tmpdir(), 'nome-policy-redteam-'));
const opts: ClassifyOptions = { workspace: ws, home: '/home/tester' };

beforeAll(async () => {
  engine = await createPolicyEngine();
});

/** [command, expected tier, executesCode expected (undefined: not checked), what it really does] */
const HOLES: [string, Tier, boolean | undefined, string][] = [
  // GNU getopt_long and git's parse-options accept unambiguous prefixes of long options.
  ['sort --outp=x y', 'write', undefined, 'sort --outp is sort --output: writes x'],
  ['sort --outp ../x y', 'danger', undefined, 'abbreviated --output with a separate value, outside the workspace'],
  ['git diff --outp=x', 'write', undefined, 'abbreviated git diff --output writes x'],
  ['git archive --outp=../x HEAD', 'danger', undefined, 'abbreviated git archive --output outside the workspace'],
  ['git grep --open-files=vim x', 'danger', true, 'abbreviated --open-files-in-pager runs a program'],
];

/** Common commands that must stay read (no false positives from the fixes). */
const STILL_READ: string[] = ['ls -la', 'cat file', 'git status', 'grep -r x .', 'git log --oneline -5', 'sort -k2 -n data.txt'];

describe('red-team holes', () => {
  it.each(HOLES)('%s → %s', (cmd, tier, code) => {
    const r = engine.classify(cmd, opts);
    expect(r.tier, JSON.stringify(r.reasons)).toBe(tier);
    if (code !== undefined) expect(r.executesCode).toBe(code);
  });

  it.each(STILL_READ)('%s stays read', (cmd) => {
    expect(engine.classify(cmd, opts).tier).toBe('read');
  });
});
