import { existsSync, type FSWatcher, readdirSync, readFileSync, statSync, watch } from "node:fs";
import { join, relative, sep } from "node:path";
import type { TaskProblem } from "../protocol/api.ts";
import { decodeUtf8, FrontMatterError, hasFrontMatter, parseFrontMatter } from "./front-matter.ts";
import { type Task, toTask } from "./task.ts";

type Entry = { mtimeMs: number; size: number; task: Task | null; problem: TaskProblem | null };

/** Bursts of file events (an editor's save is several) are folded into one re-read. */
const DEBOUNCE_MS = 40;

/**
 * Every task under the tasks folder, kept in memory. Files are re-read only when the watcher
 * says they changed (or their mtime/size moved), so `all()` never touches the disk.
 */
export class TaskStore {
  private entries = new Map<string, Entry>();
  private byId = new Map<string, Task>();
  private problemList: TaskProblem[] = [];
  private watcher: FSWatcher | null = null;
  /** True while the tasks folder is missing and the repo root is watched for it to appear. */
  private watchingRepo = false;
  private pending = new Set<string>();
  private fullRescan = false;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly repo: string,
    private readonly dir: string,
    private readonly onChange: () => void = () => {},
  ) {}

  /** Reads every task once. */
  load(): this {
    this.rescan();
    return this;
  }

  /** Starts following the folder; changes are applied after a short debounce and reported by `onChange`. */
  watch(): this {
    if (this.watcher) return this;
    this.watchingRepo = !existsSync(this.dir);
    const recursive = !this.watchingRepo;
    this.watcher = watch(this.watchingRepo ? this.repo : this.dir, { recursive }, (_event, file) => {
      if (!recursive || file === null) this.fullRescan = true;
      else this.pending.add(String(file));
      this.schedule();
    });
    this.watcher.on("error", () => {
      // The folder itself went away: fall back to a full rescan, which reports it.
      this.fullRescan = true;
      this.schedule();
    });
    return this;
  }

  close(): void {
    this.watcher?.close();
    this.watcher = null;
    if (this.timer) clearTimeout(this.timer);
  }

  all(): Task[] {
    // Natural order, as people number tasks: TASK-7 before TASK-42.
    return [...this.byId.values()].sort((a, b) => a.id.localeCompare(b.id, undefined, { numeric: true }));
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
      // The tasks folder appeared after we started watching the repo: watch it instead.
      if (this.watchingRepo && existsSync(this.dir)) {
        this.watcher?.close();
        this.watcher = null;
        this.watch();
      }
    }, DEBOUNCE_MS);
  }

  private rescan(): void {
    const seen = new Set<string>();
    for (const file of listMarkdown(this.dir)) {
      seen.add(file);
      this.refresh(file);
    }
    for (const file of this.entries.keys()) if (!seen.has(file)) this.entries.delete(file);
    this.rebuild();
  }

  /** Re-reads one path if it changed; a directory event rescans that subtree. */
  private refresh(file: string): void {
    let stat: ReturnType<typeof statSync> | undefined;
    try {
      stat = statSync(file);
    } catch {
      for (const known of this.entries.keys()) {
        if (known === file || known.startsWith(file + sep)) this.entries.delete(known);
      }
      return;
    }
    if (stat.isDirectory()) {
      for (const inner of listMarkdown(file)) this.refresh(inner);
      return;
    }
    if (!file.endsWith(".md")) return;
    const known = this.entries.get(file);
    if (known && known.mtimeMs === stat.mtimeMs && known.size === stat.size) return;
    this.entries.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, ...this.read(file) });
  }

  private read(file: string): { task: Task | null; problem: TaskProblem | null } {
    const path = relative(this.repo, file).split(sep).join("/");
    try {
      const text = decodeUtf8(readFileSync(file));
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
    this.problemList = problems;
  }
}

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
    else if (entry.isFile() && entry.name.endsWith(".md")) out.push(full);
  }
  return out;
}
