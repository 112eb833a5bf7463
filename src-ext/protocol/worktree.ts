import { z } from "zod";

/** How a file changed, in words (git's letters, spelled out). */
export const FileStatus = z.enum(["added", "modified", "deleted", "renamed", "copied", "type-changed", "conflicted", "untracked"]);
export type FileStatus = z.infer<typeof FileStatus>;

/** One changed file: lines added and removed (null for a binary file), and where a rename came from. */
export const FileChange = z.object({
  path: z.string(),
  oldPath: z.string().nullable(),
  status: FileStatus,
  added: z.number().int().nullable(),
  removed: z.number().int().nullable(),
  binary: z.boolean(),
});
export type FileChange = z.infer<typeof FileChange>;

export const CommitInfo = z.object({ sha: z.string(), subject: z.string(), author: z.string(), date: z.string() });
export type CommitInfo = z.infer<typeof CommitInfo>;

/**
 * GET /tasks/{id}/worktree (DESIGN §13): the task branch against its base, measured from where
 * they meet (the merge base); `uncommitted`: the worktree's changes against its own HEAD,
 * untracked files included. `path` is null when the branch has no worktree now.
 */
export const WorktreeReview = z.object({
  id: z.string(),
  path: z.string().nullable(),
  branch: z.string(),
  base: z.string().nullable(),
  baseCommit: z.string(),
  mergeBase: z.string(),
  ahead: z.number().int(),
  behind: z.number().int(),
  commits: z.array(CommitInfo),
  files: z.array(FileChange),
  uncommitted: z.array(FileChange),
  /** Whether "Open pull request" can work here (gh installed, a remote), and if not, why. */
  pullRequest: z.object({ available: z.boolean(), reason: z.string().nullable() }),
});
export type WorktreeReview = z.infer<typeof WorktreeReview>;

/** The board's summary of a task's work: lines added and removed on its branch, and uncommitted files. */
export const ChangesBadge = z.object({
  files: z.number().int(),
  added: z.number().int(),
  removed: z.number().int(),
  uncommitted: z.number().int(),
});
export type ChangesBadge = z.infer<typeof ChangesBadge>;

export const MergeBody = z.object({ strategy: z.enum(["merge", "squash", "rebase"]).default("merge") }).strict();
export type MergeBody = z.infer<typeof MergeBody>;

export const MergeResult = z.object({
  id: z.string(),
  strategy: z.enum(["merge", "squash", "rebase"]),
  base: z.string(),
  /** The base's new tip. */
  commit: z.string(),
  /** How many of the branch's commits landed. */
  commits: z.number().int(),
});
export type MergeResult = z.infer<typeof MergeResult>;

export const CommitBody = z.object({ message: z.string().trim().min(1, "a commit message is required").max(10000) }).strict();
export const CommitResult = z.object({ id: z.string(), commit: z.string(), files: z.number().int() });
export type CommitResult = z.infer<typeof CommitResult>;

export const RemoveBody = z.object({ force: z.boolean().default(false), deleteBranch: z.boolean().default(false) }).strict();
export type RemoveBody = z.infer<typeof RemoveBody>;

export const RemoveResult = z.object({
  id: z.string(),
  removed: z.string(),
  branchDeleted: z.boolean(),
  /** A forced removal saved everything here first, and says how to get it back. */
  backup: z.object({ ref: z.string(), commit: z.string(), restore: z.string() }).nullable(),
});
export type RemoveResult = z.infer<typeof RemoveResult>;

export const PullRequestResult = z.object({ id: z.string(), url: z.string() });
export type PullRequestResult = z.infer<typeof PullRequestResult>;
