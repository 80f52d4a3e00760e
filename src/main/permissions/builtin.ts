/**
 * The built-in layer: rules compiled into NOME that no layer file can remove or loosen (the
 * effective level is a minimum, so a lower layer can only restrict further). Kept as data so the
 * list reads as policy and `explain` can show each entry as written.
 *
 * Pattern syntax is the layer-file syntax (gitignore semantics; `~/…` and `/…` are absolute), plus
 * three placeholders filled in per gateway with the glob-escaped path:
 *   {dataDir}        NOME's own data dir ($NOME_HOME, see src/main/host/paths.ts)
 *   {managedPolicy}  the org-managed policy file ($NOME_MANAGED_POLICY or the platform path)
 *   {workspace}      the workspace root
 *
 * Decisions on NOME's own files:
 *   - the data dir is noAccess: it holds session tokens, the audit store and the user layer, so
 *     reading can leak credentials and writing could loosen the agent's own permissions;
 *   - the managed policy file is readOnly: it holds no secrets (agents may learn what is blocked),
 *     but writing it would loosen the org's rules;
 *   - the workspace's `.nome/` is readOnly: it is committed and shared, so reading is harmless,
 *     but an agent must not edit its own leash.
 *
 * Runtime: plain Node.
 */
import type { Level } from './types';

export interface BuiltInRule {
  pattern: string;
  level: Level;
  /** Why the rule exists, for readers of this file. */
  why: string;
  /** Where the tool documents that it keeps credentials there, for the credential stores below. */
  source?: string;
}

const secret = (pattern: string, why: string, source?: string): BuiltInRule => ({ pattern, level: 'noAccess', why, ...(source ? { source } : {}) });

/**
 * Where the tools a developer has keep credentials in the home directory (issue 10, class 8): the
 * agents' own logins, package registries, clouds, databases, and shell histories (which hold
 * whatever was typed or pasted). Each with the tool and where that is documented. The ones marked
 * "checked" were looked up in public documentation when they were added; the others are from the
 * tools' own documentation as named.
 */
const CREDENTIAL_STORES: readonly BuiltInRule[] = [
  secret('~/.claude/.credentials.json', 'Claude Code OAuth login (Linux)', 'checked: Claude Code stores its OAuth blob in ~/.claude/.credentials.json on Linux (github.com/rsnodgrass/claude-code-auth, pkg.go.dev agentcreds)'),
  secret('~/.codex/auth.json', 'Codex CLI login (ChatGPT tokens or API key)', 'checked: $CODEX_HOME/auth.json, default ~/.codex (mintlify.com/openai/codex/authentication, simplified.guide/codex/login-status-check)'),
  secret('~/.gemini/oauth_creds.json', 'Gemini CLI OAuth tokens', 'checked: docs.roocode.com/providers/gemini-cli; sync-auth crate (Gemini CLI key files)'),
  secret('~/.gemini/mcp-oauth-tokens.json', "Gemini CLI's MCP OAuth tokens", 'checked: sync-auth crate (Gemini CLI key files)'),
  secret('~/.cache/huggingface/token', 'Hugging Face token (huggingface-cli login)', 'checked: huggingface_hub HF_TOKEN_PATH'),
  secret('~/.huggingface/token', 'Hugging Face token (the old location)', 'checked: huggingface_hub v0.11 _hf_folder.py'),
  secret('~/.config/github-copilot/**', 'GitHub Copilot tokens (hosts.json, apps.json)', 'GitHub Copilot editor plugins'),
  secret('~/.config/rclone/rclone.conf', 'rclone remotes and their secrets', 'rclone docs: config file location'),
  secret('~/.m2/settings.xml', 'Maven server passwords', 'Maven settings reference (servers)'),
  secret('~/.m2/settings-security.xml', 'Maven master password', 'Maven password encryption guide'),
  secret('~/.gradle/gradle.properties', 'Gradle repository and signing credentials', 'Gradle docs: credentials in gradle.properties'),
  secret('~/.yarnrc.yml', 'Yarn npmAuthToken', 'Yarn Berry configuration (npmAuthToken)'),
  secret('~/.yarnrc', 'Yarn classic registry auth', 'Yarn classic .yarnrc'),
  secret('~/.boto', 'gsutil credentials', 'gsutil boto configuration file'),
  secret('~/.s3cfg', 's3cmd access keys', 's3cmd configuration file'),
  secret('~/.pgpass', 'PostgreSQL passwords', 'PostgreSQL libpq password file'),
  secret('~/.my.cnf', 'MySQL client password', 'MySQL option files'),
  secret('~/.config/composer/auth.json', 'Composer registry tokens', 'Composer authentication for privately hosted packages'),
  secret('~/.composer/auth.json', 'Composer registry tokens (older home)', 'Composer authentication for privately hosted packages'),
  secret('~/.config/pip/pip.conf', 'pip index URLs with credentials', 'pip configuration files'),
  secret('~/.pip/pip.conf', 'pip index URLs with credentials (legacy location)', 'pip configuration files'),
  secret('~/.nuget/NuGet/NuGet.Config', 'NuGet packageSourceCredentials', 'NuGet.Config reference'),
  secret('~/.config/sops/age/keys.txt', 'age private keys for sops', 'sops: age key file location'),
  secret('~/.config/configstore/firebase-tools.json', 'Firebase CLI tokens', 'firebase-tools login'),
  secret('~/.config/ngrok/ngrok.yml', 'ngrok authtoken', 'ngrok agent configuration file'),
  secret('~/.config/stripe/config.toml', 'Stripe CLI keys', 'Stripe CLI login'),
  secret('~/.config/hub', 'hub CLI OAuth token', 'hub configuration'),
  secret('~/.terraformrc', 'Terraform CLI credentials blocks', 'Terraform CLI configuration file'),
  secret('~/.oci/**', 'Oracle Cloud CLI config and API keys', 'OCI CLI configuration'),
  // Shell and REPL histories hold whatever was typed or pasted: passwords, tokens, connection strings.
  secret('~/.bash_history', 'shell history'),
  secret('~/.zsh_history', 'shell history'),
  secret('~/.histfile', 'shell history'),
  secret('~/.local/share/fish/fish_history', 'shell history'),
  secret('~/.python_history', 'REPL history'),
  secret('~/.node_repl_history', 'REPL history'),
  secret('~/.psql_history', 'database client history'),
  secret('~/.mysql_history', 'database client history'),
  secret('~/.sqlite_history', 'database client history'),
  secret('~/.rediscli_history', 'database client history'),
];
const guard = (pattern: string, why: string): BuiltInRule => ({ pattern, level: 'readOnly', why });

export const BUILT_IN_RULES: readonly BuiltInRule[] = Object.freeze([
  // Environment files anywhere (patterns without a slash match at any depth, in or out of the workspace).
  secret('.env', 'environment secrets'),
  secret('.env.*', 'environment secrets (.env.local, .env.production, …)'),
  // Private keys and certificates anywhere.
  secret('*.pem', 'certificates and private keys'),
  secret('*.key', 'private keys'),
  secret('*.p12', 'PKCS#12 key stores'),
  secret('*.pfx', 'PKCS#12 key stores'),
  secret('*.jks', 'Java key stores'),
  secret('*.keystore', 'Java/Android key stores'),
  secret('id_rsa*', 'SSH keys'),
  secret('id_dsa*', 'SSH keys'),
  secret('id_ecdsa*', 'SSH keys'),
  secret('id_ed25519*', 'SSH keys'),
  // Credential stores in the home directory.
  secret('~/.ssh/**', 'SSH keys and config'),
  secret('~/.aws/**', 'AWS credentials'),
  secret('~/.config/gcloud/**', 'Google Cloud credentials'),
  secret('~/.azure/**', 'Azure credentials'),
  secret('~/.kube/config', 'Kubernetes credentials'),
  secret('~/.docker/config.json', 'registry credentials'),
  secret('~/.netrc', 'machine passwords'),
  secret('~/.npmrc', 'npm tokens'),
  secret('~/.pypirc', 'PyPI tokens'),
  secret('~/.git-credentials', 'git passwords'),
  secret('~/.config/git/credentials', 'git passwords (the XDG credential store)'),
  secret('~/.gnupg/**', 'GPG keys'),
  secret('~/.config/gh/hosts.yml', 'GitHub CLI tokens'),
  secret('~/.cargo/credentials', 'crates.io tokens'),
  secret('~/.cargo/credentials.toml', 'crates.io tokens'),
  secret('~/.gem/credentials', 'RubyGems tokens'),
  secret('~/.vault-token', 'Vault token'),
  secret('~/.terraform.d/credentials.tfrc.json', 'Terraform Cloud tokens'),
  secret('~/.password-store/**', 'pass password store'),
  ...CREDENTIAL_STORES,
  // OS keychains.
  secret('~/Library/Keychains/**', 'macOS keychains'),
  secret('/Library/Keychains/**', 'macOS system keychains'),
  secret('~/.local/share/keyrings/**', 'GNOME keyring'),
  secret('~/.local/share/kwalletd/**', 'KDE wallet'),
  secret('~/AppData/Roaming/Microsoft/Credentials/**', 'Windows Credential Manager'),
  secret('~/AppData/Local/Microsoft/Credentials/**', 'Windows Credential Manager'),
  secret('~/AppData/Roaming/Microsoft/Protect/**', 'Windows DPAPI master keys'),
  // NOME's own files (see the decisions above).
  secret('{dataDir}', "NOME's data dir: tokens, audit store, user permissions"),
  guard('{managedPolicy}', 'the org-managed policy'),
  guard('{workspace}/.nome', "the workspace's NOME settings, including its permission layers"),
  // Shell start-up files run on every new shell: editing one is code execution later.
  guard('~/.profile', 'shell start-up file'),
  guard('~/.bashrc', 'shell start-up file'),
  guard('~/.bash_profile', 'shell start-up file'),
  guard('~/.bash_login', 'shell start-up file'),
  guard('~/.bash_logout', 'shell start-up file'),
  guard('~/.zshrc', 'shell start-up file'),
  guard('~/.zshenv', 'shell start-up file'),
  guard('~/.zprofile', 'shell start-up file'),
  guard('~/.zlogin', 'shell start-up file'),
  guard('~/.zlogout', 'shell start-up file'),
  guard('~/.cshrc', 'shell start-up file'),
  guard('~/.tcshrc', 'shell start-up file'),
  guard('~/.config/fish/**', 'shell start-up files'),
  guard('~/.gitconfig', 'git config can set hooks and aliases that run code'),
  guard('~/.config/git/config', 'git config can set hooks and aliases that run code'),
  // Git hooks and config run code on the next git command; `**/` also covers nested repositories,
  // and `.git/modules/**` submodules' git directories. The hooks directory itself is protected (not
  // only its files), so nothing can be added to it.
  guard('**/.git/hooks', 'git hooks run code'),
  guard('**/.git/modules/**/hooks', 'git hooks of submodules run code'),
  guard('**/.git/config', 'git config can set hooksPath and aliases that run code'),
  guard('**/.git/config.worktree', 'per-worktree git config can set hooksPath and aliases that run code'),
  guard('**/.git/modules/**/config', "submodules' git config can set hooksPath and aliases that run code"),
  guard('**/.git/modules/**/config.worktree', "submodules' per-worktree git config"),
  guard('**/.git/worktrees/*/config.worktree', "linked worktrees' git config"),
  // commondir tells git where its config and hooks really are: rewriting it points git at planted ones.
  guard('**/.git/commondir', 'git reads its config and hooks from the directory commondir names'),
  guard('**/.git/modules/**/commondir', 'git reads its config and hooks from the directory commondir names'),
  guard('**/.git/worktrees/*/commondir', 'git reads its config and hooks from the directory commondir names'),
] satisfies BuiltInRule[]);
