#!/usr/bin/env node
// Launcher for the `nome` command. The command itself is built into out/main/nome.js
// (`npm run build`, also run by `npm ci` through the prepare script).
'use strict';
const path = require('node:path');
const fs = require('node:fs');

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(
    `nome: needs Node.js 22 or later (this is ${process.version}); run it through npx or npm scripts, which use the project's pinned Node\n`,
  );
  process.exit(2);
}
const entry = path.join(__dirname, '..', 'out', 'main', 'nome.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('nome: not built yet; run `npm run build` first\n');
  process.exit(2);
}
require(entry);
