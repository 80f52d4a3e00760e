/**
 * The sandbox's view for each run: the permission levels of the cascade turned into what the OS
 * sandbox mounts (DESIGN.md, "Enforcement: the judge decides, the sandbox holds").
 *
 *   - inside the workspace: every noAccess entry masked, every readOnly entry bound read-only,
 *     every `.git` directory pinned (it cannot be renamed or replaced by one whose hooks and
 *     config are not protected) and every `.git` file (a submodule's or worktree's link) bound
 *     read-only; from an index per workspace kept fresh by watchers;
 *   - outside it: the private areas hidden with toolchains bound back (sandbox/view.ts), every
 *     absolute noAccess rule masked, and the visible system directories, the user's exposed paths
 *     and the directories of absolute rules with globs searched (indexed) for noAccess entries and
 *     Unix sockets, and, when NOME runs as root, for entries others may not read.
 *
 * Indexes are built once per workspace and policy version (a layer change rebuilds them) and then
 * cost only the re-listing of directories that changed. When any index is incomplete, the view
 * says so, and the run counts as unconfined.
 *
 * Runtime: plain Node.
 */
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LayerFile } from '../layers';
import { createPermissionGateway, ProtectedIndex } from '../permissions';
import { exposeSetting, isWithin, privateAreas, SCANNED_SYSTEM_DIRS, toolchainPaths } from '../sandbox';

export interface SandboxView {
  hidePaths: string[];
  readOnlyPaths: string[];
  pinnedPaths: string[];
  privateAreas: string[];
  exposePaths: string[];
  /** False when an index could not be completed: the sandbox cannot be counted on to hold the levels. */
  complete: boolean;
  reason: string | null;
  /** Problems with the `sandbox` setting of the layers (each entry ignored). */
  errors: string[];
  /**
   * Paths that do not exist and must not come into existence from the run, because git would obey
   * them (a git directory's `commondir` and `config.worktree`; a workspace's own `.git` where the
   * workspace lies inside another repository): read-only binds cover only what exists, so whatever
   * a run makes there is removed when it ends.
   */
  mustNotAppear: string[];
}

export interface ViewOptions {
  env: NodeJS.ProcessEnv;
  home: string;
  /** The sandbox runs as root's files (NOME runs as root): entries only root may read are hidden too. */
  rootFiles?: boolean;
  /** Paths always hidden (NOME's data dir as the host knows it, whatever the layers say). */
  alwaysHidden?: readonly string[];
}

interface WorkspaceViews {
  version: string;
  workspace: ProtectedIndex;
  outside: ProtectedIndex[];
  literal: string[];
  expose: string[];
  areas: string[];
  errors: string[];
}

/** Files of a git directory that redirect git's config and hooks elsewhere (see builtin.ts). */
const GIT_CONTROL_FILES = ['commondir', 'config.worktree'];

/** Whether a directory above `dir` holds a `.git` (git run in `dir` would use that repository). */
function insideRepository(dir: string): boolean {
  for (let up = path.dirname(dir); ; up = path.dirname(up)) {
    if (existsSync(path.join(up, '.git'))) return true;
    if (path.dirname(up) === up) return false;
  }
}

function realHome(): string | null {
  try {
    return os.userInfo().homedir;
  } catch {
    return null;
  }
}

export class SandboxViews {
  private readonly byWorkspace = new Map<string, WorkspaceViews>();
  private readonly rootFiles: boolean;

  constructor(private readonly opts: ViewOptions) {
    this.rootFiles = opts.rootFiles ?? process.getuid?.() === 0;
  }

  /** The view for a run in `workspace` under the policy `version` (layer digests). */
  async forRun(workspace: string, version: string, layers?: readonly LayerFile[]): Promise<SandboxView> {
    let views = this.byWorkspace.get(workspace);
    if (!views || views.version !== version) {
      views?.workspace.close();
      for (const index of views?.outside ?? []) index.close();
      views = this.build(workspace, version, layers);
      this.byWorkspace.set(workspace, views);
    }
    const inside = await views.workspace.fresh();
    const outside = views.outside.map((index) => index.snapshot());
    const pinned: string[] = [];
    const readOnly = [...inside.readOnly];
    for (const git of inside.named) {
      if (!git.dir) {
        readOnly.push(git.path);
        continue;
      }
      pinned.push(git.path);
      // A repository without a hooks directory would let one be created: make the (empty) one git makes itself.
      const hooks = path.join(git.path, 'hooks');
      if (!existsSync(hooks)) {
        try {
          mkdirSync(hooks);
          readOnly.push(hooks);
        } catch {
          // Cannot be made (read-only repository): nothing can be written there by the command either.
        }
      }
    }
    const mustNotAppear: string[] = [];
    for (const git of pinned) for (const name of GIT_CONTROL_FILES) if (!existsSync(path.join(git, name))) mustNotAppear.push(path.join(git, name));
    if (!inside.named.some((n) => path.dirname(n.path) === workspace) && insideRepository(workspace)) mustNotAppear.push(path.join(workspace, '.git'));
    const failed = [inside, ...outside].find((entries) => !entries.complete);
    return {
      hidePaths: [...views.literal.filter((p) => existsSync(p)), ...inside.hide, ...outside.flatMap((entries) => entries.hide)],
      readOnlyPaths: readOnly,
      pinnedPaths: pinned,
      privateAreas: views.areas,
      exposePaths: views.expose,
      complete: failed === undefined,
      reason: failed ? (failed.reason ?? 'an index is incomplete') : null,
      errors: views.errors,
      mustNotAppear,
    };
  }

  close(): void {
    for (const views of this.byWorkspace.values()) {
      views.workspace.close();
      for (const index of views.outside) index.close();
    }
    this.byWorkspace.clear();
  }

  private build(workspace: string, version: string, layers?: readonly LayerFile[]): WorkspaceViews {
    const { env, home } = this.opts;
    const gateway = createPermissionGateway({ workspace, env, home, ...(layers ? { layers } : {}) });
    const levelOf = (p: string, isDir: boolean) => gateway.levelOf(p, isDir);
    const homes = [...new Set([home, realHome()].filter((h): h is string => typeof h === 'string' && path.isAbsolute(h)))];
    const areas = privateAreas(homes);
    const setting = exposeSetting(home, env, process.platform, layers);
    const expose = [...toolchainPaths(homes), ...setting.paths];
    const roots = gateway.absoluteRoots('noAccess');
    // Only what the command could see needs searching: the visible system directories, what is
    // exposed on purpose, and the directories of glob rules outside the private areas and the workspace.
    const visible = (p: string) => !areas.some((a) => isWithin(p, a)) || setting.paths.some((e) => isWithin(p, e));
    const searched = [...SCANNED_SYSTEM_DIRS, ...setting.paths, ...roots.filter((r) => r.glob && visible(r.path) && !isWithin(r.path, workspace)).map((r) => r.path)];
    const distinct = searched.filter((p, i, all) => all.indexOf(p) === i && !all.some((q, j) => j !== i && q !== p && isWithin(p, q)) && !isWithin(p, workspace));
    const outside = distinct.map(
      (root) => new ProtectedIndex(root, { levelOf, sockets: true, ownerOnly: this.rootFiles && !setting.paths.some((e) => isWithin(root, e)) }),
    );
    const inside = new ProtectedIndex(workspace, { levelOf, readOnly: true, names: ['.git'], linkNamesProtectTargets: true });
    // Checked for existence at every run (a few dozen stats): a credential file made later is masked too.
    const literal = [...roots.filter((r) => !r.glob && r.path !== '/').map((r) => r.path), ...(this.opts.alwaysHidden ?? [])].filter((p, i, all) => all.indexOf(p) === i);
    return { version, workspace: inside, outside, literal, expose, areas, errors: setting.errors };
  }
}

