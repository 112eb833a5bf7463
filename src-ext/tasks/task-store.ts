import { existsSync, type FSWatcher, readdirSync, watch } from "node:fs";
import { basename, dirname, join, relative, sep } from "node:path";
import { type SettledWatcher, watchSettled } from "../fs/watch-settled.ts";
import type { TaskProblem } from "../protocol/api.ts";
import { decodeUtf8, FrontMatterError, hasFrontMatter, parseFrontMatter } from "./front-matter.ts";
import { type Task, toTask } from "./task.ts";
import { inspect, isInside, type RealPaths, readTaskFile } from "./task-file.ts";

type Entry = { mtimeMs: number; size: number; task: Task | null; problem: TaskProblem | null };

/** Far beyond any real backlog (each task is held in memory, up to 1 MiB): a bound on what a repository can cost. */
const MAX_TASK_FILES = 10_000;

/** Bursts of file events (an editor's save is several) are folded into one re-read. */
const DEBOUNCE_MS = 40;
/**
 * Natural order (TASK-7 before TASK-42), with one collator: `localeCompare` with options builds
 * one per call, and sorting 5,003 ids so took 24 ms of a cold start here.
 */
const NATURAL = new Intl.Collator(undefined, { numeric: true });

/**
 * Every task under the tasks folder, kept in memory. Files are re-read only when the watcher
 * says they changed (or their mtime/size moved), so `all()` never touches the disk. What may be
 * read is decided in task-file.ts, the same way at start-up and while watching. The folder's
 * parent is watched too, so a tasks folder that is removed, moved away or replaced is followed.
 */
export class TaskStore {
  private entries = new Map<string, Entry>();
  private byId = new Map<string, Task>();
  private sorted: readonly Task[] | null = null;
  private problemList: TaskProblem[] = [];
  /** The tasks folder itself (recursive), while it exists. */
  private watcher: SettledWatcher | null = null;
  /** Its parent: tells when the folder appears, goes or is replaced. */
  private parentWatcher: FSWatcher | null = null;
  private pending = new Set<string>();
  private fullRescan = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private truncated = false;

  constructor(
    private readonly repo: string,
    private readonly dir: string,
    private readonly onChange: () => void = () => {},
    /** Why this folder may not be read at all (an untrusted link out of the repository), or null. */
    private readonly refused: string | null = null,
  ) {}

  /** Reads every task once. */
  load(): this {
    if (this.refused) {
      this.problemList = [{ file: relative(this.repo, this.dir) || ".", line: null, reason: this.refused }];
      return this;
    }
    this.rescan();
    return this;
  }

  /** Starts following the folder; changes are applied after a short debounce and reported by `onChange`. */
  watch(): this {
    if (this.parentWatcher || this.refused) return this;
    // The nearest folder that exists above the tasks folder (its parent, unless that is missing too).
    let above = dirname(this.dir);
    while (!existsSync(above) && dirname(above) !== above) above = dirname(above);
    this.parentWatcher = watch(above, { recursive: above !== dirname(this.dir) }, (_event, name) => {
      if (name === null || String(name) === basename(this.dir) || String(name).startsWith(relative(above, this.dir))) this.reattach();
    });
    this.parentWatcher.on("error", () => this.reattach());
    this.attach();
    return this;
  }

  /** Watches the tasks folder as it is now: a replaced folder is a new one to watch. */
  private attach(): void {
    this.watcher?.close();
    this.watcher = null;
    if (!existsSync(this.dir)) return;
    try {
      this.watcher = watchSettled(this.dir, { recursive: true }, (_event, file) => {
        if (file === null) this.fullRescan = true;
        else this.pending.add(String(file));
        this.schedule();
      });
      this.watcher.on("error", () => this.reattach());
    } catch {
      // Gone between the check and the watch: the parent's watcher says when it is back.
    }
  }

  private reattach(): void {
    this.attach();
    this.fullRescan = true;
    this.schedule();
  }

  close(): void {
    this.watcher?.close();
    this.watcher = null;
    this.parentWatcher?.close();
    this.parentWatcher = null;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Every task in natural order, as people number them (TASK-7 before TASK-42): sorted once per change, not per call. */
  all(): readonly Task[] {
    this.sorted ??= [...this.byId.values()].sort((a, b) => NATURAL.compare(a.id, b.id));
    return this.sorted;
  }

  get(id: string): Task | undefined {
    return this.byId.get(id);
  }

  problems(): TaskProblem[] {
    return this.problemList;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.fullRescan) this.rescan();
      else for (const file of this.pending) this.refresh(join(this.dir, file));
      this.pending.clear();
      this.fullRescan = false;
      this.rebuild();
      this.onChange();
    }, DEBOUNCE_MS);
  }

  private rescan(): void {
    const seen = new Set<string>();
    const files = listMarkdown(this.dir);
    this.truncated = files.length > MAX_TASK_FILES;
    const paths: RealPaths = new Map();
    for (const file of files.slice(0, MAX_TASK_FILES)) {
      seen.add(file);
      this.refresh(file, paths);
    }
    for (const file of this.entries.keys()) if (!seen.has(file)) this.entries.delete(file);
    this.rebuild();
  }

  /** Re-reads one path if it changed; a folder event rescans that subtree. */
  private refresh(file: string, paths: RealPaths = new Map()): void {
    // A path through a parent that became a link out of the folder is not ours to read.
    const info = isInside(file, this.dir, paths) ? inspect(file) : ({ kind: "gone" } as const);
    switch (info.kind) {
      case "gone":
        for (const known of this.entries.keys()) {
          if (known === file || known.startsWith(file + sep)) this.entries.delete(known);
        }
        return;
      case "folder":
        for (const inner of listMarkdown(file)) this.refresh(inner, paths);
        return;
      case "other":
        return;
      case "refused":
        this.entries.set(file, {
          mtimeMs: 0,
          size: 0,
          task: null,
          problem: { file: this.relative(file), line: null, reason: info.reason },
        });
        return;
      case "file": {
        const known = this.entries.get(file);
        if (known && known.mtimeMs === info.mtimeMs && known.size === info.size) return;
        this.entries.set(file, { mtimeMs: info.mtimeMs, size: info.size, ...this.read(file, paths) });
      }
    }
  }

  private relative(file: string): string {
    return relative(this.repo, file).split(sep).join("/");
  }

  private read(file: string, paths: RealPaths): { task: Task | null; problem: TaskProblem | null } {
    const path = this.relative(file);
    try {
      const text = decodeUtf8(readTaskFile(file, this.dir, paths));
      if (!hasFrontMatter(text)) return { task: null, problem: null };
      return { task: toTask(parseFrontMatter(text), path, file), problem: null };
    } catch (error) {
      const line = error instanceof FrontMatterError ? error.line : null;
      const reason = error instanceof Error ? error.message : String(error);
      return { task: null, problem: { file: path, line, reason } };
    }
  }

  private rebuild(): void {
    const byId = new Map<string, Task>();
    const problems: TaskProblem[] = [];
    if (this.truncated) {
      problems.push({
        file: relative(this.repo, this.dir) || ".",
        line: null,
        reason: `more than ${MAX_TASK_FILES} task files: only the first ${MAX_TASK_FILES} are read`,
      });
    }
    if (!existsSync(this.dir)) {
      problems.push({ file: relative(this.repo, this.dir) || ".", line: null, reason: "the tasks folder does not exist" });
    }
    const files = [...this.entries.keys()].sort();
    for (const file of files) {
      const entry = this.entries.get(file);
      if (!entry) continue;
      if (entry.problem) problems.push(entry.problem);
      if (!entry.task) continue;
      const other = byId.get(entry.task.id);
      if (other) {
        problems.push({ file: entry.task.path, line: 2, reason: `duplicate id ${entry.task.id}: also in ${other.path}` });
        continue;
      }
      byId.set(entry.task.id, entry.task);
    }
    this.byId = byId;
    this.sorted = null;
    this.problemList = problems;
  }
}

/** Paths under `dir` worth a look: folders are entered (links to them are not), every `.md` and every link is listed. */
function listMarkdown(dir: string): string[] {
  const out: string[] = [];
  let names: import("node:fs").Dirent[];
  try {
    names = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of names) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listMarkdown(full));
    else if (entry.name.endsWith(".md") || entry.isSymbolicLink()) out.push(full);
  }
  return out;
}
