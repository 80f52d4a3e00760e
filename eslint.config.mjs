// Lint, including the import boundaries that keep each file's runtime obvious (DESIGN.md, Processes).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const electronOnlyInShell = {
  name: 'electron',
  message: 'Only src/main/electron/** and src/preload/** may import electron (DESIGN.md, Processes).',
};
const noElectronPattern = { regex: '^electron(/|$)', message: electronOnlyInShell.message };

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  // Everything outside the Electron shell and the preload runs under plain Node or in the browser.
  {
    files: ['**/*.{ts,tsx,mjs,cjs,js}'],
    ignores: ['src/main/electron/**', 'src/preload/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [electronOnlyInShell], patterns: [noElectronPattern] }],
    },
  },
  // The renderer: browser only. Nothing from src/main, no Node built-ins, no electron.
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInShell, ...nodeBuiltins.map((name) => ({ name, message: 'The renderer runs in a browser: no Node built-ins.' }))],
          patterns: [
            noElectronPattern,
            { regex: '(^|/)main(/|$)', message: 'The renderer reaches main only through the IPC contract (src/shared/contract.ts).' },
          ],
        },
      ],
    },
  },
  // Shared code is loaded by every runtime: no Node, no Electron, nothing from main or renderer.
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInShell, ...nodeBuiltins.map((name) => ({ name, message: 'src/shared runs everywhere: no Node built-ins.' }))],
          patterns: [noElectronPattern, { regex: '(^|/)(main|renderer|preload|cli)(/|$)', message: 'src/shared imports nothing from a process.' }],
        },
      ],
    },
  },
  // Plain-Node services below the shell never reach up into it.
  {
    files: ['src/main/**/*.ts', 'src/cli/**/*.ts'],
    ignores: ['src/main/electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInShell],
          patterns: [noElectronPattern, { regex: '(^|/)electron(/|$)', message: 'Services do not import the Electron shell; it imports them.' }],
        },
      ],
    },
  },
  // Audit receipts and product telemetry are kept apart by structure: neither imports the other.
  // (Flat config replaces, not merges, a rule's options, so these blocks repeat the shell boundary.)
  {
    files: ['src/main/audit/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInShell],
          patterns: [
            noElectronPattern,
            { regex: '(^|/)telemetry(/|$)', message: 'The audit store never imports telemetry.' },
            { regex: '(^|/)electron(/|$)', message: 'Services do not import the Electron shell; it imports them.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/telemetry/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInShell],
          patterns: [
            noElectronPattern,
            { regex: '(^|/)audit(/|$)', message: 'Telemetry never imports the audit store.' },
            { regex: '(^|/)electron(/|$)', message: 'Services do not import the Electron shell; it imports them.' },
          ],
        },
      ],
    },
  },
  {
    files: ['bin/**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
