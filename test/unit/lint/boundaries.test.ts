/** The import boundaries of DESIGN.md ("Processes"), proven against the real ESLint config. */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function boundaryErrors(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import boundaries', () => {
  it.each(['src/main/policy/x.ts', 'src/main/host/x.ts', 'src/cli/x.ts', 'src/shared/x.ts', 'src/renderer/src/x.tsx', 'src/main/audit/x.ts'])(
    'fails on an electron import in %s',
    async (file) => {
      expect((await boundaryErrors("import { app } from 'electron';\nexport const a = app;\n", file)).join()).toMatch(/Only src\/main\/electron/);
      expect(await boundaryErrors("import { ipcRenderer } from 'electron/renderer';\nexport const a = ipcRenderer;\n", file)).not.toEqual([]);
    },
  );

  it('allows electron in the shell and the preload', async () => {
    expect(await boundaryErrors("import { app } from 'electron';\nexport const a = app;\n", 'src/main/electron/x.ts')).toEqual([]);
    expect(await boundaryErrors("import { contextBridge } from 'electron';\nexport const a = contextBridge;\n", 'src/preload/x.ts')).toEqual([]);
  });

  it('fails when audit imports telemetry and when telemetry imports audit', async () => {
    expect((await boundaryErrors("import { t } from '../telemetry';\nexport const a = t;\n", 'src/main/audit/store.ts')).join()).toContain(
      'The audit store never imports telemetry.',
    );
    expect(await boundaryErrors("import { t } from '../telemetry/store';\nexport const a = t;\n", 'src/main/audit/store.ts')).not.toEqual([]);
    expect((await boundaryErrors("import { a } from '../audit';\nexport const b = a;\n", 'src/main/telemetry/index.ts')).join()).toContain(
      'Telemetry never imports the audit store.',
    );
    expect(await boundaryErrors("import { a } from '../../main/audit/index';\nexport const b = a;\n", 'src/main/telemetry/x.ts')).not.toEqual([]);
  });

  it('fails when the renderer imports main or Node built-ins', async () => {
    expect(await boundaryErrors("import { x } from '../../main/host/services';\nexport const a = x;\n", 'src/renderer/src/x.tsx')).not.toEqual([]);
    expect(await boundaryErrors("import fs from 'node:fs';\nexport const a = fs;\n", 'src/renderer/src/x.tsx')).not.toEqual([]);
    expect(await boundaryErrors("import fs from 'fs';\nexport const a = fs;\n", 'src/renderer/src/x.tsx')).not.toEqual([]);
    expect(await boundaryErrors("import { invokes } from '../../shared/contract';\nexport const a = invokes;\n", 'src/renderer/src/x.tsx')).toEqual([]);
  });

  it('fails when a service imports the Electron shell', async () => {
    expect(await boundaryErrors("import { x } from '../electron/ipc';\nexport const a = x;\n", 'src/main/policy/x.ts')).not.toEqual([]);
  });
});
