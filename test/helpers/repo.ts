import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export const ROOT = join(import.meta.dir, "..", "..");
export const CLI = join(ROOT, "src-ext", "cli.ts");
export const FAKE_CLAUDE = join(ROOT, "test", "fixtures", "fake-claude.mjs");
export const SEED = join(ROOT, "test", "fixtures", "tasks", "TASK-20250516T024757.md");

export function git(cwd: string, ...args: string[]): string {
  const out = Bun.spawnSync(["git", "-C", cwd, ...args], { stdout: "pipe", stderr: "pipe" });
  if (out.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${out.stderr.toString()}`);
  return out.stdout.toString();
}

export function taskFile(id: string, title: string, body = "Do the thing.", extra = ""): string {
  return `+++\nid = "${id}"\ntitle = "${title}"\nstatus = "todo"\npriority = "high"\n${extra}+++\n\n${body}\n`;
}

export type TempRepo = {
  /** Parent folder holding the repo and its worktrees folder; removed by cleanup. */
  root: string;
  repo: string;
  worktrees: string;
  write(path: string, text: string): void;
  [Symbol.dispose](): void;
};

/**
 * A real git repository in a temp folder with a few tasks: TASK-42, the seed example (its
 * mis-encoded emoji included), a nested task, and one broken file.
 */
export function tempRepo(options: { commit?: boolean; git?: boolean } = {}): TempRepo {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "dispatch-test-")));
  const repo = join(root, "repo");
  mkdirSync(join(repo, "tasks", "area"), { recursive: true });
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), text);
  };
  write("tasks/TASK-42.md", taskFile("TASK-42", "Answer everything", "Find the question whose answer is 42."));
  write("tasks/area/TASK-7.md", taskFile("TASK-7", "A nested task"));
  write("tasks/broken.md", '+++\nid = "BROKEN"\ntitle = "an unfinished string\n+++\nbody\n');
  cpSync(SEED, join(repo, "tasks", "area", "TASK-20250516T024757.md"));
  if (options.git !== false) {
    git(root, "init", "-q", "-b", "main", repo);
    git(repo, "config", "user.email", "test@example.com");
    git(repo, "config", "user.name", "Test");
    git(repo, "config", "commit.gpgsign", "false");
    if (options.commit !== false) {
      git(repo, "add", "-A");
      git(repo, "commit", "-q", "-m", "tasks");
    }
  }
  return {
    root,
    repo,
    worktrees: join(root, "repo-worktrees"),
    write,
    [Symbol.dispose]: () => rmSync(root, { recursive: true, force: true }),
  };
}
