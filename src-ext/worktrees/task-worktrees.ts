import { join } from "node:path";
import type { Config } from "../config.ts";
import { DispatchError } from "../errors.ts";
import { backupRef, backupWorktree } from "../git/backup.ts";
import { type Base, baseOf } from "../git/base.ts";
import { type Git, gitAt, gitOut, lastLine } from "../git/git.ts";
import { commitAll, dirtyFiles, land, type Strategy } from "../git/land.ts";
import { openPullRequest, pullRequestRemote } from "../git/pull-request.ts";
import { aheadBehind, changedFiles, commitsOf, LITERAL, mergeBaseOf, uncommittedFiles, uncommittedPaths } from "../git/review.ts";
import { listWorktrees, same } from "../git/worktree.ts";
import { withFileLock } from "../proc/file-lock.ts";
import { shellWord } from "../proc/shell-word.ts";
import type { RunInfo } from "../protocol/api.ts";
import type { CommitResult, MergeResult, PullRequestResult, RemoveResult, WorktreeReview } from "../protocol/worktree.ts";
import { baseFor, branchFor } from "../runs/run-launch.ts";
import type { Task } from "../tasks/task.ts";
import { TaskBadges } from "./task-badges.ts";

/** A diff past this size is cut, with a last line that says so: the UI shows it file by file. */
const MAX_DIFF_BYTES = 32 * 1024 * 1024;

type Found = { task: Task; branch: string; path: string | null; base: Base; git: Git; main: { path: string; git: Git } };

/**
 * The owner of a task's worktree after its creation (DESIGN §13): review what its branch holds,
 * land it on its base, commit what is left, remove it. It works on the worktree actually found
 * for the task's branch, wherever it lives, and refuses whatever would lose work unless forced,
 * and then saves it first. `live` names the task's live runs.
 */
export class TaskWorktrees {
  /** The board's changes badges (task-badges.ts). */
  readonly badges: TaskBadges;

  constructor(
    private readonly config: Config,
    private readonly live: (taskId: string) => RunInfo[],
  ) {
    this.badges = new TaskBadges(config, (task) => this.find(task));
  }

  private async find(task: Task): Promise<Found> {
    const branch = branchFor(this.config, task.id);
    const repo = gitAt(this.config.repo);
    if ((await repo(["show-ref", "--verify", "--quiet", `refs/heads/${branch}`])).code !== 0) {
      throw new DispatchError("not_found", `${task.id} has no branch ${branch} yet: dispatch it to start its worktree`);
    }
    const list = await listWorktrees(this.config.repo);
    const main = list[0];
    if (!main) throw new DispatchError("not_a_repo", `${this.config.repo} has no main worktree`);
    const own = list.find((w) => w.branch === branch && !same(w.path, main.path));
    const base = await baseOf(repo, branch, baseFor(this.config, task));
    return {
      task,
      branch,
      path: own?.path ?? null,
      base,
      git: own ? gitAt(own.path) : repo,
      main: { path: main.path, git: gitAt(main.path) },
    };
  }

  async review(task: Task): Promise<WorktreeReview> {
    const f = await this.find(task);
    const repo = gitAt(this.config.repo);
    const mergeBase = await mergeBaseOf(repo, f.base, f.branch);
    const [counts, commits, files, uncommitted, remote] = await Promise.all([
      aheadBehind(repo, f.base, f.branch),
      commitsOf(repo, mergeBase, f.branch),
      changedFiles(repo, [mergeBase, `refs/heads/${f.branch}`]),
      f.path ? uncommittedFiles(f.git, f.path) : Promise.resolve([]),
      pullRequestRemote(repo),
    ]);
    const pullRequest = { available: remote.remote !== null && f.base.branch !== null, reason: remote.reason };
    return {
      id: task.id,
      path: f.path,
      branch: f.branch,
      base: f.base.branch,
      baseCommit: f.base.commit,
      mergeBase,
      ...counts,
      commits,
      files,
      uncommitted,
      pullRequest,
    };
  }

  /**
   * The unified diff: `committed` is the branch against the merge base (what a merge brings),
   * `uncommitted` the worktree against its HEAD, untracked files as new files. `file` limits it
   * to one path, which must be one the review lists.
   */
  async diff(task: Task, options: { scope: "committed" | "uncommitted"; file: string | null }): Promise<string> {
    const f = await this.find(task);
    if (options.scope === "committed") {
      const mergeBase = await mergeBaseOf(f.git, f.base, f.branch);
      const files = await changedFiles(f.git, [mergeBase, `refs/heads/${f.branch}`]);
      const file = options.file;
      if (file !== null && !files.some((c) => c.path === file || c.oldPath === file)) throw noSuchFile(task.id, file, "committed");
      const target = file === null ? [] : ["--", ...pathsOf(files, file)];
      const out = await f.git(["diff", "--find-renames", mergeBase, `refs/heads/${f.branch}`, ...target], { env: LITERAL });
      if (out.code !== 0) throw new DispatchError("worktree_failed", `git diff failed: ${lastLine(out.stderr)}`);
      return cut(out.stdout);
    }
    if (!f.path) return "";
    const changes = await uncommittedFiles(f.git, f.path);
    const file = options.file;
    if (file !== null && !changes.some((c) => c.path === file || c.oldPath === file)) throw noSuchFile(task.id, file, "uncommitted");
    const wanted = changes.filter((c) => file === null || c.path === file || c.oldPath === file);
    const tracked = wanted.filter((c) => c.status !== "untracked");
    let text = "";
    if (tracked.length > 0) {
      const paths = file === null ? [] : ["--", ...pathsOf(tracked, file)];
      const out = await f.git(["diff", "--find-renames", "HEAD", ...paths], { env: LITERAL });
      if (out.code !== 0) throw new DispatchError("worktree_failed", `git diff failed: ${lastLine(out.stderr)}`);
      text += out.stdout;
    }
    for (const c of wanted.filter((w) => w.status === "untracked")) {
      // --no-index answers 1 when the files differ, which they always do here.
      const out = await f.git(["diff", "--no-index", "--", "/dev/null", c.path]);
      if (out.code > 1) throw new DispatchError("worktree_failed", `git diff failed: ${lastLine(out.stderr)}`);
      text += out.stdout;
      if (text.length > MAX_DIFF_BYTES) break;
    }
    return cut(text);
  }

  async merge(task: Task, strategy: Strategy): Promise<MergeResult> {
    const f = await this.find(task);
    const base = f.base;
    if (!base.branch)
      throw new DispatchError("conflict", `${f.branch} has no base branch recorded (it began on a detached HEAD): merge it by hand`);
    const onMain = (await f.main.git(["symbolic-ref", "--quiet", "--short", "HEAD"])).stdout.trim();
    if (onMain !== base.branch) {
      throw new DispatchError(
        "conflict",
        `the main worktree ${f.main.path} is on ${onMain || "a detached HEAD"}: check out ${base.branch} there to merge ${f.branch} into it`,
      );
    }
    const dirty = await dirtyFiles(f.main.git);
    if (dirty.length > 0) {
      throw new DispatchError(
        "conflict",
        `the main worktree has uncommitted changes (${listed(dirty)}): commit or stash them first; nothing was changed`,
        {
          details: { files: dirty },
        },
      );
    }
    if (f.path) {
      const pending = await uncommittedPaths(f.git);
      if (pending.length > 0) {
        throw new DispatchError(
          "conflict",
          `${task.id}'s worktree has uncommitted changes (${listed(pending)}): commit them first (Commit all) so they land too`,
          {
            details: { files: pending },
          },
        );
      }
    }
    if (strategy === "rebase" && this.live(task.id).length > 0) {
      throw new DispatchError("conflict", `a run of ${task.id} is live in its worktree: stop it before rebasing its branch`);
    }
    const { ahead } = await aheadBehind(f.main.git, base, f.branch);
    if (ahead === 0) throw new DispatchError("conflict", `nothing to merge: ${base.branch} already has every commit of ${f.branch}`);
    const subjects = (await commitsOf(f.main.git, await mergeBaseOf(f.main.git, base, f.branch), f.branch)).map((c) => `- ${c.subject}`);
    const message =
      strategy === "squash"
        ? `${task.id}: ${task.title}\n\nSquashed from ${f.branch}:\n${subjects.join("\n")}\n`
        : `Merge ${f.branch} (${task.id}: ${task.title})\n`;
    const commit = await land({
      main: f.main.git,
      task: f.path ? f.git : null,
      base: { ...base, branch: base.branch },
      branch: f.branch,
      strategy,
      message,
    });
    return { id: task.id, strategy, base: base.branch, commit, commits: ahead };
  }

  /** Pushes the branch and opens a pull request against its base with gh; answers with its address. */
  async pullRequest(task: Task): Promise<PullRequestResult> {
    const f = await this.find(task);
    const { remote, reason } = await pullRequestRemote(f.main.git);
    if (!remote) throw new DispatchError("conflict", `cannot open a pull request: ${reason}`);
    if (!f.base.branch) throw new DispatchError("conflict", `${f.branch} has no base branch recorded to open a pull request against`);
    const subjects = (await commitsOf(f.main.git, await mergeBaseOf(f.main.git, f.base, f.branch), f.branch)).map((c) => `- ${c.subject}`);
    const body = `${task.body.trim().slice(0, 4000)}\n\nCommits:\n${subjects.join("\n")}\n\n(opened from Dispatch)`;
    const url = await openPullRequest(f.main.git, f.path ?? this.config.repo, {
      remote,
      branch: f.branch,
      base: f.base.branch,
      title: `${task.id}: ${task.title}`,
      body,
    });
    return { id: task.id, url };
  }

  async commitAll(task: Task, message: string): Promise<CommitResult> {
    const f = await this.find(task);
    if (!f.path) throw new DispatchError("not_found", `${task.id} has no worktree now: nothing to commit`);
    return { id: task.id, ...(await commitAll(f.git, message)) };
  }

  /**
   * Removes the task's worktree, holding the lock a dispatch takes to make it (no agent starts in
   * it meanwhile), and asking again just before: no run may be live.
   */
  remove(task: Task, options: { force: boolean; deleteBranch: boolean }): Promise<RemoveResult> {
    return withFileLock(join(this.config.stateDir, "locks", `worktree-${task.id}.lock`), () => this.removeLocked(task, options));
  }

  private refuseLive(task: Task): void {
    const live = this.live(task.id);
    if (live.length > 0) {
      throw new DispatchError(
        "conflict",
        `${live.map((r) => r.mode).join(", ")} on ${task.id} is live in its worktree: stop it first; nothing was removed`,
      );
    }
  }

  private async removeLocked(task: Task, options: { force: boolean; deleteBranch: boolean }): Promise<RemoveResult> {
    this.refuseLive(task);
    const f = await this.find(task);
    if (!f.path && !options.deleteBranch) throw new DispatchError("not_found", `${task.id} has no worktree now: nothing to remove`);
    const uncommitted = f.path ? await uncommittedPaths(f.git) : [];
    // A repository inside the worktree (an agent's clone) is listed by git as a folder, and a
    // commit holds only a pointer to it: no backup could give it back.
    const nested = uncommitted.filter((p) => p.endsWith("/"));
    if (nested.length > 0) {
      throw new DispatchError(
        "would_lose_work",
        `${task.id}'s worktree holds a git repository of its own (${listed(nested)}) that no backup can hold: move it out first; nothing was removed`,
        { details: { uncommitted, unmerged: 0, nested } },
      );
    }
    // A base that is a commit (a detached HEAD at creation) counts as much as a branch.
    const unmerged = options.deleteBranch ? (await aheadBehind(f.git, f.base, f.branch)).ahead : 0;
    const atRisk = uncommitted.length > 0 || unmerged > 0;
    if (atRisk && !options.force) {
      const what = [
        ...(uncommitted.length
          ? [`${uncommitted.length} uncommitted file${uncommitted.length > 1 ? "s" : ""} (${listed(uncommitted)})`]
          : []),
        ...(unmerged ? [`${unmerged} commit${unmerged > 1 ? "s" : ""} not merged into ${f.base.branch}`] : []),
      ];
      throw new DispatchError(
        "would_lose_work",
        `removing ${task.id}'s worktree would lose ${what.join(" and ")}: nothing was removed; force it to save them to a backup ref first (files git ignores, such as build output or a copied .env, are not saved)`,
        {
          details: { uncommitted, unmerged },
        },
      );
    }
    // Without a worktree, only the branch's commits are at risk: the backup is its tip.
    const backup = !atRisk
      ? null
      : f.path
        ? await backupWorktree(f.git, task.id)
        : await backupRef(f.git, task.id, `refs/heads/${f.branch}`);
    // A dispatch claimed while we looked is live now (it waits on this lock to make its worktree).
    this.refuseLive(task);
    if (f.path) {
      await gitOut(gitAt(this.config.repo), ["worktree", "remove", "--force", f.path], `removing the worktree ${f.path}`);
    }
    if (options.deleteBranch) await gitOut(gitAt(this.config.repo), ["branch", "-D", "--", f.branch], `deleting ${f.branch}`);
    return {
      id: task.id,
      removed: f.path ?? "",
      branchDeleted: options.deleteBranch,
      backup: backup && {
        ...backup,
        // A command to paste: a new worktree beside the others, on a branch at the backup, whose last commit holds what was uncommitted.
        restore: `git -C ${shellWord(this.config.repo)} worktree add -b ${shellWord(`${f.branch}-restored`)} ${shellWord(join(this.config.worktreesDir, `${task.id}-restored`))} ${backup.ref}`,
      },
    };
  }
}

function noSuchFile(id: string, file: string, scope: string): DispatchError {
  return new DispatchError("not_found", `${JSON.stringify(file)} is not among ${id}'s ${scope} changes`);
}

/** A rename's diff needs both of its paths. */
function pathsOf(files: Array<{ path: string; oldPath: string | null }>, file: string): string[] {
  const change = files.find((c) => c.path === file || c.oldPath === file);
  return change?.oldPath ? [change.oldPath, change.path] : [file];
}

function listed(paths: string[]): string {
  return paths.length > 5 ? `${paths.slice(0, 5).join(", ")} and ${paths.length - 5} more` : paths.join(", ");
}

function cut(text: string): string {
  if (text.length <= MAX_DIFF_BYTES) return text;
  return `${text.slice(0, MAX_DIFF_BYTES)}\n… cut at ${MAX_DIFF_BYTES / (1024 * 1024)} MiB: ask for one file (?file=PATH) to see the rest\n`;
}
