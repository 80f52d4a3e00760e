/**
 * Client tokens for the gateway. Only a sha256 of each token is stored; a presented token is
 * hashed and compared in constant time against every stored hash. A token is shown once, when it
 * is issued.
 *
 * Scopes: an **agent** token requests and reports (`exec`, and the hook and MCP calls that follow)
 * and only for the workspaces it was issued for; an **approver** token answers, lists and issues
 * (`approvals.*`, `tokens.*`) and cannot run anything. So a receipt that says a person approved
 * means someone holding the approver credential did, never the agent that asked.
 *
 * The local CLI's own tokens are kept in `<dataDir>/gateway/client.token` (agent) and
 * `approver.token` (mode 0600), like an SSH key: they are the user's credentials, not the
 * gateway's record. NOME's data dir is a built-in noAccess path and never visible inside the
 * sandbox, so supervised commands cannot read either.
 *
 * Runtime: plain Node.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import os from 'node:os';
import { gatewayDir, localApproverTokenPath, localClientTokenPath } from './protocol';

export const TOKEN_SCOPES = ['agent', 'approver'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

const tokenRecord = z.strictObject({
  id: z.string(),
  name: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
  // A record from before scopes existed is an agent token bound to no workspace: it can do nothing
  // until it is reissued (the local one is, at the next start).
  scope: z.enum(TOKEN_SCOPES).default('agent'),
  workspaces: z.array(z.string()).default([]),
});
const tokenFile = z.strictObject({ tokens: z.array(tokenRecord) });
export type TokenRecord = z.infer<typeof tokenRecord>;

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** A workspace as tokens record it: absolute, symlinks resolved. */
export function workspaceKey(workspace: string): string {
  const resolved = path.resolve(workspace);
  try {
    return realpathSync(resolved);
  } catch {
    return resolved;
  }
}

/**
 * Why `workspace` cannot be bound to an agent token, or null. The file system root and the home
 * directory hold everything else: binding them would bind nothing.
 */
export function unbindableWorkspace(workspace: string, home: string = os.homedir()): string | null {
  const key = workspaceKey(workspace);
  if (key === path.parse(key).root) return 'the root of the file system';
  if (key === workspaceKey(home)) return 'the home directory';
  return null;
}


export class TokenStore {
  private records: TokenRecord[];
  private readonly file: string;

  constructor(private readonly dataDir: string) {
    this.file = path.join(gatewayDir(dataDir), 'tokens.json');
    mkdirSync(gatewayDir(dataDir), { recursive: true, mode: 0o700 });
    this.records = this.read();
  }

  /**
   * Issues a new token: returns it (the only time it exists in the clear) and stores its hash.
   * An agent token is bound to `workspaces` (none of them `/` or the home directory).
   */
  issue(name: string, scope: TokenScope = 'agent', workspaces: readonly string[] = []): { token: string; record: TokenRecord } {
    const keys = scope === 'agent' ? this.bindable(workspaces) : [];
    const token = `nome_${randomBytes(32).toString('base64url')}`;
    const record: TokenRecord = { id: randomUUID(), name, sha256: sha256(token).toString('hex'), createdAt: new Date().toISOString(), scope, workspaces: keys };
    this.records.push(record);
    this.write();
    return { token, record };
  }

  /** Whether the token `record` may act for `workspace` (an agent token issued for it). */
  static mayUse(record: TokenRecord, workspace: string): boolean {
    if (record.scope !== 'agent') return false;
    const key = workspaceKey(workspace);
    return record.workspaces.includes(key);
  }

  private bindable(workspaces: readonly string[]): string[] {
    const keys: string[] = [];
    for (const ws of workspaces) {
      const problem = unbindableWorkspace(ws);
      if (problem) throw new Error(`an agent token cannot act for ${ws}: it is ${problem}, which holds everything else`);
      keys.push(workspaceKey(ws));
    }
    return [...new Set(keys)];
  }

  revoke(id: string): boolean {
    const before = this.records.length;
    this.records = this.records.filter((r) => r.id !== id);
    if (this.records.length !== before) this.write();
    return this.records.length !== before;
  }

  list(): TokenRecord[] {
    return [...this.records];
  }

  /** The record of a presented token, or null. Compares against every hash, in constant time each. */
  verify(presented: unknown): TokenRecord | null {
    if (typeof presented !== 'string' || presented.length === 0 || presented.length > 512) return null;
    const digest = sha256(presented);
    let found: TokenRecord | null = null;
    for (const record of this.records) {
      if (timingSafeEqual(digest, Buffer.from(record.sha256, 'hex')) && found === null) found = record;
    }
    return found;
  }

  /**
   * The local CLI's agent token, bound to `workspaces` (added to its record when missing): read
   * from its 0600 file, or issued and written there when missing, no longer valid or not an agent
   * token. Returns the token and the record when it was issued now.
   */
  ensureLocalClientToken(workspaces: readonly string[] = []): { token: string; issued: TokenRecord | null } {
    return this.ensureLocal(localClientTokenPath(this.dataDir), 'local cli', 'agent', workspaces);
  }

  /** The local CLI's approver token (`nome approvals`, `nome tokens`), like the agent token. */
  ensureLocalApproverToken(): { token: string; issued: TokenRecord | null } {
    return this.ensureLocal(localApproverTokenPath(this.dataDir), 'local approver', 'approver', []);
  }

  private ensureLocal(file: string, name: string, scope: TokenScope, workspaces: readonly string[]): { token: string; issued: TokenRecord | null } {
    if (existsSync(file)) {
      const token = readFileSync(file, 'utf8').trim();
      const record = this.verify(token);
      if (record && record.scope === scope) {
        const keys = scope === 'agent' ? this.bindable(workspaces).filter((k) => !record.workspaces.includes(k)) : [];
        if (keys.length > 0) {
          record.workspaces = [...record.workspaces, ...keys];
          this.write();
        }
        return { token, issued: null };
      }
    }
    const { token, record } = this.issue(name, scope, workspaces);
    writePrivate(file, `${token}\n`);
    return { token, issued: record };
  }

  private read(): TokenRecord[] {
    if (!existsSync(this.file)) return [];
    const text = readFileSync(this.file, 'utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`${this.file}: not valid JSON; refusing to start the gateway with an unreadable token list`);
    }
    const parsed = tokenFile.safeParse(json);
    if (!parsed.success) throw new Error(`${this.file}: ${parsed.error.issues[0]?.message ?? 'invalid token list'}`);
    return parsed.data.tokens;
  }

  private write(): void {
    writePrivate(this.file, `${JSON.stringify({ tokens: this.records }, null, 2)}\n`);
  }
}


/** Writes a file readable by its owner only, atomically (write then rename). */
function writePrivate(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}
