// A new worktree gets its ignored files from .worktreeinclude, records its base, and runs the
// repository's setup once (once trusted); a failing setup starts no agent (DESIGN §13).
import { describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { git } from "./helpers/repo.ts";
import { trustRepository, World } from "./helpers/world.ts";

const TREE = (world: World) => join(world.repo.worktrees, "TASK-42");

describe("a task's new worktree", () => {
  test(".worktreeinclude copies the ignored files it names (.env) and nothing else", async () => {
    await using world = new World();
    const { write, repo } = world.repo;
    write(".gitignore", ".env\nsecret.key\nbuild/\n");
    write(".worktreeinclude", "# what a worktree needs\n.env\nnotes.txt\ntracked.txt\n");
    write("tracked.txt", "in git\n");
    git(repo, "add", ".gitignore", ".worktreeinclude", "tracked.txt");
    git(repo, "commit", "-q", "-m", "ignore rules");
    write(".env", "API_KEY=local-only\n");
    write("secret.key", "not named\n");
    write("notes.txt", "named but not ignored\n");
    write("build/out.js", "ignored, not named\n");
    write("tracked.txt", "in git, edited in the main worktree\n");
    const server = await world.server();
    expect((await server.api("/dispatch/code-review/TASK-42", { method: "POST" })).status).toBe(201);
    await server.ended("code-review", "TASK-42");
    const tree = TREE(world);
    expect(readFileSync(join(tree, ".env"), "utf8")).toBe("API_KEY=local-only\n");
    for (const absent of ["secret.key", "notes.txt", "build/out.js"]) expect(existsSync(join(tree, absent))).toBe(false);
    // A tracked file comes from git, never from the main worktree's edits.
    expect(readFileSync(join(tree, "tracked.txt"), "utf8")).toBe("in git\n");
  });

  test(".worktreeinclude never copies Dispatch's state folder (its token) or through a link the branch commits", async () => {
    await using world = new World();
    const { write, repo } = world.repo;
    write(".gitignore", "cfg/.env\n");
    // The repository asks for the state folder, and its branch makes cfg a link out of the worktree.
    write(".worktreeinclude", ".run/\ncfg/.env\n");
    git(repo, "add", ".gitignore", ".worktreeinclude");
    git(repo, "commit", "-q", "-m", "hostile include");
    const outside = join(world.repo.root, "elsewhere");
    mkdirSync(outside);
    git(repo, "checkout", "-q", "-b", "linked");
    symlinkSync(outside, join(repo, "cfg"));
    git(repo, "add", "cfg");
    git(repo, "commit", "-q", "-m", "cfg is a link");
    git(repo, "checkout", "-q", "main");
    mkdirSync(join(repo, "cfg"));
    write("cfg/.env", "SECRET=1\n");
    world.repo.write("tasks/TASK-42.md", '+++\nid = "TASK-42"\ntitle = "On the linked branch"\nbase = "linked"\n+++\nbody\n');
    git(repo, "add", "tasks/TASK-42.md");
    git(repo, "commit", "-q", "-m", "task on linked");
    const server = await world.server();
    expect((await server.api("/dispatch/code-review/TASK-42", { method: "POST" })).status).toBe(201);
    await server.ended("code-review", "TASK-42");
    const tree = TREE(world);
    expect(existsSync(join(tree, ".run"))).toBe(false);
    expect(existsSync(join(outside, ".env"))).toBe(false);
  });

  test("the base is the task's own, else the config's, else the main worktree's branch; it is recorded with the branch", async () => {
    await using world = new World();
    const { write, repo } = world.repo;
    git(repo, "branch", "release");
    write("tasks/TASK-42.md", '+++\nid = "TASK-42"\ntitle = "On release"\nbase = "release"\n+++\nbody\n');
    write("tasks/TASK-43.md", '+++\nid = "TASK-43"\ntitle = "Bad base"\nbase = "--upload-pack=evil"\n+++\nbody\n');
    git(repo, "add", "-A");
    git(repo, "commit", "-q", "-m", "tasks with bases");
    const server = await world.server();
    await server.api("/dispatch/code-review/TASK-42", { method: "POST" });
    await server.ended("code-review", "TASK-42");
    expect(git(repo, "config", "branch.task/TASK-42.dispatchBase").trim()).toBe("release");
    expect(git(repo, "config", "branch.task/TASK-42.dispatchBaseCommit").trim()).toBe(git(repo, "rev-parse", "release^{commit}").trim());
    const review = await (await server.api("/tasks/TASK-42/worktree")).json();
    expect(review).toMatchObject({ branch: "task/TASK-42", base: "release", ahead: 0 });
    // A base that is not a branch name is refused before anything is made.
    const bad = await server.api("/dispatch/code-review/TASK-43", { method: "POST" });
    expect(bad.status).toBe(409);
    expect((await bad.json()).error).toMatchObject({ code: "invalid_base" });
    expect(existsSync(join(world.repo.worktrees, "TASK-43"))).toBe(false);
  });

  test("setup runs once the repository is trusted, once per worktree, with its output in a log; a failing setup starts no agent", async () => {
    await using world = new World();
    const { write, repo } = world.repo;
    // Counts its runs in a file outside the worktree; fails while FAIL exists in the main repo.
    write(
      "setup.sh",
      `#!/bin/sh\necho "setting up $DISPATCH_TASK_ID"\necho run >> '${join(world.repo.root, "setup-runs")}'\nif [ -e '${join(repo, "FAIL")}' ]; then echo "npm ERR! boom" >&2; exit 3; fi\n`,
    );
    chmodSync(join(repo, "setup.sh"), 0o755);
    write("dispatch.config.toml", 'setup = "./setup.sh"\n');
    git(repo, "add", "setup.sh", "dispatch.config.toml");
    git(repo, "commit", "-q", "-m", "setup");
    const runs = () =>
      existsSync(join(world.repo.root, "setup-runs"))
        ? readFileSync(join(world.repo.root, "setup-runs"), "utf8").split("\n").filter(Boolean).length
        : 0;

    const server = await world.server();
    // Not trusted: the agent runs, the setup does not, and the answer says what was left out.
    const untrusted = await (await server.api("/dispatch/code-review/TASK-7", { method: "POST" })).json();
    expect(untrusted.notice).toContain("this repository's setup (not trusted: dispatch trust)");
    await server.ended("code-review", "TASK-7");
    expect(runs()).toBe(0);

    await trustRepository(server);
    write("FAIL", "");
    const agentsBefore = world.agentRuns().length;
    const failed = await server.api("/dispatch/code-review/TASK-42", { method: "POST" });
    expect(failed.status).toBe(409);
    const error = (await failed.json()).error;
    expect(error.code).toBe("setup_failed");
    expect(error.message).toContain("failed with exit code 3");
    expect(error.message).toContain("npm ERR! boom");
    expect(world.agentRuns().length).toBe(agentsBefore);
    const log = join(world.stateDir, "setup", "TASK-42.log");
    expect(readFileSync(log, "utf8")).toBe("setting up TASK-42\nnpm ERR! boom\n");
    expect((await (await server.api("/status/code-review/TASK-42")).json()).state).toBe("failed");

    // Fixed: the next dispatch runs it again, then the agent; after that it never runs again there.
    Bun.spawnSync(["rm", join(repo, "FAIL")]);
    expect((await server.api("/dispatch/code-review/TASK-42", { method: "POST" })).status).toBe(201);
    await server.ended("code-review", "TASK-42");
    expect(world.agentRuns().length).toBe(agentsBefore + 1);
    expect(runs()).toBe(2);
    expect((await server.api("/dispatch/code-review/TASK-42", { method: "POST" })).status).toBe(201);
    await server.ended("code-review", "TASK-42");
    expect(runs()).toBe(2);
  });
});
