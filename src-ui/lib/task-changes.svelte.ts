import type { ChangesBadge, FileChange, WorktreeReview } from "../../src-ext/protocol/worktree.ts";
import { type Api, ApiError } from "./api.svelte.ts";
import { TaskLanding } from "./task-landing.svelte.ts";

export type Scope = "committed" | "uncommitted";
export type DiffText = { state: "loading" } | { state: "ready"; text: string } | { state: "error"; message: string };

/** A file with this many changed lines or more starts collapsed: opening it is one click. */
export const BIG_FILE_LINES = 400;
/** What a scope opens by itself, so a large change shows at once: this many lines, this many files. */
const OPEN_LINES = 1500;
const OPEN_FILES = 30;

export const fileKey = (scope: Scope, path: string): string => `${scope}:${path}`;
export const changedLines = (f: FileChange): number => (f.added ?? 0) + (f.removed ?? 0);
/** Binary files and files whose content did not change (a rename, a mode) have no lines to show. */
export const hasText = (f: FileChange): boolean => !f.binary && changedLines(f) > 0;
export const filesOf = (review: WorktreeReview, scope: Scope): FileChange[] => (scope === "committed" ? review.files : review.uncommitted);

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * One task's work under review (the Changes tab): GET /tasks/{id}/worktree, and the diff of each
 * open file, fetched file by file as it opens, so a 5,000-line file costs nothing until someone
 * opens it. Reads again when the server says the work changed. `landing` commits, merges, removes.
 */
export class TaskChanges {
  review = $state.raw<WorktreeReview | null>(null);
  /** The task has no branch yet: the server's words. */
  missing = $state<string | null>(null);
  error = $state<string | null>(null);
  loading = $state(false);
  /** Open files by `scope:path` (false: closed by the user, kept closed), and their diffs. */
  open = $state.raw<Record<string, boolean>>({});
  diffs = $state.raw<Record<string, DiffText>>({});
  readonly landing: TaskLanding;
  /** Answers to an older read are dropped: a newer one fetches its own. */
  private generation = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly api: Api,
    readonly id: string,
  ) {
    this.landing = new TaskLanding(api, id, () => this.load());
  }

  async load(): Promise<void> {
    const generation = ++this.generation;
    this.loading = true;
    try {
      const review = await this.api.review(this.id);
      if (generation !== this.generation) return;
      this.review = review;
      this.missing = null;
      this.error = null;
      this.settle(review, generation);
    } catch (error) {
      if (generation !== this.generation) return;
      if (error instanceof ApiError && error.code === "not_found") {
        this.review = null;
        this.missing = error.message;
        this.error = null;
      } else this.error = messageOf(error);
    } finally {
      if (generation === this.generation) this.loading = false;
    }
  }

  /** worktree.changed: read again, once per burst, unless the review shown already says so (our own read announces itself). */
  changed(changes: ChangesBadge | null): void {
    if (this.timer || (changes && this.review && same(badgeOf(this.review), changes))) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.load();
    }, 100);
  }

  toggle(scope: Scope, path: string): void {
    const key = fileKey(scope, path);
    const next = !this.open[key];
    this.open = { ...this.open, [key]: next };
    if (next && this.diffs[key]?.state !== "ready") void this.fetchDiff(scope, path, this.generation);
  }

  /** Opens a file (from the file list) if it is closed. */
  reveal(scope: Scope, path: string): void {
    if (!this.open[fileKey(scope, path)]) this.toggle(scope, path);
  }

  /**
   * Keeps open what was open and closed what the user closed; a file seen for the first time opens
   * if it is small and the scope's budget allows. Open diffs are fetched again: their text may
   * have changed (the old text stays until the new one comes).
   */
  private settle(review: WorktreeReview, generation: number): void {
    const open: Record<string, boolean> = {};
    const fetch: Array<[Scope, string]> = [];
    for (const scope of ["uncommitted", "committed"] as const) {
      let lines = OPEN_LINES;
      let files = OPEN_FILES;
      for (const f of filesOf(review, scope)) {
        if (!hasText(f)) continue;
        const key = fileKey(scope, f.path);
        const was = this.open[key];
        const opens = was ?? (changedLines(f) < BIG_FILE_LINES && changedLines(f) <= lines && files > 0);
        open[key] = opens;
        if (!opens) continue;
        lines -= changedLines(f);
        files--;
        fetch.push([scope, f.path]);
      }
    }
    this.open = open;
    this.diffs = Object.fromEntries(Object.entries(this.diffs).filter(([key]) => open[key]));
    for (const [scope, path] of fetch) void this.fetchDiff(scope, path, generation);
  }

  private async fetchDiff(scope: Scope, path: string, generation: number): Promise<void> {
    const key = fileKey(scope, path);
    if (!this.diffs[key]) this.diffs = { ...this.diffs, [key]: { state: "loading" } };
    let next: DiffText;
    try {
      next = { state: "ready", text: await this.api.diff(this.id, scope, path) };
    } catch (error) {
      next = { state: "error", message: messageOf(error) };
    }
    if (generation === this.generation) this.diffs = { ...this.diffs, [key]: next };
  }
}

function badgeOf(review: WorktreeReview): ChangesBadge {
  const sum = (key: "added" | "removed") => review.files.reduce((n, f) => n + (f[key] ?? 0), 0);
  return { files: review.files.length, added: sum("added"), removed: sum("removed"), uncommitted: review.uncommitted.length };
}

function same(a: ChangesBadge, b: ChangesBadge): boolean {
  return a.files === b.files && a.added === b.added && a.removed === b.removed && a.uncommitted === b.uncommitted;
}
