import { describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { git } from "./helpers/repo.ts";
import { World, waitFor } from "./helpers/world.ts";

/** A folder turned into a file: unwritable for root too (tests may run as root, where chmod does not bind). */
function replaceWithFile(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  writeFileSync(dir, "not a folder");
}

describe("the state folder", () => {
  test("logs/ unusable: a dispatch answers a JSON error naming the path and the fix, and records nothing", async () => {
    await using world = new World();
    const server = await world.server();
    const logs = join(world.stateDir, "logs");
    replaceWithFile(logs);
    const res = await server.api("/dispatch/code-review/TASK-42", { method: "POST" });
    expect(res.status).toBe(500);
    const body = await res.json();
    expect(body.error.code).toBe("state_unwritable");
    expect(body.error.message).toContain(`cannot use ${logs}: it is a file, not a folder`);
    expect(body.error.message).toContain("make it a writable folder of yours, or set DISPATCH_STATE_DIR");
    expect(await (await server.api("/status/code-review/TASK-42")).json()).toMatchObject({ state: "idle" });
    expect(world.agentRuns().length).toBe(0);
    const cli = await world.cli(["code-review", "TASK-42"]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`cannot use ${logs}`);
  });

  for (const mode of ["code-review", "interactive"]) {
    test(`exits/ unusable while a ${mode} run goes on: its true exit code is recorded, not lost`, async () => {
      await using world = new World();
      const server = await world.server();
      const release = join(world.repo.root, "release");
      const extras = mode === "code-review" ? ["--fake-until", release, "--fake-exit", "4"] : [];
      await server.api(`/dispatch/${mode}/TASK-42`, { method: "POST", body: JSON.stringify({ extras }) });
      await waitFor("the agent", () => world.agentRuns()[0]);
      replaceWithFile(join(world.stateDir, "exits"));
      if (mode === "code-review") {
        writeFileSync(release, "");
      } else {
        await waitFor("the prompt", () => /^>/m.test(world.tmux("capture-pane", "-p", "-t", "=claude-interactive-TASK-42:").out));
        world.tmux("send-keys", "-t", "=claude-interactive-TASK-42:", "-l", "exit 4");
        world.tmux("send-keys", "-t", "=claude-interactive-TASK-42:", "Enter");
      }
      expect(await server.ended(mode, "TASK-42")).toMatchObject({ state: "failed", exitCode: 4 });
    });
  }

  test("runs leave the user's repository clean: git status shows nothing, .gitignore untouched", async () => {
    await using world = new World();
    world.repo.write(".gitignore", "node_modules/\n");
    git(world.repo.repo, "add", ".gitignore");
    git(world.repo.repo, "commit", "-q", "-m", "ignore");
    const server = await world.server();
    await server.api("/dispatch/code-review/TASK-42", { method: "POST", body: JSON.stringify({ extras: ["--save-to", "review.md"] }) });
    await server.ended("code-review", "TASK-42");
    await server.api("/dispatch/interactive/TASK-7", { method: "POST" });
    await server.api("/stop/interactive/TASK-7", { method: "POST" });
    expect((await world.cli(["code-review", "TASK-7"])).code).toBe(0);
    expect(git(world.repo.repo, "status", "--porcelain", "--untracked-files=all")).toBe("");
    expect(git(world.repo.repo, "show", "HEAD:.gitignore")).toBe("node_modules/\n");
  });
});
