/**
 * The `nome` command. Each subcommand lives in ./commands and is loaded only when used, so a quick
 * `nome classify` does not pay for the HTTP server or SQLite.
 *
 * Runtime: plain Node (no Electron).
 */
import { printable } from './printable';
import { UsageError } from './usage';

type Command = { run(argv: string[]): Promise<number> };

const commands: Record<string, () => Promise<Command>> = {
  serve: () => import('./commands/serve'),
  classify: () => import('./commands/classify'),
  check: () => import('./commands/check'),
  exec: () => import('./commands/exec'),
  approvals: () => import('./commands/approvals'),
  audit: () => import('./commands/audit'),
  permissions: () => import('./commands/permissions'),
  tokens: () => import('./commands/tokens'),
};

const usage = `usage: nome <command> [options]

commands:
  classify [--json|--jsonl] [--workspace DIR] [--confined] -- <command>   tier, reasons and files of a shell command
  check --workspace DIR [--json] [--confined] -- <command>   classification plus the policy matrix decision
  serve [--workspace DIR] [--port N] [--approval-timeout S]
                                       run NOME headless and serve the UI on 127.0.0.1
  exec [--workspace DIR] -- <command>  run a command through the supervisor (exit 126 when denied)
  approvals list [--json]              the operations waiting for a decision
  approvals answer ID approve-once|approve-session|always|deny [--reason TEXT]
  tokens issue NAME --workspace DIR    an agent token for the gateway, acting only for DIR (shown once)
  tokens list | tokens revoke ID       the gateway's tokens (approver only)
  audit verify [--json]                walk the receipt chain and report the first break
  audit tail [--json]                  print receipts as they arrive
  permissions explain [--workspace DIR] [--json] PATH   every rule that matches PATH, and the winner
`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage);
    return name === undefined ? 2 : 0;
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!load) {
    process.stderr.write(`nome: unknown command "${printable(name)}"\n\n${usage}`);
    return 2;
  }
  try {
    return await (await load()).run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`nome ${name}: ${printable(error.message)}\n`);
      return 2;
    }
    process.stderr.write(`nome ${name}: ${printable(error instanceof Error ? error.message : String(error))}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`nome: ${printable(String(error))}\n`);
    process.exitCode = 1;
  },
);
