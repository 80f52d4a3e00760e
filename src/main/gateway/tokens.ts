/**
 * Client tokens for the gateway. Only a sha256 of each token is stored; a presented token is
 * hashed and compared in constant time against every stored hash. A token is shown once, when it
 * is issued.
 *
 * The local CLI's own token is kept in `<dataDir>/gateway/client.token` (mode 0600), like an SSH
 * key: it is the user's credential, not the gateway's record. NOME's data dir is a built-in
 * noAccess path for agents and hidden inside the sandbox, so supervised commands cannot read it.
 *
 * Runtime: plain Node.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { gatewayDir, localClientTokenPath } from './protocol';

const tokenRecord = z.strictObject({
  id: z.string(),
  name: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
});
const tokenFile = z.strictObject({ tokens: z.array(tokenRecord) });
export type TokenRecord = z.infer<typeof tokenRecord>;

const sha256 = (text: string) => createHash('sha256').update(text).digest();


export class TokenStore {
  private records: TokenRecord[];
  private readonly file: string;

  constructor(private readonly dataDir: string) {
    this.file = path.join(gatewayDir(dataDir), 'tokens.json');
    mkdirSync(gatewayDir(dataDir), { recursive: true, mode: 0o700 });
    this.records = this.read();
  }

  /** Issues a new token: returns it (the only time it exists in the clear) and stores its hash. */
  issue(name: string): { token: string; record: TokenRecord } {
    const token = `nome_${randomBytes(32).toString('base64url')}`;
    const record: TokenRecord = { id: randomUUID(), name, sha256: sha256(token).toString('hex'), createdAt: new Date().toISOString() };
    this.records.push(record);
    this.write();
    return { token, record };
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
   * The local CLI's token: read from its 0600 file, or issued and written there when missing or no
   * longer valid. Returns the token and whether it was issued now.
   */
  ensureLocalClientToken(): { token: string; issued: TokenRecord | null } {
    const file = localClientTokenPath(this.dataDir);
    if (existsSync(file)) {
      const token = readFileSync(file, 'utf8').trim();
      if (this.verify(token)) return { token, issued: null };
    }
    const { token, record } = this.issue('local cli');
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
